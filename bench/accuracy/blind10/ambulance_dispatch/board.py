"""Unit status board, shared with the county's legacy CAD export thread."""
import os
import threading
import time
from dataclasses import dataclass
from xml.etree import ElementTree as ET


@dataclass
class Unit:
    callsign: str
    station: str
    status: str = "available"
    incident: int | None = None
    lat: float = 0.0
    lon: float = 0.0


class StatusBoard:
    def __init__(self, export_path: str):
        self.lock = threading.Lock()
        self.units: dict[str, Unit] = {}
        self.export_path = export_path

    def update_position(self, callsign: str, lat: float, lon: float) -> None:
        with self.lock:
            unit = self.units.get(callsign)
            if unit:
                unit.lat, unit.lon = lat, lon

    def set_status(self, callsign: str, status: str, incident: int | None = None) -> None:
        with self.lock:
            unit = self.units[callsign]
            unit.status, unit.incident = status, incident

    def units_on(self, incident_id: int) -> list[str]:
        with self.lock:
            return [u.callsign for u in self.units.values() if u.incident == incident_id]

    def snapshot_xml(self) -> bytes:
        root = ET.Element("units", generated=str(int(time.time())))
        with self.lock:
            for u in self.units.values():
                ET.SubElement(root, "unit", callsign=u.callsign, status=u.status, incident=str(u.incident or ""))
        return ET.tostring(root, encoding="utf-8")

    def _export_loop(self) -> None:
        # the county CAD picks this file up over SMB every ten seconds
        while True:
            data = self.snapshot_xml()
            with open(self.export_path + ".tmp", "wb") as fh:
                fh.write(data)
            os.replace(self.export_path + ".tmp", self.export_path)
            time.sleep(10)

    def start_export_thread(self) -> None:
        threading.Thread(target=self._export_loop, name="cad-export", daemon=True).start()
