"""The reasons staff may give for rejecting an idea, each named in words from the catalog.

The edition's own criteria (`criteria:` in the edition file) can be given
only where the edition has them; the general reasons always can.
"""

from __future__ import annotations

from decimal import Decimal

from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money

__all__ = ["GENERAL_REASONS", "criterion_sentence", "rejection_reasons"]

# Reason -> the sentence the author reads after "Your idea cannot go to the vote."
_EDITION_CRITERIA: dict[str, str] = {
    "max_cost": N_("It would cost more than the maximum of {amount} per idea."),
    "min_cost": N_("It would cost less than the minimum of {amount} per idea."),
    "public": N_("It would not be open to everyone."),
    "in_city": N_("It is not in the city, on public ground."),
    "one_off": N_("It is not a one-off cost: it would keep costing money every year."),
    "extra": N_("It does not meet the further rules of this round."),
}
GENERAL_REASONS: dict[str, str] = {
    "theme": N_("It does not fit any of the themes of this round."),
    "duplicate": N_("The same idea was sent in before."),
    "too_short": N_("The description is too short to understand the idea."),
    "missing": N_("Important information about the idea is missing."),
}


def rejection_reasons(edition: Edition) -> tuple[str, ...]:
    """The reasons valid in this edition, in the order staff see them."""
    criteria = edition.criteria
    present = {
        "max_cost": criteria.max_cost is not None,
        "min_cost": criteria.min_cost is not None,
        "public": criteria.public,
        "in_city": criteria.in_city,
        "one_off": criteria.one_off,
        "extra": bool(criteria.extra),
    }
    return (*(name for name, there in present.items() if there), *GENERAL_REASONS)


def criterion_sentence(reason: str, edition: Edition, t: Translator) -> str:
    """The reason in the author's language (`reason` is one of `rejection_reasons`)."""
    if reason in GENERAL_REASONS:
        return t.gettext(GENERAL_REASONS[reason])
    limit = {"max_cost": edition.criteria.max_cost, "min_cost": edition.criteria.min_cost}
    amount = limit.get(reason)
    sentence = t.gettext(_EDITION_CRITERIA[reason])
    if amount is None:
        return sentence
    return sentence.format(amount=format_money(Decimal(amount), edition.currency, t.babel_locale))
