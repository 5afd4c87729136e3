"""Broadcasts from the staff chat on the database: the preview's figures, and a
broadcast created only by its staff member's confirm, once, in time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.broadcasts.content import Content, render
from pbbot.channels.base import InboundUpdate
from pbbot.channels.sms.render import render_sms
from pbbot.channels.telegram.updates import CommandUpdate, Sender
from pbbot.domain.messages import Inbound, Outbound
from pbbot.i18n.catalogs import translator
from pbbot.i18n.formatting import format_money
from pbbot.i18n.sms import sms_segments
from pbbot.outbox.limits import default_limits
from pbbot.staff.chat import StaffChat
from pbbot.storage.tables import Broadcast, OutboundMessage, Resident, StaffAction
from tests.ideas.support import EDITION, NOW

STAFF, COLLEAGUE = 555000111, 555000222


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def staff_chat(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> StaffChat:
    return StaffChat(
        sessionmaker,
        EDITION,
        frozenset({STAFF, COLLEAGUE}),
        clock=clock,
        limits=default_limits(2.0, telegram_per_second=25.0),
        segment_price=Decimal("0.075"),
    )


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> StaffChat:
    return staff_chat(sessionmaker, clock)


class Updates:
    """Updates from staff, each with its own update id, as Telegram numbers them."""

    def __init__(self) -> None:
        self.last = 0

    def _key(self) -> str:
        self.last += 1
        return f"telegram:7000000001:{self.last}"

    def command(self, text: str, *, user_id: int = STAFF, language: str = "en") -> CommandUpdate:
        return CommandUpdate(
            key=self._key(),
            inbound=Inbound("telegram", str(user_id), text=text, language_hint=language),
            sender=Sender(user_id, "An Peeters @an_p"),
        )

    def tap(self, payload: str, *, user_id: int = STAFF) -> InboundUpdate:
        inbound = Inbound("telegram", str(user_id), payload=payload, language_hint="en")
        return InboundUpdate(self._key(), inbound, callback_query_id="4242")


@pytest.fixture
def updates() -> Updates:
    return Updates()


@pytest.fixture
async def residents(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Two Dutch residents on Telegram, a French one on SMS, a Turkish one on SMS,
    and one who sent STOP (never counted)."""
    async with sessionmaker.begin() as session:
        for channel, address, locale, subscribed in (
            ("telegram", "7001", "nl", True),
            ("telegram", "7002", "nl", True),
            ("sms", "+32470000301", "fr", True),
            ("sms", "+32470000302", "tr", True),
            ("sms", "+32470000303", "nl", False),
        ):
            session.add(
                Resident(
                    channel=channel,
                    address=address,
                    locale=locale,
                    subscribed=subscribed,
                    created_at=NOW,
                )
            )


async def answers(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int = STAFF
) -> list[str]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(OutboundMessage.text)
                .where(OutboundMessage.address == str(user_id))
                .order_by(OutboundMessage.id)
            )
        )


async def buttons(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int = STAFF
) -> list[dict[str, str]]:
    """The buttons under the staff member's latest message."""
    async with sessionmaker() as session:
        choices = await session.scalar(
            select(OutboundMessage.choices)
            .where(OutboundMessage.address == str(user_id))
            .order_by(OutboundMessage.id.desc())
            .limit(1)
        )
    return list(choices or [])


async def broadcasts(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Broadcast]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


async def preview(chat: StaffChat, updates: Updates, text: str = "/broadcast voting") -> None:
    assert await chat.handle(updates.command(text))


async def test_the_preview_shows_the_text_and_the_dry_run_and_creates_nothing(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)

    (text,) = await answers(sessionmaker)
    voting = translator("en").gettext(
        "Voting is open until {date}: choose projects for {budget}. Send {menu} to vote."
    )
    assert text.splitlines()[:3] == [
        "Preview of “voting”, in English:",
        voting.format(date="May 9, 2027", budget="€600,000", menu="MENU"),
        "",
    ]
    # The staff member's own chat counts too: they are a Telegram subscriber (in nl,
    # the edition's default language, having chosen none).
    assert text.splitlines()[3:8] == [
        "Audience: every subscriber",
        "Recipients: 5 (Telegram 3 · SMS 2)",
        "· Dutch: 3 (Telegram 3)",
        "· French: 1 (SMS 1)",
        "· Turkish: 1 (SMS 1)",
    ]
    # 3 Telegram messages at 25 a second, 1 + 2 SMS segments at 2 a second.
    assert "Sending takes about 2 s at the rate limits." in text
    assert text.splitlines()[-1] == (
        "Nothing is sent until you confirm, within 10 minutes: tap a button or type /send 5."
    )
    assert [button["label"] for button in await buttons(sessionmaker)] == [
        "Send to 5 residents",
        "Don't send",
    ]
    assert await broadcasts(sessionmaker) == []


