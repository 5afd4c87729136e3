"""Values that flow texts can name in braces: `{budget}`, `{timeline}`, ...

Each is computed in the resident's language, and only when a text uses it.
Staff-written edition texts (name, intro, theme names) come from the edition
file; everything else comes from the catalogs.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache

from pbbot.domain.edition import Phase
from pbbot.engine.answers import answer_word
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.keywords import shown_word
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import (
    format_date,
    format_list,
    format_money,
    format_number,
    format_period,
    format_phone,
    format_short_date,
    format_short_period,
)
from pbbot.i18n.negotiate import locale_names

__all__ = ["PHASE_NAMES", "VARIABLES", "render_text"]

PHASE_NAMES: dict[str, str] = {
    "information": N_("Information"),
    "ideation": N_("Ideas"),
    "review": N_("Review"),
    "voting": N_("Voting"),
    "results": N_("Results"),
    "implementation": N_("Implementation"),
}


def _period(phase: Phase, t: Translator) -> str:
    return format_period(phase.start, phase.end, t.babel_locale)


def _phase(ctx: StepContext, turn: Turn, t: Translator) -> str:
    phase = ctx.phase
    return t.gettext(PHASE_NAMES[phase.kind]) if phase else t.gettext("no phase running")


def _phase_dates(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The running phase's dates; between phases, when the next one starts; after
    the last, when it ended (never a period that is not "now")."""
    if ctx.phase:
        return _period(ctx.phase, t)
    upcoming = ctx.edition.next_phase(ctx.today)
    if upcoming:
        return t.gettext("{phase} from {date}").format(
            phase=t.gettext(PHASE_NAMES[upcoming.kind]),
            date=format_date(upcoming.start, t.babel_locale),
        )
    last = ctx.edition.phases[-1]
    return t.gettext("ended {date}").format(date=format_date(last.end, t.babel_locale))


