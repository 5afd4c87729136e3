"""Group commit: outcomes that arrive while a settle runs are settled together in the next,
and a broadcast's outcomes take a few transactions, not one each (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.outbox.grouping import Grouped
from pbbot.outbox.limits import ChannelLimits
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.sender import Outbox
from pbbot.storage.tables import PRIORITY_BULK
from tests.outbox.support import FakeClock, FakeSender, messages, queue

Sessions = async_sessionmaker[AsyncSession]


class Recorder:
    """Work that records each group and runs until the test lets it finish."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.release = asyncio.Event()
        self.fail_with: Exception | None = None

    async def __call__(self, items: list[str]) -> None:
        self.groups.append(items)
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with


async def test_what_arrives_during_a_run_goes_together_into_the_next() -> None:
    work = Recorder()
    grouped = Grouped(work)
    first = asyncio.create_task(grouped.submit("a"))
    await asyncio.sleep(0)  # the first run has begun, with "a" alone
    later = [asyncio.create_task(grouped.submit(item)) for item in "bcd"]
    await asyncio.sleep(0)

    work.release.set()
    await asyncio.gather(first, *later)

    assert work.groups == [["a"], ["b", "c", "d"]]


async def test_every_submitter_of_a_failed_run_gets_its_error() -> None:
    work = Recorder()
    work.fail_with = RuntimeError("the database is away")
    grouped = Grouped(work)
    submitted = [asyncio.create_task(grouped.submit(item)) for item in "ab"]
    await asyncio.sleep(0)

    work.release.set()
    results = await asyncio.gather(*submitted, return_exceptions=True)

    assert [str(result) for result in results] == ["the database is away"] * 2
    assert work.groups == [["a", "b"]]


async def test_a_cancelled_submitter_still_has_its_item_recorded() -> None:
    work = Recorder()
    grouped = Grouped(work)
    submitter = asyncio.create_task(grouped.submit("a"))
    await asyncio.sleep(0)

    submitter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await submitter
    work.release.set()
    await grouped.idle()

    assert work.groups == [["a"]]


async def test_a_broadcast_settles_in_a_few_transactions(
    sessionmaker: Sessions, database_url: str
) -> None:
    clock = FakeClock()
    telegram = FakeSender("telegram", clock)
    for chat in range(300):
        await queue(sessionmaker, str(1000 + chat), "Voting is open", priority=PRIORITY_BULK)
    fast = ChannelLimits(per_second=1e6, burst=300.0, per_address_per_second=1.0)
    outbox = Outbox(
        sessionmaker,
        {"telegram": telegram},
        limits={"telegram": fast},
        clock=clock,
        policy=OutboxPolicy(batch_size=100),
    )
    engine = sessionmaker.kw["bind"]
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda connection: commits.append(1))

    while await outbox.send_due():
        pass

    assert [row.status for row in await messages(sessionmaker)] == ["sent"] * 300
    assert len(telegram.sent) == 300
    # 3 claims of 100 and their settles; one transaction per outcome would be 300 more.
    assert len(commits) <= 30
