"""Steps that must happen in order."""

import asyncio
import logging

log = logging.getLogger(__name__)

RATE_PER_SECOND = 2


async def send_frames(writer: asyncio.StreamWriter, frames: list[bytes]) -> None:
    # frames of one message go out in order on a single connection
    for frame in frames:
        writer.write(len(frame).to_bytes(4, "big") + frame)
        await writer.drain()


async def resolve_chain(client, start_id: str, max_hops: int = 10) -> list[str]:
    # each hop needs the previous answer
    chain, current = [start_id], start_id
    for _ in range(max_hops):
        node = await client.get_node(current)
        if not node.get("parent"):
            break
        current = node["parent"]
        chain.append(current)
    return chain


async def replay(conn, events: list[dict]) -> None:
    async with conn.transaction():
        for event in events:
            await conn.execute(
                "INSERT INTO ledger (seq, kind, data) VALUES ($1, $2, $3)",
                event["seq"], event["kind"], event["data"],
            )


async def notify_rate_limited(api, user_ids: list[int]) -> None:
    # the provider allows two calls per second, so we pace the calls on purpose
    for uid in user_ids:
        await api.push(uid, "Your export is ready")
        await asyncio.sleep(1 / RATE_PER_SECOND)


async def retry(op, attempts: int = 3):
    for attempt in range(attempts):
        try:
            return await op()
        except ConnectionError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5 * 2 ** attempt)
