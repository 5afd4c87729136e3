"""The options a choice step shows now, and the words that name each of them.

Options come from a source (`options_from`: the edition's districts or
themes), then the fixed ones, filtered by phase and by consent. Each has a
stable payload `flow.step.option` that buttons carry and numbers map to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from pbbot.engine.answers import answer_words
from pbbot.engine.context import StepContext, Turn
from pbbot.flows.model import ChoiceStep, LanguageStep, Option
from pbbot.i18n.catalogs import Translator
from pbbot.i18n.negotiate import locale_names

__all__ = ["OPTION_SOURCES", "ShownOption", "option_names", "options_for"]


@dataclass(frozen=True, slots=True)
class ShownOption:
    payload: str
    label: str
    value: str  # what `save_as` records


def _districts(ctx: StepContext, turn: Turn) -> list[tuple[str, str, str]]:
    return [(f"d{i}", name, name) for i, name in enumerate(ctx.edition.questions.districts, 1)]


def _themes(ctx: StepContext, turn: Turn) -> list[tuple[str, str, str]]:
    return [
        (theme.id, theme.name.get(turn.locale) or theme.id, theme.id)
        for theme in ctx.edition.themes
    ]


# name -> function giving (option id, label, recorded value) for the edition.
OPTION_SOURCES: dict[str, Callable[[StepContext, Turn], list[tuple[str, str, str]]]] = {
    "districts": _districts,
    "themes": _themes,
}

# Fixed options with these ids also accept the common words for them (engine/answers.py).
_ANSWER_MEANINGS: dict[str, tuple[str, ...]] = {
    "yes": ("yes",),
    "no": ("no",),
    "skip": ("skip", "no"),
}


def _shown(option: Option, ctx: StepContext, turn: Turn) -> bool:
    phase = ctx.phase.kind if ctx.phase else "none"
    if option.phases and phase not in option.phases:
        return False
    consented = "consent" in turn.answers
    return option.when is None or (option.when == "consent") == consented


def options_for(
    step: ChoiceStep | LanguageStep, flow: str, ctx: StepContext, turn: Turn, t: Translator
) -> list[ShownOption]:
    prefix = f"{flow}.{step.id}."
    if isinstance(step, LanguageStep):
        names = locale_names(ctx.edition.languages)
        return [ShownOption(prefix + code, names[code], code) for code in ctx.edition.languages]
    shown = []
    if step.options_from:
        shown = [
            ShownOption(prefix + oid, label, value)
            for oid, label, value in OPTION_SOURCES[step.options_from](ctx, turn)
        ]
    return shown + [
        ShownOption(prefix + option.id, t.gettext(option.label), option.id)
        for option in step.options
        if _shown(option, ctx, turn)
    ]


def option_names(
    step: ChoiceStep, flow: str, ctx: StepContext, turn: Turn, shown: list[ShownOption]
) -> dict[str, tuple[str, ...]]:
    """Payload -> the words that name the option: its label in the resident's
    language first, then in every other shipped language, then the common
    words for yes, no or skip where the option means that."""
    names: dict[str, list[str]] = {option.payload: [option.label] for option in shown}
    for locale in ctx.edition.languages:
        if locale == turn.locale:
            continue
        other = replace(turn, locale=locale)
        for option in options_for(step, flow, ctx, other, ctx.translators(locale)):
            names.setdefault(option.payload, []).append(option.label)
    for fixed in step.options:
        for meaning in _ANSWER_MEANINGS.get(fixed.id, ()):
            payload = f"{flow}.{step.id}.{fixed.id}"
            words = answer_words(meaning, ctx.edition.languages, ctx.translators)
            names.setdefault(payload, []).extend(words)
    return {payload: tuple(found) for payload, found in names.items()}
