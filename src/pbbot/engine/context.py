"""What a step reads besides the state and the message: the edition, the flows,
today's date and the moment, staff's phase moves, the translators, the SMS
carrier's keywords and the snapshot of domain data. Passed in whole, so the
step stays pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from pbbot.domain.edition import PHASE_KINDS, Edition, Phase
from pbbot.domain.timeline import Move, phase_at, upcoming_phase
from pbbot.engine.keywords import DEFAULT_CARRIER_WORDS, CarrierWords
from pbbot.engine.snapshot import Snapshot
from pbbot.flows.model import FlowSet
from pbbot.i18n.catalogs import Translator, translator

__all__ = ["StepContext", "Turn"]


@dataclass(frozen=True, slots=True)
class StepContext:
    edition: Edition
    flows: FlowSet
    today: date  # in the edition's time zone
    translators: Callable[[str], Translator] = field(default=translator)
    carrier: CarrierWords = DEFAULT_CARRIER_WORDS  # the SMS carrier's own keywords
    # Values of variables that depend only on edition, day, phase and language,
    # by (name, locale): a context shared by many steps computes each once (the
    # runtime keeps one per day and phase).
    memo: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)
    # The resident's domain data (ideas, ballot); a step's own copy of the day's
    # context (`dataclasses.replace`), which shares the memo.
    snapshot: Snapshot = field(default_factory=Snapshot)
    # The moment (aware) and staff's hand moves decide the phase (`domain.timeline`);
    # without a moment, the phase whose days hold `today` (a test's or a
    # command's context for one day).
    now: datetime | None = None
    moves: tuple[Move, ...] = ()
    # Found once per context: options and texts ask for it many times a step.
    _phase: Phase | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.now is None:
            phase = self.edition.current_phase(self.today)
        else:
            phase = phase_at(self.edition, self.now, self.moves)
        object.__setattr__(self, "_phase", phase)

    @property
    def phase(self) -> Phase | None:
        return self._phase

    @property
    def next_phase(self) -> Phase | None:
        """The file's phase that opens next, after the moment (or after today)."""
        if self.now is None:
            return self.edition.next_phase(self.today)
        return upcoming_phase(self.edition, self.now)

    def before(self, kind: str) -> bool:
        """Whether the round has not reached phase `kind` yet: the phase running
        comes before it, or between phases the next one is it or an earlier one.
        By the phases' order, not their dates, so that it holds after a hand move."""
        current = self.phase
        if current is not None:
            return PHASE_KINDS.index(current.kind) < PHASE_KINDS.index(kind)
        upcoming = self.next_phase
        return upcoming is not None and PHASE_KINDS.index(upcoming.kind) <= PHASE_KINDS.index(kind)


@dataclass(slots=True)
class Turn:
    """Per-message scratch values: the channel and the texts actions computed."""

    channel: str
    locale: str
    answers: dict[str, object]
    extra: dict[str, str] = field(default_factory=dict)
    # A text of this turn named a secret variable (a ballot): its message is secret.
    shows_secret: bool = False
