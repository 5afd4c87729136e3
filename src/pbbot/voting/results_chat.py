"""The results in the chat (`flows/results.yaml`): what the count found, once
staff published it (`pbbot results publish`), in the resident's language.

Reads the snapshot part "voting.results" (`voting.results_snapshots`). The
text is `pbbot.counting.results.render_results`, the one `pbbot tally
--explain` prints, written from the published count: on SMS within three
segments, on Telegram the full text with the chart (`image: results_chart`).
It tells the resident how the projects from their own ideas fared and, if
they voted, how many of their choices were funded; nobody else sees that.
"""

from __future__ import annotations

from datetime import timedelta

from pbbot.engine.context import StepContext, Turn
from pbbot.engine.images import image_source
from pbbot.engine.recorded import flag
from pbbot.engine.state import ConversationState
from pbbot.engine.subjects import subject
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import Translator
from pbbot.i18n.formatting import format_date
from pbbot.voting.results_view import MyResults, results_text

__all__ = ["RESULTS_PART"]

RESULTS_PART = "voting.results"


def _mine(ctx: StepContext) -> MyResults:
    results: MyResults = ctx.snapshot[RESULTS_PART]
    return results


@subject("results.published")
def _published(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    """ "true" once staff published the results."""
    return flag(_mine(ctx).published is not None)


@variable("results", secret=True)
def _results(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The published results for the turn's channel and this resident; "" before
    they are published (the flow says so instead)."""
    mine = _mine(ctx)
    if mine.published is None:
        return ""
    channel = "sms" if turn.channel == "sms" else "telegram"
    return results_text(
        mine.published,
        ctx.edition,
        t,
        channel,
        chosen=mine.chosen,
        own=mine.own,
        split=mine.split,
    )


@variable("results_date")
def _results_date(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The day of the count: when the results phase starts (else the day after voting)."""
    results = ctx.edition.phase("results")
    voting = ctx.edition.phase("voting")
    if results is not None:
        day = results.start
    elif voting is not None:
        day = voting.end + timedelta(days=1)
    else:
        day = ctx.today
    return format_date(day, t.babel_locale)


@image_source("results_chart")
def _results_chart(ctx: StepContext, turn: Turn) -> bytes | None:
    """The published chart in the resident's language; None before publication."""
    return _mine(ctx).chart
