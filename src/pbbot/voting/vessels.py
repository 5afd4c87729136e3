"""Communicating vessels in chat (`flows/vote_vessels.yaml`): the resident
divides the edition's budget over its themes; money given to one theme comes
out of another, and the split must add up to the whole budget to be cast.

The split is a draft in the answer `split` ({theme id: whole euros}), kept
between messages and across days until the resident casts it; the pure core
(`domain.ballot_vessels`) does the sums, and `wording.explain` says what
stands in the way when it matters.

SMS: one message lists the themes numbered, with their amount and share,
and what is still to divide. The resident replies "1=30 2=50 3=20"
(percent) or amounts ("1=180000"), in any script's digits, sees the split
after every change, and sends "0" to review and vote. The split starts
from the vote already cast, else empty: "€ 600.000 still to divide" says
what to do, where an even split would look like an answer already given and
could be cast without a thought.

Telegram: a "+" and a "−" button per theme move one step of money
(`voting.step`), so the sum never changes: "+ Green" takes a step from the
theme that has the most (of equal ones, the lowest on the list), "− Green"
gives it to the theme that has the least (of equal ones, the highest). Taps
repeated spread evenly over the others, and the message says what moved
where. The split starts from the vote cast, else from an even split, and
the message is edited in place (`edit_in_place`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from pbbot.domain.ballot_replies import (
    BasketEdits,
    ReplyProblem,
    parse_basket_reply,
    parse_split_reply,
)
from pbbot.domain.ballot_vessels import Split, VesselsRules
from pbbot.engine.actions import ActionCall, ActionResult, register
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.options import SourceOption, option_source
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_number, format_percentage
from pbbot.ideas.wording import theme_name
from pbbot.voting.eligibility import UNCAST, cast, refused_closed, voting_open
from pbbot.voting.views import MyVote
from pbbot.voting.wording import explain, money

__all__ = ["DRAFT", "default_step", "vessels_rules"]

DRAFT = "split"  # {theme id: whole euros}, until cast
REPLY = "split_reply"  # the SMS reply being read; removed once read
MOVE = "split_move"  # the Telegram button tapped: "+green" or "-green"
NOTE = "split_note"  # what the last change did, or why it was refused
PROBLEM = "split_problem"  # why the split cannot be cast yet (it says what the total line would)
# Without a `voting.step` in the edition, a button moves a twentieth of the budget.
_DEFAULT_STEPS = 20
_EURO = Decimal(1)


def default_step(total: Decimal) -> Decimal:
    """What one button moves when the edition names no step: a twentieth of the
    total in whole euros (€ 30.000 of € 600.000), at least one euro."""
    return max(_EURO, (total / _DEFAULT_STEPS).quantize(_EURO, rounding=ROUND_DOWN))


def vessels_rules(ctx: StepContext) -> VesselsRules:
    edition = ctx.edition
    step = edition.voting.step or default_step(edition.budget)
    themes = tuple(theme.id for theme in edition.themes)
    return VesselsRules(edition.budget, themes, min(step, edition.budget))


def _restore(ctx: StepContext, stored: Mapping[str, object]) -> Split:
    """The split as stored; a theme the edition no longer has is dropped, its
    money back to divide (the line "still to divide" shows it)."""
    rules = vessels_rules(ctx)
    amounts = []
    for theme in rules.themes:
        value = stored.get(theme)
        amount = Decimal(value) if isinstance(value, int) and value > 0 else Decimal(0)
        amounts.append(amount)
    return Split(rules, tuple(amounts))


def _draft(ctx: StepContext, turn: Turn) -> Split:
    """The draft, else the vote already cast (changing a vote starts from it), else empty."""
    stored = turn.answers.get(DRAFT)
    if not isinstance(stored, dict):
        mine: MyVote = ctx.snapshot["voting.mine"]
        stored = dict(mine.split)
    return _restore(ctx, stored)


def _stored(split: Split) -> dict[str, int]:
    return {theme: int(amount) for theme, amount in split.as_dict().items()}


def _whole(split: Split) -> Split:
    """The split in whole euros, as a ballot keeps it. A split that added up
    still does: the rounding goes to its largest theme."""
    amounts = [amount.quantize(_EURO, rounding=ROUND_HALF_EVEN) for amount in split.amounts]
    if split.unallocated == 0 and (left := split.rules.total - sum(amounts)) != 0:
        largest = amounts.index(max(amounts))
        amounts[largest] += left
    return Split(split.rules, tuple(amounts))


def _name(ctx: StepContext, theme: str, t: Translator) -> str:
    return theme_name(ctx, theme, t.locale) or theme


# -- actions -------------------------------------------------------------------------


@register("vessels_begin", exits=("ok", "closed"), answers=(DRAFT,), texts=(NOTE, UNCAST))
def vessels_begin(call: ActionCall) -> ActionResult:
    """Open the split: the draft kept from before, else the vote already cast
    (changing a vote starts from it), else empty on SMS and even on Telegram."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):  # "Change my vote" shown before the close, tapped after
        return refused_closed(turn, DRAFT)
    split = _draft(ctx, turn)
    note = ""
    if turn.channel == "telegram" and split.check_cast():
        # The buttons keep the sum as it is, so they start from one that adds up.
        if split.allocated:
            t = ctx.translators(turn.locale)
            note = t.gettext(N_("Your split did not add up, so it starts again from an even one."))
        split = Split.even(split.rules)
    return ActionResult(answers={DRAFT: _stored(split)}, texts={NOTE: note})


