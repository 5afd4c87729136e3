"""Replies that do not fit the step: re-prompts, and after `MISS_LIMIT` misses
in a row, the way out (the "I don't seem to understand you" menu).

A resident's unexpected input is never an exception: it is a re-prompt and an
`InputRejected` event. A greeting or a thank-you is not a miss at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pbbot.domain.freetext import join_parts, limit
from pbbot.engine.answers import answer_words
from pbbot.engine.asking import MAX_TEXT_ANSWER
from pbbot.engine.events import InputRejected
from pbbot.engine.language import is_greeting
from pbbot.engine.navigation import detour_return, go
from pbbot.engine.replies import match_choice
from pbbot.engine.run import Run
from pbbot.engine.steps.base import handler_for
from pbbot.flows.model import Step
from pbbot.i18n.catalogs import N_

__all__ = [
    "JOIN_WITHIN",
    "MISS_LIMIT",
    "continues",
    "miss",
    "open_answer",
    "small_talk",
    "unreadable",
]

MISS_LIMIT = 3
# The parts of one long SMS arrive within seconds; a minute leaves room for a slow network.
JOIN_WITHIN = timedelta(minutes=1)
_TYPED = frozenset({"text", "number", "phone"})


def miss(run: Run, current: Step, reprompt: str) -> None:
    if continues(run):
        return  # the question after it was asked already: nothing to say
    misses = run.state.misses + 1
    run.events.append(InputRejected(run.flow, current.id, run.inbound.text[:200], misses))
    if misses >= MISS_LIMIT:
        run.state = run.state.evolve(misses=0, resume=detour_return(run))
        go(run, "@help/stuck")
        return
    run.state = run.state.evolve(misses=misses)
    run.say(reprompt, handler_for(current).offered(run, current))


def open_answer(run: Run) -> tuple[str, str] | None:
    """(name, text so far) of the SMS answer this message may continue: one the
    phone may have split (`joins: true`), whose last part came within a minute."""
    received = run.inbound.received_at
    if run.joinable is None or received is None or not run.inbound.text.strip():
        return None
    name, since = run.joinable
    previous = run.state.answers.get(name)
    if not isinstance(previous, str) or received - datetime.fromisoformat(since) > JOIN_WITHIN:
        return None
    return name, previous


def continues(run: Run) -> bool:
    """A part of a long SMS the phone split, come after the answer it belongs to:
    it does not fit the question after that answer, so it is added to it."""
    found = open_answer(run)
    if found is None:
        return False
    name, previous = found
    joined, too_long_by = limit(join_parts([previous, run.inbound.text]), MAX_TEXT_ANSWER)
    if too_long_by is not None:
        return False
    run.record(name, joined)
    assert run.inbound.received_at is not None  # open_answer checked it
    run.state = run.state.evolve(joinable=(name, run.inbound.received_at.isoformat()))
    return True


def unreadable(run: Run, current: Step) -> bool:
    """A voice note, sticker, photo or pin where the step reads typed text: say so."""
    inbound = run.inbound
    wanted = handler_for(current).kinds(current)
    sent = inbound.media or (
        "photo" if inbound.photo_id else "location" if inbound.location else None
    )
    if sent is None or inbound.text.strip() or inbound.payload is not None or sent in wanted:
        return False
    if (sent == "contact" and {"phone", "contact"} & set(wanted)) or not _TYPED & set(wanted):
        return False  # a photo question says itself what it wants
    run.say(
        run.t.gettext(N_("I can only read text here. Please type your answer.")),
        handler_for(current).offered(run, current),
    )
    return True


def small_talk(run: Run) -> bool:
    """A greeting or a thank-you where an answer was expected: not a mistake."""
    languages = run.ctx.edition.languages
    if is_greeting(run.inbound.text, languages, run.ctx.translators):
        return True
    thanks = answer_words("thanks", languages, run.ctx.translators)
    return match_choice(run.inbound.text, None, ("t",), {"t": thanks}).payload == "t"
