"""How ideas read on a resident's screen, shared by browsing, discussing and
"My ideas": a line of a list, a status in words, a theme's name, and texts
cut to fit an SMS."""

from __future__ import annotations

from pbbot.engine.context import StepContext, Turn
from pbbot.engine.keywords import CARRIER_CHANNELS
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_number
from pbbot.ideas.criteria import criterion_sentence
from pbbot.ideas.views import IdeaView

__all__ = ["idea_line", "on_sms", "rejection_reason", "shortened", "status_words", "theme_name"]

# Characters of a title on a line of a list: on SMS three ideas and Next and
# Back fit in three UCS-2 segments; a Telegram button shows about this much.
_TITLE_ON_SMS = 22
_TITLE_ON_BUTTON = 48
_STATUS_ON_SMS = 16  # characters of a title that a status follows ("My ideas")

_STATUS_WORDS = {
    "submitted": N_("submitted, the city team will look at it"),
    "question": N_("the city team has a question"),
    "accepted": N_("accepted as a project for the vote"),
    "rejected": N_("not accepted"),
}
_SHORT_STATUS = {
    "submitted": N_("submitted"),
    "question": N_("question for you"),
    "accepted": N_("accepted as a project"),
    "rejected": N_("not accepted"),
}


def shortened(text: str, most: int) -> str:
    """`text` cut to `most` characters, with "…" where it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def theme_name(ctx: StepContext, theme_id: str | None, locale: str) -> str | None:
    theme = next((theme for theme in ctx.edition.themes if theme.id == theme_id), None)
    if theme is None:
        return None
    return theme.name.get(locale) or theme.name.get(ctx.edition.default_language) or theme.id


def status_words(
    view: IdeaView, t: Translator, *, short: bool = False, reason: str | None = None
) -> str:
    """The idea's status as a resident reads it; a rejection with its reason
    where the caller knows it (its author does)."""
    if view.status == "merged":
        return t.gettext(N_("joined into idea #{into}")).format(into=view.merged_into or "?")
    words = t.gettext((_SHORT_STATUS if short else _STATUS_WORDS)[view.status])
    if view.status == "rejected" and reason:
        return t.gettext(N_("{status}: {reason}")).format(status=words, reason=reason)
    return words


def rejection_reason(ctx: StepContext, criterion: str | None, t: Translator) -> str | None:
    return criterion_sentence(criterion, ctx.edition, t) if criterion else None


def on_sms(turn: Turn) -> bool:
    return turn.channel in CARRIER_CHANNELS


def idea_line(view: IdeaView, turn: Turn, t: Translator, *, status: str | None = None) -> str:
    """One idea on a list: "#27 Bankjes op de Grote Markt (12)", or with a
    status instead of the supporters."""
    most = _STATUS_ON_SMS if status is not None else _TITLE_ON_SMS
    title = shortened(view.title, most if on_sms(turn) else _TITLE_ON_BUTTON)
    tail = status if status is not None else format_number(view.supporters, t.babel_locale)
    return f"#{view.number} {title} ({tail})"