def _not_understood(problem: ReplyProblem, t: Translator) -> str:
    if problem.kind == "duplicate":
        return t.gettext(N_("Theme {number} is there twice: give each theme one value.")).format(
            number=format_number(problem.number or 0, t.babel_locale)
        )
    if problem.kind == "mixed":
        return t.gettext(N_("Send percentages or amounts, not both in one message."))
    return t.gettext(N_("Not understood. Write a theme number, = and a value, e.g. 2=50."))


def _reviews(reply: str) -> bool:
    """A lone "0" (in any script's digits): review and vote."""
    edits = parse_basket_reply(reply)
    return isinstance(edits, BasketEdits) and edits.review and not (edits.adds or edits.removes)


@register(
    "vessels_edit", exits=("ok", "review", "closed"), answers=(DRAFT, REPLY), texts=(NOTE, UNCAST)
)
def vessels_edit(call: ActionCall) -> ActionResult:
    """Read an SMS reply: a split in percent or amounts, or "0" to review."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):
        return refused_closed(turn, DRAFT, REPLY)
    t = ctx.translators(turn.locale)
    reply = str(turn.answers.get(REPLY) or "")
    if _reviews(reply):
        return ActionResult(exit="review", answers={REPLY: None})
    typed = parse_split_reply(reply, turn.locale)
    if isinstance(typed, ReplyProblem):
        return ActionResult(answers={REPLY: None}, texts={NOTE: _not_understood(typed, t)})
    changed = _draft(ctx, turn).with_numbered(typed.as_dict(), unit=typed.unit)
    if not isinstance(changed, Split):
        return ActionResult(answers={REPLY: None}, texts={NOTE: explain(ctx, changed, t)})
    return ActionResult(answers={DRAFT: _stored(_whole(changed)), REPLY: None}, texts={NOTE: ""})


def _fullest(split: Split, besides: str) -> str:
    """The theme with the most, other than `besides`; of equal ones the lowest on the list."""
    others = [theme for theme in split.rules.themes if theme != besides]
    return max(reversed(others), key=split.amount)


def _emptiest(split: Split, besides: str) -> str:
    """The theme with the least, other than `besides`; of equal ones the highest on the list."""
    others = [theme for theme in split.rules.themes if theme != besides]
    return min(others, key=split.amount)


@register("vessels_move", exits=("ok", "closed"), answers=(DRAFT, MOVE), texts=(NOTE, UNCAST))
def vessels_move(call: ActionCall) -> ActionResult:
    """A Telegram button: one step into a theme ("+") or out of it ("−"); the sum stays."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):
        return refused_closed(turn, DRAFT, MOVE)
    t = ctx.translators(turn.locale)
    split = _draft(ctx, turn)
    tapped = turn.answers.get(MOVE)
    if not isinstance(tapped, str) or tapped[1:] not in split.rules.themes:
        return ActionResult(answers={MOVE: None}, texts={NOTE: ""})
    theme = tapped[1:]
    if tapped.startswith("+"):
        source, target = _fullest(split, theme), theme
        if split.amount(source) == 0:
            note = t.gettext(N_("All of {total} already goes to {theme}.")).format(
                total=money(ctx, split.rules.total, t), theme=_name(ctx, theme, t)
            )
            return ActionResult(answers={MOVE: None}, texts={NOTE: note})
    else:
        source, target = theme, _emptiest(split, theme)
    moved = split.move(source, target)
    if not isinstance(moved, Split):
        return ActionResult(answers={MOVE: None}, texts={NOTE: explain(ctx, moved, t)})
    note = t.gettext(N_("{amount} moved from {source} to {target}.")).format(
        amount=money(ctx, split.amount(source) - moved.amount(source), t),
        source=_name(ctx, source, t),
        target=_name(ctx, target, t),
    )
    return ActionResult(answers={DRAFT: _stored(moved), MOVE: None}, texts={NOTE: note})


