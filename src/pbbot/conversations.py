"""The conversation service: stores a resident's message, runs the engine step, queues replies.

It is the one caller of the pure engine step. Storing a message under its
unique key (a redelivered key is recognized and does nothing), locking the
resident's conversation, stepping, saving the state and events and queueing
the replies happen in one transaction:

- `handle_many(items)` for the server, which stores and processes the updates
  that arrived together before it answers their webhooks;
- `handle(inbound, key)` for one message (the simulator).

`accept` stores without processing and `process_many`/`process_pending` process
what is stored: the recovery path for messages a crash or an older process
left stored but unprocessed.

A step that reads domain data (the ideas on a page, a draft ballot) says which
parts of the snapshot it needs; the service loads them through the loaders
features register (`loads`) and steps again, in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.domain.messages import Channel, Inbound, Outbound
from pbbot.engine.events import (
    DomainEvent,
    ErasureRequested,
    Event,
    MessageCreated,
    MessagesForgotten,
    QuestionAsked,
    Resubscribed,
    SnapshotNeeded,
    Unsubscribed,
)
from pbbot.engine.keywords import CARRIER_CHANNELS
from pbbot.engine.registry import registrar
from pbbot.engine.snapshot import EMPTY_SNAPSHOT, Snapshot
from pbbot.engine.state import ConversationState
from pbbot.errors import PbbotError
from pbbot.storage import data_rights, erasure, outbound, questions, repositories

__all__ = [
    "EVENT_HANDLERS",
    "SNAPSHOT_LOADERS",
    "ConversationService",
    "EventHandler",
    "ProcessOutcome",
    "SnapshotLoader",
    "StepFailed",
    "StepFunction",
    "handles",
    "loads",
]

logger = logging.getLogger(__name__)


class StepFunction(Protocol):
    """The engine step with its edition, clock and translators already bound.

    Called first without a snapshot; when its events are a `SnapshotNeeded`
    (nothing else happened), again with a snapshot holding those parts.
    """

    def __call__(
        self, state: ConversationState, inbound: Inbound, snapshot: Snapshot = ..., /
    ) -> tuple[ConversationState, Sequence[Event]]: ...


# Loads a part of the snapshot in the step's transaction:
# (session, resident id, conversation state, edition id) -> the part's value.
SnapshotLoader = Callable[[AsyncSession, int, ConversationState, str], Awaitable[Any]]
SNAPSHOT_LOADERS: dict[str, SnapshotLoader] = {}
# Each try loads at least one more part; a step asking more often is a bug.
_MAX_SNAPSHOT_TRIES = 8

# Stores a feature's domain event in the step's transaction: (session, resident id,
# event, now). It may answer the resident (a receipt that names what only the
# database knows, "your idea has number #27"): those messages go before the step's
# own replies, queued or shown like them.
EventHandler = Callable[[AsyncSession, int, Any, datetime], Awaitable[Sequence[Outbound] | None]]
EVENT_HANDLERS: dict[type[DomainEvent], EventHandler] = {}


# `@handles(QuestionAsked)`: the handler that stores that event type (one per type).
handles = registrar(EVENT_HANDLERS, "event handler")


# `@loads("ideas.page")`: the loader of that snapshot part (one per part).
loads = registrar(SNAPSHOT_LOADERS, "snapshot loader")


class SnapshotUnavailable(PbbotError):
    """A step needs a snapshot part no loader provides (a bug: a feature not loaded)."""


@handles(QuestionAsked)
async def _store_question(
    session: AsyncSession, resident_id: int, event: QuestionAsked, now: datetime
) -> None:
    question_id = await questions.add_question(session, resident_id, event.text, now=now)
    # Staff learn of it here and in `pbbot questions list`; the text stays out of logs.
    logger.info("question %s is waiting for the city team (pbbot questions list)", question_id)


class StepFailed(PbbotError):
    """The engine step raised on a stored message (a bug: the step should never raise)."""

    def __init__(self, inbound_id: int):
        self.inbound_id = inbound_id
        super().__init__(f"the engine step failed on inbound message {inbound_id}")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ProcessOutcome:
    """What processing stored messages gave: the replies queued, and the
    messages whose step raised (with the error)."""

    replies: list[Outbound] = field(default_factory=list)
    failed: list[tuple[int, Exception]] = field(default_factory=list)

    @property
    def failed_ids(self) -> set[int]:
        return {inbound_id for inbound_id, _ in self.failed}


class ConversationService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        step: StepFunction,
        *,
        clock: Callable[[], datetime] = _utcnow,
        simulated: bool = False,
        edition_id: str = "",
        before_steps: Callable[[AsyncSession], Awaitable[None]] | None = None,
    ):
        """`simulated`: the simulator's service. Its residents are stored apart
        (channel "sim-sms", "sim-telegram"), so no sender or broadcast ever
        reaches them, and its replies are shown, not queued. `edition_id`:
        the edition whose data the snapshot loaders read, and whose answers a
        conversation holds (a state of an earlier edition starts again, see
        `ConversationState.in_edition`). `before_steps`: reads, in each batch's
        transaction, what the step depends on that another process may change
        (staff's phase moves)."""
        self._sessionmaker = sessionmaker
        self._step = step
        self._edition_id = edition_id
        self._before_steps = before_steps
        self._clock = clock
        self._simulated = simulated
        self._prefix = "sim-" if simulated else ""
        self._key: bytes | None = None  # the erasure hash key, read once

    async def handle(self, inbound: Inbound, *, key: str | None = None) -> list[Outbound]:
        """Store and process `inbound` in one transaction; [] if `key` was seen before.

        If the step raises, nothing is stored and `StepFailed` is raised.
        """
        await self._ensure_key()
        async with self._sessionmaker.begin() as session:
            (inbound_id,) = await self._store(
                session, [(inbound, key or _new_key(inbound))], now=self._clock(), processed=True
            )
            if inbound_id is None:
                return []
            outcome = await self._step_and_store(session, [(inbound_id, inbound)])
            if outcome.failed:
                raise StepFailed(inbound_id) from outcome.failed[0][1]
            return outcome.replies

    async def handle_many(
        self, items: Sequence[tuple[Inbound, str | None]]
    ) -> tuple[list[bool], ProcessOutcome]:
        """Store and process several messages in one transaction, in order.

        Returns which messages were new (False: the key was seen before, nothing
        done) and what processing gave. A message whose step raises is stored as
        processed with the error; the others go ahead. A server calls this for
        the updates that arrived while the previous batch was being handled:
        one transaction, and one commit, for all of them.
        """
        now = self._clock()
        keyed = [(inbound, key or _new_key(inbound)) for inbound, key in items]
        await self._ensure_key()
        async with self._sessionmaker.begin() as session:
            ids = await self._store(session, keyed, now=now, processed=True)
            stored = [
                (inbound_id, inbound)
                for inbound_id, (inbound, _) in zip(ids, keyed, strict=True)
                if inbound_id is not None
            ]
            outcome = await self._step_and_store(session, stored)
            await self._record_failures(session, outcome, now=now)
        return [inbound_id is not None for inbound_id in ids], outcome

    async def accept(self, inbound: Inbound, *, key: str | None = None) -> int | None:
        """Store `inbound` for later processing; its id, or None if `key` was seen before."""
        await self._ensure_key()
        async with self._sessionmaker.begin() as session:
            stored = await self._store(
                session, [(inbound, key or _new_key(inbound))], now=self._clock()
            )
        return stored[0]

    async def _store(
        self,
        session: AsyncSession,
        keyed: Sequence[tuple[Inbound, str]],
        *,
        now: datetime,
        processed: bool = False,
    ) -> list[int | None]:
        """Store messages under their keys; None for a key seen before, erased ones too."""
        ids = await repositories.store_inbound_many(
            session, keyed, now=now, processed=processed, channel_prefix=self._prefix
        )
        stored = [(key, inbound_id) for (_, key), inbound_id in zip(keyed, ids, strict=True)]
        return await erasure.drop_erased(session, self._erasure_key, stored)

    async def _ensure_key(self) -> None:
        """Read (or make) the erasure hash key in a transaction of its own, before
        any that needs it: a key made in a transaction that then rolled back
        would hash erasures that no later process can recognize."""
        if self._key is None:
            async with self._sessionmaker.begin() as session:
                self._key = await erasure.erasure_key(session, now=self._clock())

    @property
    def _erasure_key(self) -> bytes:
        assert self._key is not None, "every entry point calls _ensure_key first"
        return self._key

    async def process(self, inbound_id: int) -> list[Outbound]:
        """Process a stored message once; [] if it was processed already.

        If the step raises, the message is marked processed with the error, so
        that one bad message cannot block the others, and `StepFailed` is raised
        for the caller to log. A database error leaves the message pending.
        """
        outcome = await self.process_many([inbound_id])
        if outcome.failed:
            raise StepFailed(inbound_id) from outcome.failed[0][1]
        return outcome.replies

    async def process_many(self, inbound_ids: Sequence[int]) -> ProcessOutcome:
        """Process stored messages in one transaction, in the order they arrived.

        Messages already processed (by another process, or before a crash) are
        skipped. A message whose step raises is marked processed with the error;
        the others go ahead.
        """
        await self._ensure_key()
        async with self._sessionmaker.begin() as session:
            loaded = await repositories.lock_pending_inbound_many(session, inbound_ids)
            outcome = await self._step_and_store(session, loaded)
            now = self._clock()
            done = [inbound_id for inbound_id, _ in loaded if inbound_id not in outcome.failed_ids]
            await repositories.finish_inbound_many(session, done, now=now)
            await self._record_failures(session, outcome, now=now)
        return outcome

    async def _record_failures(
        self, session: AsyncSession, outcome: ProcessOutcome, *, now: datetime
    ) -> None:
        for inbound_id, error in outcome.failed:
            logger.error("inbound message %s failed: %r", inbound_id, error)
            await repositories.finish_inbound(session, inbound_id, now=now, error=repr(error))

    async def process_pending(
        self, *, batch: int = 100, received_before: datetime | None = None
    ) -> int:
        """Process every stored message not processed yet, oldest first; how many ran."""
        processed = 0
        while True:
            async with self._sessionmaker() as session:
                ids = await repositories.pending_inbound_ids(
                    session, limit=batch, received_before=received_before
                )
            if not ids:
                return processed
            await self.process_many(ids)
            processed += len(ids)

    async def _step_and_store(
        self, session: AsyncSession, loaded: Sequence[tuple[int, Inbound]]
    ) -> ProcessOutcome:
        """Run the step for each message on its resident's locked conversation, in
        order (a resident's second message sees the state the first one left),
        and store what the steps decided with one statement per table."""
        outcome = ProcessOutcome()
        if not loaded:
            return outcome
        if self._before_steps is not None:
            await self._before_steps(session)
        now = self._clock()
        residents = [self._resident(inbound) for _, inbound in loaded]
        locked = await repositories.lock_conversations(session, residents, now=now)
        states = {resident: self._in_edition(found.state) for resident, found in locked.items()}
        changes: dict[tuple[Channel, str], dict[str, Any]] = {}
        erased: dict[tuple[Channel, str], int] = {}  # resident -> the inbound that erased
        events_rows: list[dict[str, Any]] = []
        queued: list[dict[str, Any]] = []
        domain_events: list[tuple[int, DomainEvent]] = []
        # Where a resident's answers go: (channel, address, the inbound answered,
        # the tapped message their replies left to be edited).
        reached: dict[int, tuple[Channel, str, int | None, str | None]] = {}
        # Residents whose stored messages lose their content, up to this inbound id:
        # they declined consent, or deleted their answers.
        forgotten: dict[tuple[Channel, str], int] = {}
        stopped: set[int] = set()
        for inbound_id, inbound in loaded:
            if inbound.received_at is None:  # SMS carries no time: when it came is now
                inbound = replace(inbound, received_at=now)
            resident = self._resident(inbound)
            conversation = locked[resident]
            try:
                state, events = await self._run_step(
                    session, conversation.resident_id, states[resident], inbound
                )
            except Exception as error:  # a bug in the engine: keep it to this message
                outcome.failed.append((inbound_id, error))
                continue
            states[resident] = state
            was_erased = conversation.erased or resident in erased
            erasure = next(
                (i for i, e in enumerate(events) if isinstance(e, ErasureRequested)), None
            )
            reply_to: int | None = inbound_id
            if erasure is not None:
                # Forget what this batch gathered for them too, and keep only what
                # the step did after the erasure (its confirmation), which answers
                # a message that will be gone.
                erased[resident] = inbound_id
                reply_to = None
                events = events[erasure:]
                events_rows = [
                    r for r in events_rows if r["resident_id"] != conversation.resident_id
                ]
                queued = [r for r in queued if r["resident_id"] != conversation.resident_id]
                domain_events = [e for e in domain_events if e[0] != conversation.resident_id]
            declined = state.consent_answered and not state.consented
            if declined or any(isinstance(e, MessagesForgotten) for e in events):
                forgotten[resident] = inbound_id
            if any(isinstance(e, Unsubscribed) for e in events):
                # STOP: nothing queued before it goes out, only what answers it.
                stopped.add(conversation.resident_id)
                queued = [r for r in queued if r["resident_id"] != conversation.resident_id]
            events_rows += repositories.event_rows(conversation.resident_id, events, now=now)
            domain_events += [
                (conversation.resident_id, e) for e in events if isinstance(e, DomainEvent)
            ]
            changes.setdefault(resident, {}).update(
                _resident_changes(conversation, state, events, inbound, now, was_erased=was_erased)
            )
            replies = [event.message for event in events if isinstance(event, MessageCreated)]
            # The tapped message is shown again by the first reply that replaces it.
            edits = None if any(r.replaces for r in replies) else inbound.message_ref
            reached[conversation.resident_id] = (inbound.channel, inbound.address, reply_to, edits)
            outcome.replies += replies
            if not self._simulated:
                queued += outbound.outbound_rows(
                    replies,
                    resident_id=conversation.resident_id,
                    channel=inbound.channel,
                    address=inbound.address,
                    now=now,
                    inbound_id=reply_to,
                    edits=inbound.message_ref,
                )
        for (channel, address), erasing_id in erased.items():
            await data_rights.erase_history(
                session,
                locked[(channel, address)].resident_id,
                channel,
                address,
                up_to=erasing_id,
                key=self._erasure_key,
                now=now,
            )
        for resident_id in stopped:
            await outbound.skip_queued(session, resident_id)
        answers: list[dict[str, Any]] = []
        for resident_id, event in domain_events:
            said = await EVENT_HANDLERS[type(event)](session, resident_id, event, now) or ()
            outcome.replies[:0] = said
            if said and not self._simulated:
                channel, address, reply_to, edits = reached[resident_id]
                answers += outbound.outbound_rows(
                    said,
                    resident_id=resident_id,
                    channel=channel,
                    address=address,
                    now=now,
                    inbound_id=reply_to,
                    edits=edits,
                )
                if any(message.replaces for message in said):
                    reached[resident_id] = (channel, address, reply_to, None)
        queued = answers + queued
        for (channel, address), last_id in forgotten.items():
            resident_id = locked[(channel, address)].resident_id
            await data_rights.forget_content(session, resident_id, channel, address, up_to=last_id)
        saves = [
            (found, states[resident])
            for resident, found in locked.items()
            if states[resident] is not found.state
        ]
        await repositories.save_conversations(session, saves, now=now)
        await repositories.insert_rows(session, repositories.EVENTS, events_rows)
        await repositories.insert_rows(session, repositories.OUTBOUND, queued)
        for resident, values in changes.items():
            if values:
                await repositories.update_resident(session, locked[resident].resident_id, **values)
        for resident in erased:  # at once if nothing waits to be sent (the simulator)
            await outbound.purge_erased(session, locked[resident].resident_id)
        return outcome

    async def _run_step(
        self, session: AsyncSession, resident_id: int, state: ConversationState, inbound: Inbound
    ) -> tuple[ConversationState, Sequence[Event]]:
        """The step, again with the snapshot parts it asked for until it has them all."""
        new_state, events = self._step(state, inbound)
        snapshot = EMPTY_SNAPSHOT
        tries = 0
        while (asked := _asked(events)) is not None:
            tries += 1
            needed = asked.names
            missing = sorted(needed - snapshot.parts.keys())
            if tries > _MAX_SNAPSHOT_TRIES or not missing:
                raise SnapshotUnavailable(f"the step keeps asking for {sorted(needed)}")
            parts = {}
            for name in missing:
                loader = SNAPSHOT_LOADERS.get(name)
                if loader is None:
                    raise SnapshotUnavailable(f"no loader for the snapshot part {name!r}")
                # The answers as the step had them when it read the part.
                reading = state.evolve(answers=asked.answers)
                parts[name] = await loader(session, resident_id, reading, self._edition_id)
            snapshot = snapshot.with_parts(parts)
            new_state, events = self._step(state, inbound, snapshot)
        return new_state, events

    async def export_resident(self, channel: Channel, address: str) -> dict[str, Any] | None:
        """What is stored about a resident (their right of access); None if nothing."""
        async with self._sessionmaker.begin() as session:
            return await data_rights.export_resident(session, channel, address)

    async def delete_resident(self, channel: Channel, address: str) -> bool:
        """Erase a resident with their conversation, messages and events; False if unknown."""
        await self._ensure_key()
        async with self._sessionmaker.begin() as session:
            return await data_rights.delete_resident(
                session, channel, address, key=self._erasure_key, now=self._clock()
            )

    def _in_edition(self, state: ConversationState) -> ConversationState:
        return state.in_edition(self._edition_id) if self._edition_id else state

    def _resident(self, inbound: Inbound) -> tuple[Channel, str]:
        """The stored (channel, address) of the resident who sent `inbound`."""
        return self._prefix + inbound.channel, inbound.address


def _asked(events: Sequence[Event]) -> SnapshotNeeded | None:
    """What the step stopped for, or None: it ran."""
    return next((e for e in events if isinstance(e, SnapshotNeeded)), None)


def _new_key(inbound: Inbound) -> str:
    # Channels without a delivery id of their own (the simulator) never redeliver.
    return f"{inbound.channel}:{uuid4().hex}"


def _resident_changes(
    locked: repositories.LockedConversation,
    state: ConversationState,
    events: Sequence[Event],
    inbound: Inbound,
    now: datetime,
    *,
    was_erased: bool,
) -> dict[str, Any]:
    """The resident columns that mirror this step's outcome, where they changed.

    `was_erased`: they had erased everything before this message.
    """
    changes: dict[str, Any] = {}
    if state.locale != locked.locale:
        changes["locale"] = state.locale
    if locked.start_param is None and inbound.start_param:
        changes["start_param"] = inbound.start_param
    if any(isinstance(event, ErasureRequested) for event in events):
        changes.update(locale=None, start_param=None, erased_at=now)
    elif was_erased:  # they wrote again before their row was gone: they stay
        changes["erased_at"] = None
    for event in events:
        if isinstance(event, Unsubscribed | Resubscribed):
            changes["subscribed"] = isinstance(event, Resubscribed)
    if changes.get("subscribed") == locked.subscribed:
        del changes["subscribed"]
    # A Telegram message means the resident unblocked the bot. An SMS does not
    # lift a carrier block (Twilio 21610): only the carrier's opt-in word does,
    # which the engine reports as `Resubscribed`.
    lifted = any(isinstance(event, Resubscribed) for event in events)
    if locked.unreachable and (inbound.channel not in CARRIER_CHANNELS or lifted):
        changes["unreachable"] = False
    return changes
