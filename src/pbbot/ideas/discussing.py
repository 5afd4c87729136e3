"""Supporting, commenting and reporting (`flows/idea_take_part.yaml`, which needs
consent), and reading an idea's comments (`flows/idea_browse.yaml`).

Each action reads the idea from the snapshot part "ideas.one" as it is now:
one that was hidden since the resident opened it gets a clear answer
instead of a support or a comment. Supporting and commenting stay open until
voting starts, so the last ideas of the ideation phase can still gather
support while staff review them; reading and reporting never close.
"""

from __future__ import annotations

from pbbot.engine.actions import ActionCall, ActionResult, register
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.options import SourceOption, option_source
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_date, format_number
from pbbot.ideas.events import CommentAdded, IdeaSupported, ItemReported, SupportWithdrawn
from pbbot.ideas.views import CommentView, OneIdea
from pbbot.ideas.wording import on_sms, shortened

__all__ = ["COMMENT_MAX", "discussion_open"]

COMMENT_MAX = 300  # characters: a comment is short, and an SMS reader pays for it
_COMMENT_ON_SMS = 40  # characters of a comment in the SMS list; choosing it shows it all
_COMMENT_ON_BUTTON = 60
_COMMENT_ANSWERS = ("idea_comment", "comment_id")


def discussion_open(ctx: StepContext) -> bool:
    """Supporting and commenting: open until voting starts (by the timeline, so
    that voting opened early by hand closes it too)."""
    return ctx.edition.phase("voting") is None or ctx.before("voting")


def _one(call: ActionCall) -> OneIdea:
    one: OneIdea = call.context.snapshot["ideas.one"]
    return one


def _open_idea(call: ActionCall) -> tuple[OneIdea, str | None]:
    """The idea, and the exit to take instead of acting on it, if any."""
    one = _one(call)
    if one.idea is None or one.idea.status == "merged":
        return one, "gone"
    if not discussion_open(call.context):
        return one, "closed"
    return one, None


@register("support_idea", exits=("ok", "already", "closed", "gone"))
def support_idea(call: ActionCall) -> ActionResult:
    one, instead = _open_idea(call)
    if instead is not None or one.idea is None:
        return ActionResult(exit=instead or "gone")
    if one.supported:
        return ActionResult(exit="already")
    return ActionResult(events=(IdeaSupported(one.idea.id),))


@register("withdraw_support", exits=("ok", "closed", "gone"))
def withdraw_support(call: ActionCall) -> ActionResult:
    one, instead = _open_idea(call)
    if instead is not None or one.idea is None:
        return ActionResult(exit=instead or "gone")
    events = (SupportWithdrawn(one.idea.id),) if one.supported else ()
    return ActionResult(events=events)


@register("add_comment", exits=("ok", "closed", "gone"), answers=_COMMENT_ANSWERS)
def add_comment(call: ActionCall) -> ActionResult:
    """The comment the ask step took (cleaned and at most `COMMENT_MAX` long); the
    state keeps no copy of it."""
    one, instead = _open_idea(call)
    text = str(call.turn.answers.get("idea_comment") or "")
    forget = dict.fromkeys(_COMMENT_ANSWERS)
    if instead is not None or one.idea is None:
        return ActionResult(exit=instead or "gone", answers=forget)
    return ActionResult(answers=forget, events=(CommentAdded(one.idea.id, text),))


@register("report_idea", exits=("ok", "gone"))
def report_idea(call: ActionCall) -> ActionResult:
    view = _one(call).idea
    if view is None:
        return ActionResult(exit="gone")
    hide_after = call.context.edition.ideas.reports_to_hide
    return ActionResult(events=(ItemReported("idea", view.id, hide_after),))


@register("report_comment", exits=("ok", "gone"), answers=("comment_id",))
def report_comment(call: ActionCall) -> ActionResult:
    comment = _chosen_comment(call.context, call.turn)
    if comment is None:
        return ActionResult(exit="gone", answers={"comment_id": None})
    hide_after = call.context.edition.ideas.reports_to_hide
    return ActionResult(
        answers={"comment_id": None}, events=(ItemReported("comment", comment.id, hide_after),)
    )


def _chosen_comment(ctx: StepContext, turn: Turn) -> CommentView | None:
    one: OneIdea = ctx.snapshot["ideas.one"]
    chosen = turn.answers.get("comment_id")
    return next((c for c in one.comments if c.id == chosen), None)


@option_source("idea_comments")
def _idea_comments(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    """The visible comments, newest first, each cut to a line."""
    one: OneIdea = ctx.snapshot["ideas.one"]
    most = _COMMENT_ON_SMS if on_sms(turn) else _COMMENT_ON_BUTTON
    return [SourceOption(f"c{c.id}", shortened(c.text, most), c.id) for c in one.comments[::-1]]


@variable("idea_comments", per_resident=True)
def _idea_comments_title(ctx: StepContext, turn: Turn, t: Translator) -> str:
    one: OneIdea = ctx.snapshot["ideas.one"]
    number = one.idea.number if one.idea else turn.answers.get("idea_number")
    if not one.comments:
        return t.gettext(N_("No comments on idea #{number} yet.")).format(number=number)
    text = t.ngettext(
        "{count} comment on idea #{number}, newest first:",
        "{count} comments on idea #{number}, newest first:",
        len(one.comments),
    )
    return text.format(count=format_number(len(one.comments), t.babel_locale), number=number)


@variable("comment_text", per_resident=True)
def _comment_text(ctx: StepContext, turn: Turn, t: Translator) -> str:
    comment = _chosen_comment(ctx, turn)
    return comment.text if comment else t.gettext(N_("This comment is no longer shown."))


@variable("comment_max")
def _comment_max(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_number(COMMENT_MAX, t.babel_locale)


@variable("voting_start")
def _voting_start(ctx: StepContext, turn: Turn, t: Translator) -> str:
    voting = ctx.edition.phase("voting")
    return format_date(voting.start, t.babel_locale) if voting else ""
