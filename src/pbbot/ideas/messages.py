"""What an idea's author reads: the receipt with the idea's number, and each staff decision.

Staff's own words (a note, a question) are sent as written, in whatever
language staff wrote them, after a translated line that says whose they are.
"""

from __future__ import annotations

from decimal import Decimal

from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money
from pbbot.ideas.criteria import criterion_sentence

__all__ = [
    "accepted_text",
    "asked_text",
    "hidden_text",
    "merged_text",
    "receipt_text",
    "rejected_text",
    "restored_text",
]

RECEIPT = N_(
    "Thank you! Your idea has number #{number}. The city team reads every idea "
    "and will let you know what happens to it."
)
ACCEPTED = N_(
    "Good news: your idea #{number} ({title}) goes to the vote as a project. "
    "The city team estimates its cost at {cost}."
)
REJECTED = N_("Your idea #{number} ({title}) cannot go to the vote.")
ASKED = N_("The city team has a question about your idea #{number} ({title}):")
ANSWER_HINT = N_("You can answer it under My ideas in the menu.")
MERGED = N_(
    "Your idea #{number} ({title}) is much like idea #{into}, so the city team "
    "has joined them into #{into}."
)
HIDDEN = N_(
    "The city team has hidden your idea #{number} ({title}) for now: "
    "it does not show in the list of ideas."
)
RESTORED = N_("Your idea #{number} ({title}) shows in the list of ideas again.")
NOTE_INTRO = N_("A note from the city team, in their own words:")


def _with_note(text: str, note: str | None, t: Translator) -> str:
    return f"{text}\n{t.gettext(NOTE_INTRO)}\n{note}" if note else text


def receipt_text(number: int, t: Translator) -> str:
    return t.gettext(RECEIPT).format(number=number)


def accepted_text(
    number: int, title: str, cost: int, edition: Edition, t: Translator, note: str | None
) -> str:
    money = format_money(Decimal(cost), edition.currency, t.babel_locale)
    return _with_note(t.gettext(ACCEPTED).format(number=number, title=title, cost=money), note, t)


def rejected_text(
    number: int, title: str, reason: str, edition: Edition, t: Translator, note: str | None
) -> str:
    text = t.gettext(REJECTED).format(number=number, title=title)
    return _with_note(f"{text} {criterion_sentence(reason, edition, t)}", note, t)


def asked_text(number: int, title: str, question: str, t: Translator) -> str:
    intro = t.gettext(ASKED).format(number=number, title=title)
    return f"{intro}\n{question}\n{t.gettext(ANSWER_HINT)}"


def merged_text(
    number: int, title: str, into: int, supporters: int, t: Translator, note: str | None
) -> str:
    text = t.gettext(MERGED).format(number=number, title=title, into=into)
    if supporters:
        carried = t.ngettext(
            "Its supporter now supports idea #{into}.",
            "Its {count} supporters now support idea #{into}.",
            supporters,
        )
        text += " " + carried.format(count=supporters, into=into)
    return _with_note(text, note, t)


def hidden_text(number: int, title: str, t: Translator, note: str | None) -> str:
    return _with_note(t.gettext(HIDDEN).format(number=number, title=title), note, t)


def restored_text(number: int, title: str, t: Translator, note: str | None) -> str:
    return _with_note(t.gettext(RESTORED).format(number=number, title=title), note, t)
