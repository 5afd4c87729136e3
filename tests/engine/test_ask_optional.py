"""`ask` with `optional: true` and with more than one accepted kind; answers
named back in texts as `{answers.NAME}`."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbbot.domain.messages import Inbound, Location
from pbbot.engine.context import StepContext
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from tests.engine.flowfiles import context_with

FLOW = """\
spec_version: 1
flow: try_ask
start: open
steps:
  open:
    type: choice
    text: "Ideas"
    options:
      - {id: send, label: "Send an idea", go: description}
  description:
    type: ask
    text: "Describe your idea."
    expect: [text, voice]
    optional: true
    save_as: description
    go: where
  where:
    type: ask
    text: "Where?"
    expect: [text, location]
    save_as: where
    go: summary
  summary:
    type: message
    text: "Got {answers.description}, {answers.where}, {answers.consent_declined}"
    go: "@end"
"""


@pytest.fixture
def context(tmp_path: Path) -> StepContext:
    return context_with(tmp_path, "try_ask", FLOW)


def _at(step_id: str, **answers: object) -> ConversationState:
    return ConversationState(
        locale="en", answers={"consent": "x", **answers}, flow="try_ask", step=step_id
    )


def test_an_optional_question_has_a_skip_button_on_telegram_only(context: StepContext) -> None:
    opened = ConversationState(
        locale="en",
        answers={"consent": "x"},
        flow="try_ask",
        step="open",
        offered=("try_ask.open.send",),
    )
    telegram = step(opened, Inbound("telegram", "42", payload="try_ask.open.send"), context)
    assert [c.label for c in telegram.messages[0].choices] == ["Skip"]
    sms = step(opened, Inbound("sms", "+32470000001", text="1"), context)
    assert sms.messages[0].choices == ()
    skipped = step(
        telegram.state, Inbound("telegram", "42", payload="try_ask.description.skip"), context
    )
    assert "description" not in skipped.state.answers
    assert skipped.state.step == "where"


def test_the_word_for_skip_skips_it_on_sms(context: StepContext) -> None:
    skipped = step(_at("description"), Inbound("sms", "+32470000001", text="skip"), context)
    assert skipped.state.step == "where"


def test_a_voice_note_answers_a_text_or_voice_question(context: StepContext) -> None:
    spoken = step(_at("description"), Inbound("telegram", "42", media="voice"), context)
    assert spoken.state.answers["description"]["kind"] == "voice"
    assert spoken.state.step == "where"


def test_a_sticker_is_not_an_answer(context: StepContext) -> None:
    result = step(_at("description"), Inbound("telegram", "42", media="sticker"), context)
    assert [m.text for m in result.messages] == [
        "I can only read text here. Please type your answer."
    ]
    assert result.state.step == "description"


def test_a_pin_or_a_text_answers_where_and_the_summary_names_both(context: StepContext) -> None:
    state = _at("where", description="Benches", consent_declined=False)
    pinned = step(state, Inbound("telegram", "42", location=Location(51.03, 4.48)), context)
    assert pinned.state.answers["where"] == {
        "kind": "location",
        "latitude": 51.03,
        "longitude": 4.48,
    }
    assert pinned.messages[-1].text == ("Got Benches, (a location), false")
    typed = step(state, Inbound("sms", "+32470000001", text="Grote Markt"), context)
    assert typed.state.answers["where"] == "Grote Markt"
    assert typed.messages[-1].text == "Got Benches, Grote Markt, false"


def test_a_skipped_answer_reads_as_nothing(context: StepContext) -> None:
    typed = step(_at("where"), Inbound("sms", "+32470000001", text="Grote Markt"), context)
    assert typed.messages[-1].text == "Got , Grote Markt, "
