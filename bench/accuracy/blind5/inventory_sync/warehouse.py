"""Warehouse stock lives in MongoDB (written by the WMS)."""
import os

from pymongo import MongoClient

_client = MongoClient(os.environ.get("WMS_MONGO_URL", "mongodb://wms-db:27017"), serverSelectionTimeoutMS=5000)
_stock = _client["wms"]["stock"]


def stock_for(sku: str) -> int:
    doc = _stock.find_one({"sku": sku}, {"on_hand": 1, "reserved": 1})
    if doc is None:
        return 0
    return max(doc["on_hand"] - doc.get("reserved", 0), 0)


def stock_snapshot(skus: list[str]) -> dict[str, int]:
    cursor = _stock.find({"sku": {"$in": skus}}, {"sku": 1, "on_hand": 1, "reserved": 1})
    return {d["sku"]: max(d["on_hand"] - d.get("reserved", 0), 0) for d in cursor}


def close() -> None:
    _client.close()
