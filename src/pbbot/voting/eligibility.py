"""Before the ballot (`flows/vote.yaml`): is voting open, may this resident
vote, and by which number. What the flow branches on is registered here.

- Voting is open only in the edition's voting phase; before and after, the
  resident is told when it opens or that it has closed (`voting_when`).
- The edition's minimum age and its districts are asked if not known yet (a
  resident may have skipped them when they joined); someone who lives
  elsewhere is told so kindly.
- On Telegram the resident shares their number once (`voting.voters`), so
  they have one ballot with SMS.
- A voter staff voided cannot vote again; one who voted sees their vote and
  may change it until voting closes.
"""

from __future__ import annotations

from pbbot.engine.actions import ActionResult
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.recorded import flag
from pbbot.engine.state import ConversationState
from pbbot.engine.subjects import subject
from pbbot.engine.variables import variable
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_date, format_list
from pbbot.ideas.wording import theme_name
from pbbot.voting.events import BallotCast
from pbbot.voting.views import MyVote
from pbbot.voting.wording import money, numbers

__all__ = ["LIST_METHODS", "PHONE_ANSWER", "UNCAST", "cast", "refused_closed", "voting_open"]

# The number a Telegram user shared to vote (`voting.voters` reads it).
PHONE_ANSWER = "voter_phone"
# Set when voting closed under a draft (`refused_closed`).
UNCAST = "vote_uncast"

# The methods whose ballot is a list of projects (`voting.choosing`); the other is vessels.
LIST_METHODS = frozenset({"basket", "approval", "pick_n"})


def voting_open(ctx: StepContext) -> bool:
    """Whether a ballot can be changed or cast today: the voting phase runs."""
    return ctx.phase is not None and ctx.phase.kind == "voting"


def refused_closed(turn: Turn, draft: str, *read: str) -> ActionResult:
    """Voting has closed under a resident's ballot: the draft goes (it can never
    count, and it says what they chose), with `read` (what was being read), and
    `voting_when` says that it was not cast."""
    uncast = bool(turn.answers.get(draft))
    return ActionResult(
        exit="closed",
        answers=dict.fromkeys((draft, *read)),
        texts={UNCAST: "true"} if uncast else {},
    )


def cast(
    ctx: StepContext,
    turn: Turn,
    drafts: tuple[str, ...],
    *,
    projects: tuple[int, ...] = (),
    split: tuple[tuple[str, int], ...] = (),
) -> ActionResult:
    """Cast what the resident chose: the service stores it apart from the voter
    and answers with the receipt; the `drafts` go, and so do the messages that
    named the choice."""
    phone = turn.answers.get(PHONE_ANSWER)
    event = BallotCast(
        edition=ctx.edition.id,
        day=ctx.today,
        voter=phone if isinstance(phone, str) else None,
        method=ctx.edition.voting.method,
        projects=projects,
        split=split,
    )
    return ActionResult(answers=dict.fromkeys(drafts), events=(event,), forget_messages=True)


def _mine(ctx: StepContext) -> MyVote:
    mine: MyVote = ctx.snapshot["voting.mine"]
    return mine


@subject("voting.method")
def _method(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return "list" if ctx.edition.voting.method in LIST_METHODS else ctx.edition.voting.method


@subject("voting.age_needed")
def _age_needed(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(
        ctx.edition.voting.min_age is not None and not isinstance(state.answers.get("age"), int)
    )


@subject("voting.district_needed")
def _district_needed(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(bool(ctx.edition.questions.districts) and not state.answers.get("district"))


@subject("voting.phone_needed")
def _phone_needed(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    """Telegram has no number of its own; SMS's is the sender's."""
    return flag(turn.channel == "telegram" and not state.answers.get(PHONE_ANSWER))


@subject("voting.mine")
def _my_status(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    mine = _mine(ctx)
    return "voided" if mine.voided else "voted" if mine.voted else "none"


@variable("voting_when", per_resident=True)
def _voting_when(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """When voting opens, or that it has closed; "" while it is open."""
    phase = ctx.edition.phase("voting")
    if phase is None:
        return t.gettext(N_("There is no vote in this participatory budget."))
    if voting_open(ctx):
        return ""
    if ctx.before("voting"):  # the timeline's, so that it holds after a hand move
        return t.gettext(N_("Voting opens on {date}.")).format(
            date=format_date(phase.start, t.babel_locale)
        )
    closed = t.gettext(N_("Voting closed on {date}. Thank you for taking part!")).format(
        date=format_date(phase.end, t.babel_locale)
    )
    if turn.extra.get(UNCAST):
        uncast = t.gettext(N_("Your choice was not cast before the close, so it does not count."))
        return f"{closed} {uncast}"
    return closed


@variable("vote_on_erasure", per_resident=True)
def _vote_on_erasure(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """What deleting everything does to the resident's vote (`voting.personal_data`),
    said before they confirm; "" if they have not voted."""
    mine = _mine(ctx)
    if not mine.voted:
        return ""
    if voting_open(ctx):
        return " " + t.gettext(
            N_("Your vote is withdrawn too; you can vote again until voting closes.")
        )
    return " " + t.gettext(N_("Your vote stays in the count, linked to no one."))


@variable("voting_end")
def _voting_end(ctx: StepContext, turn: Turn, t: Translator) -> str:
    phase = ctx.edition.phase("voting")
    return format_date(phase.end, t.babel_locale) if phase else ""


@variable("my_vote", secret=True)
def _my_vote(ctx: StepContext, turn: Turn, t: Translator) -> str:
    """What the resident's number has cast, for them alone."""
    mine = _mine(ctx)
    if mine.cast_on is None:
        return ""
    day = format_date(mine.cast_on, t.babel_locale)
    if mine.split:
        parts = [
            f"{theme_name(ctx, theme, t.locale) or theme} {money(ctx, amount, t)}"
            for theme, amount in mine.split
        ]
        chosen = format_list(parts, t.babel_locale)
    else:
        chosen = numbers(list(mine.projects), t)
    return t.gettext(N_("You voted on {date}: {chosen}.")).format(date=day, chosen=chosen)
