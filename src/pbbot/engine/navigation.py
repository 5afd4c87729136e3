"""Moving through flows: following `go` targets, the gates before a flow
(a language first, consent before a flow that stores what residents send),
detours that lead back to where they started, and the cap on steps per turn.
"""

from __future__ import annotations

from pbbot.engine.run import Run
from pbbot.engine.steps.base import handler_for
from pbbot.flows.model import CONTINUE, END, RESUME, ChoiceStep, Step, Target
from pbbot.i18n.catalogs import N_

__all__ = [
    "CONSENT_NEEDED",
    "DETOUR_FLOWS",
    "MAX_STEPS_PER_TURN",
    "detour_return",
    "enter_current",
    "go",
    "home",
]

# A loop in a flow must not spin; validation refuses loops of steps that never wait.
MAX_STEPS_PER_TURN = 40
# Flows the resident visits on the way and leaves again to where they were.
DETOUR_FLOWS = frozenset({"help", "language"})
# Where a resident goes who opens a part that stores data before agreeing.
CONSENT_NEEDED = "@onboarding/consent_needed"
# Flows a resident can be in before they chose a language.
_BEFORE_LANGUAGE = frozenset({"onboarding", "language", "stop"})


def home(run: Run) -> Target:
    if run.state.locale is None:
        return "@onboarding"
    if not run.state.consent_answered:
        return "@onboarding/consent"
    return "@main_menu"


def detour_return(run: Run) -> tuple[str, str] | None:
    """Where a detour (help, language) leads back to: the current step,
    unless that is itself a detour, whose own way back is kept."""
    state = run.state
    if state.flow in DETOUR_FLOWS or not (state.flow and state.step):
        return state.resume
    return (state.flow, state.step)


def go(run: Run, target: Target) -> None:
    flow = run.flow
    while True:
        if target == END:
            run.state = run.state.evolve(flow=None, step=None, offered=())
            return
        if target == RESUME:
            resume = run.state.resume
            run.state = run.state.evolve(resume=None)
            target = f"@{resume[0]}/{resume[1]}" if resume else home(run)
            flow = ""  # coming back is no detour's new start
            continue
        if target == CONTINUE:
            wanted = run.state.wanted if run.state.consented else None
            run.state = run.state.evolve(wanted=None)
            target = f"@{wanted[0]}/{wanted[1]}" if wanted else "@main_menu"
            continue
        resolved = run.ctx.flows.resolve(flow, target)
        run.steps_taken += 1
        if resolved is None or run.steps_taken > MAX_STEPS_PER_TURN:
            # Validation makes this unreachable for shipped flows; never spin or crash.
            run.say_catalog(
                N_("Sorry, something went wrong. Send {menu} to continue."),
                menu=run.word("menu"),
            )
            run.state = run.state.evolve(flow=None, step=None, offered=())
            return
        if resolved[0] != flow:
            gate = _gate(run, resolved)
            if gate is not None:
                target = gate
                continue
            _track_detour(run, flow, resolved[0])
        flow, step_id = resolved
        entering = run.ctx.flows.step(flow, step_id)
        assert entering is not None  # resolve() found it
        if isinstance(entering, ChoiceStep) and (flow, step_id) != (run.state.flow, run.state.step):
            # A paged choice starts on its first page; one the resident comes back
            # to in the same turn (a basket's button, through its action) stays.
            run.state = run.state.evolve(page=0)
        next_target = handler_for(entering).enter(run, flow, entering)
        if next_target is None:
            return
        target = next_target


def enter_current(run: Run, current: Step) -> None:
    """Show the step the resident is at again (on the page they are on)."""
    handler_for(current).enter(run, run.flow, current)


def _gate(run: Run, entering: tuple[str, str]) -> Target | None:
    """Where a resident goes instead of `entering`, if they may not go there yet:
    without a language, to the language question; into a flow that stores what
    they send, without consent, to the consent question (and on afterwards)."""
    flow = entering[0]
    if run.state.locale is None and flow not in _BEFORE_LANGUAGE:
        return "@onboarding"
    if "consent" in run.ctx.flows.flows[flow].requires and not run.state.consented:
        run.state = run.state.evolve(wanted=entering)
        return CONSENT_NEEDED
    if flow != "onboarding" and run.state.wanted is not None:
        run.state = run.state.evolve(wanted=None)  # they went elsewhere instead
    return None


def _track_detour(run: Run, leaving: str, entering: str) -> None:
    """A detour (help, language) leads back to where it started; leaving it by
    another way (its "Main menu") forgets that place."""
    if entering in DETOUR_FLOWS and leaving not in DETOUR_FLOWS:
        run.state = run.state.evolve(resume=detour_return(run))
    elif leaving in DETOUR_FLOWS and entering not in DETOUR_FLOWS:
        run.state = run.state.evolve(resume=None)
