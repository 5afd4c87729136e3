"""The composition root for commands that run conversations: edition, flows,
database and the conversation service, wired once from the settings.

The phase follows the clock and staff's hand moves without a restart: before
a batch of messages the service reads the moves, in the batch's transaction,
unless it read them less than `MOVES_LIFETIME` ago. So a move another process
committed counts within a second, at one query a second rather than one a
batch (on SQLite a read costs about 2 ms, a tenth of a small batch's work).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.conversations import ConversationService
from pbbot.domain.edition import Edition, Phase
from pbbot.domain.messages import Inbound
from pbbot.domain.timeline import Move, edition_now, phase_at
from pbbot.engine import language
from pbbot.engine.context import StepContext
from pbbot.engine.events import Event
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.keywords import DEFAULT_CARRIER_WORDS, CarrierWords
from pbbot.engine.snapshot import EMPTY_SNAPSHOT, Snapshot
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.features import load_features
from pbbot.flows.model import FlowSet
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.phases import latest_moves

__all__ = ["MOVES_LIFETIME", "PhaseMoves", "Runtime", "build_runtime", "edition_clock"]


def edition_clock(edition: Edition, fixed: date | None) -> Callable[[], date]:
    """Today in the edition's time zone, or the fixed day of a demo or test."""
    if fixed is not None:
        return lambda: fixed
    zone = ZoneInfo(edition.timezone)
    return lambda: datetime.now(zone).date()


MOVES_LIFETIME = 1.0  # seconds a read of the phase moves is used for


class PhaseMoves:
    """Staff's hand moves as last read (`refresh`, in a batch's transaction).

    Batches running at once share the read: whichever refreshed, it is the
    database's latest within `lifetime` seconds.
    """

    def __init__(self, edition_id: str, *, lifetime: float = MOVES_LIFETIME):
        self._edition_id = edition_id
        self.lifetime = lifetime
        self.moves: tuple[Move, ...] = ()
        self._read_at: float | None = None

    async def refresh(self, session: AsyncSession) -> None:
        now = time.monotonic()
        if self._read_at is not None and now - self._read_at < self.lifetime:
            return
        self.moves = await latest_moves(session, self._edition_id)
        self._read_at = now


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Runtime:
    edition: Edition
    flows: FlowSet
    database: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    service: ConversationService
    today: Callable[[], date]
    carrier: CarrierWords = DEFAULT_CARRIER_WORDS
    now: Callable[[], datetime] = _utcnow  # the moment the phase is read at
    moves: PhaseMoves = field(default_factory=lambda: PhaseMoves(""))

    def context(self) -> StepContext:
        return StepContext(
            self.edition,
            self.flows,
            self.today(),
            carrier=self.carrier,
            now=self.now(),
            moves=self.moves.moves,
        )

    async def close(self) -> None:
        await self.database.dispose()


def build_runtime(
    edition_file: Path,
    database_url: str,
    fixed_today: date | None,
    *,
    carrier: CarrierWords = DEFAULT_CARRIER_WORDS,
    simulated: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> Runtime:
    """Load and validate everything first: a wrong file stops here, before any I/O.

    `simulated`: for the simulator, whose residents and replies stay apart
    (see `ConversationService`). `clock`: the service's time (what it stores
    as "when"), for a test that fixes the day and counts what happened on it;
    the phase is read at that time too.
    """
    edition = load_edition(edition_file)
    load_features()  # before the flows, which name what the features register
    flows = load_engine_flows()
    language.prepare(edition.languages)
    today = edition_clock(edition, fixed_today)
    now = clock or edition_now(edition, fixed_today)
    moves = PhaseMoves(edition.id)

    # One context per day and phase: its memo holds texts that name them.
    contexts: dict[tuple[date, Phase | None], StepContext] = {}

    def bound_step(
        state: ConversationState, inbound: Inbound, snapshot: Snapshot = EMPTY_SNAPSHOT, /
    ) -> tuple[ConversationState, Sequence[Event]]:
        day, moment, seen = today(), now(), moves.moves
        key = (day, phase_at(edition, moment, seen))
        if key not in contexts:  # a new day or phase: texts naming them may change
            contexts.clear()
            contexts[key] = StepContext(edition, flows, day, carrier=carrier)
        # The step's own copy carries its moment and snapshot, and shares the memo.
        context = replace(contexts[key], snapshot=snapshot, now=moment, moves=seen)
        result = step(state, inbound, context)
        return result.state, result.events

    database = create_engine(database_url)
    sessionmaker = create_sessionmaker(database)
    service = ConversationService(
        sessionmaker,
        bound_step,
        simulated=simulated,
        edition_id=edition.id,
        before_steps=moves.refresh,
        **({"clock": clock} if clock else {}),
    )
    return Runtime(edition, flows, database, sessionmaker, service, today, carrier, now, moves)
