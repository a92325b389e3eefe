"""Keeps the product search index in sync with catalogue change events."""
import asyncio
import logging
import threading

from elasticsearch import Elasticsearch, helpers

log = logging.getLogger("reindexer")

INDEX = "products-v7"


class Reindexer:
    def __init__(self, es_url: str, api_key: str, flush_every: float = 1.0) -> None:
        self.es = Elasticsearch(es_url, api_key=api_key, request_timeout=30)
        self.flush_every = flush_every
        self._pending: list[dict] = []
        self._lock = threading.Lock()  # the Kafka consumer thread appends too
        self.indexed = 0

    def ensure_index(self, mapping: dict) -> None:
        if not self.es.indices.exists(index=INDEX):
            self.es.indices.create(index=INDEX, mappings=mapping)

    def on_change(self, event: dict) -> None:
        """Called from the consumer thread."""
        op = {"_op_type": "delete" if event["deleted"] else "index", "_index": INDEX, "_id": event["sku"]}
        if not event["deleted"]:
            op["_source"] = event["product"]
        with self._lock:
            self._pending.append(op)

    def _take(self) -> list[dict]:
        with self._lock:
            ops, self._pending = self._pending, []
        return ops

    async def flush(self) -> None:
        ops = self._take()
        if not ops:
            return
        ok, errors = await asyncio.to_thread(helpers.bulk, self.es, ops, raise_on_error=False)
        self.indexed += ok
        if errors:
            log.warning("%d bulk errors, first: %s", len(errors), errors[0])

    async def delete_discontinued(self, skus: list[str]) -> None:
        ops = [{"_op_type": "delete", "_index": INDEX, "_id": sku} for sku in skus]
        with self._lock:  # bug: ADC102
            self._pending = [op for op in self._pending if op["_id"] not in set(skus)]
            await asyncio.to_thread(helpers.bulk, self.es, ops, raise_on_error=False)
        self.es.indices.refresh(index=INDEX)  # bug: ADC101

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.create_task(self.flush())  # bug: ADC302
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.flush_every)
            except asyncio.TimeoutError:
                pass
        await self.flush()