def segments(locale: str) -> int:
    """The voting message's SMS segments in `locale`, as the SMS channel sends it."""
    text = render(Content(message="voting"), EDITION, locale, now=NOW)
    return sms_segments(render_sms(Outbound(text, locale))).segments


async def test_sms_segments_and_their_cost_for_a_segment_of_the_audience(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates, "/broadcast voting channel=sms")
    (text,) = await answers(sessionmaker)
    french, turkish = segments("fr"), segments("tr")
    assert (french, turkish) == (1, 2)  # GSM-7 and UCS-2
    cost = format_money(Decimal("0.075") * 3, "EUR", "en")
    assert text.splitlines()[3:10] == [
        "Audience: channel=sms",
        "Recipients: 2 (SMS 2)",
        "· French: 1 (SMS 1)",
        "· Turkish: 1 (SMS 1)",
        "Segments per SMS: fr 1 · tr 2",
        f"SMS segments in all: 3. Estimated cost: {cost}.",
        "Sending takes about 2 s at the rate limits.",
    ]


async def test_confirming_creates_one_broadcast_by_the_staff_member_who_asked(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates, "/broadcast voting language=nl,fr")
    send, dont = await buttons(sessionmaker)
    assert await chat.handle(updates.tap(send["payload"]))
    assert await chat.handle(updates.tap(send["payload"]))  # a second tap
    assert await chat.handle(updates.tap(dont["payload"]))  # too late to drop it

    (broadcast,) = await broadcasts(sessionmaker)
    assert (broadcast.message, broadcast.status, broadcast.created_by, broadcast.send_at) == (
        "voting",
        "scheduled",
        "telegram:555000111 An Peeters @an_p",
        NOW,
    )
    assert broadcast.audience["specs"] == ["language=nl,fr"]
    assert (await answers(sessionmaker))[1:] == [
        f"Broadcast #{broadcast.id} is queued. Follow it with /broadcast_status {broadcast.id}; "
        f"hold it with /pause {broadcast.id}, stop it with /cancel {broadcast.id}.",
        f"This preview was sent already: broadcast #{broadcast.id}. "
        f"Follow it with /broadcast_status {broadcast.id}.",
        f"This preview was sent already: broadcast #{broadcast.id}. "
        f"Follow it with /broadcast_status {broadcast.id}.",
    ]


