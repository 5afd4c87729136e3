"""The inbound pipeline keeps a resident's messages in arrival order, however
many arrive at once and however the batches fall."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select, text

from pbbot.channels.base import InboundUpdate
from pbbot.domain.messages import Inbound
from pbbot.runtime import Runtime, build_runtime
from pbbot.server.pipeline import InboundPipeline, Overloaded, StoreFailed, retry_later
from pbbot.storage.database import create_engine
from pbbot.storage.tables import InboundMessage, OutboundMessage
from tests.server.harness import EDITION, TODAY

# Onboarding, then the menu: each answer only makes sense after the one before.
SENT = ["hello", "3", "1", "2", "34", "2", "3", "3"]


@pytest.mark.parametrize("lanes", [1, 4])
async def test_a_burst_from_one_resident_is_answered_in_order(
    database_url: str, lanes: int
) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY)
    pipeline = InboundPipeline(runtime.service, replies_queued=lambda: None, lanes=lanes)
    stop = asyncio.Event()
    running = asyncio.create_task(pipeline.run(stop))
    others = [
        InboundUpdate(f"test:other:{n}", Inbound("telegram", f"9{n}", text="hello"))
        for n in range(20)
    ]
    mine = [
        InboundUpdate(f"test:mine:{n}", Inbound("telegram", "42", text=text, language_hint="en"))
        for n, text in enumerate(SENT)
    ]
    # Everything arrives at once, the resident's messages among other residents'.
    accepted = await asyncio.gather(
        *(pipeline.accept(update) for pair in zip(others, mine, strict=False) for update in pair),
        *(pipeline.accept(update) for update in others[len(mine) :]),
    )
    stop.set()
    await running
    async with runtime.sessionmaker() as session:
        texts = list(
            await session.scalars(
                select(OutboundMessage.text)
                .where(OutboundMessage.address == "42")
                .order_by(OutboundMessage.id)
            )
        )
    await runtime.close()

    assert all(accepted)
    expected = [
        "Choose a language",  # hello
        "Welcome to the Mechelen",  # 3: English
        "We keep your answers",
        "In which district",  # 1: I agree
        "How old are you?",  # 2: a district
        "Thank you!",  # 34
        "Now: Ideas",
        "- Information:",  # 2: the timeline
        "Now: Ideas",  # 3: back to the main menu
        "An idea can go to the vote if it:",  # 3: the rules
    ]
    assert [text[: len(start)] for text, start in zip(texts, expected, strict=True)] == expected


@pytest.mark.parametrize("lanes", [1, 4])
async def test_an_idle_pipeline_stops_at_once(database_url: str, lanes: int) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY)
    pipeline = InboundPipeline(runtime.service, replies_queued=lambda: None, lanes=lanes)
    stop = asyncio.Event()
    running = asyncio.create_task(pipeline.run(stop))
    await asyncio.sleep(0.05)  # every lane is asleep, waiting for an update
    loop = asyncio.get_running_loop()
    stopped_at = loop.time()
    stop.set()
    await asyncio.wait_for(running, timeout=2)
    waited = loop.time() - stopped_at
    await runtime.close()

    assert waited < 0.1


# --- back-pressure and failures ---------------------------------------------------------


def new_chat(n: int, *, chat: int | None = None) -> InboundUpdate:
    chat = 7000 + n if chat is None else chat
    return InboundUpdate(f"test:{n}", Inbound("telegram", str(chat), text="hello"))


@asynccontextmanager
async def write_lock(database_url: str) -> AsyncIterator[None]:
    """Another connection holds what inserting an update needs, as a long manual
    transaction would: the pipeline's transaction waits for it."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE, the write lock
            if engine.dialect.name == "postgresql":
                await connection.execute(text("LOCK TABLE inbound_messages IN EXCLUSIVE MODE"))
            else:
                await connection.execute(text("SELECT 1"))
            yield
    finally:
        await engine.dispose()


