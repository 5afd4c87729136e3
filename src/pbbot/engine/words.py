"""The words that work at any step, and what they do to the turn: STOP and
START (a stopped resident hears nothing else), MENU, HELP, LANGUAGE, and a
first message whose language is clear. Which words they are, on which
channel, is `engine/keywords.py`'s to say.
"""

from __future__ import annotations

from pbbot.engine.events import Resubscribed, Unsubscribed
from pbbot.engine.keywords import CARRIER_CHANNELS, lifts_carrier_block
from pbbot.engine.language import infer_language
from pbbot.engine.navigation import go, home
from pbbot.engine.run import Run, hinted_locale
from pbbot.flows.model import LanguageStep
from pbbot.i18n.catalogs import N_

__all__ = ["keyword", "recognize_language", "while_stopped"]


def while_stopped(run: Run, word: str | None) -> bool:
    """STOP is kept until START; True when the turn ends here. Once, a stopped
    resident is told how to come back (never on SMS: the STOP confirmation
    said how, and every SMS costs)."""
    back = word == "start" and run.state.stopped
    if back or lifts_carrier_block(run.inbound, run.ctx.carrier):
        run.events.append(Resubscribed())
    if not run.state.stopped:
        return False
    if back:
        run.state = run.state.evolve(stopped=False, stop_reminded=False)
        go(run, home(run))
    elif not run.state.stop_reminded and run.inbound.channel not in CARRIER_CHANNELS:
        run.state = run.state.evolve(stop_reminded=True)
        run.say_catalog(
            N_("You have stopped pbbot. Send {start} to start again."), start=run.word("start")
        )
    return True


def keyword(run: Run, word: str) -> None:
    if word == "stop":
        run.state = run.state.evolve(stopped=True, flow=None, step=None, offered=(), resume=None)
        run.events.append(Unsubscribed())
        go(run, "@stop")
    elif word == "start":
        go(run, home(run))
    elif word == "menu" and run.state.locale is not None:
        go(run, "@main_menu")  # what it offers before consent is the information only
    elif word in ("help", "language"):
        go(run, "@help" if word == "help" else "@language")
    else:  # MENU before a language is chosen: choose one first
        go(run, home(run))


def recognize_language(run: Run) -> bool:
    """A first message that makes its language clear (the script, a greeting,
    a global word of one language only): answer in it, with a one-line way
    to change it, and go on as if it was chosen."""
    if hinted_locale(run.inbound, run.ctx) is not None:
        return False  # the phone's language: the menu in it is one tap to confirm
    found = infer_language(run.inbound.text, run.ctx.edition.languages, run.ctx.translators)
    if found is None:
        return False
    run.set_language(found)
    run.say_catalog(
        # Translators: name your own language; this is the first SMS a resident gets.
        N_("I will write in English. Another language? Send {keyword}."),
        keyword=run.word("language"),
    )
    start = run.ctx.flows.resolve("", "@onboarding")
    chooser = run.ctx.flows.step(*start) if start else None
    if start is None or not isinstance(chooser, LanguageStep):
        go(run, home(run))
    elif chooser.go.startswith("@"):
        go(run, chooser.go)
    else:  # a step of the onboarding flow: the one after its language question
        go(run, f"@{start[0]}/{chooser.go}")
    return True
