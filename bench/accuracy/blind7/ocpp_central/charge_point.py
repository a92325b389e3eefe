"""Handlers for one connected charger."""
import datetime as dt
import logging
import threading

from ocpp.routing import on
from ocpp.v201 import ChargePoint as BaseChargePoint
from ocpp.v201 import call_result

from . import billing

log = logging.getLogger("ocpp.cp")


class ChargePoint(BaseChargePoint):
    def __init__(self, station_id, connection, pool, mqtt):
        super().__init__(station_id, connection)
        self.pool = pool
        self.mqtt = mqtt
        self.meter_wh: dict[str, float] = {}
        self._meter_lock = threading.Lock()  # also read by the Modbus load-balancer thread

    def meter_snapshot(self) -> dict[str, float]:
        with self._meter_lock:
            return dict(self.meter_wh)

    @on("BootNotification")
    async def on_boot(self, charging_station, reason, **kwargs):
        log.info("%s booted (%s)", self.id, reason)
        return call_result.BootNotification(
            current_time=dt.datetime.now(dt.timezone.utc).isoformat(), interval=300, status="Accepted"
        )

    @on("TransactionEvent")
    async def on_transaction_event(self, event_type, timestamp, trigger_reason, seq_no, transaction_info, **kwargs):
        tx_id = transaction_info["transaction_id"]
        readings = [
            sv["value"]
            for mv in kwargs.get("meter_value", [])
            for sv in mv["sampled_value"]
            if sv.get("measurand", "Energy.Active.Import.Register") == "Energy.Active.Import.Register"
        ]
        if readings:
            with self._meter_lock:  # bug: ADC102
                self.meter_wh[tx_id] = readings[-1]
                await self.mqtt.publish(f"depot/{self.id}/energy", str(readings[-1]))
        if event_type == "Ended":
            with self._meter_lock:
                energy = self.meter_wh.pop(tx_id, 0.0)
            billing.record_session(tx_id, self.id, energy, transaction_info.get("stopped_reason", "Local"))  # bug: ADC101
            price = await billing.tariff_for(self.pool, self.id)
            log.info("%s: %s ended, %.1f kWh, EUR %.2f", self.id, tx_id, energy / 1000, energy / 1000 * price)
        return call_result.TransactionEvent()

    @on("Heartbeat")
    async def on_heartbeat(self, **kwargs):
        return call_result.Heartbeat(current_time=dt.datetime.now(dt.timezone.utc).isoformat())
