"""The 869 MHz radio modem on the base station's serial port.

The channel is half duplex and shared by every station on the range.
A reader thread collects replies; the lock guards the serial port, which
the reader thread and the poller both use.
"""
import asyncio
import threading

import serial


class RadioLink:
    def __init__(self, device: str, loop: asyncio.AbstractEventLoop) -> None:
        self.port = serial.Serial(device, 19200, timeout=0.2)
        self.lock = threading.Lock()
        self.loop = loop
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                frame = self.port.read_until(b"\x03")
            if frame.endswith(b"\x03"):
                self.loop.call_soon_threadsafe(self.replies.put_nowait, frame)

    def send_frame(self, frame: bytes) -> None:
        with self.lock:
            self.port.write(frame)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.port.close()
