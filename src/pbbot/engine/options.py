"""The options a choice step shows now: static ones filtered by phase, or
options built from the edition (`options_from`), each with a stable payload
`flow.step.option` that buttons carry and numbers map to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pbbot.engine.context import StepContext, Turn
from pbbot.flows.model import ChoiceStep, LanguageStep
from pbbot.i18n.catalogs import Translator
from pbbot.i18n.negotiate import locale_names

__all__ = ["OPTION_SOURCES", "ShownOption", "options_for"]


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


def options_for(
    step: ChoiceStep | LanguageStep, flow: str, ctx: StepContext, turn: Turn, t: Translator
) -> list[ShownOption]:
    prefix = f"{flow}.{step.id}."
    if isinstance(step, LanguageStep):
        names = locale_names(ctx.edition.languages)
        return [ShownOption(prefix + code, names[code], code) for code in ctx.edition.languages]
    if step.options_from:
        return [
            ShownOption(prefix + oid, label, value)
            for oid, label, value in OPTION_SOURCES[step.options_from](ctx, turn)
        ]
    phase = ctx.phase.kind if ctx.phase else "none"
    return [
        ShownOption(prefix + option.id, t.gettext(option.label), option.id)
        for option in step.options
        if not option.phases or phase in option.phases
    ]
