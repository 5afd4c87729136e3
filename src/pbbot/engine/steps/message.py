"""`type: message`: shows its text (and its `image` on Telegram) and goes on at once."""

from __future__ import annotations

from pbbot.engine.images import attach_image
from pbbot.engine.run import Run
from pbbot.engine.steps.base import StepHandler, step_handler
from pbbot.engine.variables import render_text
from pbbot.flows.model import MessageStep, Target

__all__ = ["MessageHandler"]


@step_handler("message")
class MessageHandler(StepHandler[MessageStep]):
    def enter(self, run: Run, flow: str, step: MessageStep) -> Target | None:
        run.say(render_text(step.text or "", run.ctx, run.turn, run.t))
        attach_image(run, step.image)  # Telegram: the picture goes with the text
        return step.go
