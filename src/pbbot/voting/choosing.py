"""Choosing projects in chat (`flows/vote_list.yaml`): the basket ("add
projects until the budget is spent") and approval ("pick up to N").

The choice is a draft in the answer `ballot` (project numbers in the order
added), kept between messages and across days until the resident casts it;
the pure core (`domain.ballots`) checks every edit against the edition's
rules, and `wording.explain` says what stands in the way when it matters.

SMS: a page of projects in the resident's own order; the resident replies
with numbers to add ("3 7 12"), "-3" to remove, "+" for the next page and
"0" to review ("?3" tells what project 3 is about), and sees the basket and
what is left after every change.
Telegram: a button per project that adds or removes it, with the running
total above, edited in place (`edit_in_place`).
"""

from __future__ import annotations

import math

from pbbot.domain.ballot_order import stable_order
from pbbot.domain.ballot_problems import UnknownProject
from pbbot.domain.ballot_replies import ReplyProblem, parse_basket_reply
from pbbot.domain.ballots import ApprovalBallot, ApprovalRules, Basket, BasketRules, Project
from pbbot.domain.text import fold
from pbbot.engine.actions import ActionCall, ActionResult, register
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.options import SourceOption, option_source
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, SUPPORTED_LOCALES, Translator, translator
from pbbot.i18n.formatting import format_number
from pbbot.ideas.wording import on_sms
from pbbot.voting.eligibility import UNCAST, cast, refused_closed, voting_open
from pbbot.voting.views import Candidates, MyVote
from pbbot.voting.wording import explain, money, numbers, project_line, title

__all__ = ["DRAFT", "SMS_PAGE_SIZE"]

DRAFT = "ballot"  # the chosen numbers, until cast
PAGE = "ballot_page"  # the SMS page of the list
REPLY = "ballot_reply"  # the SMS reply being read; removed once read
TOGGLE = "ballot_toggle"  # the project of the Telegram button tapped
# Eight lines and the hint fit in three GSM-7 segments in Dutch, French and English.
SMS_PAGE_SIZE = 8
# The most projects the SMS review names by title; more are listed by number.
SMS_REVIEW_TITLES = 5
# Replies that ask for the next page: one key on any phone, or the word "more".
_MORE_SIGNS = frozenset({"+", "*", "#"})
_MORE = N_("MORE")
# "?3" or "3?": what project 3 is about (its one-line summary); Arabic has its own "?".
_ASKS = "?\u061f"
# The texts an action leaves for the step it returns to.
NOTE = "ballot_note"  # what the last edit did, or what stands in the way
SHOW = "ballot_show"  # "list": the page of projects; "status": the basket only

ListBallot = Basket | ApprovalBallot


def _candidates(ctx: StepContext) -> Candidates:
    candidates: Candidates = ctx.snapshot["voting.candidates"]
    return candidates


def _draft(ctx: StepContext, turn: Turn) -> list[int]:
    """The draft; without one, the vote already cast (changing a vote starts from
    it). The cast vote is read, not copied into the conversation: a resident
    who looks and leaves keeps no copy of it next to their number."""
    chosen = turn.answers.get(DRAFT)
    if not isinstance(chosen, list):
        mine: MyVote = ctx.snapshot["voting.mine"]
        chosen = list(mine.projects)
    return [n for n in chosen if isinstance(n, int)]


def _restore(ctx: StepContext, chosen: list[int]) -> tuple[ListBallot, tuple[int, ...]]:
    """The ballot with `chosen` in it, checked against today's projects and rules,
    and the numbers that no longer fit (a project withdrawn since)."""
    projects = [Project(c.number, c.cost, c.theme) for c in _candidates(ctx).projects]
    voting = ctx.edition.voting
    if voting.method == "basket":
        rules = BasketRules(
            ctx.edition.budget, voting.min_share, voting.min_projects, voting.max_projects
        )
        return Basket.restore(rules, projects, chosen)
    approval = ApprovalRules(voting.max_choices or len(projects) or 1)
    return ApprovalBallot.restore(approval, projects, chosen)


def _ballot(ctx: StepContext, turn: Turn) -> ListBallot:
    return _restore(ctx, _draft(ctx, turn))[0]


def _order(ctx: StepContext) -> list[int]:
    candidates = _candidates(ctx)
    return stable_order([c.number for c in candidates.projects], candidates.order_seed)


def _page(turn: Turn) -> int:
    page = turn.answers.get(PAGE)
    return page if isinstance(page, int) else 0


def _pages(ctx: StepContext) -> int:
    return max(1, math.ceil(len(_candidates(ctx).projects) / SMS_PAGE_SIZE))


# -- actions -------------------------------------------------------------------------


