"""`edit_in_place: true` on a choice: the list a tap on its own buttons brings
back replaces the tapped message (`Outbound.replaces`); everything else is a
new message, as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbbot.domain.messages import Inbound
from pbbot.engine.context import StepContext
from pbbot.engine.state import ConversationState
from pbbot.engine.step import StepResult, step
from pbbot.errors import FlowError
from tests.engine.flowfiles import context_with

CHAT = "412345678"


def _flow(*, edit_in_place: str = "true") -> str:
    # The sample edition has four themes: Green, Mobility, Youth, Culture.
    return f"""\
spec_version: 1
flow: pick
start: open
steps:
  open:
    type: choice
    text: "Ideas"
    options:
      - {{id: browse, label: "Browse", go: theme}}
  theme:
    type: choice
    text: "Which theme?"
    options_from: themes
    page_size: 3
    edit_in_place: {edit_in_place}
    save_as: theme
    go: chosen
    options:
      - {{id: open, label: "Start again", go: open}}
  chosen:
    type: message
    text: "Theme: {{answers.theme}}"
    go: "@end"
"""


@pytest.fixture
def context(tmp_path: Path) -> StepContext:
    return context_with(tmp_path, "pick", _flow())


def _at_open() -> ConversationState:
    return ConversationState(
        locale="en",
        answers={"consent": "x"},
        flow="pick",
        step="open",
        offered=("pick.open.browse",),
    )


def _tap(state: ConversationState, payload: str, context: StepContext) -> StepResult:
    return step(state, Inbound("telegram", CHAT, payload=payload, message_ref="57"), context)


def test_turning_the_page_replaces_the_tapped_list(context: StepContext) -> None:
    first = _tap(_at_open(), "pick.open.browse", context)
    # Entered from another step's button: a new message, the old one stays as it was.
    assert [m.replaces for m in first.messages] == [False]
    assert [c.label for c in first.messages[-1].choices][-2:] == ["Next", "Start again"]

    second = _tap(first.state, "pick.theme.~next", context)
    [shown] = second.messages
    assert shown.replaces
    assert [c.label for c in shown.choices] == ["Culture", "Back", "Start again"]

    back = _tap(second.state, "pick.theme.~back", context)
    assert [m.replaces for m in back.messages] == [True]


def test_leaving_the_step_is_a_new_message(context: StepContext) -> None:
    first = _tap(_at_open(), "pick.open.browse", context)
    chosen = _tap(first.state, "pick.theme.green", context)
    assert [(m.text, m.replaces) for m in chosen.messages] == [("Theme: green", False)]
    # A fixed option that leads to another step of the flow: its list is new too.
    again = _tap(first.state, "pick.theme.open", context)
    assert [(m.text, m.replaces) for m in again.messages] == [("Ideas", False)]


def test_a_typed_answer_gets_a_new_list(context: StepContext) -> None:
    first = _tap(_at_open(), "pick.open.browse", context)
    typed = step(first.state, Inbound("telegram", CHAT, text="Next"), context)
    assert typed.messages[-1].choices[0].label == "Culture"
    assert not typed.messages[-1].replaces
    sms = step(first.state.evolve(), Inbound("sms", "+32470000001", text="4"), context)
    assert sms.messages[-1].choices[0].label == "Culture"
    assert not sms.messages[-1].replaces


def test_a_choice_without_edit_in_place_is_sent_anew(tmp_path: Path) -> None:
    context = context_with(tmp_path, "pick", _flow(edit_in_place="false"))
    first = _tap(_at_open(), "pick.open.browse", context)
    second = _tap(first.state, "pick.theme.~next", context)
    assert second.messages[-1].choices[0].label == "Culture"
    assert not second.messages[-1].replaces


def test_edit_in_place_must_be_true_or_false(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="'edit_in_place' has the wrong type"):
        context_with(tmp_path, "pick", _flow(edit_in_place='"yes"'))
