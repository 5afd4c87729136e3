"""Browsing ideas (`flows/idea_browse.yaml`): the list of a theme a page at a
time, and one idea's page with what a resident can do there.

The list reads the snapshot part "ideas.page" (the theme in the answer
`browse_theme`), the page "ideas.one" (the number in the answer `idea_number`).
On SMS every line is cut short: a page of the list must fit in three
segments, also in Turkish and Arabic, whose SMS carry 67 characters a part.
"""

from __future__ import annotations

from decimal import Decimal

from pbbot.engine.actions import ActionCall, ActionResult, register
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.options import SourceOption, option_source
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money, format_number

# Registers the rest of what the flows of ideas name: support, comments and
# reports (`discussing`), "My ideas" (`mine`), staff's decisions (`decisions`).
from pbbot.ideas.views import Decisions, IdeaPage, IdeaView, OneIdea
from pbbot.ideas.wording import (
    idea_line,
    on_sms,
    rejection_reason,
    status_words,
    theme_name,
)

__all__ = ["NOT_SHOWN", "browse_all_themes"]

# An unknown number, or a hidden idea: residents are not told which, since a
# hidden idea is out of sight until the city team has looked at it.
NOT_SHOWN = N_(
    "There is no idea {idea_ref} to show: no idea has that number, or it is hidden "
    "while the city team looks at it."
)


@register("browse_all_themes", answers=("browse_theme",))
def browse_all_themes(call: ActionCall) -> ActionResult:
    """The list of every theme: no theme chosen."""
    return ActionResult(answers={"browse_theme": None})


@option_source("idea_page")
def _idea_page(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    page: IdeaPage = ctx.snapshot["ideas.page"]
    t = ctx.translators(turn.locale)
    return [SourceOption(f"i{v.number}", idea_line(v, turn, t), v.number) for v in page.ideas]


@variable("idea_list", per_resident=True)
def _idea_list(ctx: StepContext, turn: Turn, t: Translator) -> str:
    page: IdeaPage = ctx.snapshot["ideas.page"]
    theme = theme_name(ctx, page.theme, t.locale) or t.gettext(N_("All themes"))
    if not page.ideas:
        return t.gettext(N_("{theme}: no ideas yet.")).format(theme=theme)
    count = len(page.ideas)
    # Translators: the head of a list of ideas, "#27 Benches (12)": the number
    # in brackets is the idea's supporters.
    text = t.ngettext(
        "{theme}: {count} idea (supporters)", "{theme}: {count} ideas (supporters)", count
    )
    return text.format(theme=theme, count=format_number(count, t.babel_locale))


def _one(ctx: StepContext) -> OneIdea:
    one: OneIdea = ctx.snapshot["ideas.one"]
    return one


@variable("idea_ref", per_resident=True)
def _idea_ref(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The idea asked for as "#27", also when there is no such idea."""
    one = _one(ctx)
    number = one.idea.number if one.idea else turn.answers.get("idea_number")
    return f"#{number}"


def _description(view: IdeaView, t: Translator) -> str:
    return view.description or t.gettext(N_("(a voice message)"))


@variable("idea_page", per_resident=True)
def _idea_page_text(ctx: StepContext, turn: Turn, t: Translator) -> str:
    one = _one(ctx)
    view = one.idea
    if view is None:
        return t.gettext(NOT_SHOWN).format(idea_ref=_idea_ref(ctx, turn, t))
    sms = on_sms(turn)
    facts = [theme_name(ctx, view.theme, t.locale), None if sms else view.place]
    if view.estimated_cost is not None:
        money = format_money(Decimal(view.estimated_cost), ctx.edition.currency, t.babel_locale)
        facts.append(t.gettext(N_("about {amount}")).format(amount=money))
    reason = question = None
    if one.own and view.status in ("rejected", "question"):
        decisions: Decisions = ctx.snapshot["ideas.decisions"]
        reason = rejection_reason(ctx, decisions.reasons.get(view.id), t)
        question = decisions.questions.get(view.id)
    # Translators: "submitted, 12 supporters": the idea's status, then how many support it.
    status = t.ngettext(
        "{status}, {count} supporter", "{status}, {count} supporters", view.supporters
    )
    lines = [f"#{view.number} {view.title}"]
    if not sms:  # an SMS page has no room for it, nor the place: "Read all" shows them
        lines.append(_description(view, t))
    lines += [
        ", ".join(fact for fact in facts if fact),
        status.format(
            status=status_words(view, t, short=sms, reason=reason),
            count=format_number(view.supporters, t.babel_locale),
        ),
    ]
    if question:
        lines.append(t.gettext(N_("The city team asks: {question}")).format(question=question))
    if one.supported and not sms:  # on SMS "Withdraw support" says it
        lines.append(t.gettext(N_("You support this idea.")))
    return "\n".join(lines)


@variable("idea_description", per_resident=True)
def _idea_description(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The description and the place, for "Read all" on SMS."""
    view = _one(ctx).idea
    if view is None:
        return ""
    return "\n".join(
        filter(None, (f"#{view.number} {view.title}", _description(view, t), view.place))
    )


# What a resident can do on an idea's page, by the option id the flow branches on.
_ACTIONS = {
    "support": N_("Support"),
    "withdraw": N_("Withdraw support"),
    "more": N_("Read all"),  # SMS: the description
    "comments": N_("Comments ({count})"),
    "answer": N_("Answer the city team"),
    "report": N_("Report"),
}


@option_source("idea_actions")
def _idea_actions(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    """What an idea's page offers. "Support" stays first after supporting too (an
    SMS "1" sent twice gets "you already support it", not a withdrawal), and
    "Withdraw" joins it."""
    one = _one(ctx)
    view = one.idea
    t = ctx.translators(turn.locale)
    if view is None:
        return [SourceOption("number", t.gettext(N_("Another number")), "number")]
    wanted: list[str] = []
    if view.status != "merged":  # its supporters moved on to the idea it joined
        wanted += ["support"] + ["withdraw"] * one.supported
    if on_sms(turn):
        wanted.append("more")
    wanted.append("comments")  # where residents read them and write one
    if one.own and view.status == "question":
        wanted.append("answer")
    if not one.own:
        wanted.append("report")
    count = format_number(view.comments, t.babel_locale)
    return [SourceOption(i, t.gettext(_ACTIONS[i]).format(count=count), i) for i in wanted]
