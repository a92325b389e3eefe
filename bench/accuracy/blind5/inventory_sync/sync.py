"""The sync job: full reconciliation every night, single SKUs on WMS webhooks."""
import asyncio
import logging

from . import shopify, warehouse

log = logging.getLogger("inventory-sync")


class InventorySync:
    def __init__(self, shop: str, token: str, location_id: int, sku_to_item: dict[str, int]) -> None:
        self.shop = shop
        self.token = token
        self.location_id = location_id
        self.sku_to_item = sku_to_item
        self._limit = asyncio.Semaphore(4)  # Shopify allows ~4 req/s per store

    async def push(self, sku: str, available: int) -> None:
        async with self._limit:
            await shopify.set_level(self.shop, self.token, self.location_id, self.sku_to_item[sku], available)

    async def on_wms_webhook(self, sku: str) -> None:
        available = warehouse.stock_for(sku)  # bug: ADC101
        await self.push(sku, available)
        log.info("pushed %s=%d", sku, available)

    async def reconcile(self) -> int:
        async with shopify.ShopifyAdmin(self.shop, self.token) as admin:
            levels = await admin.list_variants(self.location_id)
        item_to_sku = {v: k for k, v in self.sku_to_item.items()}
        current = {item_to_sku[lv["inventory_item_id"]]: lv["available"]
                   for lv in levels if lv["inventory_item_id"] in item_to_sku}
        stock = await asyncio.to_thread(warehouse.stock_snapshot, list(current))
        drift = {sku: qty for sku, qty in stock.items() if current.get(sku) != qty}
        await asyncio.gather(*(self.push(sku, qty) for sku, qty in drift.items()))
        return len(drift)

    async def sync_catalogue(self, skus: list[str]) -> None:
        stock = await asyncio.to_thread(warehouse.stock_snapshot, skus)
        await asyncio.gather(*(self.push_direct(sku, qty) for sku, qty in stock.items()))  # bug: ADC502

    async def push_direct(self, sku: str, available: int) -> None:
        await shopify.set_level(self.shop, self.token, self.location_id, self.sku_to_item[sku], available)
