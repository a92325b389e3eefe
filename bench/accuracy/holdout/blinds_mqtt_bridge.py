"""Bridge an old RTS blinds gateway (raw TCP, one command per line) to MQTT
so Home Assistant can drive it."""
import asyncio
import json
import logging
import socket

import aiomqtt

GATEWAY = ("192.168.1.40", 4999)
BROKER = "mqtt.home.arpa"
BLINDS = ("living", "kitchen", "bedroom", "office")

log = logging.getLogger("rts-bridge")


def send_to_gateway(cmd: str) -> str:
    with socket.create_connection(GATEWAY, timeout=3) as s:
        s.sendall(cmd.encode("ascii") + b"\r\n")
        return s.recv(64).decode("ascii").strip()


def discovery_payload(blind: str) -> str:
    return json.dumps(
        {
            "name": f"{blind.title()} blind",
            "unique_id": f"rts_{blind}",
            "command_topic": f"rts/cmd/{blind}/set",
            "state_topic": f"rts/{blind}/state",
            "payload_open": "up",
            "payload_close": "down",
            "payload_stop": "my",
        }
    )


async def handle(client: aiomqtt.Client, topic: str, payload: str) -> None:
    blind = topic.split("/")[2]
    if blind not in BLINDS or payload not in ("up", "down", "my"):
        log.warning("ignoring %s=%r", topic, payload)
        return
    reply = send_to_gateway(f"{payload.upper()} {blind}")  # bug: ADC101
    state = {"up": "open", "down": "closed", "my": "stopped"}[payload]
    await client.publish(f"rts/{blind}/state", json.dumps({"state": state, "ack": reply}), retain=True)


async def main() -> None:
    while True:
        try:
            async with aiomqtt.Client(BROKER, identifier="rts-bridge") as client:
                for blind in BLINDS:
                    await client.publish(
                        f"homeassistant/cover/rts_{blind}/config", discovery_payload(blind), retain=True
                    )
                await client.subscribe("rts/cmd/+/set")
                async for message in client.messages:
                    try:
                        await handle(client, str(message.topic), message.payload.decode())
                    except:  # bug: ADC601
                        log.exception("command on %s failed", message.topic)
        except aiomqtt.MqttError as exc:
            log.warning("broker connection lost (%s); reconnecting in 5 s", exc)
            await asyncio.sleep(5)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
