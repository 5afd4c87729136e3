"""A choice with `page_size`: the source's options a page at a time, with
Next and Back as numbered lines on SMS and buttons on Telegram, and a number
always meaning what the resident was shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbbot.channels.sms.render import render_sms
from pbbot.channels.telegram.render import InlineKeyboard, render_telegram
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.state import ConversationState
from pbbot.engine.step import StepResult, step
from tests.engine.flowfiles import context_with

# The sample edition has four themes: Green, Mobility, Youth, Culture.
THEMES = """\
spec_version: 1
flow: pick
start: open
steps:
  open:
    type: choice
    text: "Ideas"
    options:
      - {id: browse, label: "Browse", go: theme}
  theme:
    type: choice
    text: "Which theme?"
    options_from: themes
    page_size: 3
    save_as: theme
    go: chosen
    options:
      - {id: menu, label: "Main menu", go: "@main_menu"}
  chosen:
    type: message
    text: "Theme: {answers.theme}"
    go: "@end"
"""


@pytest.fixture
def context(tmp_path: Path) -> StepContext:
    return context_with(tmp_path, "pick", THEMES)


def _open(context: StepContext, channel: str) -> StepResult:
    """The resident at the step before, choosing the paged one."""
    before = ConversationState(
        locale="en",
        answers={"consent": "x"},
        flow="pick",
        step="open",
        offered=("pick.open.browse",),
    )
    return step(before, Inbound(channel, "+32470000001", text="1"), context)


def _sms_lines(message: Outbound) -> list[str]:
    return render_sms(message).splitlines()


def test_sms_shows_a_page_then_next_and_back_as_numbers(context: StepContext) -> None:
    first = _open(context, "sms")
    page = ["1 Green", "2 Mobility", "3 Youth", "4 Next", "5 Main menu"]
    assert _sms_lines(first.messages[-1]) == ["Which theme?", *page]
    # A miss re-prompts with the same page.
    again = step(first.state, Inbound("sms", "+32470000001", text="zzz"), context)
    assert _sms_lines(again.messages[-1])[-5:] == page
    second = step(first.state, Inbound("sms", "+32470000001", text="4"), context)
    assert second.state.page == 1
    assert _sms_lines(second.messages[-1]) == ["Which theme?", "1 Culture", "2 Back", "3 Main menu"]
    chosen = step(second.state, Inbound("sms", "+32470000001", text="1"), context)
    assert chosen.state.answers["theme"] == "culture"
    assert chosen.messages[-1].text == "Theme: culture"


def test_back_returns_to_the_first_page_and_numbers_follow_it(context: StepContext) -> None:
    state = ConversationState(
        locale="en", answers={"consent": "x"}, flow="pick", step="theme", page=1,
        offered=("pick.theme.culture", "pick.theme.~back", "pick.theme.menu"),
    )  # fmt: skip
    back = step(state, Inbound("sms", "+32470000001", text="2"), context)
    assert back.state.page == 0
    assert "1 Green" in render_sms(back.messages[-1])
    chosen = step(back.state, Inbound("sms", "+32470000001", text="2"), context)
    assert chosen.state.answers["theme"] == "mobility"


def test_telegram_shows_next_and_back_as_buttons(context: StepContext) -> None:
    first = _open(context, "telegram")
    assert _buttons(first.messages[-1]) == ["Green", "Mobility", "Youth", "Next", "Main menu"]
    second = step(first.state, Inbound("telegram", "42", payload="pick.theme.~next"), context)
    assert _buttons(second.messages[-1]) == ["Culture", "Back", "Main menu"]
    # The Next button of the first page no longer answers: it was not shown last.
    stale = step(second.state, Inbound("telegram", "42", payload="pick.theme.green"), context)
    assert stale.messages[0].text == "That button belongs to an earlier question."


def test_next_reads_in_the_residents_language(context: StepContext) -> None:
    shown = _open(context, "sms")
    turned = step(shown.state, Inbound("sms", "+32470000001", text="next"), context)
    assert turned.state.page == 1


def test_entering_the_step_again_starts_on_the_first_page(context: StepContext) -> None:
    state = ConversationState(
        locale="en", answers={"consent": "x"}, flow="pick", step="theme", page=1,
        offered=("pick.theme.culture", "pick.theme.~back", "pick.theme.menu"),
    )  # fmt: skip
    menu = step(state, Inbound("sms", "+32470000001", text="3"), context)
    assert menu.state.flow == "main_menu" and menu.state.page == 0


def _buttons(message: Outbound) -> list[str]:
    (rendered,) = render_telegram(message)
    assert isinstance(rendered.keyboard, InlineKeyboard)
    return [button.label for row in rendered.keyboard.rows for button in row]
