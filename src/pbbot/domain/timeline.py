"""Which phase runs at a moment: the edition file's timeline, and staff's hand moves.

The rule: of the scheduled boundaries (a phase starts, a phase ends) and the
hand moves (`pbbot phase set KIND`, `pbbot phase auto`), the latest at or before
the moment decides. A move to a phase holds until the next scheduled boundary,
so staff who open voting two days early need not also close it; `auto` (a move
to no phase) hands the decision back to the file at once.

Instants are compared in UTC: two aware times in the same zone compare by
their wall clocks, which is wrong in the hour a daylight-saving change repeats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pbbot.domain.edition import Edition, Phase

__all__ = [
    "Boundary",
    "Move",
    "boundaries",
    "deciding_move",
    "edition_now",
    "next_boundary",
    "phase_at",
    "upcoming_phase",
]


@dataclass(frozen=True, slots=True)
class Move:
    """Staff moved the edition to phase `kind` by hand (None: back to the file)."""

    kind: str | None
    at: datetime  # aware
    by: str


@dataclass(frozen=True, slots=True)
class Boundary:
    """From `at` (UTC) on, the file says `phase` runs (None: between phases)."""

    at: datetime
    phase: Phase | None


def boundaries(edition: Edition) -> list[Boundary]:
    """The file's timeline as boundaries in time order; a phase that starts as the
    one before it ends leaves no gap between them."""
    zone = edition.zone
    found: list[Boundary] = []
    for phase in edition.phases:  # in order, never overlapping (the file's check)
        start = phase.starts_at(zone).astimezone(UTC)
        if found and found[-1].at == start:
            found.pop()  # the previous phase's end: this phase follows without a gap
        found.append(Boundary(start, phase))
        found.append(Boundary(phase.ends_at(zone).astimezone(UTC), None))
    return found


def _scheduled(edition: Edition, moment: datetime) -> tuple[Boundary | None, Phase | None]:
    """The latest boundary at or before `moment`, and the phase the file says runs."""
    latest = None
    for boundary in boundaries(edition):
        if boundary.at > moment:
            break
        latest = boundary
    return latest, latest.phase if latest else None


def deciding_move(edition: Edition, moment: datetime, moves: Sequence[Move] = ()) -> Move | None:
    """The hand move that decides the phase at `moment`, or None: the file does.

    A move at the same instant as a boundary wins: staff acted on purpose. A
    move to a phase the file no longer lists (it was edited) is ignored.
    """
    moment = moment.astimezone(UTC)
    past = [move for move in moves if move.at.astimezone(UTC) <= moment]
    if not past:
        return None
    # The latest; of moves at the same instant, the last given (the newer row).
    move = max(reversed(past), key=lambda m: m.at.astimezone(UTC))
    latest, _ = _scheduled(edition, moment)
    if latest is not None and latest.at > move.at.astimezone(UTC):
        return None
    if move.kind is None or edition.phase(move.kind) is None:
        return None
    return move


def phase_at(edition: Edition, moment: datetime, moves: Sequence[Move] = ()) -> Phase | None:
    """The phase running at `moment` (aware), or None between or outside phases."""
    move = deciding_move(edition, moment, moves)
    if move is not None:
        assert move.kind is not None
        return edition.phase(move.kind)
    return _scheduled(edition, moment.astimezone(UTC))[1]


def upcoming_phase(edition: Edition, moment: datetime) -> Phase | None:
    """The first phase of the file that opens after `moment` (on the day a phase
    opens at 09:00, before nine it is that one)."""
    zone = edition.zone
    return next((p for p in edition.phases if p.starts_at(zone) > moment.astimezone(UTC)), None)


def next_boundary(edition: Edition, moment: datetime) -> Boundary | None:
    """The file's next change after `moment`, for `pbbot phase show`."""
    moment = moment.astimezone(UTC)
    return next((b for b in boundaries(edition) if b.at > moment), None)


def edition_now(edition: Edition, fixed: date | None = None) -> Callable[[], datetime]:
    """The clock the timeline is read with: now (aware, in the edition's time
    zone); on a fixed day (a demo's or test's --today), that day at the real time
    of day, so that `pbbot phase set` and the server, both given the same day,
    see moves and messages in the order they happen."""
    zone = edition.zone
    if fixed is None:
        return lambda: datetime.now(zone)
    return lambda: datetime.combine(fixed, datetime.now(zone).time(), tzinfo=zone)
