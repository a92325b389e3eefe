import asyncio
import datetime as dt
import logging

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import DESCENDING

log = logging.getLogger("audit")


class AuditTrail:
    def __init__(self, uri, db_name="audit"):
        self.client = AsyncIOMotorClient(uri, tz_aware=True)
        self.db = self.client[db_name]
        self.events = self.db["events"]
        self.users = self.db["users"]

    async def record(self, actor_id, action, target, **details):
        doc = {
            "actor": ObjectId(actor_id),
            "action": action,
            "target": target,
            "details": details,
            "at": dt.datetime.now(dt.timezone.utc),
        }
        result = await self.events.insert_one(doc)
        return result.inserted_id

    async def history(self, target, limit=100):
        cursor = self.events.find({"target": target}).sort("at", DESCENDING).limit(limit)
        return await cursor.to_list(length=limit)

    async def history_with_actors(self, target, limit=100):
        events = await self.history(target, limit)
        actor_ids = {e["actor"] for e in events}
        actors = {}
        for actor_id in actor_ids:
            actors[actor_id] = await self.users.find_one({"_id": actor_id}, {"name": 1, "email": 1})  # bug: ADC501
        for event in events:
            event["actor"] = actors.get(event["actor"]) or {"name": "deleted user"}
        return events

    async def export_since(self, since):
        exported = []
        last_id = None
        while True:
            query = {"at": {"$gte": since}}
            if last_id is not None:
                query["_id"] = {"$gt": last_id}
            page = await self.events.find(query).sort("_id", 1).limit(500).to_list(length=500)
            if not page:
                break
            exported.extend(page)
            last_id = page[-1]["_id"]
        return exported

    async def summary(self, target, include_counts=False):
        if include_counts:
            counts_task = asyncio.create_task(
                self.events.aggregate(
                    [{"$match": {"target": target}}, {"$group": {"_id": "$action", "n": {"$sum": 1}}}]
                ).to_list(length=None)
            )
            latest = await self.events.find_one({"target": target}, sort=[("at", DESCENDING)])
            counts = await counts_task
            return {"latest": latest, "counts": {c["_id"]: c["n"] for c in counts}}
        else:
            latest_task = asyncio.create_task(  # bug: ADC302
                self.events.find_one({"target": target}, sort=[("at", DESCENDING)])
            )
            latest = await latest_task
            return {"latest": latest}

    def close(self):
        self.client.close()