async def test_two_taps_at_once_make_one_broadcast(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Telegram users double-tap; on PostgreSQL the two taps' transactions overlap."""
    await preview(chat, updates)
    send, _ = await buttons(sessionmaker)
    taps = [updates.tap(send["payload"]) for _ in range(4)]
    assert all(await asyncio.gather(*(chat.handle(tap) for tap in taps)))
    (broadcast,) = await broadcasts(sessionmaker)
    replies = (await answers(sessionmaker))[1:]
    assert sorted(reply.split(".")[0] for reply in replies) == [
        f"Broadcast #{broadcast.id} is queued",
        *[f"This preview was sent already: broadcast #{broadcast.id}"] * 3,
    ]


async def test_dont_send_creates_nothing_and_closes_the_preview(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)
    send, dont = await buttons(sessionmaker)
    await chat.handle(updates.tap(dont["payload"]))
    await chat.handle(updates.tap(send["payload"]))
    await chat.handle(updates.command("/send 5"))
    assert await broadcasts(sessionmaker) == []
    assert (await answers(sessionmaker))[1:] == [
        "Not sent. Nothing was queued.",
        "This preview is no longer open: nothing was sent. Start again with /broadcast.",
        "No preview is waiting for your confirm. Start with /broadcast MESSAGE.",
    ]


async def test_a_typed_confirm_must_give_the_previews_count(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)
    await chat.handle(updates.command("/send 4"))
    assert await broadcasts(sessionmaker) == []
    await chat.handle(updates.command("/send 5"))
    await chat.handle(updates.command("/send 5"))
    assert len(await broadcasts(sessionmaker)) == 1
    assert (await answers(sessionmaker))[1] == (
        "The number does not match your preview (5). Nothing was sent: type /send 5 to send it."
    )
    assert (await answers(sessionmaker))[3] == (
        "No preview is waiting for your confirm. Start with /broadcast MESSAGE."
    )


async def test_only_the_staff_member_who_asked_can_confirm(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)
    send, _ = await buttons(sessionmaker)
    await chat.handle(updates.tap(send["payload"], user_id=COLLEAGUE))
    await chat.handle(updates.command("/send 5", user_id=COLLEAGUE))
    assert await broadcasts(sessionmaker) == []
    # Anyone else's tap is a resident's: not the staff chat's to claim.
    assert not chat.claims(updates.tap(send["payload"], user_id=412345678))
    await chat.handle(updates.tap(send["payload"]))
    assert len(await broadcasts(sessionmaker)) == 1


async def test_a_newer_preview_replaces_the_older_one(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates, "/broadcast voting")
    old_send, _ = await buttons(sessionmaker)
    await preview(chat, updates, "/broadcast voting_reminder channel=sms")
    new_send, _ = await buttons(sessionmaker)
    await chat.handle(updates.tap(old_send["payload"]))
    assert await broadcasts(sessionmaker) == []
    await chat.handle(updates.tap(new_send["payload"]))
    (broadcast,) = await broadcasts(sessionmaker)
    assert broadcast.message == "voting_reminder"


async def test_a_confirm_after_ten_minutes_sends_nothing(
    chat: StaffChat,
    clock: Clock,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)
    send, _ = await buttons(sessionmaker)
    clock.now = NOW + timedelta(minutes=10, seconds=1)
    await chat.handle(updates.tap(send["payload"]))
    assert await broadcasts(sessionmaker) == []
    assert (await answers(sessionmaker))[-1] == (
        "This preview is older than 10 minutes: nothing was sent. "
        "Send /broadcast again for fresh figures."
    )


async def test_the_preview_survives_a_restart(
    chat: StaffChat,
    clock: Clock,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)
    send, _ = await buttons(sessionmaker)
    restarted = staff_chat(sessionmaker, clock)
    clock.now = NOW + timedelta(minutes=9)
    await restarted.handle(updates.tap(send["payload"]))
    assert len(await broadcasts(sessionmaker)) == 1


async def test_an_unclear_audience_or_nobody_to_reach_offers_nothing_to_confirm(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates, "/broadcast voting language=xx")
    await preview(chat, updates, "/broadcast voting language=ar")
    unclear, nobody = await answers(sessionmaker)
    assert unclear.startswith("The audience is not clear: ")
    assert unclear.endswith("language=xx is not one of nl, fr, en, tr, ar")
    assert "Recipients: 0" in nobody
    assert await buttons(sessionmaker) == []
    await chat.handle(updates.command("/send 0"))
    assert await broadcasts(sessionmaker) == []


async def test_staff_texts_warn_of_the_languages_that_get_another(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(
        chat,
        updates,
        "/broadcast text\nnl: Morgen sluit de stemming. Stuur MENU.\n"
        "fr: Le vote se termine demain. Envoyez MENU.",
    )
    (text,) = await answers(sessionmaker)
    # No English text: the staff member sees the Dutch one, the default language's.
    assert text.splitlines()[:2] == [
        "Preview of your text, in Dutch:",
        "Morgen sluit de stemming. Stuur MENU.",
    ]
    assert "⚠️ No text for tr: they get the nl text." in text.splitlines()
    await chat.handle(updates.command("/send 5"))
    (broadcast,) = await broadcasts(sessionmaker)
    assert (broadcast.message, broadcast.texts) == (
        None,
        {
            "nl": "Morgen sluit de stemming. Stuur MENU.",
            "fr": "Le vote se termine demain. Envoyez MENU.",
        },
    )


async def test_staff_texts_the_edition_cannot_send_are_refused(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates, "/broadcast text\nfr: Le vote se termine demain.")
    (text,) = await answers(sessionmaker)
    assert text.startswith("This message cannot be sent: no nl text")
    assert await buttons(sessionmaker) == []


async def test_pause_resume_cancel_change_the_status_and_are_recorded(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await preview(chat, updates)
    await chat.handle(updates.command("/send 5"))
    (broadcast,) = await broadcasts(sessionmaker)
    number = broadcast.id
    statuses = []
    for command in (f"/pause {number}", f"/resume {number}", f"/cancel {number}"):
        await chat.handle(updates.command(command))
        statuses.append((await broadcasts(sessionmaker))[0].status)
    await chat.handle(updates.command(f"/resume {number}"))
    await chat.handle(updates.command("/pause 99"))

    assert statuses == ["paused", "scheduled", "cancelled"]
    assert (await answers(sessionmaker))[2:] == [
        f"Broadcast #{number} is paused. Messages held: 0. Go on with /resume {number}.",
        f"Broadcast #{number} goes on. Messages queued again: 0.",
        f"Broadcast #{number} is cancelled. Messages not sent: 0. "
        "Those already sent cannot be called back.",
        f"Nothing was changed: broadcast #{number} is cancelled.",
        "There is no broadcast #99.",
    ]
    async with sessionmaker() as session:
        actions = list(
            await session.execute(
                select(StaffAction.action, StaffAction.done_by).order_by(StaffAction.id)
            )
        )
    assert [tuple(action) for action in actions] == [
        ("broadcast.create", "telegram:555000111 An Peeters @an_p"),
        ("broadcast.pause", "telegram:555000111 An Peeters @an_p"),
        ("broadcast.resume", "telegram:555000111 An Peeters @an_p"),
        ("broadcast.cancel", "telegram:555000111 An Peeters @an_p"),
    ]


async def test_the_list_and_a_broadcasts_status(
    chat: StaffChat,
    updates: Updates,
    residents: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await chat.handle(updates.command("/broadcasts"))
    await preview(chat, updates, "/broadcast voting channel=sms")
    await chat.handle(updates.command("/send 2"))
    (broadcast,) = await broadcasts(sessionmaker)
    await chat.handle(updates.command("/broadcasts"))
    await chat.handle(updates.command(f"/broadcast_status {broadcast.id}"))
    await chat.handle(updates.command("/broadcast_status 99"))

    empty, _, _, listing, status, missing = await answers(sessionmaker)
    assert empty == "No broadcasts yet. Start one with /broadcast MESSAGE."
    assert listing == (
        f"#{broadcast.id} voting · scheduled · 0 · 2027-02-20 09:30 UTC · "
        "telegram:555000111 An Peeters @an_p"
    )
    assert status.splitlines() == [
        f"Broadcast #{broadcast.id} (voting): scheduled",
        "[....................]   0%",
        "Recipients so far: 0. Waiting: 0. Held: 0. Sent: 0. Delivered: 0. Failed: 0. "
        "Blocked the bot: 0. Skipped: 0.",
    ]
    assert missing == "There is no broadcast #99."


async def test_staffhelp_lists_the_broadcast_commands(
    chat: StaffChat, updates: Updates, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.handle(updates.command("/staffhelp"))
    (text,) = await answers(sessionmaker)
    for line in (
        "/broadcast MESSAGE|text [segment ...]",
        "/send N",
        "/broadcasts",
        "/broadcast_status ID",
        "/pause ID",
        "/resume ID",
        "/cancel ID",
    ):
        assert line in text.splitlines()
    assert "Messages for /broadcast: information, ideation, review, voting," in text


def test_only_staff_taps_on_preview_buttons_are_claimed(chat: StaffChat, updates: Updates) -> None:
    assert chat.claims(updates.tap("staff:send:12"))
    assert chat.claims(updates.tap("staff:drop:12", user_id=COLLEAGUE))
    assert not chat.claims(updates.tap("staff:send:12", user_id=412345678))  # a resident
    assert not chat.claims(updates.tap("lang:nl"))  # staff trying the bot
    assert not chat.claims(updates.tap("staff:send:twelve"))
    sms = InboundUpdate("twilio:SM1", Inbound("sms", "+32470000301", payload="staff:send:12"))
    assert not chat.claims(sms)
