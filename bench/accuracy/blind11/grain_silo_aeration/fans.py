"""Relay board for the aeration fans, on the I2C bus of the control cabinet's Pi."""
import logging
import threading
import time

from smbus2 import SMBus

log = logging.getLogger("silo.fans")

BOARD_ADDR = 0x20
OUTPUT_REG = 0x09
TRIP_AMPS = 32.0


class RelayBoard:
    def __init__(self, bus_no: int = 1):
        self._bus = SMBus(bus_no)
        self.lock = threading.Lock()
        self._state = 0
        self._stop = threading.Event()

    def set_unlocked(self, channel: int, on: bool) -> None:
        if on:
            self._state |= 1 << channel
        else:
            self._state &= ~(1 << channel)
        self._bus.write_byte_data(BOARD_ADDR, OUTPUT_REG, self._state)

    def all_off(self) -> None:
        with self.lock:
            self._state = 0
            self._bus.write_byte_data(BOARD_ADDR, OUTPUT_REG, 0)

    def running(self) -> set[int]:
        with self.lock:
            return {ch for ch in range(8) if self._state & (1 << ch)}

    def _current(self, channel: int) -> float:
        raw = self._bus.read_word_data(BOARD_ADDR + 1, channel)
        return raw * 0.01

    def _watchdog(self) -> None:
        while not self._stop.wait(2.0):
            with self.lock:
                for ch in range(8):
                    if self._state & (1 << ch) and self._current(ch) > TRIP_AMPS:
                        log.error("fan %s over current, tripping", ch)
                        self.set_unlocked(ch, False)

    def start_watchdog(self) -> threading.Thread:
        thread = threading.Thread(target=self._watchdog, name="fan-watchdog", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self._stop.set()
        time.sleep(0.1)
        self._bus.close()
