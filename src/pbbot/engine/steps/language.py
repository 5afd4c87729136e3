"""`type: language`: the edition's languages, each named in its own language;
the one chosen becomes the conversation's."""

from __future__ import annotations

from pbbot.domain.messages import Choice
from pbbot.engine.keywords import CARRIER_CHANNELS
from pbbot.engine.language import infer_language, language_names, unoffered_language
from pbbot.engine.navigation import go
from pbbot.engine.replies import Match, match_choice
from pbbot.engine.run import Run
from pbbot.engine.steps.base import StepHandler, step_handler
from pbbot.engine.steps.choosing import ask_choice, miss_choice, offered_options, shown_options
from pbbot.engine.variables import render_text
from pbbot.flows.model import LanguageStep, Target
from pbbot.i18n.catalogs import N_
from pbbot.i18n.sms import sms_body, sms_segments

__all__ = ["LanguageHandler"]


@step_handler("language")
class LanguageHandler(StepHandler[LanguageStep]):
    def enter(self, run: Run, flow: str, step: LanguageStep) -> Target | None:
        if run.first_contact:
            ask_choice(run, flow, step, lambda choices: _first_prompt(run, step, choices))
        else:
            ask_choice(run, flow, step)
        return None

    def reply(self, run: Run, step: LanguageStep) -> None:
        inbound, languages = run.inbound, run.ctx.edition.languages
        options = shown_options(run, step, run.flow)
        if inbound.payload is None and unoffered_language(inbound.text, languages) is not None:
            # "Deutsch": not a near-miss of "Dutch", and not offered
            run.say(
                run.t.gettext(N_("That language is not offered. Please choose one of these:")),
                self.offered(run, step),
            )
            return
        names = {o.payload: (o.label, *language_names(o.value, languages)) for o in options}
        match = match_choice(inbound.text, inbound.payload, run.state.offered, lambda: names)
        if match.payload is None and not match.close:
            found = infer_language(inbound.text, languages, run.ctx.translators)
            payload = f"{run.flow}.{step.id}.{found}"
            match = Match(payload if payload in run.state.offered else None)
        if match.payload is None:
            miss_choice(run, step, options, match, every_language=run.first_contact)
            return
        run.set_language(match.payload.rsplit(".", 1)[-1])
        go(run, step.go)

    def offered(self, run: Run, step: LanguageStep) -> tuple[Choice, ...]:
        return offered_options(run, step)


def _first_prompt(run: Run, step: LanguageStep, choices: tuple[Choice, ...]) -> str:
    """The language question in every offered language; on SMS only where the
    menu still fits one segment (the first SMS a resident gets is the cheapest),
    else the numbered language names speak for themselves."""
    texts = (
        render_text(step.text or "", run.ctx, run.turn, run.ctx.translators(code))
        for code in run.ctx.edition.languages
    )
    text = "\n".join(dict.fromkeys(texts))
    if run.inbound.channel not in CARRIER_CHANNELS:
        return text
    labels = [choice.label for choice in choices]
    fits = sms_segments(sms_body(text, labels, rtl=run.t.rtl)).segments == 1
    return text if fits else ""
