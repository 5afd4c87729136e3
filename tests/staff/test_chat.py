"""The staff chat on the database: who may use it, what each command does and
answers, and that a redelivered command does nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import CommandUpdate, Sender
from pbbot.domain.messages import Inbound
from pbbot.i18n.catalogs import Translator
from pbbot.ideas.handlers import store_idea
from pbbot.ideas.tables import Idea, IdeaReview
from pbbot.staff import answers
from pbbot.staff.chat import StaffChat
from pbbot.storage.tables import InboundMessage, OutboundMessage, Resident
from tests.ideas.support import EDITION, NOW, submitted, translator_with

STAFF = 555000111
LATER = NOW + timedelta(days=3)
DUTCH = translator_with(
    "nl",
    {
        answers.ACCEPTED: "Idee #{number} is aanvaard, voor {cost}.",
        answers.TOLD: "De indiener hoort het in het {language} via {channel}.",
    },
)


def translators(locale: str) -> Translator:
    return DUTCH if locale == "nl" else translator_with(locale, {})


def command(
    text: str, *, update_id: int = 1, user_id: int = STAFF, language: str | None = "en"
) -> CommandUpdate:
    return CommandUpdate(
        key=f"telegram:7000000001:{update_id}",
        inbound=Inbound("telegram", str(user_id), text=text, language_hint=language),
        sender=Sender(user_id, "An Peeters @an_p"),
    )


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession]) -> StaffChat:
    return StaffChat(
        sessionmaker,
        EDITION,
        frozenset({STAFF, 555000222}),
        clock=lambda: LATER,
        translators=translators,
    )


@pytest.fixture
async def ideas(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """#1 by a Turkish author on SMS, #2 by an Arabic author on Telegram."""
    async with sessionmaker.begin() as session:
        for channel, address, locale in (("sms", "+32470000301", "tr"), ("telegram", "7001", "ar")):
            resident = Resident(channel=channel, address=address, locale=locale, created_at=NOW)
            session.add(resident)
            await session.flush()
            await store_idea(session, resident.id, submitted(f"Idee van {locale}"), NOW)


async def _answers(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(OutboundMessage.text)
                .where(OutboundMessage.address == str(STAFF))
                .order_by(OutboundMessage.id)
            )
        )


