"""Orbital elements and pass prediction (skyfield)."""
import requests
from skyfield.api import EarthSatellite, load, wgs84

CELESTRAK = "https://celestrak.org/NORAD/elements/gp.php"
ts = load.timescale()


def fetch_tle(norad_id: int) -> EarthSatellite:
    resp = requests.get(CELESTRAK, params={"CATNR": norad_id, "FORMAT": "TLE"}, timeout=15)
    resp.raise_for_status()
    name, line1, line2 = resp.text.strip().splitlines()[:3]
    return EarthSatellite(line1, line2, name.strip(), ts)


def next_pass(sat: EarthSatellite, lat: float, lon: float, hours: int = 24, min_el: float = 15.0):
    station = wgs84.latlon(lat, lon)
    t0 = ts.now()
    times, events = sat.find_events(station, t0, t0 + hours / 24, altitude_degrees=min_el)
    for i in range(len(events) - 2):
        if list(events[i:i + 3]) == [0, 1, 2]:
            return times[i], times[i + 2]
    return None


def look_angles(sat: EarthSatellite, lat: float, lon: float, when) -> tuple[float, float]:
    alt, az, _ = (sat - wgs84.latlon(lat, lon)).at(when).altaz()
    return az.degrees, alt.degrees
