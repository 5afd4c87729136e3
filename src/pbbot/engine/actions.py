"""Named actions that flows call (`type: action`): a plain dict registry.

An action is a pure function of an `ActionCall`; it returns the exit to
follow, answers to record and texts for the next messages. Later features
(ideas, voting) add actions here without touching the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pbbot.engine.context import StepContext, Turn

__all__ = ["ACTIONS", "ActionCall", "ActionResult", "register"]


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


Action = Callable[[ActionCall], ActionResult]
ACTIONS: dict[str, Action] = {}


def register(name: str) -> Callable[[Action], Action]:
    def add(action: Action) -> Action:
        if name in ACTIONS:
            raise ValueError(f"action {name!r} is registered twice")
        ACTIONS[name] = action
        return action

    return add


@register("record_consent")
def record_consent(call: ActionCall) -> ActionResult:
    """Remember the day the resident agreed to the privacy notice."""
    return ActionResult(answers={"consent": call.context.today.isoformat()})


@register("forget_profile")
def forget_profile(call: ActionCall) -> ActionResult:
    """Erase the optional profile answers (district, age); the language stays."""
    return ActionResult(answers={"district": None, "age": None})
