"""One turn's work in progress: the state so far, the events so far, and the
small acts every part of the step uses (say, record, change language).
"""

from __future__ import annotations

from typing import Any

from pbbot.domain.messages import Choice, Inbound, Outbound
from pbbot.domain.payloads import resolve_payload
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import AnswerRecorded, Event, LanguageChanged, MessageCreated
from pbbot.engine.keywords import shown_word
from pbbot.engine.state import ConversationState
from pbbot.flows.model import Step
from pbbot.i18n.catalogs import Translator
from pbbot.i18n.negotiate import negotiate

__all__ = ["Run", "hinted_locale"]


class Run:
    """Builds the new state and the events of one turn."""

    def __init__(self, state: ConversationState, inbound: Inbound, context: StepContext):
        # An answer stays open to a next part for one message only (`misses.continues`).
        self.joinable = state.joinable
        self.state = state.evolve(joinable=None) if state.joinable else state
        self.inbound = inbound
        # The payload of the button tapped, a long one's reference resolved (None: no tap).
        self.tapped = (
            resolve_payload(inbound.payload, state.offered) if inbound.payload is not None else None
        )
        self.ctx = context
        self.events: list[Event] = []
        self.steps_taken = 0
        locale = state.locale or hinted_locale(inbound, context) or context.edition.default_language
        self.turn = Turn(channel=inbound.channel, locale=locale, answers=dict(state.answers))

    @property
    def t(self) -> Translator:
        return self.ctx.translators(self.turn.locale)

    @property
    def flow(self) -> str:
        """The flow the resident is in ("" for none)."""
        return self.state.flow or ""

    @property
    def first_contact(self) -> bool:
        """No language yet, and none the client's hint gives: ask in every language."""
        return self.state.locale is None and hinted_locale(self.inbound, self.ctx) is None

    def say(
        self,
        text: str,
        choices: tuple[Choice, ...] = (),
        request: str | None = None,
        *,
        replaces: bool = False,
    ) -> None:
        message = Outbound(
            text=text,
            locale=self.turn.locale,
            choices=choices,
            request=request,
            replaces=replaces,
            secret=self.turn.shows_secret,
        )
        self.turn.shows_secret = False
        self.events.append(MessageCreated(message))

    def say_catalog(self, text: str, **values: str) -> None:
        self.say(self.t.gettext(text).format(**values))

    def word(self, keyword: str) -> str:
        return shown_word(keyword, self.inbound.channel, self.t, self.ctx.carrier)

    def record(self, name: str, value: Any) -> None:
        answers = dict(self.state.answers)
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
        self.state = self.state.evolve(answers=answers)
        self.turn.answers = answers
        self.events.append(AnswerRecorded(name, value))

    def set_language(self, locale: str) -> None:
        self.state = self.state.evolve(locale=locale, misses=0)
        self.turn.locale = locale
        self.events.append(LanguageChanged(locale))

    def current_step(self) -> Step | None:
        if self.state.flow is None or self.state.step is None:
            return None
        return self.ctx.flows.step(self.state.flow, self.state.step)


def hinted_locale(inbound: Inbound, context: StepContext) -> str | None:
    """The client's language (Telegram's language_code) when the edition offers it."""
    return negotiate(inbound.language_hint, context.edition.languages)
