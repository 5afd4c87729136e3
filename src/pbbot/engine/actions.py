"""Named actions that flows call (`type: action`): a plain dict registry.

An action is a pure function of an `ActionCall`; it returns the exit to
follow, answers to record, texts for the next messages and domain events for
the service to store. Features (questions, ideas, voting) register their
actions from their own packages, without touching the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import DomainEvent, QuestionAsked

__all__ = ["ACTIONS", "ACTION_EXITS", "ActionCall", "ActionResult", "register"]


@dataclass(frozen=True, slots=True)
class ActionCall:
    context: StepContext
    turn: Turn
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ActionResult:
    exit: str = "ok"
    answers: dict[str, Any] = field(default_factory=dict)  # to record (None removes)
    texts: dict[str, str] = field(default_factory=dict)  # variables for the next texts
    erase: bool = False  # forget the resident: state, answers and history
    forget_messages: bool = False  # blank what the resident wrote so far
    events: tuple[DomainEvent, ...] = ()  # for the service to store (a feature's handlers)


Action = Callable[[ActionCall], ActionResult]
ACTIONS: dict[str, Action] = {}
# The exits each action can return; flow validation checks that a flow maps them all.
ACTION_EXITS: dict[str, tuple[str, ...]] = {}


def register(name: str, *, exits: tuple[str, ...] = ("ok",)) -> Callable[[Action], Action]:
    def add(action: Action) -> Action:
        if name in ACTIONS:
            raise ValueError(f"action {name!r} is registered twice")
        ACTIONS[name] = action
        ACTION_EXITS[name] = exits
        return action

    return add


@register("record_consent")
def record_consent(call: ActionCall) -> ActionResult:
    """Remember the day the resident agreed to the privacy notice."""
    return ActionResult(
        answers={"consent": call.context.today.isoformat(), "consent_declined": None}
    )


@register("record_decline")
def record_decline(call: ActionCall) -> ActionResult:
    """Remember that the resident said no, so the menu stops asking; nothing else is kept."""
    return ActionResult(answers={"consent_declined": True})


@register("check_age", exits=("ok", "too_young"))
def check_age(call: ActionCall) -> ActionResult:
    """Whether the age just given is under the edition's voting age, to say so now
    rather than at the ballot (a young resident may still read and send ideas)."""
    age = call.turn.answers.get("age")
    minimum = call.context.edition.voting.min_age
    too_young = isinstance(age, int) and minimum is not None and age < minimum
    return ActionResult(exit="too_young" if too_young else "ok")


@register("forget_profile")
def forget_profile(call: ActionCall) -> ActionResult:
    """Erase the optional profile answers (district, age), and the messages that
    carried them; the language stays."""
    return ActionResult(answers={"district": None, "age": None}, forget_messages=True)


@register("forget_everything")
def forget_everything(call: ActionCall) -> ActionResult:
    """Erase everything stored about the resident (their right to be forgotten)."""
    return ActionResult(erase=True)


@register("ask_person")
def ask_person(call: ActionCall) -> ActionResult:
    """Hand the question just typed to the city team; the state keeps no copy."""
    question = str(call.turn.answers.get("question") or "")
    return ActionResult(answers={"question": None}, events=(QuestionAsked(question),))
