"""Events the engine step produces, named in the past tense (after goflow).

The caller stores them with the new state in one transaction and hands every
`MessageCreated` to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pbbot.domain.messages import Outbound

__all__ = [
    "ActionCalled",
    "AnswerRecorded",
    "DomainEvent",
    "ErasureRequested",
    "Event",
    "InputRejected",
    "LanguageChanged",
    "MessageCreated",
    "MessagesForgotten",
    "QuestionAsked",
    "Resubscribed",
    "SnapshotNeeded",
    "Unsubscribed",
]


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Base of the events a feature's actions return (an idea sent, a question
    asked); the conversation service stores each through the handler the
    feature registered for its type (`pbbot.conversations.EVENT_HANDLERS`).

    `logged` names the fields the audit log keeps of it; None: all but what a
    resident typed (`text`, `value`). An event that carries what a resident
    wrote under other names (an idea's description, place, pin) lists the rest.
    """

    logged: ClassVar[tuple[str, ...] | None] = None


@dataclass(frozen=True, slots=True)
class QuestionAsked(DomainEvent):
    """The resident asked the city team a question ("Talk to a person"); the
    service stores it for staff, and the event log keeps only that it happened."""

    text: str


@dataclass(frozen=True, slots=True)
class MessageCreated:
    message: Outbound


@dataclass(frozen=True, slots=True)
class AnswerRecorded:
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class LanguageChanged:
    locale: str


@dataclass(frozen=True, slots=True)
class InputRejected:
    """The resident's reply did not fit; `misses` counts the misses in a row."""

    flow: str
    step: str
    text: str
    misses: int


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    pass


@dataclass(frozen=True, slots=True)
class Resubscribed:
    """The resident is back after STOP, or sent an SMS carrier opt-in word, on
    which the carrier lifts any block of the number."""


@dataclass(frozen=True, slots=True)
class ActionCalled:
    """A named flow action ran, left by `exit`, and set the answers named in
    `answered` (their values are in the state, not in the event)."""

    name: str
    params: dict[str, Any]
    exit: str
    answered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MessagesForgotten:
    """The resident's answers were deleted: the caller blanks what they wrote in
    the stored messages so far too (the keys stay, against redelivery)."""


@dataclass(frozen=True, slots=True)
class ErasureRequested:
    """The resident asked to erase everything stored about them; the caller
    erases their history in the same transaction (the state is already reset)."""


@dataclass(frozen=True, slots=True)
class SnapshotNeeded:
    """The step stopped before changing anything: it reads these parts of the
    snapshot, which were not loaded. The service loads them and steps again;
    this event is never stored.

    `answers`: the answers as the turn had them when it read the part (an
    answer recorded earlier in the same turn, such as the idea number just
    chosen, included): the loader reads those, not the turn's first state.
    """

    names: frozenset[str]
    answers: dict[str, Any] = field(default_factory=dict)


Event = (
    MessageCreated
    | AnswerRecorded
    | LanguageChanged
    | InputRejected
    | Unsubscribed
    | Resubscribed
    | ActionCalled
    | ErasureRequested
    | MessagesForgotten
    | SnapshotNeeded
    | DomainEvent
)
