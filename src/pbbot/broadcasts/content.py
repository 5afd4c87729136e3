"""What a broadcast says: a catalog message, or staff's own text per language.

Catalog messages (`--message NAME`, one per name in `MESSAGE_NAMES`) say what
a phase means for residents and what to do next, with the edition's dates and
budget as each language writes them, and the MENU keyword in the resident's
language. They are written to fit one SMS segment in Dutch, French and
English and two in Turkish and Arabic (UCS-2), for a typical edition: a
broadcast to 100,000 residents pays every extra segment 100,000 times.

Staff texts (`--text-file LANG=FILE`) are taken as written, stripped. A
language without one gets the edition's default language's text, which must
therefore be given; `fallback_languages` names those languages, so staff are
warned before sending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from pbbot.domain.broadcasting import MESSAGE_NAMES, REMINDER_MESSAGES
from pbbot.domain.edition import Edition, Phase
from pbbot.engine.keywords import DEFAULT_CARRIER_WORDS, shown_word
from pbbot.errors import ConfigurationError
from pbbot.i18n.catalogs import N_, Translator, translator
from pbbot.i18n.formatting import format_date, format_money

__all__ = [
    "MAX_TEXT_CHARACTERS",
    "MESSAGE_PHASES",
    "Content",
    "ContentError",
    "catalog_content",
    "fallback_languages",
    "read_text_files",
    "render",
    "staff_content",
]

# Twilio refuses a longer SMS body (and Telegram one over 4,096 characters).
MAX_TEXT_CHARACTERS = 1600


class ContentError(ConfigurationError):
    """A broadcast's content cannot be sent: unknown message, missing text, ..."""


# The phase whose last day a message names ("until 9 May"); None: no date.
MESSAGE_PHASES: Mapping[str, str | None] = MappingProxyType(
    {
        "information": None,
        "ideation": "ideation",
        "review": "review",
        "voting": "voting",
        "results": None,
        "implementation": None,
        "voting_reminder": "voting",
        "basket_reminder": "voting",
    }
)

