"""`type: ask`: waits for a free answer of the kinds it accepts (`engine/asking.py`),
which an optional question lets the resident skip."""

from __future__ import annotations

from dataclasses import replace

from pbbot.domain.freetext import join_parts
from pbbot.domain.messages import Choice
from pbbot.domain.text import fold
from pbbot.engine.answers import answer_words
from pbbot.engine.asking import read_answer
from pbbot.engine.keywords import CARRIER_CHANNELS
from pbbot.engine.misses import miss, open_answer
from pbbot.engine.navigation import go
from pbbot.engine.run import Run
from pbbot.engine.steps.base import StepHandler, step_handler
from pbbot.engine.variables import render_text
from pbbot.flows.model import AskStep, Target
from pbbot.i18n.catalogs import N_

__all__ = ["AskHandler"]

# Telegram's input widgets for a kind: "Share my contact", "Share my location".
_REQUESTS = {"phone": "contact", "contact": "contact", "location": "location"}


@step_handler("ask")
class AskHandler(StepHandler[AskStep]):
    def enter(self, run: Run, flow: str, step: AskStep) -> Target | None:
        text = render_text(step.text or "", run.ctx, run.turn, run.t)
        request = next((_REQUESTS[kind] for kind in step.expect if kind in _REQUESTS), None)
        run.say(text, self.offered(run, step, flow), request)
        run.state = run.state.evolve(flow=flow, step=step.id, offered=(), misses=0)
        return None

    def reply(self, run: Run, step: AskStep) -> None:
        if step.back and _went_back(run, step):
            run.state = run.state.evolve(misses=0)
            go(run, step.back)
            return
        if step.skippable and _skipped(run, step):
            if step.save_as:
                run.record(step.save_as, None)
            run.state = run.state.evolve(misses=0)
            go(run, step.go)
            return
        inbound = run.inbound
        start = _started(run, step)
        if start is not None:  # the rest of a text the phone split
            inbound = replace(inbound, text=join_parts([start, inbound.text]))
        value, problem = read_answer(step, inbound, run.turn.locale)
        if problem is not None:
            # Too short may be only the first part of a long SMS: keep it, so that
            # a next part within a minute is read with it.
            joinable = _joinable(run, step, inbound.text.strip())
            if joinable and step.save_as:
                run.record(step.save_as, inbound.text.strip())
                run.state = run.state.evolve(joinable=joinable)
            if step.error:
                reprompt = render_text(step.error, run.ctx, run.turn, run.t)
            else:
                reprompt = run.t.gettext(problem[0]).format(**problem[1])
            miss(run, step, reprompt)
            return
        if step.save_as:
            run.record(step.save_as, value)
        run.state = run.state.evolve(misses=0, joinable=_joinable(run, step, value))
        go(run, step.go)

    def offered(self, run: Run, step: AskStep, flow: str | None = None) -> tuple[Choice, ...]:
        """An optional question's skip button and the way back; SMS has no buttons
        (a number there would read as the answer): its text names the words."""
        if run.inbound.channel in CARRIER_CHANNELS:
            return ()
        flow = flow if flow is not None else run.flow
        choices = []
        if step.skippable:
            choices.append(
                Choice(_payload(flow, step, "skip"), run.t.gettext(step.skip or N_("Skip")))
            )
        if step.back:
            choices.append(Choice(_payload(flow, step, "back"), run.t.gettext(N_("Back"))))
        return tuple(choices)

    def kinds(self, step: AskStep) -> tuple[str, ...]:
        return step.expect


def _payload(flow: str, step: AskStep, button: str) -> str:
    return f"{flow}.{step.id}.{button}"


def _skipped(run: Run, step: AskStep) -> bool:
    """The resident declined an optional question: its button, or a word for skip,
    no or "I don't know"."""
    return _said(run, step, "skip", ("skip", "no", "dont_know"))


def _went_back(run: Run, step: AskStep) -> bool:
    """The resident wants the question before: its button, or a word for back."""
    return _said(run, step, "back", ("back",))


def _said(run: Run, step: AskStep, button: str, meanings: tuple[str, ...]) -> bool:
    """The button, or the whole reply one of the words: an answer is free text,
    where a number, a near-miss or one word of many ("Back to the park" as an
    idea's title) is the answer, not the word."""
    if run.inbound.payload is not None:
        return run.inbound.payload == _payload(run.flow, step, button)
    if not run.inbound.text.strip():
        return False  # a photo or a pin without a caption
    languages = run.ctx.edition.languages
    reply = _comparable(run.inbound.text)
    return any(
        _comparable(word) == reply
        for meaning in meanings
        for word in answer_words(meaning, languages, run.ctx.translators)
    )


def _comparable(text: str) -> str:
    # Symbols ("-", "⬅") fold to nothing: they compare as written.
    return fold(text) or text.strip()


def _joinable(run: Run, step: AskStep, value: object) -> tuple[str, str] | None:
    """An SMS text the phone may have split: the next part may still come."""
    received = run.inbound.received_at
    if not (step.joins and step.save_as and isinstance(value, str) and received):
        return None
    return (step.save_as, received.isoformat()) if run.inbound.channel in CARRIER_CHANNELS else None


def _started(run: Run, step: AskStep) -> str | None:
    """The first part of this answer, kept when it alone did not do (too short),
    if this message may be its next part."""
    found = open_answer(run)
    return found[1] if found is not None and found[0] == step.save_as else None
