"""What a branch step can branch on (`on: NAME`): a registry like the actions'.

Flow validation refuses a subject nobody registered, so a misspelt flag
(`edition.distrcts`) stops the flow from loading instead of reading "false".
`answer.NAME` is the engine's own: the recorded answer, as `engine/recorded.py`
reads it. Features register theirs:

    @subject("ideas.open")
    def ideas_open(ctx: StepContext, state: ConversationState, turn: Turn) -> str: ...
"""

from __future__ import annotations

from collections.abc import Callable

from pbbot.engine.context import StepContext, Turn
from pbbot.engine.recorded import answer_in_branch, flag
from pbbot.engine.registry import registrar
from pbbot.engine.state import ConversationState
from pbbot.flows.model import BranchStep

__all__ = ["BRANCH_SUBJECTS", "Subject", "branch_value", "subject"]

Subject = Callable[[StepContext, ConversationState, Turn], str]
BRANCH_SUBJECTS: dict[str, Subject] = {}
ANSWER_PREFIX = BranchStep.ANSWER_PREFIX


# `@subject("phase")`: the value a branch reads for `on: phase`.
subject = registrar(BRANCH_SUBJECTS, "branch subject")


def branch_value(on: str, ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    if on.startswith(ANSWER_PREFIX):
        return answer_in_branch(state.answers.get(on.removeprefix(ANSWER_PREFIX)))
    return BRANCH_SUBJECTS[on](ctx, state, turn)


@subject("phase")
def _phase(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return ctx.phase.kind if ctx.phase else "none"


@subject("channel")
def _channel(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return turn.channel


@subject("onboarded")
def _onboarded(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(state.locale is not None and state.consented)


@subject("consented")
def _consented(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(state.consented)


@subject("edition.districts")
def _districts(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(bool(ctx.edition.questions.districts))


@subject("edition.age")
def _age(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(ctx.edition.questions.ask_age)


@subject("edition.binding")
def _binding(ctx: StepContext, state: ConversationState, turn: Turn) -> str:
    return flag(ctx.edition.expectations.binding)
