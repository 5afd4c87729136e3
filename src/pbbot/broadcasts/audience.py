"""Who a broadcast goes to: a segment of the subscribers, and its recipients.

Staff name a segment with specs (`--segment`, an edition file reminder's
`audience:`), each `key=value[,value...]`: a comma means any of the values,
several specs must all hold, and no spec means every subscriber.

    language=tr,ar         residents who read Turkish or Arabic
    channel=sms            SMS residents only
    district=Nekkerspoel   who said they live there
    intermediary=library   who came through that `/start` code
    state=not_voted        a feature's resident state (`pbbot.storage.audiences`)

A recipient is always subscribed (no STOP), reachable (has not blocked the
bot), not erased, has not declined the privacy notice (they said no to the
city using their number), and no resident of the simulator; their language is the
edition's default when they never chose one the edition speaks. Recipients
come in resident-id order, so a fan-out resumes after the last id it queued.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from pbbot.domain.edition import Edition
from pbbot.domain.text import fold
from pbbot.errors import ConfigurationError
from pbbot.storage.audiences import LIVE_CHANNELS, IdRange, resident_states
from pbbot.storage.tables import Conversation, Resident

__all__ = [
    "SEGMENT_KEYS",
    "Recipient",
    "Segment",
    "SegmentError",
    "count_recipients",
    "parse_segment",
    "recipients",
]

SEGMENT_KEYS: tuple[str, ...] = ("language", "channel", "district", "intermediary", "state")
# What `/start <code>` accepts (Telegram's deep-link alphabet).
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class SegmentError(ConfigurationError):
    """A segment spec names an unknown key or value."""


_Fail = Callable[[str], SegmentError]


@dataclass(frozen=True, slots=True)
class Segment:
    """Which subscribers: each field None (anyone) or the values one must have.

    `states` holds one group per spec naming states: a resident must be in a
    state of every group. `specs` are the specs as staff wrote them, to show.
    """

    languages: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    districts: frozenset[str] | None = None
    intermediaries: frozenset[str] | None = None
    states: tuple[frozenset[str], ...] = ()
    specs: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return not self.specs

    def describe(self) -> str:
        """ "everyone", or the specs: "language=tr,ar; state=not_voted"."""
        return "; ".join(self.specs) if self.specs else "everyone"

    def to_json(self) -> dict[str, Any]:
        """For `Broadcast.audience`."""

        def listed(values: frozenset[str] | None) -> list[str] | None:
            return None if values is None else sorted(values)

        return {
            "specs": list(self.specs),
            "languages": listed(self.languages),
            "channels": listed(self.channels),
            "districts": listed(self.districts),
            "intermediaries": listed(self.intermediaries),
            "states": [sorted(group) for group in self.states],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Segment:
        def values(key: str) -> frozenset[str] | None:
            found = data.get(key)
            return None if found is None else frozenset(found)

        return cls(
            languages=values("languages"),
            channels=values("channels"),
            districts=values("districts"),
            intermediaries=values("intermediaries"),
            states=tuple(frozenset(group) for group in data.get("states") or ()),
            specs=tuple(data.get("specs") or ()),
        )


def _one_of(values: Iterable[str]) -> str:
    return ", ".join(values) or "(none)"


def _parse_values(key: str, raw: str, edition: Edition, fail: _Fail) -> frozenset[str]:
    values = [value.strip() for value in raw.split(",") if value.strip()]
    if not values:
        raise fail(f"{key}= names no value")
    if key == "language":
        known: Sequence[str] = edition.languages
    elif key == "channel":
        known = LIVE_CHANNELS
    elif key == "district":
        known = edition.questions.districts
        if not known:
            raise fail("this edition asks no district")
    elif key == "state":
        known = tuple(resident_states())
    else:  # intermediary: any code a link could carry
        for value in values:
            if not _CODE.fullmatch(value):
                raise fail(f"intermediary={value} is not a /start code (letters, digits, _ and -)")
        return frozenset(values)
    by_fold = {fold(name): name for name in known}
    parsed = set()
    for value in values:
        name = by_fold.get(fold(value))
        if name is None:
            raise fail(f"{key}={value} is not one of {_one_of(known)}")
        parsed.add(name)
    return frozenset(parsed)


# A reminder says "you have not voted yet": it goes only to those it is true of,
# whatever else staff narrow it to.
MESSAGE_AUDIENCE: Mapping[str, str] = MappingProxyType(
    {"voting_reminder": "state=not_voted", "basket_reminder": "state=basket_draft"}
)


def parse_segment(
    specs: Sequence[str],
    edition: Edition,
    *,
    message: str | None = None,
    source: str | None = "--segment",
    line: int | None = None,
) -> Segment:
    """The segment the specs name, or `SegmentError` saying what is wrong, and
    where (`source`, `line`: an edition file's reminder, say). `message`: the
    catalog message sent, whose own audience (`MESSAGE_AUDIENCE`) is added."""

    def fail(message: str) -> SegmentError:
        return SegmentError(message, source=source, line=line)

    implied = MESSAGE_AUDIENCE.get(message or "")
    if implied is not None and implied not in [spec.replace(" ", "") for spec in specs]:
        specs = [*specs, implied]

    single: dict[str, frozenset[str]] = {}
    states: list[frozenset[str]] = []
    for spec in specs:
        key, sign, raw = spec.partition("=")
        key = key.strip().lower()
        if not sign or key not in SEGMENT_KEYS:
            raise fail(f"{spec!r} is not KEY=VALUE with a key of {_one_of(SEGMENT_KEYS)}")
        values = _parse_values(key, raw, edition, fail)
        if key == "state":
            states.append(values)
            continue
        # A resident has one language (channel, ...): two specs of one key leave
        # the values both name.
        both = single[key] & values if key in single else values
        if not both:
            raise fail(f"no resident can match {key}= twice with no value in common")
        single[key] = both
    return Segment(
        languages=single.get("language"),
        channels=single.get("channel"),
        districts=single.get("district"),
        intermediaries=single.get("intermediary"),
        states=tuple(states),
        specs=tuple(spec.strip() for spec in specs),
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    resident_id: int
    channel: str
    address: str
    locale: str  # one of the edition's languages


def _locale_clause(languages: Set[str], edition: Edition) -> ColumnElement[bool]:
    """Residents whose language is one of these (the default for those who chose
    none the edition has)."""
    clauses: list[ColumnElement[bool]] = [Resident.locale.in_(sorted(languages))]
    if edition.default_language in languages:
        clauses += [Resident.locale.is_(None), Resident.locale.not_in(edition.languages)]
    return or_(*clauses)


_RECIPIENT_COLUMNS = (Resident.id, Resident.channel, Resident.address, Resident.locale)


def _candidates(edition: Edition, segment: Segment, *columns: Any) -> Select[Any]:
    """The segment's subscribers (all but its states): `columns` of each."""
    answered = aliased(Conversation)  # apart from the district's join below
    declined = exists().where(
        answered.resident_id == Resident.id,
        answered.state[("answers", "consent_declined")].as_boolean() == true(),
    )
    query = select(*columns).where(
        Resident.subscribed,
        Resident.unreachable == false(),
        Resident.erased_at.is_(None),
        Resident.channel.in_(sorted(segment.channels or LIVE_CHANNELS)),
        ~declined,
    )
    if segment.languages is not None:
        query = query.where(_locale_clause(segment.languages, edition))
    if segment.intermediaries is not None:
        query = query.where(Resident.start_param.in_(sorted(segment.intermediaries)))
    if segment.districts is not None:
        district = Conversation.state[("answers", "district")].as_string()
        query = query.join(Conversation, Conversation.resident_id == Resident.id).where(
            district.in_(sorted(segment.districts))
        )
    return query


async def _in_states(
    session: AsyncSession, edition: Edition, segment: Segment, within: IdRange
) -> set[int] | None:
    """The residents within the range in a state of every group; None: no states named."""
    if not segment.states:
        return None
    known = resident_states()
    found: set[int] | None = None
    for group in segment.states:
        members: set[int] = set()
        for name in sorted(group):
            state = known.get(name)
            if state is None:  # a stored segment naming a state this installation lost
                raise SegmentError(f"state={name} is not one of {_one_of(known)}")
            members |= await state.query(session, edition.id, within)
        found = members if found is None else found & members
    return found


def _recipient(row: Any, edition: Edition) -> Recipient:
    resident_id, channel, address, locale = row
    if locale not in edition.languages:
        locale = edition.default_language
    return Recipient(resident_id, channel, address, locale)


async def recipients(
    session: AsyncSession, edition: Edition, segment: Segment, *, after_id: int = 0, limit: int
) -> list[Recipient]:
    """The next `limit` recipients after resident `after_id`, in id order;
    fewer only when there are no more."""
    found: list[Recipient] = []
    cursor = after_id
    while len(found) < limit:
        batch = (
            await session.execute(
                _candidates(edition, segment, *_RECIPIENT_COLUMNS)
                .where(Resident.id > cursor)
                .order_by(Resident.id)
                .limit(limit)
            )
        ).all()
        if not batch:
            break
        within = IdRange(cursor, batch[-1][0])
        members = await _in_states(session, edition, segment, within)
        for row in batch:
            if members is None or row[0] in members:
                found.append(_recipient(row, edition))
        cursor = batch[-1][0]
        if len(batch) < limit:
            break
    return found[:limit]


async def count_recipients(
    session: AsyncSession, edition: Edition, segment: Segment
) -> Counter[tuple[str, str]]:
    """How many recipients per (channel, language)."""
    counts: Counter[tuple[str, str]] = Counter()

    def add(channel: str, locale: str | None, count: int) -> None:
        language = locale if locale in edition.languages else edition.default_language
        counts[channel, language] += count

    if not segment.states:  # counted by the database
        query = _candidates(
            edition, segment, Resident.channel, Resident.locale, func.count()
        ).group_by(Resident.channel, Resident.locale)
        for channel, locale, count in await session.execute(query):
            add(channel, locale, count)
        return counts
    members = await _in_states(session, edition, segment, IdRange())
    assert members is not None
    query = _candidates(edition, segment, Resident.id, Resident.channel, Resident.locale)
    for resident_id, channel, locale in await session.execute(query):
        if resident_id in members:
            add(channel, locale, 1)
    return counts
