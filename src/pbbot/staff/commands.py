"""Staff commands as typed in the staff chat, read into what they ask for.

Pure: a text and the edition in, a command or a `Problem` out. A problem is
a catalog text with its values, so that the answer is in the staff member's
language (`pbbot.staff.answers` renders it), and nothing is carried out.

    /ideas [status] [theme]      /idea N
    /accept N COST [note]        /reject N CRITERION [note]
    /ask N question              /merge N M [note]
    /hide N [note]               /restore N [note]
    /staffhelp
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pbbot.domain.amounts import parse_amount
from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import N_
from pbbot.ideas.criteria import rejection_reasons
from pbbot.ideas.review import Accept, Ask, Decision, Hide, Merge, Reject, Restore
from pbbot.ideas.tables import IDEA_STATUSES

__all__ = [
    "SYNTAX",
    "Decide",
    "Help",
    "ListIdeas",
    "Problem",
    "ShowIdea",
    "StaffCommand",
    "command_name",
    "parse_command",
]

# Each command's syntax, as /staffhelp shows it and a wrong use is answered.
SYNTAX: dict[str, str] = {
    "ideas": "/ideas [status] [theme]",
    "idea": "/idea N",
    "accept": "/accept N COST [note]",
    "reject": "/reject N CRITERION [note]",
    "ask": "/ask N question",
    "merge": "/merge N M [note]",
    "hide": "/hide N [note]",
    "restore": "/restore N [note]",
    "staffhelp": "/staffhelp",
}
# "/accept@pb_bot 12 5000": a client may add the bot's name to a command.
_COMMAND = re.compile(r"/(?P<name>[A-Za-z]+)(?:@\w+)?(?=\s|$)")
_NUMBER = re.compile(r"#?(?P<digits>[0-9]{1,9})")

USAGE = N_("Write it like this: {syntax}")
NOT_AN_AMOUNT = N_("“{cost}” is not an amount in whole euros. Write it like 12500 or 12.500.")
UNKNOWN_CRITERION = N_("“{criterion}” is not a criterion of this round. Choose one of: {criteria}")
UNKNOWN_FILTER = N_(
    "“{word}” is neither a status nor a theme. Statuses: {statuses}. Themes: {themes}"
)


@dataclass(frozen=True, slots=True)
class ListIdeas:
    status: str | None = None
    theme: str | None = None


@dataclass(frozen=True, slots=True)
class ShowIdea:
    number: int


@dataclass(frozen=True, slots=True)
class Decide:
    number: int
    decision: Decision


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a command cannot be carried out: a catalog text and its values."""

    text: str
    values: dict[str, str] = field(default_factory=dict)


StaffCommand = ListIdeas | ShowIdea | Decide | Help


def command_name(text: str) -> str | None:
    """The staff command `text` starts with, or None (a resident's text, /start, ...)."""
    found = _COMMAND.match(text.strip())
    name = found["name"].lower() if found else None
    return name if name in SYNTAX else None


def parse_command(text: str, edition: Edition, *, locale: str) -> StaffCommand | Problem:
    """What a staff command asks for; `locale` is how the staff member writes amounts."""
    found = _COMMAND.match(text.strip())
    name = found["name"].lower() if found else None
    if found is None or name not in SYNTAX:
        raise ValueError(f"not a staff command: {text[:40]!r}")  # callers check command_name
    rest = text.strip()[found.end() :].strip()
    usage = Problem(USAGE, {"syntax": SYNTAX[name]})
    match name:
        case "staffhelp":
            return Help()
        case "ideas":
            return _list(rest.split(), edition)
    number, after = _take_number(rest)
    if number is None:
        return usage
    match name:
        case "idea":
            return ShowIdea(number) if after is None else usage
        case "accept":
            cost, note = _take_word(after or "")
            if cost is None:
                return usage
            amount = parse_amount(cost, locale)
            if amount is None or amount != amount.to_integral_value():
                return Problem(NOT_AN_AMOUNT, {"cost": cost})
            return Decide(number, Accept(cost=int(amount), note=note))
        case "reject":
            criterion, note = _take_word(after or "")
            if criterion is None:
                return usage
            reasons = rejection_reasons(edition)
            if criterion.lower() not in reasons:
                return Problem(
                    UNKNOWN_CRITERION, {"criterion": criterion, "criteria": ", ".join(reasons)}
                )
            return Decide(number, Reject(reason=criterion.lower(), note=note))
        case "ask":
            return Decide(number, Ask(question=after)) if after else usage
        case "merge":
            into, note = _take_number(after or "")
            return Decide(number, Merge(into=into, note=note)) if into is not None else usage
        case "hide":
            return Decide(number, Hide(note=after))
    return Decide(number, Restore(note=after))


def _list(words: list[str], edition: Edition) -> ListIdeas | Problem:
    """Status and theme in either order; each at most once."""
    themes = {theme.id.lower(): theme.id for theme in edition.themes}
    status = theme = None
    for word in words:
        folded = word.lower()
        if folded in IDEA_STATUSES and status is None:
            status = folded
        elif folded in themes and theme is None:
            theme = themes[folded]
        else:
            return Problem(
                UNKNOWN_FILTER,
                {"word": word, "statuses": ", ".join(IDEA_STATUSES), "themes": ", ".join(themes)},
            )
    return ListIdeas(status, theme)


def _take_word(text: str) -> tuple[str | None, str | None]:
    """The first word and the rest (None where there is none)."""
    parts = text.split(maxsplit=1)
    if not parts:
        return None, None
    return parts[0], (parts[1].strip() if len(parts) > 1 else None) or None


def _take_number(text: str) -> tuple[int | None, str | None]:
    """An idea number ("12" or "#12") first, and the rest."""
    word, rest = _take_word(text)
    found = _NUMBER.fullmatch(word or "")
    return (int(found["digits"]), rest) if found else (None, rest)