async def _count(sessionmaker: async_sessionmaker[AsyncSession], table: type[object]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def test_only_staff_commands_from_staff_in_their_own_chat_are_claimed(chat: StaffChat) -> None:
    assert chat.claims(command("/accept 1 5000"))
    assert chat.claims(command("/staffhelp", user_id=555000222))
    assert not chat.claims(command("/accept 1 5000", user_id=412345678))  # not staff
    assert not chat.claims(command("/start"))  # staff trying the bot
    assert not chat.claims(command("/menu"))
    forwarded = CommandUpdate(
        key="telegram:7000000001:9",
        inbound=Inbound("telegram", "412345678", text="/accept 1 5000"),
        sender=Sender(STAFF, "An"),
    )
    assert not chat.claims(forwarded)  # not the staff member's own chat
    plain = InboundUpdate("telegram:7000000001:10", Inbound("telegram", str(STAFF), text="hi"))
    assert not chat.claims(plain)


async def test_a_non_staff_update_is_refused_even_when_handed_over(chat: StaffChat) -> None:
    with pytest.raises(ValueError, match="not a staff command"):
        await chat.handle(command("/accept 1 5000", user_id=412345678))


async def test_accepting_records_who_and_answers_whether_the_author_was_told(
    chat: StaffChat, ideas: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert await chat.handle(command("/accept 1 12.500", language="nl-BE"))

    async with sessionmaker() as session:
        record = await session.scalar(select(IdeaReview))
        notice = await session.scalar(
            select(OutboundMessage).where(OutboundMessage.address == "+32470000301")
        )
        staff_row = await session.scalar(select(Resident).where(Resident.address == str(STAFF)))
        stored = await session.scalar(select(InboundMessage))
    assert record is not None
    assert (record.decision, record.cost, record.decided_by, record.decided_at) == (
        "accept",
        12500,
        "telegram:555000111 An Peeters @an_p",
        LATER,
    )
    assert notice is not None and (notice.channel, notice.locale) == ("sms", "tr")
    assert await _answers(sessionmaker) == [
        "Idee #1 is aanvaard, voor €\u00a012.500.\nDe indiener hoort het in het Turks via SMS."
    ]
    # The answer leaves like any reply to that chat; the command is filed apart.
    assert staff_row is not None and staff_row.channel == "telegram"
    assert stored is not None and (stored.channel, stored.processed_at) == (
        "staff-telegram",
        LATER,
    )


async def test_a_redelivered_command_does_nothing(
    chat: StaffChat, ideas: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert await chat.handle(command("/accept 1 12500", update_id=7))
    assert not await chat.handle(command("/accept 1 12500", update_id=7))
    assert await _count(sessionmaker, IdeaReview) == 1
    assert len(await _answers(sessionmaker)) == 1


async def test_a_request_review_refuses_changes_nothing_and_says_why(
    chat: StaffChat, ideas: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.handle(command("/accept 1 12500", update_id=1))
    await chat.handle(command("/accept 1 9000", update_id=2))
    await chat.handle(command("/merge 2 2", update_id=3))
    await chat.handle(command("/reject 9 theme", update_id=4))
    assert (await _answers(sessionmaker))[1:] == [
        "Nothing was changed: idea #1 is accepted already",
        "Nothing was changed: idea #2 cannot be merged into itself",
        "Nothing was changed: no idea #9 in mechelen-2027",
    ]
    async with sessionmaker() as session:
        idea = await session.scalar(select(Idea).where(Idea.number == 1))
    assert idea is not None and idea.staff_cost == 12500
    assert await _count(sessionmaker, IdeaReview) == 1


async def test_a_wrong_command_is_answered_and_changes_nothing(
    chat: StaffChat, ideas: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.handle(command("/reject 2 ugly", update_id=1))
    await chat.handle(command("/accept 2 lots", update_id=2))
    assert await _answers(sessionmaker) == [
        "“ugly” is not a criterion of this round. Choose one of: max_cost, public, in_city, "
        "one_off, theme, duplicate, too_short, missing",
        "“lots” is not an amount in whole euros. Write it like 12500 or 12.500.",
    ]
    assert await _count(sessionmaker, IdeaReview) == 0


async def test_the_queue_and_an_ideas_page(
    chat: StaffChat, ideas: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.handle(command("/reject 2 max_cost Te duur.", update_id=1))
    await chat.handle(command("/ideas", update_id=2))
    await chat.handle(command("/ideas rejected", update_id=3))
    await chat.handle(command("/idea 2", update_id=4))
    await chat.handle(command("/idea 5", update_id=5))
    queue, rejected, page, missing = (await _answers(sessionmaker))[1:]
    assert queue == (
        "#1 submitted · green · 👍0 💬0 · Idee van tr\n#2 rejected · green · 👍0 💬0 · Idee van ar"
    )
    assert rejected == "#2 rejected · green · 👍0 💬0 · Idee van ar"
    assert page.splitlines() == [
        "#2 Idee van ar",
        "Meer bankjes langs het water, voor wie niet lang kan stappen.",
        "Status: rejected",
        "Theme: green",
        "Estimated cost (the author's): €12,500",
        "Supporters: 0. Comments: 0.",
        "Voice note: no. Photo: no.",
        "Sent by Telegram, in Arabic.",
        "History:",
        "2027-02-23 09:30 UTC telegram:555000111 An Peeters @an_p: reject "
        "criterion=max_cost note=Te duur. [queued]",
    ]
    assert missing == "There is no idea #5."


async def test_staffhelp_lists_the_commands_and_what_they_take(
    chat: StaffChat, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.handle(command("/staffhelp"))
    (help_text,) = await _answers(sessionmaker)
    assert help_text.splitlines()[:3] == [
        "Staff commands:",
        "/ideas [status] [theme]",
        "/idea N",
    ]
    assert "Criteria for /reject: max_cost, public, in_city, one_off," in help_text


@pytest.mark.parametrize(
    ("hint", "locale"),
    [("nl", "nl"), ("nl-BE", "nl"), ("fr", "fr"), ("en-GB", "en"), ("tr", "en"), (None, "en")],
)
def test_staff_read_dutch_french_or_english(hint: str | None, locale: str) -> None:
    assert answers.staff_locale(hint) == locale
