"""What the engine does with each step type: one handler per YAML `type` name,
in a plain dict (`type: choice` is handled by `steps/choice.py`).

A handler shows its step when a resident enters it (`enter`), and for the
step types that wait, reads the reply (`reply`) and names the choices a
re-prompt shows again (`offered`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pbbot.domain.messages import Choice
from pbbot.engine.run import Run
from pbbot.flows.model import Step, Target

__all__ = ["STEP_HANDLERS", "StepHandler", "handler_for", "step_handler"]

S = TypeVar("S", bound=Step)


class StepHandler(Generic[S]):
    """The base handles a step that does not wait; waiting types override `reply`."""

    def enter(self, run: Run, flow: str, step: S) -> Target | None:
        """Show the step; where to go next, or None when it waits for a reply."""
        raise NotImplementedError

    def reply(self, run: Run, step: S) -> None:
        """Read the resident's reply to the step they are at."""
        raise NotImplementedError(f"a {step.type_name} step never waits for a reply")

    def offered(self, run: Run, step: S) -> tuple[Choice, ...]:
        """The choices a re-prompt shows again."""
        return ()

    def kinds(self, step: S) -> tuple[str, ...]:
        """What the step reads besides a tap: text, or the kinds an ask accepts."""
        return ("text",)


STEP_HANDLERS: dict[str, StepHandler[Any]] = {}


def step_handler(type_name: str) -> Callable[[type[StepHandler[S]]], type[StepHandler[S]]]:
    def add(cls: type[StepHandler[S]]) -> type[StepHandler[S]]:
        if type_name in STEP_HANDLERS:
            raise ValueError(f"step type {type_name!r} has a handler already")
        STEP_HANDLERS[type_name] = cls()
        return cls

    return add


def handler_for(step: Step) -> StepHandler[Any]:
    return STEP_HANDLERS[step.type_name]
