"""`type: action`: runs a registered action (`engine/actions.py`) and follows its exit.

The action's answers are recorded, its texts fill the next messages, its
domain events go to the service. What it returns beyond what it declared is a
bug, refused here rather than stored.
"""

from __future__ import annotations

from pbbot.engine.actions import ACTION_SIGNATURES, ACTIONS, ActionCall
from pbbot.engine.events import ActionCalled, ErasureRequested, MessagesForgotten
from pbbot.engine.run import Run
from pbbot.engine.state import ConversationState
from pbbot.engine.steps.base import StepHandler, step_handler
from pbbot.flows.model import ActionStep, Target

__all__ = ["ActionHandler"]


@step_handler("action")
class ActionHandler(StepHandler[ActionStep]):
    def enter(self, run: Run, flow: str, step: ActionStep) -> Target | None:
        result = ACTIONS[step.action](ActionCall(run.ctx, run.turn, dict(step.params)))
        declared = ACTION_SIGNATURES[step.action]
        undeclared = (set(result.answers) - set(declared.answers)) | (
            set(result.texts) - set(declared.texts)
        )
        assert not undeclared, f"action {step.action} set undeclared {sorted(undeclared)}"
        for name, value in result.answers.items():
            run.record(name, value)
        run.turn.extra.update(result.texts)
        if result.erase:
            # Nothing of the resident stays in the state; the texts that follow
            # are still in their language (the turn keeps it).
            run.state = ConversationState(stopped=run.state.stopped)
            run.turn.answers = {}
            run.events.append(ErasureRequested())
        if result.forget_messages:
            run.events.append(MessagesForgotten())
        run.events.extend(result.events)
        run.events.append(
            ActionCalled(step.action, dict(step.params), result.exit, tuple(result.answers))
        )
        target = step.exit_to(result.exit)
        # Flow validation checked that every exit the action declares is mapped.
        assert target is not None, f"action {step.action} returned undeclared {result.exit!r}"
        return target
