"""Edit in place, end to end: a tap on a button of an `edit_in_place` choice
comes through the webhook, the service queues the list that comes back to
edit the tapped message, and the outbox edits it at the fake Bot API instead
of sending another, with both Telegram drivers."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pbbot.engine.flowset import flows_dir
from pbbot.storage.tables import OutboundMessage
from tests.fakes.telegram_updates import RESIDENT_ID, callback_query, text_message
from tests.server.harness import City, running_city

# A small paged list: the sample edition's four themes, two to a page.
PAGES_FLOW = """\
spec_version: 1
flow: pages
start: theme
steps:
  theme:
    type: choice
    text: "Which theme?"
    options_from: themes
    page_size: 2
    edit_in_place: true
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
def pages_flows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped flows, with the list above and a main menu button that leads to it."""
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / "pages.yaml").write_text(PAGES_FLOW)
    menu = folder / "main_menu.yaml"
    text = menu.read_text()
    entry = '    options:\n      - {id: pages, label: "Pages", go: "@pages"}\n'
    assert text.count("    options:\n") == 1
    menu.write_text(text.replace("    options:\n", entry))
    monkeypatch.setenv("PBBOT_FLOWS_DIR", str(folder))


@pytest.fixture(params=["aiogram", "ptb"])
async def city(
    request: pytest.FixtureRequest,
    database_url: str,
    pages_flows: None,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[City]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on RetryAfter otherwise
    async with running_city(database_url, driver=request.param) as running:
        yield running


class Chat:
    """The resident's side: taps go under the message the button was on."""

    def __init__(self, city: City):
        self.city = city
        self.update_id = 815300000

    async def send(self, text: str) -> None:
        self.update_id += 1
        await self.city.telegram(text_message(text, update_id=self.update_id, language_code="en"))
        await self.city.settle()

    async def tap(self, label: str, message_id: int | None = None) -> None:
        """Tap the button `label` of the message `message_id` (default: the last one sent)."""
        message_id = message_id or self.last_sent_id()
        shown = self.city.telegram_api.shown[(RESIDENT_ID, message_id)]
        data = dict(buttons(shown["reply_markup"]))[label]
        self.update_id += 1
        update = callback_query(data, update_id=self.update_id, message_id=message_id)
        assert (await self.city.telegram(update)).status == 200
        await self.city.settle()

    async def tap_under(self, message_id: int, data: str) -> None:
        """A tap whose message the bot does not know (deleted by the resident, say)."""
        self.update_id += 1
        update = callback_query(data, update_id=self.update_id, message_id=message_id)
        assert (await self.city.telegram(update)).status == 200
        await self.city.settle()

    def last_sent_id(self) -> int:
        return max(key[1] for key in self.city.telegram_api.shown)

    def shown(self, message_id: int) -> tuple[str, list[str]]:
        message = self.city.telegram_api.shown[(RESIDENT_ID, message_id)]
        return message["text"], [label for label, _ in buttons(message["reply_markup"])]


def buttons(markup: dict[str, Any] | None) -> list[tuple[str, str]]:
    rows = (markup or {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def _to_the_list(chat: Chat) -> int:
    await chat.send("hello")
    await chat.tap("English")
    await chat.tap("No")  # no consent: the list needs none
    await chat.tap("Pages")
    list_id = chat.last_sent_id()
    assert chat.shown(list_id) == ("Which theme?", ["Green", "Mobility", "Next", "Main menu"])
    return list_id


async def test_turning_the_page_edits_the_list_instead_of_sending_another(city: City) -> None:
    chat = Chat(city)
    list_id = await _to_the_list(chat)
    sent_before = len(city.telegram_api.calls_to("sendMessage"))

    await chat.tap("Next", list_id)

    assert len(city.telegram_api.calls_to("sendMessage")) == sent_before
    [edit] = city.telegram_api.calls_to("editMessageText")
    assert (edit.params["chat_id"], edit.params["message_id"]) == (RESIDENT_ID, list_id)
    assert chat.shown(list_id) == ("Which theme?", ["Youth", "Culture", "Back", "Main menu"])

    await chat.tap("Back", list_id)
    assert chat.shown(list_id) == ("Which theme?", ["Green", "Mobility", "Next", "Main menu"])
    assert len(city.telegram_api.calls_to("editMessageText")) == 2

    # The outbox recorded the edits as sent, under the edited message's id.
    async with city.runtime.sessionmaker() as session:
        rows = (
            await session.execute(
                select(OutboundMessage.status, OutboundMessage.provider_id)
                .where(OutboundMessage.edits_message_id == str(list_id))
                .order_by(OutboundMessage.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [("sent", str(list_id))] * 2

    # Leaving the list is a new message; the list stays as it was.
    await chat.tap("Mobility", list_id)
    assert city.sent_texts()[-1] == "Theme: mobility"
    assert len(city.telegram_api.calls_to("editMessageText")) == 2
    assert chat.shown(list_id)[1] == ["Green", "Mobility", "Next", "Main menu"]


async def test_a_list_whose_message_is_gone_is_sent_anew(city: City) -> None:
    chat = Chat(city)
    list_id = await _to_the_list(chat)
    next_data = dict(buttons(city.telegram_api.shown[(RESIDENT_ID, list_id)]["reply_markup"]))
    sent_before = len(city.telegram_api.calls_to("sendMessage"))

    await chat.tap_under(list_id + 1000, next_data["Next"])

    [edit] = city.telegram_api.calls_to("editMessageText")
    assert edit.params["message_id"] == list_id + 1000  # refused: message to edit not found
    assert len(city.telegram_api.calls_to("sendMessage")) == sent_before + 1
    page_two = chat.last_sent_id()
    assert chat.shown(page_two) == ("Which theme?", ["Youth", "Culture", "Back", "Main menu"])
    assert chat.shown(list_id)[1][0] == "Green"  # the other list is untouched


async def test_a_typed_answer_gets_a_new_list(city: City) -> None:
    chat = Chat(city)
    list_id = await _to_the_list(chat)
    await chat.send("Next")
    assert city.telegram_api.calls_to("editMessageText") == []
    assert chat.last_sent_id() > list_id
    assert chat.shown(chat.last_sent_id())[1][0] == "Youth"
