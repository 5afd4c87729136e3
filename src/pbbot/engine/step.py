"""The engine step: (state, inbound message, context) -> (new state, events).

Pure: no I/O, no clock, no globals besides the registries. The caller stores
the new state and the events in one transaction and hands every message to
the outbox. A resident's unexpected input is never an exception: it is a
re-prompt and an `InputRejected` event; after `MISS_LIMIT` misses in a row the
resident is offered the menu or help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pbbot.domain.messages import Choice, Inbound, Outbound
from pbbot.engine.actions import ACTIONS, ActionCall
from pbbot.engine.answers import answer_words
from pbbot.engine.asking import read_answer
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import (
    ActionCalled,
    AnswerRecorded,
    ErasureRequested,
    Event,
    InputRejected,
    LanguageChanged,
    MessageCreated,
    MessagesForgotten,
    Resubscribed,
    Unsubscribed,
)
from pbbot.engine.keywords import CARRIER_CHANNELS, global_word, lifts_carrier_block, shown_word
from pbbot.engine.language import (
    infer_language,
    is_greeting,
    language_names,
    unoffered_language,
)
from pbbot.engine.options import ShownOption, option_names, options_for
from pbbot.engine.replies import Match, match_choice
from pbbot.engine.state import ConversationState
from pbbot.engine.variables import render_text
from pbbot.flows.model import (
    CONTINUE,
    END,
    RESUME,
    ActionStep,
    AskStep,
    BranchStep,
    ChoiceStep,
    LanguageStep,
    MessageStep,
    Step,
    Target,
)
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.negotiate import negotiate
from pbbot.i18n.sms import sms_body, sms_segments

__all__ = ["CONSENT_NEEDED", "MAX_STEPS_PER_TURN", "MISS_LIMIT", "StepResult", "step"]

MAX_STEPS_PER_TURN = 40  # a loop in a flow must not spin
# Flows the resident visits on the way and leaves again to where they were.
DETOUR_FLOWS = frozenset({"help", "language"})
MISS_LIMIT = 3
# Where a resident goes who opens a part that stores data before agreeing.
CONSENT_NEEDED = "@onboarding/consent_needed"
# Flows a resident can be in before they chose a language.
_BEFORE_LANGUAGE = frozenset({"onboarding", "language", "stop"})


@dataclass(frozen=True, slots=True)
class StepResult:
    state: ConversationState
    events: tuple[Event, ...]

    @property
    def messages(self) -> list[Outbound]:
        return [event.message for event in self.events if isinstance(event, MessageCreated)]


def step(state: ConversationState, inbound: Inbound, context: StepContext) -> StepResult:
    run = _Run(state, inbound, context)
    run.handle()
    return StepResult(run.state, tuple(run.events))


class _Run:
    """One turn's work; builds the new state and the events."""

    def __init__(self, state: ConversationState, inbound: Inbound, context: StepContext):
        self.state = state
        self.inbound = inbound
        self.ctx = context
        self.events: list[Event] = []
        self.steps_taken = 0
        locale = state.locale or _guess_locale(inbound, context)
        self.turn = Turn(channel=inbound.channel, locale=locale, answers=dict(state.answers))

    # -- helpers ---------------------------------------------------------------

    @property
    def t(self) -> Translator:
        return self.ctx.translators(self.turn.locale)

    @property
    def first_contact(self) -> bool:
        """No language yet, and none the client's hint gives: ask in every language."""
        return self.state.locale is None and _hinted_locale(self.inbound, self.ctx) is None

    def say(self, text: str, choices: tuple[Choice, ...] = (), request: str | None = None) -> None:
        message = Outbound(text=text, locale=self.turn.locale, choices=choices, request=request)
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

    # -- the turn --------------------------------------------------------------

    def handle(self) -> None:
        word = global_word(self.inbound, stopped=self.state.stopped, carrier=self.ctx.carrier)
        back = word == "start" and self.state.stopped
        if back or lifts_carrier_block(self.inbound, self.ctx.carrier):
            self.events.append(Resubscribed())
        if self.state.stopped:
            if back:
                self.state = self.state.evolve(stopped=False, stop_reminded=False)
                self.go(self.home())
            elif not self.state.stop_reminded and self.inbound.channel not in CARRIER_CHANNELS:
                # Once: a stopped resident is not pestered. On SMS never: the STOP
                # confirmation said how to come back, and every SMS costs.
                self.state = self.state.evolve(stop_reminded=True)
                self.say_catalog(
                    N_("You have stopped pbbot. Send {start} to start again."),
                    start=self.word("start"),
                )
            return
        if word == "stop_hint":
            self.say_catalog(N_("To stop all messages, send {stop}."), stop=self.word("stop"))
            return
        new = self.state.locale is None and self.state.flow is None
        if new and word != "stop" and self.recognize_language():
            return  # "YARDIM" as a first SMS: the welcome, in Turkish
        if word is not None:
            self.keyword(word)
            return
        current = self.current_step()
        if current is None:
            self.go(self.home())
            return
        self.reply(current)

    def recognize_language(self) -> bool:
        """A first message that makes its language clear (the script, a greeting,
        a global word of one language only): answer in it, with a one-line way
        to change it, and go on as if it was chosen."""
        if _hinted_locale(self.inbound, self.ctx) is not None:
            return False  # the phone's language: the menu in it is one tap to confirm
        found = infer_language(self.inbound.text, self.ctx.edition.languages, self.ctx.translators)
        if found is None:
            return False
        self.set_language(found)
        self.say_catalog(
            # Translators: name your own language; this is the first SMS a resident gets.
            N_("I will write in English. Another language? Send {keyword}."),
            keyword=self.word("language"),
        )
        start = self.ctx.flows.resolve("", "@onboarding")
        chooser = self.ctx.flows.step(*start) if start else None
        if start is None or not isinstance(chooser, LanguageStep):
            self.go(self.home())
        elif chooser.go.startswith("@"):
            self.go(chooser.go)
        else:  # a step of the onboarding flow: the one after its language question
            self.go(f"@{start[0]}/{chooser.go}")
        return True

    def keyword(self, keyword: str) -> None:
        if keyword == "stop":
            self.state = self.state.evolve(
                stopped=True, flow=None, step=None, offered=(), resume=None
            )
            self.events.append(Unsubscribed())
            self.go("@stop")
        elif keyword == "start":
            self.go(self.home())
        elif keyword == "menu" and self.state.locale is not None:
            self.go("@main_menu")  # what it offers before consent is the information only
        elif keyword in ("help", "language"):
            self.go("@help" if keyword == "help" else "@language")
        else:  # MENU before a language is chosen: choose one first
            self.go(self.home())

    def detour_return(self) -> tuple[str, str] | None:
        """Where a detour (help, language) leads back to: the current step,
        unless that is itself a detour, whose own way back is kept."""
        if self.state.flow in DETOUR_FLOWS or not (self.state.flow and self.state.step):
            return self.state.resume
        return (self.state.flow, self.state.step)

    def home(self) -> Target:
        if self.state.locale is None:
            return "@onboarding"
        if not self.state.consent_answered:
            return "@onboarding/consent"
        return "@main_menu"

    def current_step(self) -> Step | None:
        if self.state.flow is None or self.state.step is None:
            return None
        return self.ctx.flows.step(self.state.flow, self.state.step)

    # -- replies ---------------------------------------------------------------

    def reply(self, current: Step) -> None:
        if self.unreadable(current):
            return
        if isinstance(current, (ChoiceStep, LanguageStep)):
            self.reply_choice(current)
        elif isinstance(current, AskStep):
            self.reply_ask(current)
        else:  # only waiting steps are ever stored as the position
            self.go(self.home())

    def unreadable(self, current: Step) -> bool:
        """A voice note, sticker, photo or pin where the step reads text: say so."""
        inbound = self.inbound
        wanted = current.expect if isinstance(current, AskStep) else "text"
        sent = inbound.media or (
            "photo" if inbound.photo_id else "location" if inbound.location else None
        )
        if sent is None or inbound.text.strip() or inbound.payload is not None or sent == wanted:
            return False
        if sent == "contact" and wanted == "phone":
            return False
        self.say(
            self.t.gettext(N_("I can only read text here. Please type your answer.")),
            self.choices_offered(current),
        )
        return True

    def reply_choice(self, current: ChoiceStep | LanguageStep) -> None:
        flow = self.state.flow or ""
        options = options_for(current, flow, self.ctx, self.turn, self.t)
        if isinstance(current, LanguageStep) and self.inbound.payload is None:
            other = unoffered_language(self.inbound.text, self.ctx.edition.languages)
            if other is not None:  # "Deutsch": not a near-miss of "Dutch", and not offered
                self.say(
                    self.t.gettext(N_("That language is not offered. Please choose one of these:")),
                    self.choices_offered(current),
                )
                return
        match = match_choice(
            self.inbound.text,
            self.inbound.payload,
            self.state.offered,
            lambda: self.names(current, options),
            guess=not _confirms(current),
        )
        if match.payload is None and isinstance(current, LanguageStep) and not match.close:
            found = infer_language(
                self.inbound.text, self.ctx.edition.languages, self.ctx.translators
            )
            payload = f"{flow}.{current.id}.{found}"
            match = Match(payload if payload in self.state.offered else None)
        if match.payload is None:
            self.miss_choice(current, options, match)
            return
        chosen = match.payload
        option_id = chosen.rsplit(".", 1)[-1]
        if isinstance(current, LanguageStep):
            self.set_language(option_id)
            self.go(current.go)
            return
        static = next((o for o in current.options if o.id == option_id), None)
        if current.save_as and (static is None or not current.options_from):
            # Options from a source are the answer; fixed ones beside them navigate.
            shown = next((o for o in options if o.payload == chosen), None)
            self.record(current.save_as, shown.value if shown else option_id)
        self.state = self.state.evolve(misses=0)
        self.go(static.go if static else current.go or END)

    def names(
        self, current: ChoiceStep | LanguageStep, options: list[ShownOption]
    ) -> dict[str, tuple[str, ...]]:
        if isinstance(current, LanguageStep):
            languages = self.ctx.edition.languages
            return {o.payload: (o.label, *language_names(o.value, languages)) for o in options}
        return option_names(current, self.state.flow or "", self.ctx, self.turn, options)

    def miss_choice(
        self, current: ChoiceStep | LanguageStep, options: list[ShownOption], match: Match
    ) -> None:
        if self.inbound.payload is not None:
            self.say_catalog(N_("That button belongs to an earlier question."))
            self.enter_current(current)
            return
        if self.small_talk():
            self.enter_current(current)  # "merhaba", "merci", "🙏": where they are, again
            return
        if match.close:
            labels = {o.payload: o.label for o in options}
            first, second = (labels.get(p, "") for p in match.close)
            self.miss(
                current,
                self.t.gettext(N_("Did you mean {first} or {second}?")).format(
                    first=first, second=second
                ),
            )
            return
        if self.inbound.channel == "telegram":
            reprompt = N_("Please tap one of the buttons.")
        else:
            reprompt = N_("Please reply with a number from 1 to {count}.")
        count = str(len(self.state.offered))
        if isinstance(current, LanguageStep) and self.first_contact:
            # Nobody knows yet which language the resident reads: ask in all of them.
            texts = (
                self.ctx.translators(code).gettext(reprompt).format(count=count)
                for code in self.ctx.edition.languages
            )
            self.miss(current, "\n".join(dict.fromkeys(texts)))
            return
        self.miss(current, self.t.gettext(reprompt).format(count=count))

    def small_talk(self) -> bool:
        """A greeting or a thank-you where an answer was expected: not a mistake."""
        languages = self.ctx.edition.languages
        if is_greeting(self.inbound.text, languages, self.ctx.translators):
            return True
        thanks = answer_words("thanks", languages, self.ctx.translators)
        return match_choice(self.inbound.text, None, ("t",), {"t": thanks}).payload == "t"

    def reply_ask(self, current: AskStep) -> None:
        if current.skip and self.skipped(current):
            if current.save_as:
                self.record(current.save_as, None)
            self.state = self.state.evolve(misses=0)
            self.go(current.go)
            return
        value, problem = read_answer(current, self.inbound)
        if problem is not None:
            if current.error:
                reprompt = render_text(current.error, self.ctx, self.turn, self.t)
            else:
                reprompt = self.t.gettext(problem[0]).format(**problem[1])
            self.miss(current, reprompt)
            return
        if current.save_as:
            self.record(current.save_as, value)
        self.state = self.state.evolve(misses=0)
        self.go(current.go)

    def skipped(self, current: AskStep) -> bool:
        """The resident declined an optional question: its button, or a word for skip or no."""
        if self.inbound.payload is not None:
            return self.inbound.payload == self.skip_payload(current)
        languages = self.ctx.edition.languages
        accepted = (
            *answer_words("skip", languages, self.ctx.translators),
            *answer_words("no", languages, self.ctx.translators),
        )
        return match_choice(self.inbound.text, None, ("skip",), {"skip": accepted}).payload == (
            "skip"
        )

    def skip_payload(self, current: AskStep) -> str:
        return f"{self.state.flow}.{current.id}.skip"

    def miss(self, current: Step, reprompt: str) -> None:
        misses = self.state.misses + 1
        self.events.append(
            InputRejected(self.state.flow or "", current.id, self.inbound.text[:200], misses)
        )
        if misses >= MISS_LIMIT:
            self.state = self.state.evolve(misses=0, resume=self.detour_return())
            self.go("@help/stuck")
            return
        self.state = self.state.evolve(misses=misses)
        self.say(reprompt, self.choices_offered(current))

    def choices_offered(self, current: Step) -> tuple[Choice, ...]:
        if isinstance(current, AskStep):
            return self.skip_choice(current, self.state.flow or "")
        if not isinstance(current, (ChoiceStep, LanguageStep)):
            return ()
        options = options_for(current, self.state.flow or "", self.ctx, self.turn, self.t)
        return tuple(Choice(o.payload, o.label) for o in options if o.payload in self.state.offered)

    def skip_choice(self, current: AskStep, flow: str) -> tuple[Choice, ...]:
        """An optional question's skip button; SMS has none (a number there would
        read as the answer): its text names the word to send instead."""
        if not current.skip or self.inbound.channel in CARRIER_CHANNELS:
            return ()
        return (Choice(f"{flow}.{current.id}.skip", self.t.gettext(current.skip)),)

    # -- moving through flows --------------------------------------------------

    def go(self, target: Target) -> None:
        flow = self.state.flow or ""
        while True:
            if target == END:
                self.state = self.state.evolve(flow=None, step=None, offered=())
                return
            if target == RESUME:
                resume = self.state.resume
                self.state = self.state.evolve(resume=None)
                target = f"@{resume[0]}/{resume[1]}" if resume else self.home()
                flow = ""  # coming back is no detour's new start
                continue
            if target == CONTINUE:
                wanted = self.state.wanted if self.state.consented else None
                self.state = self.state.evolve(wanted=None)
                target = f"@{wanted[0]}/{wanted[1]}" if wanted else "@main_menu"
                continue
            resolved = self.ctx.flows.resolve(flow, target)
            self.steps_taken += 1
            if resolved is None or self.steps_taken > MAX_STEPS_PER_TURN:
                # Validation makes this unreachable for shipped flows; never spin or crash.
                self.say_catalog(
                    N_("Sorry, something went wrong. Send {menu} to continue."),
                    menu=self.word("menu"),
                )
                self.state = self.state.evolve(flow=None, step=None, offered=())
                return
            if resolved[0] != flow:
                gate = self.gate(resolved)
                if gate is not None:
                    target = gate
                    continue
                self.track_detour(flow, resolved[0])
            flow, step_id = resolved
            next_target = self.enter(flow, self.ctx.flows.step(flow, step_id))  # type: ignore[arg-type]
            if next_target is None:
                return
            target = next_target

    def gate(self, entering: tuple[str, str]) -> Target | None:
        """Where a resident goes instead of `entering`, if they may not go there yet:
        without a language, to the language question; into a flow that stores what
        they send, without consent, to the consent question (and on afterwards)."""
        flow = entering[0]
        if self.state.locale is None and flow not in _BEFORE_LANGUAGE:
            return "@onboarding"
        if "consent" in self.ctx.flows.flows[flow].requires and not self.state.consented:
            self.state = self.state.evolve(wanted=entering)
            return CONSENT_NEEDED
        if flow != "onboarding" and self.state.wanted is not None:
            self.state = self.state.evolve(wanted=None)  # they went elsewhere instead
        return None

    def track_detour(self, leaving: str, entering: str) -> None:
        """A detour (help, language) leads back to where it started; leaving it by
        another way (its "Main menu") forgets that place."""
        if entering in DETOUR_FLOWS and leaving not in DETOUR_FLOWS:
            self.state = self.state.evolve(resume=self.detour_return())
        elif leaving in DETOUR_FLOWS and entering not in DETOUR_FLOWS:
            self.state = self.state.evolve(resume=None)

    def enter_current(self, current: Step) -> None:
        self.enter(self.state.flow or "", current)

    def enter(self, flow: str, current: Step) -> Target | None:
        """Show a step; returns where to go next, or None when it waits for a reply."""
        if isinstance(current, MessageStep):
            self.say(render_text(current.text or "", self.ctx, self.turn, self.t))
            return current.go
        if isinstance(current, BranchStep):
            return current.choose(self.branch_value(current.on))
        if isinstance(current, ActionStep):
            return self.run_action(current)
        assert isinstance(current, (ChoiceStep, LanguageStep, AskStep))
        text = render_text(current.text or "", self.ctx, self.turn, self.t)
        choices: tuple[Choice, ...] = ()
        request = None
        if isinstance(current, (ChoiceStep, LanguageStep)):
            options = options_for(current, flow, self.ctx, self.turn, self.t)
            choices = tuple(Choice(o.payload, o.label) for o in options)
            if isinstance(current, LanguageStep) and self.first_contact:
                text = self.first_language_prompt(current, choices)
        else:
            choices = self.skip_choice(current, flow)
            if current.expect in ("phone", "location"):
                request = "contact" if current.expect == "phone" else "location"
        self.say(text, choices, request)
        offered = () if isinstance(current, AskStep) else tuple(c.payload for c in choices)
        self.state = self.state.evolve(flow=flow, step=current.id, offered=offered, misses=0)
        return None

    def first_language_prompt(self, current: LanguageStep, choices: tuple[Choice, ...]) -> str:
        """The language question in every offered language; on SMS only where the
        menu still fits one segment (the first SMS a resident gets is the cheapest),
        else the numbered language names speak for themselves."""
        texts = (
            render_text(current.text or "", self.ctx, self.turn, self.ctx.translators(code))
            for code in self.ctx.edition.languages
        )
        text = "\n".join(dict.fromkeys(texts))
        if self.inbound.channel not in CARRIER_CHANNELS:
            return text
        labels = [choice.label for choice in choices]
        fits = sms_segments(sms_body(text, labels, rtl=self.t.rtl)).segments == 1
        return text if fits else ""

    def branch_value(self, subject: str) -> str:
        if subject == "phase":
            phase = self.ctx.phase
            return phase.kind if phase else "none"
        if subject == "channel":
            return self.inbound.channel
        if subject == "onboarded":
            return _flag(self.state.locale is not None and self.state.consented)
        if subject == "consented":
            return _flag(self.state.consented)
        name = subject.split(".", 1)[1]
        if subject.startswith("answer."):
            value = self.state.answers.get(name)
            return "" if value is None else str(value)
        questions = self.ctx.edition.questions
        flags = {
            "districts": bool(questions.districts),
            "age": questions.ask_age,
            "binding": self.ctx.edition.expectations.binding,
        }
        return _flag(flags.get(name, False))

    def run_action(self, current: ActionStep) -> Target:
        call = ActionCall(self.ctx, self.turn, dict(current.params))
        result = ACTIONS[current.action](call)
        for name, value in result.answers.items():
            self.record(name, value)
        self.turn.extra.update(result.texts)
        if result.erase:
            # Nothing of the resident stays in the state; the texts that follow
            # are still in their language (the turn keeps it).
            self.state = ConversationState(stopped=self.state.stopped)
            self.turn.answers = {}
            self.events.append(ErasureRequested())
        if result.forget_messages:
            self.events.append(MessagesForgotten())
        self.events.extend(result.events)
        self.events.append(
            ActionCalled(current.action, dict(current.params), result.exit, tuple(result.answers))
        )
        target = current.exit_to(result.exit)
        # Flow validation checked that every exit the action declares is mapped.
        assert target is not None, f"action {current.action} returned undeclared {result.exit!r}"
        return target


def _confirms(step: ChoiceStep | LanguageStep) -> bool:
    """A yes/no question: no near-misses there (a negation is one letter away)."""
    return isinstance(step, ChoiceStep) and any(o.id in ("yes", "no") for o in step.options)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _hinted_locale(inbound: Inbound, context: StepContext) -> str | None:
    """The client's language (Telegram's language_code) when the edition offers it."""
    return negotiate(inbound.language_hint, context.edition.languages)


def _guess_locale(inbound: Inbound, context: StepContext) -> str:
    """A first guess, confirmed later: the client's language, else the edition's default."""
    return _hinted_locale(inbound, context) or context.edition.default_language
