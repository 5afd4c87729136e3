"""The snapshot: a step that reads domain data it was not given stops without
a change and names the part; given the part, it runs. The service loads the
part through the registered loader and steps again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.conversations import SNAPSHOT_LOADERS, ConversationService, StepFailed
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import Event
from pbbot.engine.options import OPTION_SOURCES, SourceOption
from pbbot.engine.snapshot import EMPTY_SNAPSHOT, Snapshot, SnapshotMissing
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.engine.variables import VARIABLES
from pbbot.i18n.catalogs import Translator
from pbbot.storage.tables import Conversation
from tests.engine.flowfiles import context_with

FLOW = """\
spec_version: 1
flow: mine
start: open
steps:
  open:
    type: choice
    text: "Ideas"
    options:
      - {id: mine, label: "My ideas", go: list}
  list:
    type: choice
    text: "You sent {idea_count} ideas."
    options_from: my_ideas
    save_as: idea
    go: done
  done:
    type: message
    text: "Idea {answers.idea}"
    go: "@end"
"""
AT_OPEN = ConversationState(
    locale="en", answers={"consent": "x"}, flow="mine", step="open", offered=("mine.open.mine",)
)


def _my_ideas(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    return [SourceOption(f"i{n}", title, n) for n, title in ctx.snapshot["example.mine"]]


def _idea_count(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return str(len(ctx.snapshot["example.mine"]))


@pytest.fixture
def context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StepContext:
    monkeypatch.setitem(OPTION_SOURCES, "my_ideas", _my_ideas)
    monkeypatch.setitem(VARIABLES, "idea_count", _idea_count)
    return context_with(tmp_path, "mine", FLOW)


def test_a_missing_part_stops_the_step_without_a_change(context: StepContext) -> None:
    result = step(AT_OPEN, Inbound("sms", "+32470000001", text="1"), context)
    assert result.needs == frozenset({"example.mine"})
    assert result.state is AT_OPEN and result.messages == []


def test_with_the_part_the_step_shows_it(context: StepContext) -> None:
    ideas = Snapshot({"example.mine": [(27, "Benches on the Grote Markt"), (31, "A bike rack")]})
    with_ideas = replace(context, snapshot=ideas)
    result = step(AT_OPEN, Inbound("sms", "+32470000001", text="1"), with_ideas)
    assert result.needs == frozenset()
    assert result.messages[0].text == "You sent 2 ideas."
    assert [c.label for c in result.messages[0].choices] == [
        "Benches on the Grote Markt",
        "A bike rack",
    ]
    chosen = step(result.state, Inbound("sms", "+32470000001", text="2"), with_ideas)
    assert chosen.state.answers["idea"] == 31
    assert chosen.messages[0].text == "Idea 31"


def test_the_snapshot_is_read_only() -> None:
    snapshot = Snapshot({"example.mine": []})
    with pytest.raises(TypeError):
        snapshot.parts["example.page"] = []  # type: ignore[index]
    with pytest.raises(SnapshotMissing) as missing:
        snapshot["example.page"]
    assert missing.value.name == "example.page"
    assert snapshot.with_parts({"example.page": [1]})["example.page"] == [1]
    assert "example.page" not in snapshot


def _service(
    sessionmaker: async_sessionmaker[AsyncSession], context: StepContext
) -> ConversationService:
    def bound(
        state: ConversationState, inbound: Inbound, snapshot: Snapshot = EMPTY_SNAPSHOT, /
    ) -> tuple[ConversationState, Sequence[Event]]:
        result = step(state, inbound, replace(context, snapshot=snapshot))
        return result.state, result.events

    return ConversationService(sessionmaker, bound, edition_id="mechelen-2027")


async def test_the_service_loads_the_part_and_steps_again(
    sessionmaker: async_sessionmaker[AsyncSession],
    context: StepContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, str | None, str]] = []

    async def load_mine(
        session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
    ) -> list[tuple[int, str]]:
        calls.append((resident_id, state.step, edition_id))
        return [(27, "Benches on the Grote Markt")]

    monkeypatch.setitem(SNAPSHOT_LOADERS, "example.mine", load_mine)
    service = _service(sessionmaker, context)
    await service.handle(Inbound("sms", "+32470000009", text="hello"))  # the resident exists
    calls.clear()
    # Put the resident at the step before, as an earlier turn would have.
    replies = await _reply_at(service, sessionmaker, AT_OPEN, "1")
    assert [r.text for r in replies] == ["You sent 1 ideas."]
    assert len(calls) == 1 and calls[0][1:] == ("open", "mechelen-2027")


async def test_a_part_without_a_loader_fails_that_message(
    sessionmaker: async_sessionmaker[AsyncSession], context: StepContext
) -> None:
    service = _service(sessionmaker, context)
    await service.handle(Inbound("sms", "+32470000009", text="hello"))
    with pytest.raises(StepFailed) as failed:
        await _reply_at(service, sessionmaker, AT_OPEN, "1")
    assert "no loader for the snapshot part 'example.mine'" in str(failed.value.__cause__)


async def _reply_at(
    service: ConversationService,
    sessionmaker: async_sessionmaker[AsyncSession],
    state: ConversationState,
    text: str,
) -> list[Outbound]:
    async with sessionmaker.begin() as session:
        await session.execute(update(Conversation).values(state=state.to_json()))
    return list(await service.handle(Inbound("sms", "+32470000009", text=text)))
