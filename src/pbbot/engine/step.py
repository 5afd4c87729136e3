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

from babel import Locale

from pbbot.domain.messages import Choice, Inbound, Outbound
from pbbot.domain.text import fold
from pbbot.engine.actions import ACTIONS, ActionCall
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import (
    ActionCalled,
    AnswerRecorded,
    ErasureRequested,
    Event,
    InputRejected,
    LanguageChanged,
    MessageCreated,
    Resubscribed,
    Unsubscribed,
)
from pbbot.engine.keywords import CARRIER_CHANNELS, keyword_of, keyword_word, start_word
from pbbot.engine.options import options_for
from pbbot.engine.replies import match_choice, parse_number
from pbbot.engine.state import ConversationState
from pbbot.engine.variables import render_text
from pbbot.flows.model import (
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

__all__ = ["MAX_STEPS_PER_TURN", "MISS_LIMIT", "StepResult", "step"]

MAX_STEPS_PER_TURN = 40  # a loop in a flow must not spin
# Flows the resident visits on the way and leaves again to where they were.
DETOUR_FLOWS = frozenset({"help", "language"})
MISS_LIMIT = 3
_MAX_TEXT_ANSWER = 2000  # characters kept of a free-text answer


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
    def onboarded(self) -> bool:
        return self.state.locale is not None and "consent" in self.state.answers

    def say(self, text: str, choices: tuple[Choice, ...] = (), request: str | None = None) -> None:
        message = Outbound(text=text, locale=self.turn.locale, choices=choices, request=request)
        self.events.append(MessageCreated(message))

    def say_catalog(self, text: str, **values: str) -> None:
        self.say(self.t.gettext(text).format(**values))

    def record(self, name: str, value: Any) -> None:
        answers = dict(self.state.answers)
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
        self.state = self.state.evolve(answers=answers)
        self.turn.answers = answers
        self.events.append(AnswerRecorded(name, value))

    # -- the turn --------------------------------------------------------------

    def handle(self) -> None:
        keyword = self.global_word()
        if self.state.stopped:
            if keyword == "start":
                self.state = self.state.evolve(stopped=False, stop_reminded=False)
                self.events.append(Resubscribed())
                self.go(self.home())
            elif not self.state.stop_reminded:  # once: a stopped resident is not pestered
                self.state = self.state.evolve(stop_reminded=True)
                self.say_catalog(
                    N_("You have stopped pbbot. Send {start} to start again."),
                    start=start_word(self.inbound.channel, self.t),
                )
            return
        if keyword is not None:
            self.keyword(keyword)
            return
        current = self.current_step()
        if current is None:
            self.go(self.home())
            return
        self.reply(current)

    def global_word(self) -> str | None:
        """The global word this message is: a channel's carrier keyword, a
        Telegram `/start <code>`, or MENU/HELP/... typed in any language."""
        inbound = self.inbound
        if inbound.keyword is not None:
            # The carrier resubscribes only someone who opted out; for anyone
            # else START, YES or UNSTOP are ordinary answers.
            carrier = {"opt_out": "stop", "help": "help"}
            if inbound.keyword == "opt_in":
                return "start" if self.state.stopped else None
            return carrier.get(inbound.keyword)
        if inbound.start_param is not None:
            return "start"
        word = None if inbound.payload is not None else keyword_of(inbound.text)
        if word == "start" and self.state.stopped and inbound.channel in CARRIER_CHANNELS:
            return None  # the carrier still blocks: only its own START lifts that
        return word

    def keyword(self, keyword: str) -> None:
        if keyword == "stop":
            self.state = self.state.evolve(
                stopped=True, flow=None, step=None, offered=(), resume=None
            )
            self.events.append(Unsubscribed())
            self.go("@stop")
        elif keyword == "start":
            self.go(self.home())
        elif keyword == "menu" and self.onboarded:
            self.go("@main_menu")
        elif keyword in ("help", "language"):
            self.state = self.state.evolve(resume=self.detour_return())
            self.go("@help" if keyword == "help" else "@language")
        else:  # MENU before onboarding is done: finish onboarding first
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
        if not self.onboarded:
            return "@onboarding/consent"
        return "@main_menu"

    def current_step(self) -> Step | None:
        if self.state.flow is None or self.state.step is None:
            return None
        return self.ctx.flows.step(self.state.flow, self.state.step)

    # -- replies ---------------------------------------------------------------

    def reply(self, current: Step) -> None:
        if isinstance(current, (ChoiceStep, LanguageStep)):
            self.reply_choice(current)
        elif isinstance(current, AskStep):
            self.reply_ask(current)
        else:  # only waiting steps are ever stored as the position
            self.go(self.home())

    def reply_choice(self, current: ChoiceStep | LanguageStep) -> None:
        options = options_for(current, self.state.flow or "", self.ctx, self.turn, self.t)
        labels = {option.payload: option.label for option in options}
        chosen = match_choice(self.inbound.text, self.inbound.payload, self.state.offered, labels)
        if chosen is None and isinstance(current, LanguageStep):
            # A language is also recognized by its code or its English name.
            chosen = _match_language(self.inbound.text, self.state.offered)
        if chosen is None:
            if self.inbound.payload is not None:
                self.say_catalog(N_("That button belongs to an earlier question."))
                self.enter_current(current)
                return
            self.miss(
                current,
                self.t.gettext(N_("Please reply with a number from 1 to {count}.")).format(
                    count=len(self.state.offered)
                ),
            )
            return
        option_id = chosen.rsplit(".", 1)[-1]
        shown = next((o for o in options if o.payload == chosen), None)
        if isinstance(current, LanguageStep):
            self.state = self.state.evolve(locale=option_id, misses=0)
            self.turn.locale = option_id
            self.events.append(LanguageChanged(option_id))
            self.go(current.go)
            return
        if current.save_as:
            self.record(current.save_as, shown.value if shown else option_id)
        static = next((o for o in current.options if o.id == option_id), None)
        self.state = self.state.evolve(misses=0)
        self.go(static.go if static else current.go or END)

    def reply_ask(self, current: AskStep) -> None:
        value, problem = _read_answer(current, self.inbound)
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
        choices = self.choices_offered(current)
        self.say(reprompt, choices)

    def choices_offered(self, current: Step) -> tuple[Choice, ...]:
        if not isinstance(current, (ChoiceStep, LanguageStep)):
            return ()
        options = options_for(current, self.state.flow or "", self.ctx, self.turn, self.t)
        return tuple(Choice(o.payload, o.label) for o in options if o.payload in self.state.offered)

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
                continue
            resolved = self.ctx.flows.resolve(flow, target)
            self.steps_taken += 1
            if resolved is None or self.steps_taken > MAX_STEPS_PER_TURN:
                # Validation makes this unreachable for shipped flows; never spin or crash.
                self.say_catalog(
                    N_("Sorry, something went wrong. Send {menu} to continue."),
                    menu=keyword_word("menu", self.t),
                )
                self.state = self.state.evolve(flow=None, step=None, offered=())
                return
            flow, step_id = resolved
            next_target = self.enter(flow, self.ctx.flows.step(flow, step_id))  # type: ignore[arg-type]
            if next_target is None:
                return
            target = next_target

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
            if (
                isinstance(current, LanguageStep)
                and self.state.locale is None
                and not self.inbound.language_hint
            ):
                # First contact without a language hint: ask in every offered language.
                texts = (
                    render_text(current.text or "", self.ctx, self.turn, self.ctx.translators(code))
                    for code in self.ctx.edition.languages
                )
                text = "\n".join(dict.fromkeys(texts))
        elif current.expect in ("phone", "location"):
            request = "contact" if current.expect == "phone" else "location"
        self.say(text, choices, request)
        self.state = self.state.evolve(
            flow=flow, step=current.id, offered=tuple(c.payload for c in choices), misses=0
        )
        return None

    def branch_value(self, subject: str) -> str:
        if subject == "phase":
            phase = self.ctx.phase
            return phase.kind if phase else "none"
        if subject == "channel":
            return self.inbound.channel
        if subject == "onboarded":
            return _flag(self.onboarded)
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
        self.events.append(
            ActionCalled(current.action, dict(current.params), result.exit, tuple(result.answers))
        )
        target = current.exit_to(result.exit)
        # Flow validation checked that every exit the action declares is mapped.
        assert target is not None, f"action {current.action} returned undeclared {result.exit!r}"
        return target


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _guess_locale(inbound: Inbound, context: StepContext) -> str:
    """The client's language when the edition offers it: a first guess, confirmed later."""
    return (
        negotiate(inbound.language_hint, context.edition.languages)
        or context.edition.default_language
    )


def _match_language(text: str, offered: tuple[str, ...]) -> str | None:
    wanted = fold(text)
    for payload in offered:
        code = payload.rsplit(".", 1)[-1]
        names = {code, fold(Locale.parse(code).get_display_name("en") or "")}
        if wanted in names:
            return payload
    return None


def _read_answer(
    current: AskStep, inbound: Inbound
) -> tuple[Any, tuple[str, dict[str, int]] | None]:
    """The value of a free answer, or the problem: a catalog msgid and its values."""
    text = inbound.text.strip()
    if current.expect == "number":
        number = parse_number(text)
        low = current.min if current.min is not None else 0
        high = current.max if current.max is not None else 10**9
        if number is None or not low <= number <= high:
            return None, (
                N_("Please send a number from {min} to {max}."),
                {"min": low, "max": high},
            )
        return number, None
    if current.expect == "phone":
        phone = (inbound.contact_phone or text).strip()
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not 8 <= len(digits) <= 15:
            return None, (N_("Please send a phone number, for example +32 470 12 34 56."), {})
        return ("+" if phone.startswith("+") else "") + digits, None
    if current.expect == "photo":
        if not inbound.photo_id:
            return None, (N_("Please send a photo."), {})
        return inbound.photo_id, None
    if current.expect == "location":
        if inbound.location is None:
            return None, (N_("Please share a location."), {})
        return {
            "latitude": inbound.location.latitude,
            "longitude": inbound.location.longitude,
        }, None
    low = current.min or 1
    high = current.max or _MAX_TEXT_ANSWER
    if not low <= len(text) <= high:
        return None, (
            N_("Please send a text of {min} to {max} characters."),
            {"min": low, "max": high},
        )
    return text, None
