"""What choice and language steps share: showing the options of the page,
showing them again on a re-prompt, and the re-prompt when a reply names no
option."""

from __future__ import annotations

from collections.abc import Callable

from pbbot.domain.messages import Choice
from pbbot.engine.misses import miss, small_talk
from pbbot.engine.navigation import enter_current
from pbbot.engine.options import ShownOption, options_for
from pbbot.engine.replies import Match
from pbbot.engine.run import Run
from pbbot.engine.variables import render_text
from pbbot.flows.model import ChoiceStep, LanguageStep
from pbbot.i18n.catalogs import N_

__all__ = ["ask_choice", "miss_choice", "offered_options", "shown_options"]


def shown_options(run: Run, step: ChoiceStep | LanguageStep, flow: str) -> list[ShownOption]:
    """The options on the page the resident is on, in the turn's language."""
    return options_for(step, flow, run.ctx, run.turn, run.t, page=run.state.page)


def ask_choice(
    run: Run,
    flow: str,
    step: ChoiceStep | LanguageStep,
    prompt: Callable[[tuple[Choice, ...]], str] | None = None,
) -> None:
    """Show the step's text with the options of the page and wait for the choice.
    `prompt`: the text for these choices, where it is not the step's own."""
    choices = tuple(Choice(o.payload, o.label) for o in shown_options(run, step, flow))
    text = prompt(choices) if prompt else render_text(step.text or "", run.ctx, run.turn, run.t)
    run.say(text, choices, replaces=_edits_in_place(run, flow, step))
    offered = tuple(choice.payload for choice in choices)
    run.state = run.state.evolve(flow=flow, step=step.id, offered=offered, misses=0)


def _edits_in_place(run: Run, flow: str, step: ChoiceStep | LanguageStep) -> bool:
    """Whether the step's list replaces the one whose button was tapped: an
    `edit_in_place` choice shown again after a tap on one of its own buttons
    (a toggle, a page turned), so that Telegram edits that message."""
    return (
        isinstance(step, ChoiceStep)
        and step.edit_in_place
        and run.tapped is not None
        and run.tapped.startswith(f"{flow}.{step.id}.")
    )


def offered_options(run: Run, step: ChoiceStep | LanguageStep) -> tuple[Choice, ...]:
    """The choices last shown, for a re-prompt: the same numbers mean the same."""
    options = shown_options(run, step, run.flow)
    return tuple(Choice(o.payload, o.label) for o in options if o.payload in run.state.offered)


def miss_choice(
    run: Run,
    step: ChoiceStep | LanguageStep,
    options: list[ShownOption],
    match: Match,
    *,
    every_language: bool = False,
) -> None:
    """A reply that names no option. `every_language`: nobody knows yet which
    language the resident reads, so the re-prompt is in all of them."""
    if run.inbound.payload is not None:
        run.say_catalog(N_("That button belongs to an earlier question."))
        enter_current(run, step)
        return
    if small_talk(run):
        enter_current(run, step)  # "merhaba", "merci", "🙏": where they are, again
        return
    if match.close:
        labels = {o.payload: o.label for o in options}
        first, second = (labels.get(p, "") for p in match.close)
        reprompt = run.t.gettext(N_("Did you mean {first} or {second}?"))
        miss(run, step, reprompt.format(first=first, second=second))
        return
    if run.inbound.channel == "telegram":
        wanted = N_("Please tap one of the buttons.")
    else:
        wanted = N_("Please reply with a number from 1 to {count}.")
    count = str(len(run.state.offered))
    if every_language:
        texts = (
            run.ctx.translators(code).gettext(wanted).format(count=count)
            for code in run.ctx.edition.languages
        )
        miss(run, step, "\n".join(dict.fromkeys(texts)))
        return
    miss(run, step, run.t.gettext(wanted).format(count=count))
