"""Notification fan-out service on grpc.aio."""
import asyncio
import contextlib
import logging

import grpc

import notify_pb2 as pb
import notify_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

CHANNELS = ("email", "sms", "push")


class Notifier(pb_grpc.NotifierServicer):
    def __init__(self, senders: dict, audit):
        self._senders = senders
        self._audit = audit
        self._subscribers: dict[str, asyncio.Queue] = {}
        self._background: set[asyncio.Task] = set()

    async def Send(self, request: pb.SendRequest, context):
        async with asyncio.TaskGroup() as tg:
            for ch in CHANNELS:
                if ch in request.channels:
                    tg.create_task(self._senders[ch].send(request.user_id, request.body))
        t = asyncio.create_task(self._record(request))
        self._background.add(t)
        t.add_done_callback(self._background.discard)
        return pb.SendReply(ok=True)

    async def _record(self, request) -> None:
        await self._audit.write("notification", user=request.user_id, channels=list(request.channels))

    async def Subscribe(self, request: pb.SubscribeRequest, context):
        q: asyncio.Queue = asyncio.Queue(maxsize=100)
        self._subscribers[request.user_id] = q
        try:
            while True:
                item = await q.get()
                yield pb.Notification(body=item)
        except asyncio.CancelledError:
            log.info("subscriber %s went away", request.user_id)
            raise
        finally:
            self._subscribers.pop(request.user_id, None)

    async def drain(self) -> None:
        for t in list(self._background):
            t.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)


async def serve(senders: dict, audit) -> None:
    server = grpc.aio.server()
    svc = Notifier(senders, audit)
    pb_grpc.add_NotifierServicer_to_server(svc, server)
    server.add_insecure_port("[::]:50052")
    await server.start()
    watchdog = asyncio.create_task(server.wait_for_termination())
    try:
        await watchdog
    finally:
        watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog
        await svc.drain()
        await server.stop(grace=5)
