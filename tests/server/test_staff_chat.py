"""The staff chat end to end: Telegram updates through the real aiogram path (the
webhook and long polling) to the fake Bot API on loopback, decisions reaching
authors on SMS and Telegram in their own language, and nobody but staff able
to decide anything."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from pbbot.i18n.catalogs import SUPPORTED_LOCALES, locales_dir
from pbbot.i18n.extract import catalog_path, compile_catalogs, read_catalog, write_catalog
from pbbot.ideas import messages
from pbbot.ideas.handlers import store_idea
from pbbot.ideas.tables import CandidateProject, Idea, IdeaQuestion, IdeaReview
from pbbot.storage.tables import InboundMessage, OutboundMessage, Resident
from tests.fakes.telegram_updates import RESIDENT_ID, text_message
from tests.ideas.support import NOW, submitted
from tests.server.harness import City, running_city

STAFF = 555000111
TURKISH_AUTHOR = "+32470000301"
ARABIC_AUTHOR = "7001"
# The authors' texts in these tests' own words, whatever the catalogs hold today.
AUTHOR_TEXTS = {
    "tr": {
        messages.ACCEPTED: "Müjde: #{number} numaralı fikriniz ({title}) proje olarak oylamaya "
        "sunulacak. Belediye ekibi maliyetini {cost} olarak tahmin ediyor.",
    },
    "ar": {
        messages.REJECTED: "لا يمكن طرح فكرتك رقم #{number} ({title}) للتصويت.",
        "It would cost more than the maximum of {amount} per idea.": "ستتجاوز تكلفتها الحد "
        "الأقصى البالغ {amount} لكل فكرة.",
        messages.NOTE_INTRO: "ملاحظة من فريق المدينة كما كتبها:",
    },
}


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped catalogs, with `AUTHOR_TEXTS` in them, compiled apart."""
    folder = tmp_path / "locales"
    for locale in SUPPORTED_LOCALES:
        catalog = read_catalog(catalog_path(locales_dir(), locale), locale=locale)
        for msgid, text in AUTHOR_TEXTS.get(locale, {}).items():
            catalog.delete(msgid)
            catalog.add(msgid, text)
        write_catalog(catalog, catalog_path(folder, locale))
    compile_catalogs(folder)
    monkeypatch.setenv("PBBOT_LOCALES_DIR", str(folder))


@pytest.fixture
async def city(database_url: str, catalogs: None) -> AsyncIterator[City]:
    settings = {"PBBOT_STAFF_TELEGRAM_IDS": f"{STAFF}, 555000222"}
    async with running_city(database_url, settings=settings) as running:
        await _seed(running)
        yield running


async def _seed(city: City) -> None:
    """#1 by a Turkish author on SMS; #2 (over the maximum cost) by an Arabic author on Telegram."""
    async with city.runtime.sessionmaker.begin() as session:
        for channel, address, locale, title, cost in (
            ("sms", TURKISH_AUTHOR, "tr", "Parkta banklar", 12500),
            ("telegram", ARABIC_AUTHOR, "ar", "ملعب", 90000),
        ):
            resident = Resident(channel=channel, address=address, locale=locale, created_at=NOW)
            session.add(resident)
            await session.flush()
            await store_idea(session, resident.id, submitted(title, estimated_cost=cost), NOW)
        # Their receipts are not what these tests read.
        await session.execute(delete(OutboundMessage))


def from_staff(
    text: str, *, update_id: int, user_id: int = STAFF, language_code: str = "en"
) -> dict[str, Any]:
    """A message from a staff member's own Telegram account, in their private chat."""
    update = text_message(text, update_id=update_id, language_code=language_code)
    message = update["message"]
    message["from"] = {
        **message["from"],
        "id": user_id,
        "first_name": "An",
        "last_name": "Peeters",
        "username": "an_p",
    }
    message["chat"] = {**message["chat"], "id": user_id, "first_name": "An", "username": "an_p"}
    return update


def texts_to(city: City, chat_id: int | str) -> list[str]:
    return [
        str(call.params["text"])
        for call in city.telegram_api.calls_to("sendMessage")
        if str(call.params["chat_id"]) == str(chat_id)
    ]


