"""Sending an idea: the actions and variables the idea flow (`flows/idea.yaml`) names.

The flow asks one thing at a time and records each answer under an `idea_*`
name; these actions check what a machine can check against the edition's
rules and turn the answers into an `IdeaSubmitted` event. The number the
idea gets comes with its receipt, which the event's handler sends (the step
cannot know it: `pbbot.ideas.handlers`).
"""

from __future__ import annotations

from typing import Any

from pbbot.engine.actions import ActionCall, ActionResult, register
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money, format_number, format_period
from pbbot.ideas.events import IdeaSubmitted
from pbbot.ideas.views import MyIdeas
from pbbot.ideas.wording import theme_name

__all__ = ["IDEA_ANSWERS", "check_cost", "check_daily_limit", "submit_idea"]

# What the flow records while the resident writes their idea; all of it goes
# once the idea is sent (or dropped), so the state keeps no copy.
IDEA_ANSWERS = (
    "idea_editing",
    "idea_title",
    "idea_description",
    "idea_theme",
    "idea_cost",
    "idea_place",
    "idea_photo",
)


@register("check_idea_limit", exits=("ok", "full"))
def check_daily_limit(call: ActionCall) -> ActionResult:
    """Whether the resident may send another idea today (the edition's daily
    limit, in its time zone): one sender cannot flood the review queue."""
    ctx = call.context
    mine: MyIdeas = ctx.snapshot["ideas.mine"]
    sent = mine.sent_on(ctx.today, ctx.edition.timezone)
    return ActionResult(exit="full" if sent >= ctx.edition.ideas.daily_limit else "ok")


@register("check_idea_cost", exits=("ok", "too_costly"))
def check_cost(call: ActionCall) -> ActionResult:
    """An estimated cost above the edition's maximum cannot go to the vote: say so
    now, while the resident can still change it, rather than in a rejection."""
    cost = call.turn.answers.get("idea_cost")
    # Without a maximum of its own, no idea can cost more than the whole budget.
    edition = call.context.edition
    most = edition.criteria.max_cost if edition.criteria.max_cost is not None else edition.budget
    too_costly = isinstance(cost, int) and cost > most
    return ActionResult(exit="too_costly" if too_costly else "ok")


@register("submit_idea", answers=IDEA_ANSWERS)
def submit_idea(call: ActionCall) -> ActionResult:
    answers = call.turn.answers
    description = answers.get("idea_description")
    place = answers.get("idea_place")
    photo = answers.get("idea_photo")
    event = IdeaSubmitted(
        edition=call.context.edition.id,
        title=str(answers.get("idea_title") or ""),
        description=description if isinstance(description, str) else None,
        theme=_text(answers.get("idea_theme")),
        estimated_cost=_whole(answers.get("idea_cost")),
        place=place if isinstance(place, str) else None,
        latitude=_coordinate(place, "latitude"),
        longitude=_coordinate(place, "longitude"),
        voice_file_id=_file_id(description, "voice"),
        photo_file_id=_file_id(photo, "photo"),
    )
    return ActionResult(answers=dict.fromkeys(IDEA_ANSWERS), events=(event,))


@register("edit_idea", answers=("idea_editing",))
def edit_idea(call: ActionCall) -> ActionResult:
    """The resident changes one answer from the summary: its question leads back there."""
    return ActionResult(answers={"idea_editing": True})


@register("drop_idea", answers=IDEA_ANSWERS)
def drop_idea(call: ActionCall) -> ActionResult:
    """The resident cancelled: nothing of the idea stays in their state."""
    return ActionResult(answers=dict.fromkeys(IDEA_ANSWERS))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _coordinate(answer: Any, name: str) -> float | None:
    if isinstance(answer, dict) and answer.get("kind") == "location":
        value = answer.get(name)
        return float(value) if isinstance(value, int | float) else None
    return None


def _file_id(answer: Any, kind: str) -> str | None:
    if isinstance(answer, dict) and answer.get("kind") == kind:
        file_id = answer.get("file_id")
        return file_id if isinstance(file_id, str) else None
    return None


@variable("idea_theme", per_resident=True)
def _idea_theme(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The chosen theme's name in the resident's language."""
    chosen = turn.answers.get("idea_theme")
    return theme_name(ctx, chosen if isinstance(chosen, str) else None, turn.locale) or ""


@variable("idea_cost", per_resident=True)
def _idea_cost(ctx: StepContext, turn: Turn, t: Translator) -> str:
    cost = _whole(turn.answers.get("idea_cost"))
    if cost is None:
        return t.gettext(N_("not given"))
    return format_money(cost, ctx.edition.currency, t.babel_locale)


@variable("max_cost")
def _max_cost(ctx: StepContext, turn: Turn, t: Translator) -> str:
    most = ctx.edition.criteria.max_cost
    return format_money(most, ctx.edition.currency, t.babel_locale) if most is not None else ""


@variable("ideation_dates")
def _ideation_dates(ctx: StepContext, turn: Turn, t: Translator) -> str:
    phase = ctx.edition.phase("ideation")
    return format_period(phase.start, phase.end, t.babel_locale) if phase else ""


@variable("idea_limit")
def _idea_limit(ctx: StepContext, turn: Turn, t: Translator) -> str:
    return format_number(ctx.edition.ideas.daily_limit, t.babel_locale)


@variable("amount_example")
def _amount_example(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """An amount written as the resident's language writes money ("€ 12.500", "12 500 €")."""
    return format_money(12_500, ctx.edition.currency, t.babel_locale)
