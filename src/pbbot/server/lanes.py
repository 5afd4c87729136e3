"""A lane of the inbound pipeline: a bounded queue of updates, taken batch by batch.

Bounded so that whatever a lane takes on is handled within a few batches'
time, however many arrive: an update that finds its lane full waits for a
place, in arrival order (so a resident's messages keep theirs), and is turned
away if none comes free in time; the channel then sends it again later.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from pbbot.channels.base import InboundUpdate

__all__ = ["Item", "Lane"]


@dataclass(eq=False, slots=True)
class Item:
    update: InboundUpdate
    done: asyncio.Future[bool]  # True once processed; False when nothing was done
    placed: asyncio.Future[None] | None = None  # set when a held update gets its place

    @property
    def resident(self) -> tuple[str, str]:
        return self.update.inbound.channel, self.update.inbound.address


class Lane:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.waiting: list[Item] = []  # for the next batches
        self.held: deque[Item] = deque()  # arrived while `waiting` was full, in order
        self.wanted = asyncio.Event()  # set when there is something to take
        self.busy = False  # a batch is being handled

    @property
    def idle(self) -> bool:
        return not (self.waiting or self.held or self.busy)

    async def enter(self, item: Item, *, wait: float) -> bool:
        """Queue `item`, waiting up to `wait` seconds for a place; False if none came."""
        if not self.held and len(self.waiting) < self.capacity:
            self.waiting.append(item)
            self.wanted.set()
            return True
        if len(self.held) >= self.capacity:  # even the wait is full: no use waiting
            return False
        item.placed = asyncio.get_running_loop().create_future()
        self.held.append(item)
        try:
            await asyncio.wait_for(asyncio.shield(item.placed), wait)
        except TimeoutError:
            if not item.placed.done():
                self.held.remove(item)
                return False
        except asyncio.CancelledError:
            if not item.placed.done():
                self.held.remove(item)
            raise
        return True

    def take(self, size: int) -> list[Item]:
        """The next batch, at most `size`; the places it frees go to the held updates."""
        batch, self.waiting = self.waiting[:size], self.waiting[size:]
        while self.held and len(self.waiting) < self.capacity:
            item = self.held.popleft()
            self.waiting.append(item)
            assert item.placed is not None
            item.placed.set_result(None)
        return batch
