"""The engine step: (state, inbound message, context) -> (new state, events).

Pure: no I/O, no clock, no globals besides the registries. The caller stores
the new state and the events in one transaction and hands every message to
the outbox. A resident's unexpected input is never an exception: it is a
re-prompt and an `InputRejected` event (`engine/misses.py`).

A step that reads domain data the context's snapshot does not hold stops
without a change and names what it needs (`StepResult.needs`); the caller
loads it and steps again.

The turn: global words first (`engine/words.py`), then the reply to the step
the resident is at, by its type's handler (`engine/steps/`), moving on
through the flows (`engine/navigation.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pbbot.engine.steps  # noqa: F401  (registers the step type handlers)
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.events import Event, MessageCreated, SnapshotNeeded
from pbbot.engine.keywords import global_word
from pbbot.engine.misses import MISS_LIMIT, unreadable
from pbbot.engine.navigation import CONSENT_NEEDED, MAX_STEPS_PER_TURN, go, home
from pbbot.engine.run import Run
from pbbot.engine.snapshot import SnapshotMissing
from pbbot.engine.state import ConversationState
from pbbot.engine.steps.base import handler_for
from pbbot.engine.words import keyword, recognize_language, while_stopped
from pbbot.i18n.catalogs import N_

__all__ = ["CONSENT_NEEDED", "MAX_STEPS_PER_TURN", "MISS_LIMIT", "StepResult", "step"]


@dataclass(frozen=True, slots=True)
class StepResult:
    state: ConversationState
    events: tuple[Event, ...]

    @property
    def messages(self) -> list[Outbound]:
        return [event.message for event in self.events if isinstance(event, MessageCreated)]

    @property
    def needs(self) -> frozenset[str]:
        """The snapshot parts the step stopped for; empty when it ran."""
        return next(
            (event.names for event in self.events if isinstance(event, SnapshotNeeded)),
            frozenset(),
        )


def step(state: ConversationState, inbound: Inbound, context: StepContext) -> StepResult:
    run = Run(state, inbound, context)
    try:
        _turn(run)
    except SnapshotMissing as missing:
        return StepResult(
            state, (SnapshotNeeded(frozenset({missing.name}), dict(run.state.answers)),)
        )
    return StepResult(run.state, tuple(run.events))


def _turn(run: Run) -> None:
    word = global_word(run.inbound, stopped=run.state.stopped, carrier=run.ctx.carrier)
    if while_stopped(run, word):
        return
    if word == "stop_hint":
        run.say_catalog(N_("To stop all messages, send {stop}."), stop=run.word("stop"))
        return
    new = run.state.locale is None and run.state.flow is None
    if new and word != "stop" and recognize_language(run):
        return  # "YARDIM" as a first SMS: the welcome, in Turkish
    if word is not None:
        keyword(run, word)
        return
    current = run.current_step()
    if current is None or not current.waits:
        # Only waiting steps are ever stored as the position.
        go(run, home(run))
        return
    if not unreadable(run, current):
        handler_for(current).reply(run, current)
