"""MIDI recorder for a church's pipe organ.

The organ's combination system sends MIDI for every key, pedal and stop
change. Organists record a piece at practice and play it back to hear the
registration from the nave. Recordings are kept as standard MIDI files
and listed on a small web page served by the same process.
"""
import asyncio
import logging
import signal
import threading
import time
from pathlib import Path

import mido
from aiohttp import web

log = logging.getLogger("organ")

PORT_NAME = "Organ Combination System"
RECORDINGS = Path("/srv/organ/recordings")
IDLE_STOP_S = 120


def write_midi(events: list[tuple[float, mido.Message]], path: Path) -> None:
    track = mido.MidiTrack()
    last = events[0][0] if events else 0.0
    for at, msg in events:
        ticks = int(mido.second2tick(at - last, 480, 500000))
        track.append(msg.copy(time=ticks))
        last = at
    mido.MidiFile(tracks=[track], ticks_per_beat=480).save(path)


def play_file(path: Path, out_name: str, stop: threading.Event) -> None:
    with mido.open_output(out_name) as out:
        for msg in mido.MidiFile(path).play():
            if stop.is_set():
                out.reset()
                return
            out.send(msg)


class Recorder:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.events: list[tuple[float, mido.Message]] = []
        self.recording = False
        self.idle_timer: asyncio.TimerHandle | None = None
        self.playback_stop = threading.Event()
        self.saves: set[asyncio.Future] = set()

    def on_midi(self, msg: mido.Message) -> None:
        # called by mido's input thread
        future = asyncio.run_coroutine_threadsafe(self.note(msg), self.loop)
        future.add_done_callback(self._log_failure)

    def _log_failure(self, future) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.error("MIDI event lost: %r", future.exception())

    async def note(self, msg: mido.Message) -> None:
        if not self.recording:
            return
        self.events.append((time.monotonic(), msg))
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        self.idle_timer = self.loop.call_later(IDLE_STOP_S, self.stop_recording)

    def stop_recording(self) -> None:
        if not self.recording:
            return
        self.recording = False
        events, self.events = self.events, []
        path = RECORDINGS / time.strftime("%Y%m%d-%H%M%S.mid")
        save = asyncio.ensure_future(asyncio.to_thread(write_midi, events, path))
        self.saves.add(save)
        save.add_done_callback(self.saves.discard)

    async def start(self, request: web.Request) -> web.Response:
        self.recording = True
        self.events.clear()
        return web.json_response({"recording": True})

    async def stop(self, request: web.Request) -> web.Response:
        self.stop_recording()
        return web.json_response({"recording": False})

    async def play(self, request: web.Request) -> web.Response:
        path = RECORDINGS / Path(request.match_info["name"]).name
        self.playback_stop.clear()
        thread = threading.Thread(target=play_file, args=(path, PORT_NAME, self.playback_stop), daemon=True)
        thread.start()
        return web.json_response({"playing": path.name})

    async def listing(self, request: web.Request) -> web.Response:
        names = await asyncio.to_thread(lambda: sorted(p.name for p in RECORDINGS.glob("*.mid")))
        return web.json_response(names)


async def main() -> None:
    loop = asyncio.get_running_loop()
    recorder = Recorder(loop)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    port = await asyncio.to_thread(mido.open_input, PORT_NAME, callback=recorder.on_midi)
    app = web.Application()
    app.router.add_post("/record", recorder.start)
    app.router.add_post("/stop", recorder.stop)
    app.router.add_post("/play/{name}", recorder.play)
    app.router.add_get("/recordings", recorder.listing)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", 8000).start()
    try:
        await stop.wait()
    finally:
        recorder.stop_recording()
        recorder.playback_stop.set()
        await asyncio.gather(*recorder.saves, return_exceptions=True)
        await runner.cleanup()
        await asyncio.to_thread(port.close)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
