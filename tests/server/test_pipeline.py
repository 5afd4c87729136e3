"""The inbound pipeline keeps a resident's messages in arrival order, however
many arrive at once and however the batches fall."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from pbbot.channels.base import InboundUpdate
from pbbot.domain.messages import Inbound
from pbbot.runtime import build_runtime
from pbbot.server.pipeline import InboundPipeline
from pbbot.storage.tables import OutboundMessage
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
