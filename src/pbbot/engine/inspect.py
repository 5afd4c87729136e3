"""Every prompt the flows can show, rendered in every language: what
`pbbot flows check` and the tests measure (catalog coverage, SMS segments).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pbbot.domain.messages import Choice, Outbound
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.options import options_for
from pbbot.engine.snapshot import SnapshotMissing
from pbbot.engine.variables import render_text
from pbbot.flows.model import AskStep, ChoiceStep, LanguageStep, Step
from pbbot.i18n.catalogs import Translator

__all__ = ["Prompt", "prompts"]

# Sample answers so that texts naming the profile render at their longest.
_SAMPLE_ANSWERS = {"consent": "2027-01-01", "district": "Nekkerspoel", "age": 34}


@dataclass(frozen=True, slots=True)
class Prompt:
    source: str
    line: int
    flow: str
    step: str
    message: Outbound


def prompts(context: StepContext, locales: tuple[str, ...]) -> Iterator[Prompt]:
    """Each step's text (with its choices) and re-prompt, per locale, as the engine sends them."""
    for flow in context.flows.flows.values():
        for step in flow.steps.values():
            texts = [(step.text, True)] if step.text else []
            if isinstance(step, AskStep) and step.error:
                texts.append((step.error, False))
            for locale in locales:
                t = context.translators(locale)
                turn = Turn(channel="sms", locale=locale, answers=dict(_SAMPLE_ANSWERS))
                try:
                    rendered = list(_rendered(step, flow.name, texts, context, turn, t))
                except SnapshotMissing:
                    break  # it shows domain data: its feature's tests measure it with real data
                for message in rendered:
                    yield Prompt(flow.source, step.line, flow.name, step.id, message)


def _rendered(
    step: Step,
    flow: str,
    texts: list[tuple[str, bool]],
    context: StepContext,
    turn: Turn,
    t: Translator,
) -> Iterator[Outbound]:
    choices: tuple[Choice, ...] = ()
    if isinstance(step, (ChoiceStep, LanguageStep)):
        shown = options_for(step, flow, context, turn, t)
        choices = tuple(Choice(o.payload, o.label) for o in shown)
    for text, with_choices in texts:
        yield Outbound(
            render_text(text, context, turn, t), turn.locale, choices if with_choices else ()
        )
