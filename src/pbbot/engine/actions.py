"""Named actions that flows call (`type: action`): a plain dict registry.

An action is a pure function of an `ActionCall`; it returns the exit to
follow, answers to record, texts for the next messages and domain events for
the service to store. It declares its exits, answers and texts when it
registers, so that flow validation knows them (a flow may then name
`{answers.NAME}` or `{TEXT}`) and the engine can refuse one that returns
something else. Features (questions, ideas, voting) register their actions
from their own packages, without touching the engine:

    @register("submit_idea", exits=("ok", "too_many"), answers=("idea_number",))
    def submit_idea(call: ActionCall) -> ActionResult: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import DomainEvent, QuestionAsked
from pbbot.flows.vocabulary import ActionSignature

__all__ = ["ACTIONS", "ACTION_SIGNATURES", "Action", "ActionCall", "ActionResult", "register"]


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
# What each action declared; flow validation checks a flow against it.
ACTION_SIGNATURES: dict[str, ActionSignature] = {}


def register(
    name: str,
    *,
    exits: tuple[str, ...] = ("ok",),
    answers: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
) -> Callable[[Action], Action]:
    """Register an action under `name` with the exits it can take, the answers
    it records (or removes) and the texts it provides for the next messages."""

    def add(action: Action) -> Action:
        if name in ACTIONS:
            raise ValueError(f"action {name!r} is registered twice")
        ACTIONS[name] = action
        ACTION_SIGNATURES[name] = ActionSignature(exits=exits, answers=answers, texts=texts)
        return action

    return add


@register("record_consent", answers=("consent", "consent_declined"))
def record_consent(call: ActionCall) -> ActionResult:
    """Remember the day the resident agreed to the privacy notice."""
    return ActionResult(
        answers={"consent": call.context.today.isoformat(), "consent_declined": None}
    )


@register("record_decline", answers=("consent_declined",))
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


@register("forget_profile", answers=("district", "age"))
def forget_profile(call: ActionCall) -> ActionResult:
    """Erase the optional profile answers (district, age), and the messages that
    carried them; the language stays."""
    return ActionResult(answers={"district": None, "age": None}, forget_messages=True)


@register("forget_everything")
def forget_everything(call: ActionCall) -> ActionResult:
    """Erase everything stored about the resident (their right to be forgotten)."""
    return ActionResult(erase=True)


@register("ask_person", answers=("question",))
def ask_person(call: ActionCall) -> ActionResult:
    """Hand the question just typed to the city team; the state keeps no copy."""
    question = str(call.turn.answers.get("question") or "")
    return ActionResult(answers={"question": None}, events=(QuestionAsked(question),))
