"""Payload decoders per device profile (fPort)."""
import base64
import struct


def decode_soil(data: bytes) -> dict:
    moisture, temp, ec = struct.unpack(">HhH", data[:6])
    return {"moisture_pct": moisture / 10, "soil_temp_c": temp / 10, "ec_us_cm": ec}


def decode_trough(data: bytes) -> dict:
    level_mm, battery_mv = struct.unpack(">HH", data[:4])
    return {"level_mm": level_mm, "battery_v": battery_mv / 1000}


DECODERS = {2: decode_soil, 5: decode_trough}


def decode_uplink(uplink: dict) -> dict | None:
    decoder = DECODERS.get(uplink.get("fPort"))
    if decoder is None or not uplink.get("data"):
        return None
    return decoder(base64.b64decode(uplink["data"]))
