"""Subscribe to OPC-UA alarm tags on the packaging line and page the shift lead."""
import asyncio
import contextlib
import logging

import httpx
from asyncua import Client, Node, ua

log = logging.getLogger("alarms")

ENDPOINT = "opc.tcp://plc-pack1.factory.local:4840"
ALARM_TAGS = ("ns=2;s=Pack1.Alarms.Jam", "ns=2;s=Pack1.Alarms.GlueLow", "ns=2;s=Pack1.Alarms.EStop")
PAGER = "http://pager.factory.local/api/page"


class AlarmHandler:
    """asyncua calls datachange_notification from its own receive task."""

    def __init__(self, queue: asyncio.Queue) -> None:
        self.queue = queue

    def datachange_notification(self, node: Node, val, data) -> None:
        if val:
            self.queue.put_nowait((node.nodeid.to_string(), data.monitored_item.Value.SourceTimestamp))

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        log.warning("subscription status changed: %s", status.Status)


async def wait_until_running(client: Client, timeout: float = 120.0) -> None:
    # the PLC reports Running once its own boot sequence has finished
    state = client.get_node(ua.ObjectIds.Server_ServerStatus_State)
    async with asyncio.timeout(timeout):
        while await state.read_value() != ua.ServerState.Running:
            await asyncio.sleep(2)


async def pager(queue: asyncio.Queue, http: httpx.AsyncClient) -> None:
    while True:
        tag, when = await queue.get()
        try:
            await http.post(PAGER, json={"group": "pack1-shift-lead", "text": f"{tag} at {when:%H:%M:%S}"})
        except httpx.HTTPError:
            log.exception("paging failed for %s", tag)
        finally:
            queue.task_done()


async def main() -> None:
    queue: asyncio.Queue = asyncio.Queue()
    async with httpx.AsyncClient(timeout=5) as http, Client(url=ENDPOINT) as client:
        await wait_until_running(client)
        sub = await client.create_subscription(500, AlarmHandler(queue))
        nodes = [client.get_node(tag) for tag in ALARM_TAGS]
        await sub.subscribe_data_change(nodes)
        paging = asyncio.create_task(pager(queue, http))
        try:
            while True:
                await asyncio.sleep(60)
                await client.check_connection()
        except asyncio.CancelledError:
            log.info("shutting down alarm subscriber")
            raise
        finally:
            paging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await paging
            with contextlib.suppress(Exception):
                await sub.delete()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
