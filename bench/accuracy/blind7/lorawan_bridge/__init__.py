"""Bridge ChirpStack uplinks (MQTT) into InfluxDB for the farm sensors."""

from .bridge import Bridge

__all__ = ["Bridge"]
