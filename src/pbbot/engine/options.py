"""The options a choice step shows now, and the words that name each of them.

Options come from a source (`options_from`), then the fixed ones, filtered by
phase and by consent. A source is a registered function of the context and
the turn, so features add theirs (the ideas of a theme, a resident's own
ideas) without touching the engine:

    @option_source("themes")
    def themes(ctx: StepContext, turn: Turn) -> list[SourceOption]: ...

With `page_size` the source's options are shown a page at a time, with
"Next" and "Back" after them. Each option has a stable payload
`flow.step.option` that buttons carry and numbers map to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pbbot.engine.answers import answer_words
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.registry import registrar
from pbbot.flows.model import ChoiceStep, LanguageStep, Option
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.negotiate import locale_names

__all__ = [
    "NEXT_PAGE",
    "OPTION_SOURCES",
    "PREVIOUS_PAGE",
    "OptionSource",
    "ShownOption",
    "SourceOption",
    "option_names",
    "option_source",
    "options_for",
]

NEXT_PAGE, PREVIOUS_PAGE = ChoiceStep.PAGE_IDS


@dataclass(frozen=True, slots=True)
class SourceOption:
    id: str  # stable within the source: the payload ends in it
    label: str  # in the turn's language
    value: Any  # what `save_as` records (a JSON value)


@dataclass(frozen=True, slots=True)
class ShownOption:
    payload: str
    label: str
    value: Any  # what `save_as` records


OptionSource = Callable[[StepContext, Turn], list[SourceOption]]
OPTION_SOURCES: dict[str, OptionSource] = {}


# `@option_source("themes")`: the source a choice names in `options_from: themes`.
option_source = registrar(OPTION_SOURCES, "option source")


@option_source("districts")
def _districts(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    districts = ctx.edition.questions.districts
    return [SourceOption(f"d{i}", name, name) for i, name in enumerate(districts, 1)]


@option_source("themes")
def _themes(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    return [
        SourceOption(theme.id, theme.name.get(turn.locale) or theme.id, theme.id)
        for theme in ctx.edition.themes
    ]


# Fixed options with these ids also accept the common words for them (engine/answers.py).
_ANSWER_MEANINGS: dict[str, tuple[str, ...]] = {
    "yes": ("yes",),
    "no": ("no",),
    "skip": ("skip", "no"),
}
_PAGE_LABELS = {NEXT_PAGE: N_("Next"), PREVIOUS_PAGE: N_("Back")}


def _shown(option: Option, ctx: StepContext, turn: Turn) -> bool:
    phase = ctx.phase.kind if ctx.phase else "none"
    if option.phases and phase not in option.phases:
        return False
    consented = "consent" in turn.answers
    return option.when is None or (option.when == "consent") == consented


def options_for(
    step: ChoiceStep | LanguageStep,
    flow: str,
    ctx: StepContext,
    turn: Turn,
    t: Translator,
    *,
    page: int = 0,
) -> list[ShownOption]:
    prefix = f"{flow}.{step.id}."
    if isinstance(step, LanguageStep):
        names = locale_names(ctx.edition.languages)
        return [ShownOption(prefix + code, names[code], code) for code in ctx.edition.languages]
    shown = []
    if step.options_from:
        found = OPTION_SOURCES[step.options_from](ctx, turn)
        paging: list[str] = []
        if step.page_size:
            # A shorter list than when the page was chosen: its last page.
            page = min(page, max(0, (len(found) - 1) // step.page_size))
            start = page * step.page_size
            more = start + step.page_size < len(found)
            found = found[start : start + step.page_size]
            paging = [NEXT_PAGE] * more + [PREVIOUS_PAGE] * (page > 0)
        shown = [ShownOption(prefix + o.id, o.label, o.value) for o in found]
        shown += [ShownOption(prefix + i, t.gettext(_PAGE_LABELS[i]), i) for i in paging]
    return shown + [
        ShownOption(prefix + option.id, t.gettext(option.label), option.id)
        for option in step.options
        if _shown(option, ctx, turn)
    ]


def option_names(
    step: ChoiceStep,
    flow: str,
    ctx: StepContext,
    turn: Turn,
    shown: list[ShownOption],
    *,
    page: int = 0,
) -> dict[str, tuple[str, ...]]:
    """Payload -> the words that name the option: its label in the resident's
    language first, then in every other shipped language, then the common
    words for yes, no or skip where the option means that."""
    names: dict[str, list[str]] = {option.payload: [option.label] for option in shown}
    for locale in ctx.edition.languages:
        if locale == turn.locale:
            continue
        other = replace(turn, locale=locale)
        for option in options_for(step, flow, ctx, other, ctx.translators(locale), page=page):
            names.setdefault(option.payload, []).append(option.label)
    for fixed in step.options:
        for meaning in _ANSWER_MEANINGS.get(fixed.id, ()):
            payload = f"{flow}.{step.id}.{fixed.id}"
            words = answer_words(meaning, ctx.edition.languages, ctx.translators)
            names.setdefault(payload, []).extend(words)
    return {payload: tuple(found) for payload, found in names.items()}