@register("ballot_begin", exits=("ok", "closed"), answers=(DRAFT, PAGE), texts=(NOTE, SHOW, UNCAST))
def ballot_begin(call: ActionCall) -> ActionResult:
    """Open the list: the draft kept from before, else the vote already cast
    (changing a vote starts from it), else an empty ballot."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):  # "Change my vote" shown before the close, tapped after
        return refused_closed(turn, DRAFT, PAGE)
    ballot, dropped = _restore(ctx, _draft(ctx, turn))
    answers: dict[str, object] = {PAGE: 0}
    note = ""
    if dropped:
        t = ctx.translators(turn.locale)
        note = t.gettext(N_("No longer on the ballot, so taken out: {numbers}.")).format(
            numbers=numbers(dropped, t)
        )
        answers[DRAFT] = list(ballot.chosen)
    return ActionResult(answers=answers, texts={NOTE: note, SHOW: "list"})


def _asks_more(reply: str) -> bool:
    if reply.strip() in _MORE_SIGNS:
        return True
    text = fold(reply)
    return any(text == fold(translator(locale).gettext(_MORE)) for locale in SUPPORTED_LOCALES)


@register(
    "ballot_edit",
    exits=("ok", "review", "closed"),
    answers=(DRAFT, PAGE, REPLY),
    texts=(NOTE, SHOW, UNCAST),
)
def ballot_edit(call: ActionCall) -> ActionResult:
    """Read an SMS reply: numbers to add or remove, the next page, or review."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):
        return refused_closed(turn, DRAFT, REPLY, PAGE)
    t = ctx.translators(turn.locale)
    reply = str(turn.answers.get(REPLY) or "")
    if _asks_more(reply):
        page = (_page(turn) + 1) % _pages(ctx)
        return ActionResult(answers={PAGE: page, REPLY: None}, texts={NOTE: "", SHOW: "list"})
    about = _asked_about(reply)
    if about is not None:
        return ActionResult(
            answers={REPLY: None}, texts={NOTE: _about(ctx, about, t), SHOW: "status"}
        )
    edits = parse_basket_reply(reply)
    if isinstance(edits, ReplyProblem):
        note = t.gettext(N_("Send project numbers, for example 3 7 12; -3 takes 3 out."))
        return ActionResult(answers={REPLY: None}, texts={NOTE: note, SHOW: "status"})
    if edits.review and not (edits.adds or edits.removes):
        return ActionResult(exit="review", answers={REPLY: None})
    ballot = _ballot(ctx, turn)
    notes = []
    for number, change in [(n, "remove") for n in edits.removes] + [(n, "add") for n in edits.adds]:
        changed = ballot.remove(number) if change == "remove" else ballot.add(number)
        if isinstance(changed, (Basket, ApprovalBallot)):
            ballot = changed
        else:
            notes.append(explain(ctx, changed, t))
    return ActionResult(
        answers={DRAFT: list(ballot.chosen), REPLY: None},
        texts={NOTE: "\n".join(notes), SHOW: "status"},
    )


def _asked_about(reply: str) -> int | None:
    """The project a "?3" asks about, or None when the reply asks nothing."""
    text = reply.strip()
    if not text or (text[0] not in _ASKS and text[-1] not in _ASKS):
        return None
    edits = parse_basket_reply(text.strip(_ASKS))
    if isinstance(edits, ReplyProblem) or len(edits.adds) != 1 or edits.removes:
        return None
    return edits.adds[0]


def _about(ctx: StepContext, number: int, t: Translator) -> str:
    project = _candidates(ctx).by_number().get(number)
    if project is None:
        return explain(ctx, UnknownProject(number), t)
    summary = project.summary.get(t.locale) or project.summary.get(ctx.edition.languages[0])
    return "\n".join(filter(None, (project_line(ctx, project, t), summary)))


@register("ballot_toggle", exits=("ok", "closed"), answers=(DRAFT, TOGGLE), texts=(NOTE, UNCAST))
def ballot_toggle(call: ActionCall) -> ActionResult:
    """A Telegram button: the project goes in, or out when it was in."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):
        return refused_closed(turn, DRAFT, TOGGLE)
    number = turn.answers.get(TOGGLE)
    ballot = _ballot(ctx, turn)
    note = ""
    if isinstance(number, int):
        changed = ballot.toggle(number)
        if isinstance(changed, (Basket, ApprovalBallot)):
            ballot = changed
        else:
            note = explain(ctx, changed, ctx.translators(turn.locale))
    return ActionResult(answers={DRAFT: list(ballot.chosen), TOGGLE: None}, texts={NOTE: note})


@register("ballot_review", exits=("ok", "problem"), texts=(NOTE, SHOW))
def ballot_review(call: ActionCall) -> ActionResult:
    """Whether the ballot can be cast; if not, each reason in plain words."""
    ctx, turn = call.context, call.turn
    problems = _ballot(ctx, turn).check_cast()
    if not problems:
        return ActionResult()
    t = ctx.translators(turn.locale)
    note = "\n".join(explain(ctx, problem, t) for problem in problems)
    return ActionResult(exit="problem", texts={NOTE: note, SHOW: "status"})


@register(
    "ballot_cast",
    exits=("ok", "closed", "problem"),
    answers=(DRAFT, PAGE),
    texts=(NOTE, SHOW, UNCAST),
)
def ballot_cast(call: ActionCall) -> ActionResult:
    """Cast the ballot: the service stores it apart from the voter and answers
    with the receipt; the draft goes, and so do the messages that named it."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):
        return refused_closed(turn, DRAFT, PAGE)
    ballot, dropped = _restore(ctx, _draft(ctx, turn))
    if dropped or ballot.check_cast():  # a project withdrawn or dearer since the review
        t = ctx.translators(turn.locale)
        note = t.gettext(N_("No longer on the ballot, so taken out: {numbers}.")).format(
            numbers=numbers(dropped, t)
        )
        return ActionResult(
            exit="problem",
            answers={DRAFT: list(ballot.chosen)},
            texts={NOTE: note if dropped else "", SHOW: "status"},
        )
    return cast(ctx, turn, (DRAFT, PAGE), projects=tuple(ballot.chosen))


