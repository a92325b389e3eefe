"""Edge gateway: polls Modbus TCP meters and publishes readings to MQTT."""
