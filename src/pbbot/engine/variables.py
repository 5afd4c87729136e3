"""Values that flow texts can name in braces: `{budget}`, `{timeline}`,
`{answers.NAME}`, ...

Each is computed in the resident's language, and only when a text uses it.
Staff-written edition texts (name, intro, theme names) come from the edition
file; everything else comes from the catalogs. A variable is a registered
function, so features add theirs without touching the engine:

    @variable("idea_count", per_resident=True)
    def idea_count(ctx: StepContext, turn: Turn, t: Translator) -> str: ...

`per_resident`: the value depends on the resident, the channel or the
snapshot; the others depend only on the edition, the day and the language,
and a context computes each once per language.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache

from pbbot.domain.edition import Phase
from pbbot.engine.answers import answer_word
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.keywords import shown_word
from pbbot.engine.recorded import answer_in_text
from pbbot.flows.model import ANSWERS_PREFIX
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

__all__ = ["PHASE_NAMES", "VARIABLES", "Variable", "render_text", "variable"]

Variable = Callable[[StepContext, Turn, Translator], str]
VARIABLES: dict[str, Variable] = {}
_PER_RESIDENT: set[str] = set()
_SECRET: set[str] = set()


def variable(
    name: str, *, per_resident: bool = False, secret: bool = False
) -> Callable[[Variable], Variable]:
    """Register the value a text names as `{name}`. `secret`: it shows how the
    resident votes, so a message that names it is not kept once sent."""

    def add(compute: Variable) -> Variable:
        if name in VARIABLES:
            raise ValueError(f"variable {name!r} is registered twice")
        VARIABLES[name] = compute
        if per_resident or secret:
            _PER_RESIDENT.add(name)
        if secret:
            _SECRET.add(name)
        return compute

    return add


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


@variable("phase")
def _phase(ctx: StepContext, turn: Turn, t: Translator) -> str:
    phase = ctx.phase
    return t.gettext(PHASE_NAMES[phase.kind]) if phase else t.gettext("no phase running")


@variable("phase_dates")
def _phase_dates(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The running phase's dates; between phases, when the next one starts; after
    the last, when it ended (never a period that is not "now")."""
    if ctx.phase:
        return _period(ctx.phase, t)
    upcoming = ctx.next_phase
    if upcoming:
        return t.gettext("{phase} from {date}").format(
            phase=t.gettext(PHASE_NAMES[upcoming.kind]),
            date=format_date(upcoming.start, t.babel_locale),
        )
    last = ctx.edition.phases[-1]
    return t.gettext("ended {date}").format(date=format_date(last.end, t.babel_locale))


@variable("timeline")
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


@variable("criteria")
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


@variable("expectations")
def _expectations(ctx: StepContext, turn: Turn, t: Translator) -> str:
    expectations = ctx.edition.expectations
    if expectations.binding:
        text = t.gettext("The city commits to carrying out the projects that win the vote.")
    else:
        text = t.gettext("The vote advises the city council, which takes the final decision.")
    note = expectations.note.get(t.locale)
    return f"{text} {note}" if note else text


@variable("contact")
def _contact(ctx: StepContext, turn: Turn, t: Translator) -> str:
    contact = ctx.edition.contact
    phone = format_phone(contact.phone, t.babel_locale) if contact.phone else None
    return "\n".join(value for value in (contact.email, phone, contact.website) if value)


@variable("keywords", per_resident=True)
def _keywords(ctx: StepContext, turn: Turn, t: Translator) -> str:
    kinds = ("menu", "help", "language", "stop")
    words = (shown_word(kind, turn.channel, t, ctx.carrier) for kind in kinds)
    return format_list(words, t.babel_locale, style="or")


@variable("profile", per_resident=True)
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


variable("edition_name")(_localized(lambda ctx: ctx.edition.name))
variable("intro")(_localized(lambda ctx: ctx.edition.intro))


@variable("budget")
def _budget(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_money(ctx.edition.budget, ctx.edition.currency, t.babel_locale)


@variable("themes")
def _themes(ctx: StepContext, turn: Turn, t: Translator) -> str:
    names = (theme.name.get(t.locale) or theme.id for theme in ctx.edition.themes)
    return format_list(names, t.babel_locale)


@variable("keyword_start", per_resident=True)
def _keyword_start(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return shown_word("start", turn.channel, t, ctx.carrier)


@variable("skip_word")
def _skip_word(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return answer_word("no", t)


@variable("dont_know_word")
def _dont_know_word(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return answer_word("dont_know", t)


@variable("back_word")
def _back_word(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return answer_word("back", t)


@variable("voting_age")
def _voting_age(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_number(ctx.edition.voting.min_age or 0, t.babel_locale)


@variable("min_age")
def _min_age(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_number(ctx.edition.questions.min_age, t.babel_locale)


@variable("max_age")
def _max_age(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_number(ctx.edition.questions.max_age, t.babel_locale)


@variable("today")
def _today(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_date(ctx.today, t.babel_locale)


@cache
def _names(text: str) -> tuple[str, ...]:
    fields = (name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    return tuple(dict.fromkeys(fields))


def _value(name: str, ctx: StepContext, turn: Turn, t: Translator) -> str | None:
    if name in turn.extra:
        return turn.extra[name]
    if name.startswith(ANSWERS_PREFIX):
        return answer_in_text(turn.answers.get(name.removeprefix(ANSWERS_PREFIX)), t)
    compute = VARIABLES.get(name)
    if compute is None:
        return None
    if name in _SECRET:
        turn.shows_secret = True
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
            return _fill(candidate, values)
    return text  # flow validation makes this unreachable: source texts name known variables


def _fill(text: str, values: Mapping[str, str | None]) -> str:
    """`text` with each `{name}` replaced; by hand, since `str.format` would read
    `{answers.title}` as an attribute of `answers`."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(text):
        parts.append(literal)
        if name is not None:
            parts.append(values[name] or "")
    return "".join(parts)
