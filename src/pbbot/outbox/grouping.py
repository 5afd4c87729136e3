"""Group commit: what arrives while one transaction runs goes together into the next.

A busy outbox learns outcomes faster than one transaction per outcome can
record them: on SQLite every commit is a disk sync on the one connection, and
on PostgreSQL every transaction is a round trip or more, a pooled connection,
and a commit. `Grouped` runs one piece of work (a transaction) at a time on
everything submitted since the last one began, so the number of transactions
follows the database's pace, not the provider's: one outcome alone is recorded
at once, a thousand that arrive together take a few transactions.

A submitter waits until the transaction that took its item has ended (and gets
its error, if it failed), so it can tell that its item is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["Grouped"]

T = TypeVar("T")


class Grouped(Generic[T]):
    """Runs `work(items)` on the items submitted while the previous run was under way."""

    def __init__(self, work: Callable[[list[T]], Awaitable[None]]):
        self._work = work
        self._waiting: list[T] = []
        self._done: asyncio.Future[None] | None = None  # the next run's outcome
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Returns once a run that took `item` has ended; raises that run's error.

        Cancelling the submitter does not take the item back: it is recorded
        anyway (`idle` waits for it).
        """
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
        done = self._done
        self._waiting.append(item)
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        await asyncio.shield(done)

    async def idle(self) -> None:
        """Wait until every item submitted so far has had its run."""
        while self._runner is not None:
            await asyncio.shield(self._runner)

    async def _run(self) -> None:
        try:
            while self._waiting:
                items, self._waiting = self._waiting, []
                done, self._done = self._done, None
                assert done is not None
                try:
                    await self._work(items)
                except Exception as error:
                    done.set_exception(error)
                    done.exception()  # retrieved: each submitter raises it, if still waiting
                except BaseException:  # cancelled (the loop ends): nobody waits in vain
                    done.cancel()
                    if self._done is not None:
                        self._done.cancel()
                        self._done, self._waiting = None, []
                    raise
                else:
                    done.set_result(None)
        finally:
            self._runner = None
