"""The composition root for commands that run conversations: edition, flows,
database and the conversation service, wired once from the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.conversations import ConversationService
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Inbound
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

__all__ = ["Runtime", "build_runtime", "edition_clock"]


def edition_clock(edition: Edition, fixed: date | None) -> Callable[[], date]:
    """Today in the edition's time zone, or the fixed day of a demo or test."""
    if fixed is not None:
        return lambda: fixed
    zone = ZoneInfo(edition.timezone)
    return lambda: datetime.now(zone).date()


@dataclass(frozen=True, slots=True)
class Runtime:
    edition: Edition
    flows: FlowSet
    database: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    service: ConversationService
    today: Callable[[], date]
    carrier: CarrierWords = DEFAULT_CARRIER_WORDS

    def context(self) -> StepContext:
        return StepContext(self.edition, self.flows, self.today(), carrier=self.carrier)

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
    as "when"), for a test that fixes the day and counts what happened on it.
    """
    edition = load_edition(edition_file)
    load_features()  # before the flows, which name what the features register
    flows = load_engine_flows()
    language.prepare(edition.languages)
    today = edition_clock(edition, fixed_today)

    contexts: dict[date, StepContext] = {}

    def bound_step(
        state: ConversationState, inbound: Inbound, snapshot: Snapshot = EMPTY_SNAPSHOT, /
    ) -> tuple[ConversationState, Sequence[Event]]:
        day = today()
        if day not in contexts:  # a new day: texts naming the phase may change
            contexts.clear()
            contexts[day] = StepContext(edition, flows, day, carrier=carrier)
        # The step's own copy carries its snapshot and shares the day's memo.
        result = step(state, inbound, replace(contexts[day], snapshot=snapshot))
        return result.state, result.events

    database = create_engine(database_url)
    sessionmaker = create_sessionmaker(database)
    service = ConversationService(
        sessionmaker,
        bound_step,
        simulated=simulated,
        edition_id=edition.id,
        **({"clock": clock} if clock else {}),
    )
    return Runtime(edition, flows, database, sessionmaker, service, today, carrier)
