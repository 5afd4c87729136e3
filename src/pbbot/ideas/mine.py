"""'My ideas' (`flows/my_ideas.yaml`): the resident's own ideas with their
status in words and the ideas they support, and the answer to staff's
question about one of their ideas (`flows/idea_take_part.yaml`).

Reads the snapshot part "ideas.mine", which reads no answer; the answer
reads "ideas.one" for the idea being looked at, whose page tells its author
why it was not accepted, or what the city team asks.
"""

from __future__ import annotations

from pbbot.engine.actions import ActionCall, ActionResult, register
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.options import SourceOption, option_source
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_number
from pbbot.ideas.events import AuthorAnswered
from pbbot.ideas.views import MyIdeas, OneIdea
from pbbot.ideas.wording import idea_line, status_words

__all__ = ["answer_question"]


@option_source("my_ideas")
def _my_ideas(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    """Their own ideas with a short status, then those they support (not their own)."""
    mine: MyIdeas = ctx.snapshot["ideas.mine"]
    t = ctx.translators(turn.locale)
    own = [
        SourceOption(
            f"i{v.number}", idea_line(v, turn, t, status=status_words(v, t, short=True)), v.number
        )
        for v in mine.own
    ]
    theirs = {v.id for v in mine.own}
    supported = [
        SourceOption(f"i{v.number}", idea_line(v, turn, t), v.number)
        for v in mine.supported
        if v.id not in theirs
    ]
    return own + supported


@variable("my_ideas", per_resident=True)
def _my_ideas_text(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """How many ideas they sent and support; a rejected idea's reason is on its
    page, since a list has no room for it."""
    mine: MyIdeas = ctx.snapshot["ideas.mine"]
    if not mine.own and not mine.supported:
        return t.gettext(N_("You have not sent or supported any ideas yet."))
    counts = {"sent": len(mine.own), "supported": len(mine.supported)}
    return t.gettext(N_("Ideas you sent: {sent}. Ideas you support: {supported}.")).format(
        **{name: format_number(value, t.babel_locale) for name, value in counts.items()}
    )


@register("answer_question", exits=("ok", "none"), answers=("idea_answer",))
def answer_question(call: ActionCall) -> ActionResult:
    """The author's answer to staff's open question; the idea goes back to staff."""
    one: OneIdea = call.context.snapshot["ideas.one"]
    text = str(call.turn.answers.get("idea_answer") or "")
    forget = {"idea_answer": None}
    if one.idea is None or not one.own or one.idea.status != "question":
        return ActionResult(exit="none", answers=forget)
    return ActionResult(answers=forget, events=(AuthorAnswered(one.idea.id, text),))
