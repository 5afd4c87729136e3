"""The conversation service: stores a resident's message, runs the engine step, queues replies.

It is the one caller of the pure engine step. A message is handled in two
stages, which channels may also call separately:

- `accept(inbound, key)` stores it under a unique key (a webhook does this
  before answering 2xx); a redelivered key is recognized and ignored.
- `process(inbound_id)` runs the step in one transaction: lock the resident's
  conversation, step, save the new state and events, queue the replies, mark the
  message processed. `process_pending()` does so for every stored message not yet
  processed, e.g. after a crash.

`handle` does both in a single transaction, for callers that answer at once
(the simulator, a polling Telegram bot).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.domain.messages import Channel, Inbound, Outbound
from pbbot.engine.events import Event, MessageCreated, Resubscribed, Unsubscribed
from pbbot.engine.state import ConversationState
from pbbot.errors import PbbotError
from pbbot.storage import data_rights, repositories

__all__ = ["ConversationService", "StepFailed", "StepFunction"]

logger = logging.getLogger(__name__)

# The engine step with its edition, clock and translators already bound.
StepFunction = Callable[[ConversationState, Inbound], tuple[ConversationState, Sequence[Event]]]


class StepFailed(PbbotError):
    """The engine step raised on a stored message (a bug: the step should never raise)."""

    def __init__(self, inbound_id: int):
        self.inbound_id = inbound_id
        super().__init__(f"the engine step failed on inbound message {inbound_id}")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        step: StepFunction,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ):
        self._sessionmaker = sessionmaker
        self._step = step
        self._clock = clock

    async def handle(self, inbound: Inbound, *, key: str | None = None) -> list[Outbound]:
        """Store and process `inbound` in one transaction; [] if `key` was seen before."""
        async with self._sessionmaker.begin() as session:
            inbound_id = await repositories.store_inbound(
                session, inbound, key=key or _new_key(inbound), now=self._clock(), processed=True
            )
            if inbound_id is None:
                return []
            return await self._step_and_store(session, inbound_id, inbound)

    async def accept(self, inbound: Inbound, *, key: str | None = None) -> int | None:
        """Store `inbound` for processing; its id, or None if `key` was seen before."""
        async with self._sessionmaker.begin() as session:
            return await repositories.store_inbound(
                session, inbound, key=key or _new_key(inbound), now=self._clock()
            )

    async def process(self, inbound_id: int) -> list[Outbound]:
        """Process a stored message once; [] if it was processed already.

        If the step raises, its transaction is rolled back and the message is
        marked processed with the error, so that one bad message cannot block
        the others; `StepFailed` is raised for the caller to log. A database
        error leaves the message pending, to be retried.
        """
        try:
            async with self._sessionmaker.begin() as session:
                inbound = await repositories.lock_pending_inbound(session, inbound_id)
                if inbound is None:
                    return []
                await repositories.finish_inbound(session, inbound_id, now=self._clock())
                return await self._step_and_store(session, inbound_id, inbound)
        except StepFailed as failure:
            async with self._sessionmaker.begin() as session:
                await repositories.finish_inbound(
                    session, inbound_id, now=self._clock(), error=repr(failure.__cause__)
                )
            raise

    async def process_pending(self, *, batch: int = 100) -> int:
        """Process every stored message not processed yet, oldest first; how many ran."""
        processed = 0
        while True:
            async with self._sessionmaker() as session:
                ids = await repositories.pending_inbound_ids(session, limit=batch)
            if not ids:
                return processed
            for inbound_id in ids:
                try:
                    await self.process(inbound_id)
                except StepFailed:
                    logger.exception("inbound message %s failed", inbound_id)
                processed += 1

    async def _step_and_store(
        self, session: AsyncSession, inbound_id: int, inbound: Inbound
    ) -> list[Outbound]:
        """Run the step on the resident's locked conversation; store what it decided."""
        now = self._clock()
        locked = await repositories.lock_conversation(
            session, inbound.channel, inbound.address, now=now
        )
        try:
            state, events = self._step(locked.state, inbound)
        except Exception as error:
            raise StepFailed(inbound_id) from error
        await repositories.save_conversation(session, locked, state, now=now)
        await repositories.record_events(session, locked.resident_id, events, now=now)
        changes = _resident_changes(locked, state, events, inbound)
        if changes:
            await repositories.update_resident(session, locked.resident_id, **changes)
        replies = [event.message for event in events if isinstance(event, MessageCreated)]
        await repositories.enqueue_messages(
            session,
            replies,
            resident_id=locked.resident_id,
            channel=inbound.channel,
            address=inbound.address,
            now=now,
            inbound_id=inbound_id,
        )
        return replies

    async def export_resident(self, channel: Channel, address: str) -> dict[str, Any] | None:
        """What is stored about a resident (their right of access); None if nothing."""
        async with self._sessionmaker.begin() as session:
            return await data_rights.export_resident(session, channel, address)

    async def delete_resident(self, channel: Channel, address: str) -> bool:
        """Erase a resident with their conversation, messages and events; False if unknown."""
        async with self._sessionmaker.begin() as session:
            return await data_rights.delete_resident(session, channel, address)


def _new_key(inbound: Inbound) -> str:
    # Channels without a delivery id of their own (the simulator) never redeliver.
    return f"{inbound.channel}:{uuid4().hex}"


def _resident_changes(
    locked: repositories.LockedConversation,
    state: ConversationState,
    events: Sequence[Event],
    inbound: Inbound,
) -> dict[str, Any]:
    """The resident columns that mirror this step's outcome, where they changed."""
    changes: dict[str, Any] = {}
    if state.locale != locked.locale:
        changes["locale"] = state.locale
    if locked.start_param is None and inbound.start_param:
        changes["start_param"] = inbound.start_param
    for event in events:
        if isinstance(event, Unsubscribed | Resubscribed):
            changes["subscribed"] = isinstance(event, Resubscribed)
    if changes.get("subscribed") == locked.subscribed:
        del changes["subscribed"]
    # A Telegram message means the resident unblocked the bot. An SMS does not
    # lift a carrier block (Twilio 21610): only the carrier's opt-in word does.
    if locked.unreachable and (inbound.channel != "sms" or inbound.keyword == "opt_in"):
        changes["unreachable"] = False
    return changes