@register("vessels_review", exits=("ok", "problem"), texts=(PROBLEM,))
def vessels_review(call: ActionCall) -> ActionResult:
    """Whether the split adds up; if not, how much is missing or too much."""
    ctx, turn = call.context, call.turn
    problems = _draft(ctx, turn).check_cast()
    if not problems:
        return ActionResult()
    t = ctx.translators(turn.locale)
    text = "\n".join(explain(ctx, problem, t) for problem in problems)
    return ActionResult(exit="problem", texts={PROBLEM: text})


@register("vessels_cast", exits=("ok", "closed", "problem"), answers=(DRAFT,), texts=(UNCAST,))
def vessels_cast(call: ActionCall) -> ActionResult:
    """Cast the split: the service stores it apart from the voter and answers
    with the receipt; the draft goes, and so do the messages that named it."""
    ctx, turn = call.context, call.turn
    if not voting_open(ctx):
        return refused_closed(turn, DRAFT)
    split = _whole(_draft(ctx, turn))
    if split.check_cast():
        return ActionResult(exit="problem")
    given = tuple((theme, int(amount)) for theme, amount in split.as_dict().items() if amount)
    return cast(ctx, turn, (DRAFT,), split=given)


# -- what the steps show -------------------------------------------------------------


def _theme_lines(ctx: StepContext, split: Split, t: Translator, *, numbered: bool) -> list[str]:
    """A theme's amount and share of the total: "1 Groen € 180.000 (30%)"."""
    lines = []
    for number, theme in enumerate(split.rules.themes, 1):
        amount = split.amount(theme)
        share = format_percentage(amount / split.rules.total, t.babel_locale)
        line = f"{_name(ctx, theme, t)} {money(ctx, amount, t)} ({share})"
        lines.append(f"{format_number(number, t.babel_locale)} {line}" if numbered else line)
    return lines


def _status(ctx: StepContext, split: Split, t: Translator) -> str:
    left = split.unallocated
    if left < 0:
        return t.gettext(N_("Divided {excess} too much.")).format(excess=money(ctx, -left, t))
    return t.gettext(N_("Still to divide: {left}.")).format(left=money(ctx, left, t))


@variable("vessels_screen", secret=True)
def _vessels_screen(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The SMS split: what the last reply did, the themes, what is left, and the hint.

    Two segments in Dutch, four in Arabic: the first screen says what this is,
    after a reply the note takes its place; a problem found at the review
    takes the place of the line of what is left, as it says that in full."""
    split = _draft(ctx, turn)
    problem = turn.extra.get(PROBLEM, "")
    head = turn.extra.get(NOTE, "") or problem
    if not head:
        head = t.gettext(N_("Divide {total} over the themes:")).format(
            total=money(ctx, split.rules.total, t)
        )
    lines = [head, *_theme_lines(ctx, split, t, numbered=True)]
    if not problem:
        lines.append(_status(ctx, split, t))
    lines.append(t.gettext(N_("Send e.g. 1=30 2=50 3=20 (percent) or amounts; 0 to vote.")))
    return "\n".join(lines)


@variable("vessels_head", secret=True)
def _vessels_head(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """Above the Telegram buttons: what the last tap did, the split and how the buttons work."""
    split = _draft(ctx, turn)
    lines = [turn.extra.get(NOTE, ""), turn.extra.get(PROBLEM, "")]
    lines.append(
        t.gettext(N_("Divide {total} over the themes:")).format(
            total=money(ctx, split.rules.total, t)
        )
    )
    lines += _theme_lines(ctx, split, t, numbered=False)
    lines.append(
        t.gettext(
            N_(
                "+ adds {step} to a theme, taken from the theme with the most; "
                "− gives {step} to the theme with the least."
            )
        ).format(step=money(ctx, split.rules.step, t))
    )
    return "\n".join(line for line in lines if line)


@variable("vessels_review", secret=True)
def _vessels_review(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """The split in full before it is cast."""
    split = _draft(ctx, turn)
    lines = _theme_lines(ctx, split, t, numbered=False)
    lines.append(t.gettext(N_("Cast this vote? You can change it until voting closes.")))
    return "\n".join(lines)


@option_source("vessels_buttons")
def _vessels_buttons(ctx: StepContext, turn: Turn) -> list[SourceOption]:
    """Telegram's buttons: "+ Groen" and "− Groen" for every theme, in the edition's order."""
    t = ctx.translators(turn.locale)
    buttons = []
    for theme in vessels_rules(ctx).themes:
        name = _name(ctx, theme, t)
        buttons.append(SourceOption(f"more_{theme}", f"+ {name}", f"+{theme}"))
        buttons.append(SourceOption(f"less_{theme}", f"− {name}", f"-{theme}"))
    return buttons
