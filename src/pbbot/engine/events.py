"""Events the engine step produces, named in the past tense (after goflow).

The caller stores them with the new state in one transaction and hands every
`MessageCreated` to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pbbot.domain.messages import Outbound

__all__ = [
    "ActionCalled",
    "AnswerRecorded",
    "ErasureRequested",
    "Event",
    "InputRejected",
    "LanguageChanged",
    "MessageCreated",
    "Resubscribed",
    "Unsubscribed",
]


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
    pass


@dataclass(frozen=True, slots=True)
class ActionCalled:
    """A named flow action ran, left by `exit`, and set the answers named in
    `answered` (their values are in the state, not in the event)."""

    name: str
    params: dict[str, Any]
    exit: str
    answered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErasureRequested:
    """The resident asked to erase everything stored about them; the caller
    erases their history in the same transaction (the state is already reset)."""


Event = (
    MessageCreated
    | AnswerRecorded
    | LanguageChanged
    | InputRejected
    | Unsubscribed
    | Resubscribed
    | ActionCalled
    | ErasureRequested
)
