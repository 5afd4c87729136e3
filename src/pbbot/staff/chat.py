"""The staff chat: staff review residents' ideas from a private Telegram chat with the bot.

Only the Telegram users named in `PBBOT_STAFF_TELEGRAM_IDS`, in their private
chat, and only for the staff commands (`pbbot.staff.commands`): anything else
they send, and everything anyone else sends, "/accept ..." included, is a
resident's message and goes to the conversation as usual (`claims` says which).

A command is carried out in one transaction with storing its update under
the update's key (filed apart from residents' messages, as "staff-telegram"),
and with queueing the answer in the outbox, so a redelivered update finds its
key taken and does nothing, and no decision is applied without its answer.
The answer goes out like every reply to that chat: through the outbox, with
its rate limits and retries, in order with the bot's other messages to the
staff member (who may also be trying the bot as a resident).

Broadcasts (`pbbot.staff.broadcasting`) are previewed first; the preview's
buttons come back as taps ("staff:send:41"), claimed like commands when a
staff member taps them, stored and answered the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import CHANNEL, CommandUpdate
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Outbound
from pbbot.i18n.catalogs import Translator, translator
from pbbot.ideas import listing
from pbbot.ideas.review import ReviewError, review
from pbbot.outbox.limits import ChannelLimits
from pbbot.staff import answers
from pbbot.staff.broadcasting import StaffBroadcasts, Tap, tapped
from pbbot.staff.commands import (
    BroadcastStatus,
    ControlBroadcast,
    Decide,
    Help,
    ListBroadcasts,
    ListIdeas,
    PreviewBroadcast,
    Problem,
    SendPreview,
    ShowIdea,
    StaffCommand,
    command_name,
    parse_command,
)
from pbbot.storage import outbound, repositories

__all__ = ["STAFF_PREFIX", "StaffChat"]

# Staff commands are stored as "staff-telegram" messages: under the same unique
# keys as residents' updates, but never read back as a resident's conversation.
STAFF_PREFIX = "staff-"
# Who decided, as `idea_reviews.decided_by` and `idea_questions.asked_by` hold it.
_MAX_BY_CHARS = 100


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _user_id(address: str) -> int | None:
    return int(address) if address.isascii() and address.isdigit() else None


class StaffChat:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        edition: Edition,
        staff_ids: frozenset[int],
        *,
        clock: Callable[[], datetime] = _utcnow,
        translators: Callable[[str], Translator] = translator,
        limits: Mapping[str, ChannelLimits] | None = None,
        segment_price: Decimal | None = None,
    ):
        """`translators`: for the staff member's answers and the authors' notices alike.
        `limits` and `segment_price`: what a broadcast's preview reckons its time and
        cost with (see `StaffBroadcasts`)."""
        self._sessionmaker = sessionmaker
        self._edition = edition
        self._staff_ids = staff_ids
        self._clock = clock
        self._translators = translators
        self._broadcasts = StaffBroadcasts(edition, limits=limits, segment_price=segment_price)

    def claims(self, update: InboundUpdate) -> bool:
        """Whether `update` is a staff command from a staff member in their private
        chat, or a staff member's tap on a broadcast preview's button."""
        inbound = update.inbound
        if isinstance(update, CommandUpdate):
            if update.sender is None:
                return False
            user_id = update.sender.user_id
            # In a private chat the chat id is the user's id; parse_update keeps no other chats.
            return (
                user_id in self._staff_ids
                and inbound.address == str(user_id)
                and command_name(inbound.text) is not None
            )
        # A tap comes from its user (the address); the bot shows buttons in private chats only.
        return (
            inbound.channel == CHANNEL
            and tapped(inbound.payload) is not None
            and _user_id(inbound.address) in self._staff_ids
        )

    async def handle(self, update: InboundUpdate) -> bool:
        """Carry out a claimed command or tap and queue its answer; False for a redelivery."""
        if not self.claims(update):  # authorization, checked again
            raise ValueError("not a staff command from a staff member")
        now = self._clock()
        inbound = update.inbound
        async with self._sessionmaker.begin() as session:
            (stored,) = await repositories.store_inbound_many(
                session,
                [(inbound, update.key)],
                now=now,
                processed=True,
                channel_prefix=STAFF_PREFIX,
            )
            if stored is None:
                return False
            # The chat first, then the ideas, as a resident's step takes them: no deadlock.
            chat = await repositories.lock_conversation(session, CHANNEL, inbound.address, now=now)
            t = self._translators(answers.staff_locale(inbound.language_hint))
            user_id = int(inbound.address)
            tap = tapped(inbound.payload)
            if isinstance(update, CommandUpdate) and update.sender is not None:
                by = f"{CHANNEL}:{user_id} {update.sender.name}"[:_MAX_BY_CHARS].strip()
                reply = await self._answer(
                    session, inbound.text, t, by=by, now=now, preview_id=stored, user_id=user_id
                )
            else:
                assert tap is not None  # claimed
                reply = Outbound(
                    await self._tap(session, tap, t, user_id=user_id, now=now), t.locale
                )
            rows = outbound.outbound_rows(
                [reply],
                resident_id=chat.resident_id,
                channel=CHANNEL,
                address=inbound.address,
                now=now,
            )
            await repositories.insert_rows(session, repositories.OUTBOUND, rows)
        return True

    async def _tap(
        self, session: AsyncSession, tap: Tap, t: Translator, *, user_id: int, now: datetime
    ) -> str:
        # The preview stays on screen as the record of what was sent; the answer follows it.
        if tap.action == "send":
            return await self._broadcasts.confirm(
                session, user_id=user_id, now=now, t=t, preview_id=tap.preview_id
            )
        return await self._broadcasts.drop(session, user_id=user_id, preview_id=tap.preview_id, t=t)

    async def _answer(
        self,
        session: AsyncSession,
        text: str,
        t: Translator,
        *,
        by: str,
        now: datetime,
        preview_id: int,
        user_id: int,
    ) -> Outbound:
        """The answer to a command; `preview_id` names the preview a /broadcast shows."""
        command = parse_command(text, self._edition, locale=t.locale)
        if isinstance(command, PreviewBroadcast):  # the one answer with buttons
            return await self._broadcasts.preview(
                session, command, preview_id=preview_id, user_id=user_id, by=by, now=now, t=t
            )
        return Outbound(
            await self._text(session, command, t, by=by, now=now, user_id=user_id), t.locale
        )

    async def _text(
        self,
        session: AsyncSession,
        command: StaffCommand | Problem,
        t: Translator,
        *,
        by: str,
        now: datetime,
        user_id: int,
    ) -> str:
        edition = self._edition
        broadcasts = self._broadcasts
        match command:
            case Problem():
                return answers.problem_text(command, t)
            case Help():
                return answers.help_text(edition, t)
            case ListIdeas(status=status, theme=theme):
                found = await listing.list_ideas(session, edition.id, status=status, theme=theme)
                return answers.list_text(found, t)
            case ShowIdea(number=number):
                detail = await listing.idea_detail(session, edition.id, number)
                return answers.page_text(number, detail, edition, t)
            case Decide(number=number, decision=decision):
                try:
                    reviewed = await review(
                        session,
                        edition,
                        number,
                        decision,
                        by=by,
                        now=now,
                        translators=self._translators,
                    )
                except ReviewError as error:  # refused before anything changed
                    return answers.refused_text(str(error), t)
                idea = await listing.list_ideas(session, edition.id, number=number)
                return answers.decided_text(reviewed, decision, idea[0], edition, t)
            case SendPreview(count=count):
                return await broadcasts.confirm(session, user_id=user_id, now=now, t=t, count=count)
            case ListBroadcasts():
                return await broadcasts.listing(session, t)
            case BroadcastStatus(broadcast_id=broadcast_id):
                return await broadcasts.status(session, broadcast_id, t)
            case ControlBroadcast():
                return await broadcasts.control(session, command, by=by, now=now, t=t)
        raise AssertionError(f"unhandled staff command {command!r}")