# -- what the steps show -------------------------------------------------------------


def _status(ctx: StepContext, ballot: ListBallot, t: Translator) -> str:
    """ "In your basket: 3, 7 and 12 (€ 150.000). € 450.000 left.\""""
    if isinstance(ballot, Basket):
        if not ballot.chosen:
            return t.gettext(N_("Your basket is empty: {left} to spend.")).format(
                left=money(ctx, ballot.left, t)
            )
        return t.gettext(N_("In your basket: {numbers} ({spent}). {left} left.")).format(
            numbers=numbers(list(ballot.chosen), t),
            spent=money(ctx, ballot.spent, t),
            left=money(ctx, ballot.left, t),
        )
    text = t.gettext(N_("Chosen: {numbers}. Still open: {left}."))
    if not ballot.chosen:
        text = t.ngettext(
            "Choose up to {left} project.", "Choose up to {left} projects.", ballot.left
        )
    return text.format(
        numbers=numbers(list(ballot.chosen), t), left=format_number(ballot.left, t.babel_locale)
    )


def _page_lines(ctx: StepContext, turn: Turn, t: Translator) -> list[str]:
    by_number = _candidates(ctx).by_number()
    page = _page(turn) % _pages(ctx)
    shown = _order(ctx)[page * SMS_PAGE_SIZE : (page + 1) * SMS_PAGE_SIZE]
    head = t.gettext(N_("Projects, page {page} of {pages}:")).format(
        page=format_number(page + 1, t.babel_locale),
        pages=format_number(_pages(ctx), t.babel_locale),
    )
    return [head] + [project_line(ctx, by_number[n], t) for n in shown]


@variable("ballot_screen", secret=True)
def _ballot_screen(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The SMS list: what the last reply did, the page or the basket, and the hint."""
    ballot = _ballot(ctx, turn)
    lines = [turn.extra.get(NOTE, "")]
    if turn.extra.get(SHOW, "list") == "list":
        lines += _page_lines(ctx, turn, t)
    lines.append(_status(ctx, ballot, t))
    if turn.extra.get(SHOW, "list") == "list":
        hint = N_("Send numbers to add (3 7 12), -3 to take out, + for more, 0 to review.")
    else:  # no list in this message: room to say how to read about a project
        hint = N_(
            "Send numbers to add, -3 to take out, ?3 about project 3, + for more, 0 to review."
        )
    lines.append(t.gettext(hint))
    return "\n".join(line for line in lines if line)


@variable("ballot_head", secret=True)
def _ballot_head(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """Above the Telegram buttons: what the last tap did and the running total."""
    ballot = _ballot(ctx, turn)
    lines = [turn.extra.get(NOTE, ""), _status(ctx, ballot, t)]
    lines.append(t.gettext(N_("Tap a project to add it, tap it again to take it out.")))
    return "\n".join(line for line in lines if line)


@variable("ballot_review", secret=True)
def _ballot_review(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The ballot in full before it is cast; on SMS a long one by its numbers
    (a title a line would cost a segment for every two or three projects)."""
    ballot = _ballot(ctx, turn)
    by_number = _candidates(ctx).by_number()
    if on_sms(turn) and len(ballot.chosen) > SMS_REVIEW_TITLES:
        lines = [numbers(list(ballot.chosen), t)]
    else:
        lines = [
            f"{format_number(n, t.babel_locale)} {title(ctx, by_number[n], t.locale)}"
            for n in ballot.chosen
        ]
    if isinstance(ballot, Basket):
        total = t.gettext(N_("Total {spent} of {budget}.")).format(
            spent=money(ctx, ballot.spent, t), budget=money(ctx, ballot.rules.budget, t)
        )
        lines.append(total)
    lines.append(t.gettext(N_("Cast this vote? You can change it until voting closes.")))
    return "\n".join(lines)


@variable("ballot_about", per_resident=True)
def _ballot_about(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """Every project with its one-line summary, in the resident's order (Telegram)."""
    return "\n\n".join(_about(ctx, number, t) for number in _order(ctx))


@option_source("ballot_projects")
def _ballot_projects(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    """Telegram's buttons: every project in the resident's order, ticked when chosen."""
    t = ctx.translators(turn.locale)
    chosen = set(_draft(ctx, turn))
    by_number = _candidates(ctx).by_number()
    return [
        SourceOption(
            f"p{n}", ("✅ " if n in chosen else "") + project_line(ctx, by_number[n], t), n
        )
        for n in _order(ctx)
    ]
