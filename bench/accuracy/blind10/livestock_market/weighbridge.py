"""Ring-side cattle weigh platform on RS-232 (indicator in continuous-output mode)."""
import logging
import time

import serial

log = logging.getLogger(__name__)


class Weighbridge:
    def __init__(self, port: str = "/dev/ttyUSB0"):
        self._ser = serial.Serial(port, 9600, bytesize=8, parity="N", stopbits=1, timeout=1)

    def _read_kg(self) -> float | None:
        line = self._ser.readline().decode("ascii", "ignore").strip()
        # indicator frames look like "ST,GS,+00642.5kg"
        if not line.startswith("ST,GS"):
            return None
        return float(line.split(",")[2].rstrip("kg"))

    def read_stable_weight(self, samples: int = 5, tolerance: float = 2.0) -> float:
        """Waits until `samples` consecutive readings agree: 1-4 s with a beast moving."""
        window: list[float] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            kg = self._read_kg()
            if kg is None:
                continue
            window = (window + [kg])[-samples:]
            if len(window) == samples and max(window) - min(window) <= tolerance:
                return round(sum(window) / samples, 1)
            time.sleep(0.1)
        raise TimeoutError("weight never settled")

    def tare(self) -> None:
        self._ser.write(b"T\r\n")
