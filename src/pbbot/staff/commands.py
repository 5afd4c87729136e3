"""Staff commands as typed in the staff chat, read into what they ask for.

Pure: a text and the edition in, a command or a `Problem` out. A problem is
a catalog text with its values, so that the answer is in the staff member's
language (`pbbot.staff.answers` renders it), and nothing is carried out.

    /ideas [status] [theme]      /idea N
    /accept N COST [note]        /reject N CRITERION [note]
    /ask N question              /merge N M [note]
    /hide N [note]               /restore N [note]
    /broadcast MESSAGE [segment ...]   /send N
    /broadcast text [segment ...]      (then a line per language: "nl: ...")
    /broadcasts                  /broadcast_status ID
    /pause ID    /resume ID    /cancel ID
    /staffhelp
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pbbot.domain.amounts import parse_amount
from pbbot.domain.broadcasting import MESSAGE_NAMES
from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import N_
from pbbot.ideas.criteria import rejection_reasons
from pbbot.ideas.review import Accept, Ask, Decision, Hide, Merge, Reject, Restore
from pbbot.ideas.tables import IDEA_STATUSES

__all__ = [
    "SYNTAX",
    "BroadcastStatus",
    "ControlBroadcast",
    "Decide",
    "Help",
    "ListBroadcasts",
    "ListIdeas",
    "PreviewBroadcast",
    "Problem",
    "SendPreview",
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
    "broadcast": "/broadcast MESSAGE|text [segment ...]",
    "send": "/send N",
    "broadcasts": "/broadcasts",
    "broadcast_status": "/broadcast_status ID",
    "pause": "/pause ID",
    "resume": "/resume ID",
    "cancel": "/cancel ID",
    "staffhelp": "/staffhelp",
}
_IDEA_COMMANDS = ("idea", "accept", "reject", "ask", "merge", "hide", "restore")
# "/accept@pb_bot 12 5000": a client may add the bot's name to a command.
_COMMAND = re.compile(r"/(?P<name>[A-Za-z_]+)(?:@\w+)?(?=\s|$)")
_NUMBER = re.compile(r"#?(?P<digits>[0-9]{1,9})")
# "/send 12.345": the count as the preview shows it, grouped the staff member's way.
_GROUPED_COUNT = re.compile(r"[0-9]{1,3}(?:[.,\u00a0\u202f ]?[0-9]{3})*")

USAGE = N_("Write it like this: {syntax}")
NOT_AN_AMOUNT = N_("“{cost}” is not an amount in whole euros. Write it like 12500 or 12.500.")
UNKNOWN_CRITERION = N_("“{criterion}” is not a criterion of this round. Choose one of: {criteria}")
UNKNOWN_FILTER = N_(
    "“{word}” is neither a status nor a theme. Statuses: {statuses}. Themes: {themes}"
)
UNKNOWN_MESSAGE = N_("“{message}” is not a broadcast message. Choose one of: {messages}")
TEXT_LINES = N_(
    "After /broadcast text, write each language's text on its own line, starting with "
    "the language, like this:\n{example}"
)
TWO_TEXTS = N_("There are two {language} texts. Give each language one.")
# The staff text's own word, and an example of its lines (language codes as staff type them).
OWN_TEXT_WORD = "text"
TEXT_EXAMPLE = "nl: De stemming is open.\nfr: Le vote est ouvert."
_TEXT_LINE = re.compile(r"(?P<language>[A-Za-z]{2,3})\s*:\s*(?P<text>.*)", re.DOTALL)


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
class PreviewBroadcast:
    """Show what a broadcast would send, to whom, at what cost; it is not sent yet.

    `message`: a catalog message's name, or None for staff's own `texts`
    (language, text), checked against the edition by
    `pbbot.broadcasts.content.staff_content`. `specs`: the audience as typed
    ("language=nl,fr", "state=not_voted"), read by
    `pbbot.broadcasts.audience.parse_segment`; none: every subscriber."""

    message: str | None
    specs: tuple[str, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SendPreview:
    """The typed confirm of the open preview: `count` must be the residents it shows."""

    count: int


@dataclass(frozen=True, slots=True)
class ListBroadcasts:
    pass


@dataclass(frozen=True, slots=True)
class BroadcastStatus:
    broadcast_id: int


@dataclass(frozen=True, slots=True)
class ControlBroadcast:
    action: Literal["pause", "resume", "cancel"]
    broadcast_id: int


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a command cannot be carried out: a catalog text and its values."""

    text: str
    values: dict[str, str] = field(default_factory=dict)


StaffCommand = (
    ListIdeas
    | ShowIdea
    | Decide
    | PreviewBroadcast
    | SendPreview
    | ListBroadcasts
    | BroadcastStatus
    | ControlBroadcast
    | Help
)


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
        case "broadcasts":
            return ListBroadcasts() if not rest else usage
    if name not in _IDEA_COMMANDS:
        return _broadcast_command(name, rest, usage)
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


def _broadcast_command(name: str, rest: str, usage: Problem) -> StaffCommand | Problem:
    if name == "broadcast":
        return _preview(rest, usage)
    if name == "send":
        if not _GROUPED_COUNT.fullmatch(rest):
            return usage
        return SendPreview(int("".join(char for char in rest if char.isdigit())))
    number, after = _take_number(rest)
    if number is None or after is not None:
        return usage
    match name:
        case "broadcast_status":
            return BroadcastStatus(number)
        case "pause" | "resume" | "cancel":
            return ControlBroadcast(name, number)
    raise AssertionError(f"unhandled staff command /{name}")


def _preview(rest: str, usage: Problem) -> PreviewBroadcast | Problem:
    """`/broadcast MESSAGE [spec ...]`, or `/broadcast text [spec ...]` and its texts below."""
    first, _, below = rest.partition("\n")
    words = first.split()
    if not words:
        return usage
    message = words[0].lower()
    if message == OWN_TEXT_WORD:
        texts = _texts(below)
        if isinstance(texts, Problem):
            return texts
        return PreviewBroadcast(None, tuple(words[1:]), texts)
    if message not in MESSAGE_NAMES:
        return Problem(UNKNOWN_MESSAGE, {"message": words[0], "messages": ", ".join(MESSAGE_NAMES)})
    if below.strip():  # a catalog message says it all: text below is a mistake
        return usage
    return PreviewBroadcast(message, tuple(words[1:]))


def _texts(below: str) -> tuple[tuple[str, str], ...] | Problem:
    """ "nl: ..." lines; a line without a language goes on with the text above it."""
    texts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in below.splitlines():
        found = _TEXT_LINE.fullmatch(line.strip())
        if found is not None:
            language = found["language"].lower()
            if language in texts:
                return Problem(TWO_TEXTS, {"language": language})
            current = texts[language] = [found["text"]]
        elif current is not None:
            current.append(line)
        elif line.strip():
            return Problem(TEXT_LINES, {"example": TEXT_EXAMPLE})
    if not texts:
        return Problem(TEXT_LINES, {"example": TEXT_EXAMPLE})
    return tuple((language, "\n".join(lines).strip()) for language, lines in texts.items())


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
