"""A resident's conversation state: everything the engine needs between two messages.

It is a frozen value that the engine replaces, never mutates; the caller stores
it as JSON (`to_json` / `from_json`) in the same transaction as the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["ConversationState"]

JSONValue = Any

# What a resident told the city rather than one round: they stay in a new edition.
_KEPT_ANSWERS = ("consent", "consent_declined")


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Where a resident is and what they answered.

    - `locale`: chosen language, None until onboarding picks one.
    - `flow`, `step`: the step waiting for the resident's reply (None: no flow running).
    - `answers`: collected answers by name (consent, district, age, ...), JSON values.
    - `offered`: payloads of the choices last shown, in order, so "2" means the second.
    - `page`: the page of a paged choice the resident is on (0: the first).
    - `misses`: unexpected replies in a row at the current step.
    - `stopped`: the resident sent STOP; nothing is sent until START, but one
      reminder of how to start again (`stop_reminded`).
    - `resume`: (flow, step) to return to after a detour such as changing language.
    - `wanted`: (flow, step) the resident was going to when they were asked to
      agree first; the flows go on there (`@continue`) once they did.
    - `joinable`: (answer name, when its last part came, ISO) of an SMS answer
      the phone may have split (`joins: true`): a next part within a minute is
      added to it instead of answering the question after it.
    - `edition`: the edition (PB round) the answers belong to; None: stored
      before states recorded it (see `in_edition`).
    """

    locale: str | None = None
    flow: str | None = None
    step: str | None = None
    answers: dict[str, JSONValue] = field(default_factory=dict)
    offered: tuple[str, ...] = ()
    page: int = 0
    misses: int = 0
    stopped: bool = False
    stop_reminded: bool = False
    resume: tuple[str, str] | None = None
    wanted: tuple[str, str] | None = None
    joinable: tuple[str, str] | None = None
    edition: str | None = None

    @property
    def consented(self) -> bool:
        """Agreed to the privacy notice: taking part (ideas, votes, questions) is open."""
        return "consent" in self.answers

    @property
    def consent_answered(self) -> bool:
        """Agreed or declined: either way the resident is not asked again unprompted."""
        return self.consented or bool(self.answers.get("consent_declined"))

    def evolve(self, **changes: Any) -> ConversationState:
        return replace(self, **changes)

    def in_edition(self, edition: str) -> ConversationState:
        """The state as edition `edition` sees it. A state of another (earlier)
        edition starts again at the menu with the resident's language, their
        answer to the privacy notice and STOP: the rest (a draft ballot, a half-
        written idea, the number shared to vote, district and age) belonged to
        that round. A state that names no edition is the current one's: it was
        stored before states named theirs."""
        if self.edition == edition:
            return self
        if self.edition is None:
            return replace(self, edition=edition)
        return ConversationState(
            locale=self.locale,
            answers={name: self.answers[name] for name in _KEPT_ANSWERS if name in self.answers},
            stopped=self.stopped,
            stop_reminded=self.stop_reminded,
            edition=edition,
        )

    def to_json(self) -> dict[str, JSONValue]:
        # Written out (not dataclasses.asdict, which deep-copies): it runs per message.
        return {
            "locale": self.locale,
            "flow": self.flow,
            "step": self.step,
            "answers": self.answers,
            "offered": list(self.offered),
            "page": self.page,
            "misses": self.misses,
            "stopped": self.stopped,
            "stop_reminded": self.stop_reminded,
            "resume": list(self.resume) if self.resume else None,
            "wanted": list(self.wanted) if self.wanted else None,
            "joinable": list(self.joinable) if self.joinable else None,
            "edition": self.edition,
        }

    @classmethod
    def from_json(cls, data: dict[str, JSONValue]) -> ConversationState:
        resume = data.get("resume")
        wanted = data.get("wanted")
        joinable = data.get("joinable")
        return cls(
            locale=data.get("locale"),
            flow=data.get("flow"),
            step=data.get("step"),
            answers=dict(data.get("answers") or {}),
            offered=tuple(data.get("offered") or ()),
            page=int(data.get("page") or 0),
            misses=int(data.get("misses") or 0),
            stopped=bool(data.get("stopped")),
            stop_reminded=bool(data.get("stop_reminded")),
            resume=(resume[0], resume[1]) if resume else None,
            wanted=(wanted[0], wanted[1]) if wanted else None,
            joinable=(joinable[0], joinable[1]) if joinable else None,
            edition=data.get("edition"),
        )
