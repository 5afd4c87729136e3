"""What a step reads besides the state and the message: the edition, the flows,
today's date, the translators, the SMS carrier's keywords and the snapshot of
domain data. Passed in whole, so the step stays pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pbbot.domain.edition import Edition, Phase
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
    # Values of variables that depend only on edition, day and language, by
    # (name, locale): a context shared by many steps computes each once.
    memo: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)
    # The resident's domain data (ideas, ballot); a step's own copy of the day's
    # context (`dataclasses.replace`), which shares the memo.
    snapshot: Snapshot = field(default_factory=Snapshot)

    @property
    def phase(self) -> Phase | None:
        return self.edition.current_phase(self.today)


@dataclass(slots=True)
class Turn:
    """Per-message scratch values: the channel and the texts actions computed."""

    channel: str
    locale: str
    answers: dict[str, object]
    extra: dict[str, str] = field(default_factory=dict)
    # A text of this turn named a secret variable (a ballot): its message is secret.
    shows_secret: bool = False
