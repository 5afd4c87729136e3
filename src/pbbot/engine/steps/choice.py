"""`type: choice`: options from a source and fixed ones, a page at a time
where the step has a `page_size`; the reply is a number, a tap or a label."""

from __future__ import annotations

from pbbot.domain.messages import Choice
from pbbot.engine.images import attach_image
from pbbot.engine.navigation import enter_current, go
from pbbot.engine.options import NEXT_PAGE, PREVIOUS_PAGE, option_names
from pbbot.engine.replies import match_choice
from pbbot.engine.run import Run
from pbbot.engine.steps.base import StepHandler, step_handler
from pbbot.engine.steps.choosing import ask_choice, miss_choice, offered_options, shown_options
from pbbot.flows.model import END, ChoiceStep, Target

__all__ = ["ChoiceHandler"]


@step_handler("choice")
class ChoiceHandler(StepHandler[ChoiceStep]):
    def enter(self, run: Run, flow: str, step: ChoiceStep) -> Target | None:
        # Shown again where they are (another page, a re-prompt): the picture
        # they have already; it goes when they come to the step.
        again = (run.state.flow, run.state.step) == (flow, step.id)
        ask_choice(run, flow, step)
        if not again:
            attach_image(run, step.image)
        return None

    def reply(self, run: Run, step: ChoiceStep) -> None:
        options = shown_options(run, step, run.flow)
        page = run.state.page
        match = match_choice(
            run.inbound.text,
            run.inbound.payload,
            run.state.offered,
            lambda: option_names(step, run.flow, run.ctx, run.turn, options, page=page),
            guess=not _confirms(step),
            numbered=step.numbered,
        )
        if match.payload is None:
            miss_choice(run, step, options, match)
            return
        chosen = match.payload
        option_id = chosen.rsplit(".", 1)[-1]
        if option_id in (NEXT_PAGE, PREVIOUS_PAGE):
            run.state = run.state.evolve(page=page + (1 if option_id == NEXT_PAGE else -1))
            enter_current(run, step)
            return
        fixed = next((o for o in step.options if o.id == option_id), None)
        if step.save_as and (fixed is None or not step.options_from):
            # Options from a source are the answer; fixed ones beside them navigate.
            shown = next((o for o in options if o.payload == chosen), None)
            run.record(step.save_as, shown.value if shown else option_id)
        run.state = run.state.evolve(misses=0)
        go(run, fixed.go if fixed else step.go or END)

    def offered(self, run: Run, step: ChoiceStep) -> tuple[Choice, ...]:
        return offered_options(run, step)


def _confirms(step: ChoiceStep) -> bool:
    """A yes/no question: no near-misses there (a negation is one letter away)."""
    return any(option.id in ("yes", "no") for option in step.options)
