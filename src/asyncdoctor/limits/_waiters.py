"""A FIFO queue of waiting futures, each with a cost, with O(1) removal of any waiter.

An :class:`collections.OrderedDict` keyed by the waiter's future: appending, popping the
head (``popitem(last=False)``), peeking at the head and removing a cancelled waiter from
the middle are all O(1), so cancelling many waiters never costs quadratic time.  A waiter
whose future is already done (cancelled by its task, not yet removed by it) is skipped by
:meth:`WaiterQueue.head`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

__all__ = ["WaiterQueue"]


class WaiterQueue(OrderedDict["asyncio.Future[None]", float]):
    """Waiting futures in arrival order, each mapped to the cost it asks for."""

    def add(self, loop: asyncio.AbstractEventLoop, cost: float = 1) -> asyncio.Future[None]:
        """Queue a new waiter at the tail and return its future."""
        fut: asyncio.Future[None] = loop.create_future()
        self[fut] = cost
        return fut

    def head(self) -> tuple[asyncio.Future[None], float] | None:
        """The first waiter still pending (dropping done ones from the front), or None."""
        while self:
            fut = next(iter(self))
            if not fut.done():
                return fut, self[fut]
            del self[fut]
        return None

    def discard(self, fut: asyncio.Future[None]) -> None:
        """Forget ``fut`` if it is still queued."""
        self.pop(fut, None)

    def live(self) -> int:
        """How many queued waiters are still pending."""
        return sum(1 for fut in self if not fut.done())
