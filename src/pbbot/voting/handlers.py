"""Store a cast ballot in the step's transaction (`pbbot.conversations.handles`)
and answer with the receipt, in the resident's language.

The ballot goes to the ballot store (`voting.casting`), which knows the voter
only through a keyed hash of their number; nothing here logs who voted, let
alone for what. The receipt names how many projects, not which: it is a
message on the resident's phone, not a proof for anyone else, and a vote can
be changed until voting closes anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.conversations import handles
from pbbot.domain.languages import SOURCE_LOCALE
from pbbot.domain.messages import Outbound
from pbbot.i18n.catalogs import N_, Translator, translator
from pbbot.i18n.formatting import format_number
from pbbot.ideas import notices
from pbbot.voting.casting import BallotChoices, cast_ballot
from pbbot.voting.eligibility import PHONE_ANSWER
from pbbot.voting.events import BallotCast
from pbbot.voting.voters import find_voter

__all__ = ["receipt_text", "store_ballot"]


@handles(BallotCast)
async def store_ballot(
    session: AsyncSession, resident_id: int, event: BallotCast, now: datetime
) -> list[Outbound]:
    recipient = await notices.find_recipient(session, resident_id)
    locale = (recipient.locale if recipient else None) or SOURCE_LOCALE
    t = translator(locale)
    shared = {PHONE_ANSWER: event.voter} if event.voter else {}
    voter = await find_voter(session, resident_id, shared, event.edition)
    if voter is None:  # unreachable: the flow asks Telegram users for their number first
        return [Outbound(text=t.gettext(_NOT_STORED), locale=locale)]
    choices = BallotChoices(method=event.method, projects=event.projects, split=event.split)
    outcome = await cast_ballot(
        session, edition_id=voter.box, voter=voter.number, choices=choices, day=event.day
    )
    if outcome.refused == "voided":
        text = t.gettext(N_("The city team has set your vote aside, so this vote is not counted."))
    else:
        text = receipt_text(event, t, replaced=outcome.replaced)
    return [Outbound(text=text, locale=locale)]


_NOT_STORED = N_("Your vote could not be stored. Please try again.")


def receipt_text(event: BallotCast, t: Translator, *, replaced: bool) -> str:
    count = len(event.projects) or len(event.split)
    if event.split:  # communicating vessels: how many themes get money
        if replaced:
            text = t.ngettext(
                "Your new vote is in and replaces the one before: the budget over {count} theme.",
                "Your new vote is in and replaces the one before: the budget over {count} themes.",
                count,
            )
        else:
            text = t.ngettext(
                "Thank you! Your vote is in: the budget over {count} theme. "
                "You can change it until voting closes.",
                "Thank you! Your vote is in: the budget over {count} themes. "
                "You can change it until voting closes.",
                count,
            )
        return text.format(count=format_number(count, t.babel_locale))
    if replaced:
        text = t.ngettext(
            "Your new vote is in and replaces the one before: {count} choice.",
            "Your new vote is in and replaces the one before: {count} choices.",
            count,
        )
    else:
        text = t.ngettext(
            "Thank you! Your vote is in: {count} choice. You can change it until voting closes.",
            "Thank you! Your vote is in: {count} choices. You can change it until voting closes.",
            count,
        )
    return text.format(count=format_number(count, t.babel_locale))
