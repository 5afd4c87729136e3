"""Replies that replace the tapped message: the first one is queued to edit it,
and the outbox hands the sender that message's id with it; the others go out
as new messages."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.domain.messages import Channel, Choice, Outbound
from pbbot.outbox.limits import ChannelLimits
from pbbot.outbox.sender import Outbox
from pbbot.storage.outbound import outbound_rows
from pbbot.storage.tables import OutboundMessage
from tests.outbox.support import START, FakeClock, add_resident, messages

CHAT = "412345678"
LIST = (Choice("vote.basket.p3", "3 Speeltuin"),)


class EditingSender:
    """Records what each envelope was to edit; an edit keeps the edited message's id."""

    def __init__(self) -> None:
        self.envelopes: list[OutboundEnvelope] = []

    @property
    def channel(self) -> Channel:
        return "telegram"

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        self.envelopes.append(envelope)
        provider_id = envelope.edits or f"new{len(self.envelopes)}"
        return SendReceipt(provider_id=provider_id, segments=1)

    async def close(self) -> None:
        pass


def _replies() -> list[Outbound]:
    return [
        Outbound(text="€ 45.000 left", locale="nl"),
        Outbound(text="basket", locale="nl", choices=LIST, replaces=True),
        Outbound(text="basket again", locale="nl", choices=LIST, replaces=True),
    ]


def test_only_the_first_replacing_reply_edits() -> None:
    rows = outbound_rows(
        _replies(), resident_id=1, channel="telegram", address=CHAT, now=START, edits="57"
    )
    assert [(row["text"], row["edits_message_id"]) for row in rows] == [
        ("€ 45.000 left", None),
        ("basket", "57"),
        ("basket again", None),
    ]
    # Without a tapped message (a typed answer, SMS) nothing edits.
    plain = outbound_rows(_replies(), resident_id=1, channel="telegram", address=CHAT, now=START)
    assert [row["edits_message_id"] for row in plain] == [None, None, None]


async def test_the_outbox_hands_the_sender_the_message_to_edit(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    resident_id = await add_resident(sessionmaker, CHAT)
    rows = outbound_rows(
        _replies(), resident_id=resident_id, channel="telegram", address=CHAT, now=START, edits="57"
    )
    async with sessionmaker.begin() as session:
        await session.execute(insert(OutboundMessage), rows)
    sender = EditingSender()
    outbox = Outbox(
        sessionmaker,
        {"telegram": sender},
        limits={"telegram": ChannelLimits(per_second=1000)},
        clock=FakeClock(),
    )
    while await outbox.send_due():
        pass

    assert [(e.outbound.text, e.edits) for e in sender.envelopes] == [
        ("€ 45.000 left", None),
        ("basket", "57"),
        ("basket again", None),
    ]
    stored = await messages(sessionmaker)
    assert [(m.status, m.provider_id) for m in stored] == [
        ("sent", "new1"),
        ("sent", "57"),
        ("sent", "new3"),
    ]
