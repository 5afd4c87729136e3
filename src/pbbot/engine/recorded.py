"""How a recorded answer reads: in a text (`{answers.NAME}`) and in a branch
(`on: answer.NAME`).

Both read yes/no the way the engine's own flags do ("true", "false"), so a
branch case written for a flag also fits an answer. A text shows numbers as
the resident's locale writes them, and the kinds that are not words (a photo,
a voice message, a location) by a short phrase.
"""

from __future__ import annotations

from typing import Any

from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_number

__all__ = ["answer_in_branch", "answer_in_text", "flag"]

_KIND_PHRASES = {
    "photo": N_("(a photo)"),
    "voice": N_("(a voice message)"),
    "location": N_("(a location)"),
}


def flag(value: bool) -> str:
    return "true" if value else "false"


def answer_in_branch(value: Any) -> str:
    """The value a branch case matches: "" for no answer."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return flag(value)
    return str(value)


def answer_in_text(value: Any, t: Translator) -> str:
    """The answer as a text shows it to the resident, in their language."""
    if isinstance(value, bool) or value is None:
        return answer_in_branch(value)
    if isinstance(value, int | float):
        return format_number(value, t.babel_locale)
    if isinstance(value, dict) and value.get("kind") in _KIND_PHRASES:
        return t.gettext(_KIND_PHRASES[value["kind"]])
    return str(value)