@asynccontextmanager
async def poisoned(
    database_url: str, *, table: str, address: str, sqlstate: str
) -> AsyncIterator[None]:
    """A trigger that fails inserting into `table` for `address` only, as a value too
    long or a constraint fails one row: a real database error, on that row only."""
    engine = create_engine(database_url)
    postgres = engine.dialect.name == "postgresql"
    statements = (
        [
            f"""CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
                IF NEW.address = '{address}' THEN
                    RAISE EXCEPTION 'poisoned row' USING ERRCODE = '{sqlstate}';
                END IF; RETURN NEW; END $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER poison BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION poison()",
        ]
        if postgres
        else [
            f"""CREATE TRIGGER poison BEFORE INSERT ON {table} WHEN NEW.address = '{address}'
                BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"""
        ]
    )
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
        yield
    finally:
        async with engine.begin() as connection:  # the PostgreSQL database outlives the test
            await connection.execute(
                text(f"DROP TRIGGER IF EXISTS poison{' ON ' + table if postgres else ''}")
            )
            if postgres:
                await connection.execute(text("DROP FUNCTION IF EXISTS poison()"))
        await engine.dispose()


@asynccontextmanager
async def running_pipeline(
    database_url: str, **options: Any
) -> AsyncIterator[tuple[Runtime, InboundPipeline]]:
    runtime = build_runtime(EDITION, database_url, TODAY)
    pipeline = InboundPipeline(
        runtime.service, replies_queued=lambda: None, sessionmaker=runtime.sessionmaker, **options
    )
    stop = asyncio.Event()
    running = asyncio.create_task(pipeline.run(stop))
    try:
        yield runtime, pipeline
    finally:
        stop.set()
        await running
        await runtime.close()


async def stored(runtime: Runtime) -> list[tuple[str, str, bool, str | None, dict[str, Any]]]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(
            select(
                InboundMessage.key,
                InboundMessage.address,
                InboundMessage.processed_at.is_not(None),
                InboundMessage.error,
                InboundMessage.body,
            ).order_by(InboundMessage.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def replied_to(runtime: Runtime) -> set[str]:
    async with runtime.sessionmaker() as session:
        return set(await session.scalars(select(OutboundMessage.address)))


async def test_a_full_lane_pushes_back_and_stores_nothing_of_what_it_refused(
    database_url: str,
) -> None:
    async with running_pipeline(database_url, capacity=4, queue_wait=0.3, retry_after=7) as (
        runtime,
        pipeline,
    ):
        async with write_lock(database_url):
            first = asyncio.create_task(pipeline.accept(new_chat(0)))
            await asyncio.sleep(0.1)  # the lane took it, and waits for the database
            placed = [asyncio.create_task(pipeline.accept(new_chat(n))) for n in range(1, 5)]
            held = [asyncio.create_task(pipeline.accept(new_chat(n))) for n in range(5, 9)]
            await asyncio.sleep(0.05)
            with pytest.raises(Overloaded) as at_once:  # even the wait is full
                await pipeline.accept(new_chat(9))
            refused = await asyncio.gather(*held, return_exceptions=True)  # after queue_wait
        accepted = await asyncio.gather(first, *placed)
        keys = [key for key, *_ in await stored(runtime)]

    assert at_once.value.retry_after == 7
    assert [type(error) for error in refused] == [Overloaded] * 4
    assert accepted == [True] * 5
    assert keys == [f"test:{n}" for n in range(5)]


async def test_updates_held_for_a_place_are_taken_in_arrival_order(database_url: str) -> None:
    async with running_pipeline(database_url, capacity=2, queue_wait=10) as (runtime, pipeline):
        async with write_lock(database_url):
            first = asyncio.create_task(pipeline.accept(new_chat(0)))
            await asyncio.sleep(0.1)
            # One resident's messages, the later ones held: they must keep their order.
            rest = [asyncio.create_task(pipeline.accept(new_chat(n, chat=42))) for n in range(1, 5)]
            await asyncio.sleep(0.3)
        accepted = await asyncio.gather(first, *rest)
        keys = [key for key, *_ in await stored(runtime)]

    assert accepted == [True] * 5
    assert keys == [f"test:{n}" for n in range(5)]


async def test_an_update_the_database_refuses_is_recorded_and_blocks_no_other(
    database_url: str,
) -> None:
    poison = new_chat(2, chat=666)
    async with (
        poisoned(database_url, table="outbound_messages", address="666", sqlstate="23514"),
        running_pipeline(database_url) as (runtime, pipeline),
    ):
        async with write_lock(database_url):  # so that all of them come in one batch
            accepting = asyncio.gather(
                *(pipeline.accept(update) for update in (new_chat(1), poison, new_chat(3)))
            )
            await asyncio.sleep(0.1)
        accepted = await accepting
        again = await pipeline.accept(poison)  # a redelivery finds its key
        rows = await stored(runtime)
        answered = await replied_to(runtime)

    assert accepted == [True, False, True]
    assert again is False
    assert [(key, processed) for key, _, processed, _, _ in rows] == [
        ("test:1", True),
        ("test:2", True),
        ("test:3", True),
    ]
    _, _, _, error, body = rows[1]
    assert error is not None and error.startswith("refused by the database: IntegrityError")
    assert body["text"] == ""  # nothing kept of what it said
    assert answered == {"7001", "7003"}


async def test_an_update_whose_own_row_is_refused_is_answered_and_blocks_no_other(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        poisoned(database_url, table="inbound_messages", address="666", sqlstate="22001"),
        running_pipeline(database_url) as (runtime, pipeline),
    ):
        accepted = await asyncio.gather(
            *(pipeline.accept(u) for u in (new_chat(1), new_chat(2, chat=666), new_chat(3)))
        )
        keys = [key for key, *_ in await stored(runtime)]

    assert accepted == [True, False, True]
    assert keys == ["test:1", "test:3"]  # its record failed the same way: the log has it
    assert any("and its record" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_temporary_failure_asks_for_the_update_again(database_url: str) -> None:
    # SQLite's one temporary failure, a lock held elsewhere, takes its 10 s busy timeout.
    async with (
        poisoned(database_url, table="inbound_messages", address="666", sqlstate="55P03"),
        running_pipeline(database_url) as (runtime, pipeline),
    ):
        accepted = await asyncio.gather(
            *(pipeline.accept(u) for u in (new_chat(1), new_chat(2, chat=666), new_chat(3))),
            return_exceptions=True,
        )
        keys = [key for key, *_ in await stored(runtime)]

    assert [type(result) for result in accepted] == [bool, StoreFailed, bool]
    assert keys == ["test:1", "test:3"]  # not stored: the channel sends it again


async def test_recovery_marks_a_refused_message_and_goes_on_behind_it(database_url: str) -> None:
    async with poisoned(database_url, table="outbound_messages", address="666", sqlstate="22001"):
        runtime = build_runtime(EDITION, database_url, TODAY)
        for update in (new_chat(1), new_chat(2, chat=666), new_chat(3)):  # stored by a crash
            await runtime.service.accept(update.inbound, key=update.key)
        pipeline = InboundPipeline(
            runtime.service, replies_queued=lambda: None, sessionmaker=runtime.sessionmaker
        )
        recovered = await pipeline.recover()
        rows = await stored(runtime)
        answered = await replied_to(runtime)
        await runtime.close()

    assert recovered == 3
    assert [(key, processed) for key, _, processed, _, _ in rows] == [
        ("test:1", True),
        ("test:2", True),
        ("test:3", True),
    ]
    assert str(rows[1][3]).startswith("refused by the database: ")
    assert answered == {"7001", "7003"}


def test_a_webhook_asks_for_a_refused_update_again_after_a_while() -> None:
    answer = retry_later(Overloaded("the inbound lanes are full", retry_after=4.2))
    assert (answer.status, answer.headers["Retry-After"]) == (503, "5")
    assert retry_later(StoreFailed("OperationalError")).headers["Retry-After"] == "5"