def _timeline(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """One short line per phase, the current one marked; months without the year
    where a phase stays within one year, to keep SMS short."""
    current = ctx.phase
    lines = []
    for phase in ctx.edition.phases:
        marker = "> " if phase == current else "- "
        if phase.start.year == phase.end.year:
            dates = format_short_period(phase.start, phase.end, t.babel_locale)
        else:  # long phases (implementation): the start says enough
            start = format_short_date(phase.start, t.babel_locale)
            dates = t.gettext("from {date}").format(date=start)
        # Translators: one line of the timeline, "Ideas: Feb 1 – Mar 14"; French
        # puts a no-break space before the colon.
        line = t.gettext("{phase}: {dates}")
        lines.append(marker + line.format(phase=t.gettext(PHASE_NAMES[phase.kind]), dates=dates))
    return "\n".join(lines)


def _criteria(ctx: StepContext, turn: Turn, t: Translator) -> str:
    criteria = ctx.edition.criteria
    lines = []
    if criteria.max_cost is not None:
        lines.append(
            t.gettext("costs at most {amount}").format(
                amount=format_money(criteria.max_cost, ctx.edition.currency, t.babel_locale)
            )
        )
    if criteria.min_cost is not None:
        lines.append(
            t.gettext("costs at least {amount}").format(
                amount=format_money(criteria.min_cost, ctx.edition.currency, t.babel_locale)
            )
        )
    if criteria.public:
        lines.append(t.gettext("is open to everyone"))
    if criteria.in_city:
        lines.append(t.gettext("is in the city, on public ground"))
    if criteria.one_off:
        lines.append(t.gettext("is a one-off cost"))
    if t.locale in criteria.extra:
        lines.append(criteria.extra[t.locale])
    return "\n".join(f"- {line}" for line in lines)


def _expectations(ctx: StepContext, turn: Turn, t: Translator) -> str:
    expectations = ctx.edition.expectations
    if expectations.binding:
        text = t.gettext("The city commits to carrying out the projects that win the vote.")
    else:
        text = t.gettext("The vote advises the city council, which takes the final decision.")
    note = expectations.note.get(t.locale)
    return f"{text} {note}" if note else text


def _contact(ctx: StepContext, turn: Turn, t: Translator) -> str:
    contact = ctx.edition.contact
    phone = format_phone(contact.phone, t.babel_locale) if contact.phone else None
    return "\n".join(value for value in (contact.email, phone, contact.website) if value)


def _keywords(ctx: StepContext, turn: Turn, t: Translator) -> str:
    kinds = ("menu", "help", "language", "stop")
    words = (shown_word(kind, turn.channel, t, ctx.carrier) for kind in kinds)
    return format_list(words, t.babel_locale, style="or")


def _profile(ctx: StepContext, turn: Turn, t: Translator) -> str:
    lines = [t.gettext("Language: {language}").format(language=locale_names([t.locale])[t.locale])]
    if "district" in turn.answers:
        lines.append(t.gettext("District: {district}").format(district=turn.answers["district"]))
    if "age" in turn.answers:
        lines.append(t.gettext("Age: {age}").format(age=turn.answers["age"]))
    return "\n".join(lines)


def _localized(
    pick: Callable[[StepContext], Mapping[str, str]],
) -> Callable[[StepContext, Turn, Translator], str]:
    """A staff-written edition text in the resident's language (else the default)."""

    def value(ctx: StepContext, turn: Turn, t: Translator) -> str:
        texts = pick(ctx)
        return texts.get(t.locale) or texts[ctx.edition.default_language]

    return value


VARIABLES: dict[str, Callable[[StepContext, Turn, Translator], str]] = {
    "edition_name": _localized(lambda ctx: ctx.edition.name),
    "intro": _localized(lambda ctx: ctx.edition.intro),
    "budget": lambda ctx, turn, t: format_money(
        ctx.edition.budget, ctx.edition.currency, t.babel_locale
    ),
    "phase": _phase,
    "phase_dates": _phase_dates,
    "timeline": _timeline,
    "themes": lambda ctx, turn, t: format_list(
        (theme.name.get(t.locale) or theme.id for theme in ctx.edition.themes), t.babel_locale
    ),
    "criteria": _criteria,
    "expectations": _expectations,
    "contact": _contact,
    "keywords": _keywords,
    "keyword_start": lambda ctx, turn, t: shown_word("start", turn.channel, t, ctx.carrier),
    "skip_word": lambda ctx, turn, t: answer_word("no", t),
    "voting_age": lambda ctx, turn, t: format_number(
        ctx.edition.voting.min_age or 0, t.babel_locale
    ),
    "profile": _profile,
    "min_age": lambda ctx, turn, t: format_number(ctx.edition.questions.min_age, t.babel_locale),
    "max_age": lambda ctx, turn, t: format_number(ctx.edition.questions.max_age, t.babel_locale),
    "today": lambda ctx, turn, t: format_date(ctx.today, t.babel_locale),
}


# Variables that depend on the resident or channel; the others only on the edition,
# the day and the language, so a context computes each once per language.
_PER_RESIDENT = frozenset({"profile", "keywords", "keyword_start"})


@cache
def _names(text: str) -> tuple[str, ...]:
    fields = (name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    return tuple(dict.fromkeys(fields))


def _value(name: str, ctx: StepContext, turn: Turn, t: Translator) -> str | None:
    if name in turn.extra:
        return turn.extra[name]
    compute = VARIABLES.get(name)
    if compute is None:
        return None
    if name in _PER_RESIDENT:
        return compute(ctx, turn, t)
    key = (name, t.locale)
    if key not in ctx.memo:
        ctx.memo[key] = compute(ctx, turn, t)
    return ctx.memo[key]


def render_text(text: str, ctx: StepContext, turn: Turn, t: Translator) -> str:
    """Translate a flow text and fill in the variables it names.

    A translation that names an unknown variable must not break the
    conversation: the source text is used instead (`pbbot i18n check` flags it).
    """
    translated = t.gettext(text)
    for candidate in (translated, text):
        values = {name: _value(name, ctx, turn, t) for name in _names(candidate)}
        if None not in values.values():
            return candidate.format_map(values)
    return text  # flow validation makes this unreachable: source texts name known variables