_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "information": N_(
            "The city spends {budget} on residents' ideas, and you can take part. "
            "Send {menu} to find out how."
        ),
        "ideation": N_(
            "The city has {budget} for residents' ideas: send yours until {date}. "
            "Send {menu} to begin."
        ),
        "review": N_(
            "Thank you for all the ideas! The city checks them until {date}, "
            "then the vote begins. Send {menu} for more."
        ),
        "voting": N_(
            "Voting is open until {date}: choose projects for {budget}. Send {menu} to vote."
        ),
        "results": N_(
            "Voting has closed: thank you for taking part! Send {menu} to see the results."
        ),
        "implementation": N_(
            "The city is now carrying out the winning projects. Send {menu} to follow them."
        ),
        "voting_reminder": N_(
            "You have not voted yet. Voting closes on {date}: send {menu} to vote."
        ),
        "basket_reminder": N_(
            "Your vote is not cast yet, so it does not count. "
            "Voting closes on {date}: send {menu} to cast it."
        ),
    }
)
# A reminder sent on the last day, or the day before, says so: a date alone
# makes the reader work out how soon that is.
_SOON: Mapping[tuple[str, int], str] = MappingProxyType(
    {
        ("voting_reminder", 0): N_(
            "You have not voted yet. Voting closes today: send {menu} to vote."
        ),
        ("voting_reminder", 1): N_(
            "You have not voted yet. Voting closes tomorrow: send {menu} to vote."
        ),
        ("basket_reminder", 0): N_(
            "Your vote is not cast yet, so it does not count. "
            "Voting closes today: send {menu} to cast it."
        ),
        ("basket_reminder", 1): N_(
            "Your vote is not cast yet, so it does not count. "
            "Voting closes tomorrow: send {menu} to cast it."
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Content:
    """A catalog message's name, or staff's texts by language (never both).

    Build it with `catalog_content`, `staff_content` or `read_text_files`,
    which check it against the edition; a broadcast stores the two fields.
    """

    message: str | None = None
    texts: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """ "message voting", or "staff text in nl, fr"."""
        if self.message is not None:
            return f"message {self.message}"
        return "staff text in " + ", ".join(self.texts)


def _phase(name: str, edition: Edition) -> Phase | None:
    kind = MESSAGE_PHASES[name]
    if kind is None:
        return None
    phase = edition.phase(kind)
    if phase is None:
        raise ContentError(
            f"the message {name} names the end of the {kind} phase, "
            f"and this edition has no {kind} phase",
            source=edition.source or None,
        )
    return phase


def catalog_content(name: str, edition: Edition) -> Content:
    """The catalog message `name`, checked: known, and its phase in the edition."""
    if name not in MESSAGE_PHASES:
        raise ContentError(f"--message {name} is not one of {', '.join(MESSAGE_NAMES)}")
    _phase(name, edition)
    return Content(message=name)


def staff_content(texts: Mapping[str, str], edition: Edition) -> Content:
    """Staff's texts by language, stripped and checked: each in a language of
    the edition, not empty, not too long for an SMS, the default one given."""
    checked = {}
    for language, text in texts.items():
        if language not in edition.languages:
            raise ContentError(
                f"{language} is not a language of this edition ({', '.join(edition.languages)})"
            )
        stripped = text.strip()
        if not stripped:
            raise ContentError(f"the {language} text is empty")
        if len(stripped) > MAX_TEXT_CHARACTERS:
            raise ContentError(
                f"the {language} text has {len(stripped):,} characters; "
                f"an SMS takes at most {MAX_TEXT_CHARACTERS:,}"
            )
        checked[language] = stripped
    default = edition.default_language
    if default not in checked:
        raise ContentError(
            f"no {default} text: residents of the languages without a text get the text "
            f"of {default}, the edition's default language, so it must be given"
        )
    # In the edition's order, so that every listing of them reads the same.
    ordered = {language: checked[language] for language in edition.languages if language in checked}
    return Content(texts=MappingProxyType(ordered))


def read_text_files(specs: Sequence[str], edition: Edition) -> Content:
    """`--text-file LANG=FILE ...`: each language's text from a UTF-8 file."""
    texts: dict[str, str] = {}
    for spec in specs:
        language, sign, name = spec.partition("=")
        language = language.strip()
        if not sign or not language or not name:
            raise ContentError(f"--text-file {spec}: expected LANG=FILE, e.g. nl=voting-nl.txt")
        if language in texts:
            raise ContentError(f"--text-file: two files for {language}")
        try:
            texts[language] = Path(name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ContentError("the file is not UTF-8 text", source=name) from None
        except OSError as error:
            raise ContentError(error.strerror or str(error), source=name) from None
    return staff_content(texts, edition)


def _today(edition: Edition, now: datetime) -> date:
    return now.astimezone(ZoneInfo(edition.timezone)).date()


def _catalog_text(name: str, edition: Edition, t: Translator, now: datetime) -> str:
    phase = _phase(name, edition)
    text = _TEXTS[name]
    if phase is not None and name in REMINDER_MESSAGES:
        text = _SOON.get((name, (phase.end - _today(edition, now)).days), text)
    values = {
        "budget": format_money(edition.budget, edition.currency, t.babel_locale),
        # MENU is no carrier word: one word for SMS and Telegram alike.
        "menu": shown_word("menu", "sms", t, DEFAULT_CARRIER_WORDS),
        "date": format_date(phase.end, t.babel_locale) if phase is not None else "",
    }
    return t.gettext(text).format(**values)


def render(content: Content, edition: Edition, locale: str, *, now: datetime) -> str:
    """The text a resident of `locale` gets (an edition language; else the default's).

    `now` decides whether a reminder says "closes today", "tomorrow" or names the date.
    """
    if locale not in edition.languages:
        locale = edition.default_language
    if content.message is not None:
        return _catalog_text(content.message, edition, translator(locale), now)
    text = content.texts.get(locale) or content.texts.get(edition.default_language)
    if text is None:
        raise ContentError(f"no {edition.default_language} text to fall back on")
    return text


def fallback_languages(content: Content, edition: Edition, locales: Iterable[str]) -> list[str]:
    """Those of `locales` that get the default language's text for want of their
    own, in the edition's order (none for a catalog message)."""
    if content.message is not None:
        return []
    wanted = set(locales)
    return [
        language
        for language in edition.languages
        if language in wanted and language not in content.texts
    ]
