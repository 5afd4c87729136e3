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
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeGuard

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import CHANNEL, CommandUpdate
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Outbound
from pbbot.i18n.catalogs import Translator, translator
from pbbot.ideas import listing
from pbbot.ideas.review import ReviewError, review
from pbbot.staff import answers
from pbbot.staff.commands import (
    Decide,
    Help,
    ListIdeas,
    Problem,
    ShowIdea,
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


class StaffChat:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        edition: Edition,
        staff_ids: frozenset[int],
        *,
        clock: Callable[[], datetime] = _utcnow,
        translators: Callable[[str], Translator] = translator,
    ):
        """`translators`: for the staff member's answers and the authors' notices alike."""
        self._sessionmaker = sessionmaker
        self._edition = edition
        self._staff_ids = staff_ids
        self._clock = clock
        self._translators = translators

    def claims(self, update: InboundUpdate) -> TypeGuard[CommandUpdate]:
        """Whether `update` is a staff command from a staff member in their private chat."""
        if not isinstance(update, CommandUpdate) or update.sender is None:
            return False
        user_id = update.sender.user_id
        # In a private chat the chat id is the user's id; parse_update keeps no other chats.
        return (
            user_id in self._staff_ids
            and update.inbound.address == str(user_id)
            and command_name(update.inbound.text) is not None
        )

    async def handle(self, update: CommandUpdate) -> bool:
        """Carry out a claimed command and queue its answer; False for a redelivery."""
        if not self.claims(update) or update.sender is None:  # authorization, checked again
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
            by = f"{CHANNEL}:{update.sender.user_id} {update.sender.name}"[:_MAX_BY_CHARS].strip()
            text = await self._answer(session, inbound.text, t, by=by, now=now)
            rows = outbound.outbound_rows(
                [Outbound(text, t.locale)],
                resident_id=chat.resident_id,
                channel=CHANNEL,
                address=inbound.address,
                now=now,
            )
            await repositories.insert_rows(session, repositories.OUTBOUND, rows)
        return True

    async def _answer(
        self, session: AsyncSession, text: str, t: Translator, *, by: str, now: datetime
    ) -> str:
        edition = self._edition
        command = parse_command(text, edition, locale=t.locale)
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
        raise AssertionError(f"unhandled staff command {command!r}")
