"""The database schema, as SQLAlchemy 2 typed declarative mappings.

Alembic migrations (`alembic/versions/`) must produce exactly this metadata; a
test compares them. JSON columns use SQLAlchemy's portable `JSON` type; times are
stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "BROADCAST_STATUSES",
    "OUTBOUND_STATUS_RANK",
    "PRIORITY_BULK",
    "PRIORITY_REPLY",
    "Base",
    "Broadcast",
    "Conversation",
    "ConversationEvent",
    "EditionState",
    "ErasedInboundKey",
    "InboundMessage",
    "InstallationSecret",
    "OutboundMessage",
    "PhaseMove",
    "Question",
    "Resident",
    "StaffAction",
    "UTCDateTime",
]

# Replies to a resident are sent before bulk messages (broadcasts); lower goes first.
PRIORITY_REPLY = 0
PRIORITY_BULK = 10

# An outbound message's status only moves forward: callbacks arrive out of order,
# and a late "sent" must not undo "delivered". The last four are final; "skipped"
# is a bulk message the outbox did not send because the resident unsubscribed
# (or its broadcast was cancelled). "held": a bulk message of a paused broadcast,
# out of the claim's way until the broadcast resumes.
OUTBOUND_STATUS_RANK: dict[str, int] = {
    "held": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "skipped": 3,
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC `datetime`; SQLite has no time zones, so it stores naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pbbot stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints, so that migrations can refer to them on both databases.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Resident(Base):
    """A person taking part on one channel; `address` (chat id or phone) is personal data."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    # The channel refuses to deliver (Telegram: blocked the bot; Twilio error 21610).
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    # False after STOP; only START (or the carrier's equivalent) sets it back.
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    # The first `/start <code>` seen: which intermediary brought this resident.
    start_param: Mapped[str | None] = mapped_column(String(64))
    # They erased everything in the chat: the row goes once the confirmation
    # has left (see `pbbot.storage.data_rights`), unless they write again first.
    erased_at: Mapped[datetime | None]


class Conversation(Base):
    """A resident's `ConversationState` as JSON; `version` grows by one on every save."""

    __tablename__ = "conversations"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=0)


class InboundMessage(Base):
    """A normalized `Inbound`, stored under a unique key before it is processed.

    The key says where the message came from and makes redelivery harmless:
    `telegram:<bot_id>:<update_id>`, `twilio:<MessageSid>`, `sim:<uuid>`.
    `error` is set when processing failed, so the message is not retried forever.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (Index(None, "channel", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(Text)


class OutboundMessage(Base):
    """One message in the outbox: a rendered-later `Outbound` and its delivery record.

    While `status` is "sending", a provider call is under way: `next_attempt_at`
    is the end of its sender's lease, which the sender renews while the call
    lasts; a message still sending after it was abandoned by a crashed sender
    (see `pbbot.storage.outbound`).
    """

    __tablename__ = "outbound_messages"
    __table_args__ = (
        # The outbox claims one channel's due messages, most urgent priority first,
        # in index order (see `pbbot.storage.outbound.claim_due`).
        Index("ix_outbound_messages_due", "status", "channel", "priority", "next_attempt_at", "id"),
        # Whether a message is the next one for its resident: their unsent messages.
        Index(None, "resident_id", "status"),
        # A resident gets each broadcast at most once, whoever fans it out, however often.
        UniqueConstraint("broadcast_id", "resident_id"),
        # A broadcast's progress, counted by status.
        Index(None, "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    # [{"payload": ..., "label": ...}, ...]
    choices: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(8))
    request: Mapped[str | None] = mapped_column(String(16))
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    priority: Mapped[int] = mapped_column(Integer, default=PRIORITY_REPLY)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    # Twilio's MessageSid or Telegram's message id, for status callbacks.
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    # The outbox (one per process) that last claimed the message, and when that
    # attempt's provider call began: a message is claimed only to start at once.
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime | None]
    # When an attempt began whose outcome was never recorded (its sender stopped
    # during the call): the message may have reached the resident before the next.
    uncertain_since: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # When the provider reported the message delivered to the handset (SMS only).
    delivered_at: Mapped[datetime | None]
    # The inbound message this one answers (None for broadcasts).
    inbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )
    # The channel's id of the message this one is shown in place of (Telegram edits
    # the list whose button was tapped); None: sent as a new message.
    edits_message_id: Mapped[str | None] = mapped_column(String(64))
    # It showed how the resident votes: its text goes once it has left (`Outbound.secret`).
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    # The broadcast this message is one recipient's copy of (None: a reply).
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE")
    )


class ConversationEvent(Base):
    """An engine event, for audit and reach statistics. Never holds ballot content."""

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Question(Base):
    """A resident's question for the city team ("Talk to a person"), and staff's answer.

    Personal data: it goes with the resident (export, erasure).
    """

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(index=True)


class ErasedInboundKey(Base):
    """The key of an erased resident's message, as a keyed hash (`pbbot.storage.erasure`).

    A redelivery of the message is still recognized and does nothing, and the
    hash leads back to no message, number or chat.
    """

    __tablename__ = "erased_inbound_keys"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime]


class InstallationSecret(Base):
    """A random secret this installation made for itself once (e.g. the erasure hash key)."""

    __tablename__ = "installation_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class EditionState(Base):
    """Run-time state of an edition (phase override, broadcast markers, ...), as JSON values."""

    __tablename__ = "edition_state"

    edition: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]


# A broadcast's life: "scheduled" (until `send_at`) -> "fanning" (its recipients'
# messages are being queued) -> "sending" -> "done"; "paused" and back at any time
# before "done"; "cancelled" for good.
BROADCAST_STATUSES: tuple[str, ...] = (
    "scheduled",
    "fanning",
    "sending",
    "paused",
    "done",
    "cancelled",
)


class Broadcast(Base):
    """One message to many residents: what it says, to whom, when; its copies are
    `outbound_messages` rows (`broadcast_id`), one per recipient.

    `key` makes a broadcast that may be asked for more than once be created
    once: a reminder of the edition file (however many workers look), a
    preview confirmed in the staff chat (however often it is tapped); one
    from `pbbot broadcast` has none.
    `message`: a catalog message's name; else `texts` holds staff's text per
    language. `audience`: the segment as staff gave it (see
    `pbbot.broadcasts.audience`). `fanned_to`: the highest resident id whose copy
    is queued, so that a fan-out cut short resumes where it stopped.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(String(100))
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    message: Mapped[str | None] = mapped_column(String(64))
    texts: Mapped[dict[str, Any]]
    audience: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    send_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    paused_before: Mapped[str | None] = mapped_column(String(16))  # status to resume to
    fanned_to: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # copies queued so far
    finished_at: Mapped[datetime | None]


class PhaseMove(Base):
    """Staff moved the edition to a phase by hand (`pbbot phase set`); `kind` None:
    back to the edition file's timeline. The latest move or scheduled boundary
    before now decides the current phase (see `pbbot.domain.timeline`)."""

    __tablename__ = "phase_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    moved_at: Mapped[datetime]
    moved_by: Mapped[str] = mapped_column(String(100))


class StaffAction(Base):
    """Who changed what, when: every staff action that changes how the bot behaves
    (a broadcast created, paused, resumed or cancelled; a phase moved; ...)."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))  # "broadcast.pause", "phase.set", ...
    subject: Mapped[str | None] = mapped_column(String(100))  # "broadcast 3", "voting"
    detail: Mapped[dict[str, Any]]
    done_by: Mapped[str] = mapped_column(String(100))
    done_at: Mapped[datetime]
