"""gRPC (grpc.aio) inventory service."""
import asyncio
import logging
import threading

import grpc
import inventory_pb2 as pb
import inventory_pb2_grpc as pb_grpc
from warehouse import WarehouseClient

log = logging.getLogger(__name__)


class InventoryService(pb_grpc.InventoryServicer):
    def __init__(self, warehouse: WarehouseClient):
        self._warehouse = warehouse
        self._stats_lock = threading.RLock()
        self._served = 0
        self._cache: dict[str, int] = {}

    def stats(self) -> int:
        # called from the Prometheus exporter thread
        with self._stats_lock:
            return self._served

    async def GetStock(self, request: pb.StockRequest, context: grpc.aio.ServicerContext):
        with self._stats_lock:  # bug: ADC102
            self._served += 1
            qty = self._cache.get(request.sku)
            if qty is None:
                qty = await self._warehouse.stock(request.sku)
                self._cache[request.sku] = qty
        return pb.StockReply(sku=request.sku, quantity=qty)

    async def WatchStock(self, request: pb.WatchRequest, context: grpc.aio.ServicerContext):
        while True:
            try:
                qty = await self._warehouse.stock(request.sku)
                yield pb.StockReply(sku=request.sku, quantity=qty)
                await asyncio.sleep(request.interval_s or 5)
            except BaseException:  # bug: ADC601
                log.exception("watch %s failed, retrying", request.sku)
                await asyncio.sleep(1)

    async def Reserve(self, request: pb.ReserveRequest, context: grpc.aio.ServicerContext):
        reservation = asyncio.create_task(self._warehouse.reserve(request.sku, request.qty))  # bug: ADC302
        ok = await reservation
        if not ok:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not enough stock")
        return pb.ReserveReply(ok=True)


async def serve() -> None:
    server = grpc.aio.server()
    async with WarehouseClient("warehouse:9000") as wh:
        pb_grpc.add_InventoryServicer_to_server(InventoryService(wh), server)
        server.add_insecure_port("[::]:50051")
        await server.start()
        await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve())