async def _reviews(city: City) -> list[tuple[int, str, str]]:
    async with city.runtime.sessionmaker() as session:
        rows = await session.execute(
            select(Idea.number, IdeaReview.decision, IdeaReview.decided_by)
            .join(Idea, Idea.id == IdeaReview.idea_id)
            .order_by(IdeaReview.id)
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def _ideas(city: City) -> list[tuple[int, str, bool, int | None]]:
    async with city.runtime.sessionmaker() as session:
        rows = await session.execute(
            select(Idea.number, Idea.status, Idea.hidden, Idea.staff_cost).order_by(Idea.number)
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]


async def test_accepting_from_the_staff_chat_tells_the_turkish_author_by_sms(city: City) -> None:
    response = await city.telegram(from_staff("/accept 1 12.500", update_id=1))
    assert response.status == 200
    await city.settle()

    assert city.sms_bodies() == [
        "Müjde: #1 numaralı fikriniz (Parkta banklar) proje olarak oylamaya sunulacak. "
        "Belediye ekibi maliyetini €12.500 olarak tahmin ediyor."
    ]
    assert [request.data["To"] for request in city.twilio_http.requests] == [TURKISH_AUTHOR]
    assert texts_to(city, STAFF) == [
        "Idea #1 is accepted, at a cost of €12,500.\nThe author is told in Turkish by SMS."
    ]
    assert await _reviews(city) == [(1, "accept", "telegram:555000111 An Peeters @an_p")]
    assert await city.count(CandidateProject) == 1


async def test_a_rejection_reaches_the_arabic_author_on_telegram_in_arabic(city: City) -> None:
    note = "Misschien past een kleiner speelplein wel."
    await city.telegram(from_staff(f"/reject 2 max_cost {note}", update_id=1))
    await city.settle()

    assert texts_to(city, ARABIC_AUTHOR) == [
        "لا يمكن طرح فكرتك رقم #2 (ملعب) للتصويت. "
        "ستتجاوز تكلفتها الحد الأقصى البالغ \u200f60,000\u00a0€ لكل فكرة.\n"
        "ملاحظة من فريق المدينة كما كتبها:\n" + note
    ]
    assert texts_to(city, STAFF) == [
        "Idea #2 is rejected (max_cost).\nThe author is told in Arabic by Telegram."
    ]
    assert await _ideas(city) == [(1, "submitted", False, None), (2, "rejected", False, None)]


async def test_an_unknown_criterion_is_answered_with_the_valid_ones(city: City) -> None:
    await city.telegram(from_staff("/reject 2 expensive", update_id=1))
    await city.settle()
    assert texts_to(city, STAFF) == [
        "“expensive” is not a criterion of this round. Choose one of: max_cost, public, "
        "in_city, one_off, theme, duplicate, too_short, missing"
    ]
    assert await _reviews(city) == []
    assert texts_to(city, ARABIC_AUTHOR) == []


async def test_a_redelivered_accept_does_nothing_the_second_time(city: City) -> None:
    update = from_staff("/accept 1 12500", update_id=41)
    first = await city.telegram(update)
    await city.settle()
    again = await city.telegram(update)  # Telegram did not see the first 200
    await city.settle()

    assert (first.status, again.status) == (200, 200)
    assert await _reviews(city) == [(1, "accept", "telegram:555000111 An Peeters @an_p")]
    assert len(city.sms_bodies()) == 1
    assert len(texts_to(city, STAFF)) == 1
    assert await city.count(CandidateProject) == 1


STAFF_COMMANDS = [
    "/accept 1 12500",
    "/reject 2 max_cost",
    "/ask 1 Welk park?",
    "/merge 1 2",
    "/hide 1",
    "/restore 1",
    "/ideas",
    "/idea 1",
    "/staffhelp",
]


async def test_nobody_else_can_use_a_staff_command(city: City) -> None:
    """A resident's "/accept ..." is a resident's text: the conversation answers it
    as it answers any text, and no idea, decision or staff answer comes of it."""
    before = await _ideas(city)
    for update_id, text in enumerate(STAFF_COMMANDS, 1):
        sent = len(texts_to(city, RESIDENT_ID))
        await city.telegram(text_message(text, update_id=update_id, language_code="en"))
        await city.settle()
        replies = texts_to(city, RESIDENT_ID)[sent:]
        assert replies, text  # the resident conversation answered
        staff_answers = ("Idea #", "Nothing was changed", "#1 ", "Staff commands")
        assert not any(reply.startswith(staff_answers) for reply in replies), text
        assert await _ideas(city) == before, text
        assert await _reviews(city) == [], text
    assert texts_to(city, RESIDENT_ID)[0] == "Choose a language"
    async with city.runtime.sessionmaker() as session:
        stored = list(await session.scalars(select(InboundMessage.channel).distinct()))
        questions = await session.scalar(select(IdeaQuestion.id))
    assert stored == ["telegram"]  # every one stored as a resident's message
    assert questions is None
    assert await city.count(CandidateProject) == 0
    assert city.sms_bodies() == []


async def test_staff_commands_from_a_group_are_ignored(city: City) -> None:
    update = from_staff("/accept 1 12500", update_id=1)
    update["message"]["chat"] = {"id": -1001234567890, "title": "Stadsteam", "type": "supergroup"}
    response = await city.telegram(update)
    await city.settle()
    assert response.status == 200
    assert await _reviews(city) == []
    assert await city.inbound_count() == 0


async def test_a_staff_members_other_messages_reach_the_resident_conversation(
    city: City,
) -> None:
    await city.telegram(from_staff("hello", update_id=1))
    await city.settle()
    await city.telegram(from_staff("/staffhelp", update_id=2))
    await city.settle()
    await city.telegram(from_staff("/start", update_id=3))
    await city.settle()
    replies = texts_to(city, STAFF)
    assert replies[0] == "Choose a language"
    assert replies[1].startswith("Staff commands:\n/ideas [status] [theme]\n")
    assert "Choose a language" in replies[2:]


async def test_long_polling_routes_staff_commands_too(database_url: str, catalogs: None) -> None:
    settings = {"PBBOT_STAFF_TELEGRAM_IDS": str(STAFF)}
    async with running_city(database_url, polling=True, settings=settings) as city:
        await _seed(city)
        city.telegram_api.push_updates(from_staff("/accept 1 12500", update_id=5))
        for _ in range(200):  # the poller fetches the update by itself; the outbox sends
            if texts_to(city, STAFF) and city.sms_bodies():
                break
            await city.settle()
            await asyncio.sleep(0.02)
        assert texts_to(city, STAFF) == [
            "Idea #1 is accepted, at a cost of €12,500.\nThe author is told in Turkish by SMS."
        ]
        assert city.sms_bodies()[0].startswith("Müjde: #1 numaralı fikriniz")
        assert await _reviews(city) == [(1, "accept", "telegram:555000111 An Peeters @an_p")]
        async with city.runtime.sessionmaker() as session:
            waiting = await session.scalar(
                select(OutboundMessage.id).where(OutboundMessage.status == "queued")
            )
        assert waiting is None
