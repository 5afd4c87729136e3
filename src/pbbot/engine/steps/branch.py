"""`type: branch`: goes on by the value of a registered subject (`engine/subjects.py`)."""

from __future__ import annotations

from pbbot.engine.run import Run
from pbbot.engine.steps.base import StepHandler, step_handler
from pbbot.engine.subjects import branch_value
from pbbot.flows.model import BranchStep, Target

__all__ = ["BranchHandler"]


@step_handler("branch")
class BranchHandler(StepHandler[BranchStep]):
    def enter(self, run: Run, flow: str, step: BranchStep) -> Target | None:
        return step.choose(branch_value(step.on, run.ctx, run.state, run.turn))
