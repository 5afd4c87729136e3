"""Resident states a broadcast can be sent to: "sent an idea", "has not voted", ...

A feature knows what its states mean (ideas know who sent one, voting who
voted); broadcasts only name them (`--segment state=not_voted`). So each
feature registers its states here, below both, as it registers its event
handlers, and a broadcast's audience never imports a feature:

    @resident_state("sent_idea", N_("sent an idea"))
    async def sent_idea(session, edition_id, within=EVERYONE) -> Set[int]: ...

A state's query returns the ids of the residents in that state. `within`
narrows it to a range of ids: a broadcast's fan-out asks chunk by chunk, in
id order, and a chunk of 1,000 residents should not cost a query over all
100,000 of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Set
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, true
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "EVERYONE",
    "LIVE_CHANNELS",
    "IdRange",
    "ResidentState",
    "StateQuery",
    "resident_state",
    "resident_states",
]


# The channels a broadcast reaches; the simulator's residents ("sim-sms",
# "sim-telegram") are never in a state's answer nor among the recipients.
LIVE_CHANNELS: tuple[str, ...] = ("sms", "telegram")


@dataclass(frozen=True, slots=True)
class IdRange:
    """Resident ids above `after`, up to and including `last` (None: no end)."""

    after: int = 0
    last: int | None = None

    def clause(self, column: Any) -> ColumnElement[bool]:
        """The SQL condition `column` (a resident id column) is in the range."""
        low = column > self.after if self.after > 0 else true()
        return low if self.last is None else and_(low, column <= self.last)

    def __contains__(self, resident_id: object) -> bool:
        if not isinstance(resident_id, int):
            return False
        return resident_id > self.after and (self.last is None or resident_id <= self.last)


EVERYONE = IdRange()


class StateQuery(Protocol):
    """The ids of the residents (within the range) in the state, in an edition."""

    def __call__(
        self, session: AsyncSession, edition_id: str, within: IdRange = ..., /
    ) -> Awaitable[Set[int]]: ...


@dataclass(frozen=True, slots=True)
class ResidentState:
    """A registered state: its name in segment specs, a label for staff (a msgid,
    translated where it is shown), and its query."""

    name: str
    label: str
    query: StateQuery


_STATES: dict[str, ResidentState] = {}


def resident_state(name: str, label: str) -> Callable[[StateQuery], StateQuery]:
    """Register the query of a resident state (once per name); `label` is a msgid."""

    def add(query: StateQuery) -> StateQuery:
        if name in _STATES:
            raise ValueError(f"resident state {name!r} is registered twice")
        _STATES[name] = ResidentState(name, label, query)
        return query

    return add


def resident_states() -> Mapping[str, ResidentState]:
    """The registered states by name, in the order they were registered."""
    return MappingProxyType(_STATES)
