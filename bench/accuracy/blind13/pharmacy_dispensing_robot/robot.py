"""Serial link to the dispensing robot: one picking arm over 4,000 drawer slots.

A reader thread consumes the robot's unsolicited status lines. Commands are
written under `lock`, so that the thread never steals a command's reply.
"""
from __future__ import annotations

import logging
import threading

import serial

log = logging.getLogger(__name__)


class RobotLink:
    def __init__(self, device: str = "/dev/ttyUSB0") -> None:
        self.port = serial.Serial(device, 57600, timeout=8)
        self.lock = threading.Lock()
        self.hatch_open = False
        self.ejected: list[tuple[str, int]] = []  # expiry ejections, filled by the reader
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read_status, daemon=True)

    def start(self) -> None:
        self._reader.start()

    def close(self) -> None:
        self._stop.set()
        self._reader.join(timeout=2)
        self.port.close()

    def _read_status(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                line = self.port.readline() if self.port.in_waiting else b""
            if line.startswith(b"!HATCH"):
                self.hatch_open = line.strip().endswith(b"OPEN")
            elif line.startswith(b"!EJECT"):
                _, slot, packs = line.decode().split()
                with self.lock:
                    self.ejected.append((slot, int(packs)))
            elif line.startswith(b"!FAULT"):
                log.error("robot fault: %s", line.decode(errors="replace").strip())
            self._stop.wait(0.05)

    def command(self, text: str) -> str:
        with self.lock:
            self.port.write(text.encode() + b"\r")
            return self.port.readline().decode().strip()

    def pick(self, slot: str, packs: int) -> str:
        """Blocks for the arm's travel, two to six seconds."""
        return self.command(f"PICK {slot} {packs}")

    def inventory(self) -> dict[str, int]:
        """Full drawer scan: the arm reads every barcode, about forty seconds."""
        reply = self.command("SCAN ALL")
        pairs = (item.split("=", 1) for item in reply.split(";") if "=" in item)
        return {slot: int(count) for slot, count in pairs}
