"""Flows as data: the step types a flow file can use, each parsed from YAML.

Each step type is a small frozen dataclass registered by its YAML `type` name
(`type: choice` is `ChoiceStep`); the docstring shows an example that a test
loads. Behaviour lives in the engine; this module only describes.

A `go` target is a step of the same flow (`consent`), another flow's start
(`@main_menu`), a step of another flow (`@help/stuck`), the place a detour
started from (`@resume`), the part a resident wanted before they were asked to
agree to the privacy notice (`@continue`; the main menu if none) or the end of
the conversation turn (`@end`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "ANSWERS_PREFIX",
    "CONTINUE",
    "END",
    "RESUME",
    "STEP_TYPES",
    "ActionStep",
    "AskStep",
    "BranchStep",
    "ChoiceStep",
    "Flow",
    "FlowSet",
    "LanguageStep",
    "MessageStep",
    "Option",
    "Step",
    "Target",
]

Target = str
END: Target = "@end"
RESUME: Target = "@resume"
# Where the resident was going when they were asked to agree first, else the main menu.
CONTINUE: Target = "@continue"
# `{answers.NAME}` in a text: the answer a step saved as NAME (or an action recorded).
ANSWERS_PREFIX = "answers."


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str
    go: Target
    phases: tuple[str, ...] = ()  # shown only in these phases (empty: always)
    when: str | None = None  # shown only with consent ("consent") or without ("no_consent")
    line: int = 0

    WHEN: ClassVar[tuple[str, ...]] = ("consent", "no_consent")


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    line: int
    text: str | None

    type_name: ClassVar[str] = ""
    # Keys allowed in YAML besides `type` and `text`; anything else is a typo.
    keys: ClassVar[frozenset[str]] = frozenset()

    def targets(self) -> list[tuple[Target, int]]:
        """Every `go` target with the line it was written on."""
        return []

    @property
    def waits(self) -> bool:
        """Does the step wait for the resident's reply?"""
        return False

    def texts(self) -> list[tuple[str, int]]:
        """Every resident-facing text of the step, with its line."""
        return [(self.text, self.line)] if self.text else []

    @property
    def saved(self) -> str | None:
        """The answer this step records (`save_as`), for `{answers.NAME}` and branches."""
        return None


@dataclass(frozen=True, slots=True)
class MessageStep(Step):
    """Shows a text and goes on at once.

    ```yaml
    thanks:
      type: message
      text: "Thank you!"
      go: "@main_menu"
    ```

    `image: NAME` sends a picture with the text on Telegram (SMS shows the text
    alone): the image source NAME, which a feature registers, draws it (a chart
    of the results). A choice step takes an `image` too.

    ```yaml
    chart:
      type: message
      text: "The results, as a chart."
      image: results_chart
      go: "@main_menu"
    ```
    """

    go: Target = END
    go_line: int = 0
    image: str | None = None  # an image source (`pbbot.engine.images`)
    image_line: int = 0

    type_name: ClassVar[str] = "message"
    keys: ClassVar[frozenset[str]] = frozenset({"go", "image"})

    def targets(self) -> list[tuple[Target, int]]:
        return [(self.go, self.go_line)]


@dataclass(frozen=True, slots=True)
class ChoiceStep(Step):
    """Offers options; the reply is a number, a button payload or a label.

    `options_from` builds options from the edition (`districts`, `themes`);
    they all go to `go`, and fixed `options` may follow them (a "Prefer not to
    say" beside the districts). `save_as` stores the chosen option: the
    source's value, or a fixed option's id where there is no source. An
    option with `phases` shows only in those phases; with `when: consent`
    only after the resident agreed to the privacy notice, with
    `when: no_consent` only before. Options with the id `yes`, `no` or `skip`
    also accept the common words for them ("ok", "👍", "iptal").

    ```yaml
    district:
      type: choice
      text: "In which district do you live?"
      options_from: districts
      save_as: district
      go: next
      options:
        - {id: skip, label: "Prefer not to say", go: next}
        - {id: more, label: "More information", go: next, phases: [ideation], when: consent}
    ```

    `page_size: N` shows the options from the source N at a time, with "Next"
    and "Back" after them (numbered on SMS, buttons on Telegram) and the fixed
    options last; the page is kept in the conversation state, so a number
    always means what the resident was shown.

    ```yaml
    theme:
      type: choice
      text: "Which theme?"
      options_from: themes
      page_size: 3
      save_as: theme
      go: next
      options:
        - {id: menu, label: "Main menu", go: "@main_menu"}
    ```

    `edit_in_place: true`: when a tap on one of the step's own buttons brings
    the step back (a toggle, a page turned), Telegram shows the new list in
    the tapped message instead of sending another one (SMS sends it as usual).

    ```yaml
    basket:
      type: choice
      text: "Which theme? Turn the pages with Next and Back."
      options_from: themes
      page_size: 3
      edit_in_place: true
      save_as: theme
      go: next
    ```

    `numbered: false`: a typed number does not pick the option at that place,
    for options that carry numbers of their own (a ballot's project numbers,
    which a resident may type where they were meant to tap).
    """

    options: tuple[Option, ...] = ()
    options_from: str | None = None
    go: Target | None = None
    go_line: int = 0
    save_as: str | None = None
    page_size: int | None = None
    edit_in_place: bool = False
    numbered: bool = True  # "2" picks the second option shown
    image: str | None = None  # sent with the text on Telegram, as on a message step
    image_line: int = 0

    type_name: ClassVar[str] = "choice"
    keys: ClassVar[frozenset[str]] = frozenset(
        {
            "options",
            "options_from",
            "go",
            "save_as",
            "page_size",
            "edit_in_place",
            "numbered",
            "image",
        }
    )
    # The option ids of "Next" and "Back" on a paged choice (a YAML id never starts with "~").
    PAGE_IDS: ClassVar[tuple[str, str]] = ("~next", "~back")

    def texts(self) -> list[tuple[str, int]]:
        return Step.texts(self) + [(option.label, option.line) for option in self.options]

    @property
    def saved(self) -> str | None:
        return self.save_as

    def targets(self) -> list[tuple[Target, int]]:
        found = [(option.go, option.line) for option in self.options]
        if self.go is not None:
            found.append((self.go, self.go_line))
        return found

    @property
    def waits(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class AskStep(Step):
    """Waits for free input and checks it.

    `expect` is one kind or a list of kinds: `text`, `number`, `amount` (of
    money, as people write it: "12.500", "12 500 €", "12k"), `phone`, `contact`
    (the resident's own number, shared with Telegram's button), `photo`,
    `voice` (a Telegram voice note) or `location`; `min`/`max` bound a number
    or an amount (or a text's length, as a person counts characters). `error`
    is the re-prompt on bad input. `back` is where "Back" leads: a button on
    Telegram, the word for it (`{back_word}`) on every channel. `joins: true`:
    a long text a phone may send as several SMS; a part that comes within a
    minute and does not fit the next question is added to this answer.
    `optional: true` lets the resident skip the question: a "Skip" button on
    Telegram, and on every channel the words for skip or no ("NEE", "prefer not
    to say") skip it and remove an earlier answer (on SMS the text names the
    word: `{skip_word}`). `skip: LABEL` makes it optional too, with its own
    button label.

    ```yaml
    age:
      type: ask
      text: "How old are you? Send a number, or {skip_word} if you prefer not to say."
      expect: number
      min: 1
      max: 120
      error: "Please send your age as a number."
      skip: "Prefer not to say"
      save_as: age
      go: done
    ```

    What `save_as` records, by the kind that came: a text as the text (control
    and invisible characters removed), a number as the number, an amount as
    whole units of money, a phone number as "+3247...", and the kinds that
    are not words as a mapping naming the kind: `{"kind": "photo",
    "file_id": ...}`, `{"kind": "voice", "file_id": ...}`, `{"kind":
    "location", "latitude": ..., "longitude": ...}`. A description that may
    be typed or spoken:

    ```yaml
    description:
      type: ask
      text: "Describe your idea. On Telegram you may send a voice message."
      expect: [text, voice]
      max: 1000
      optional: true
      save_as: description
      go: done
    ```
    """

    expect: tuple[str, ...] = ("text",)
    min: int | None = None
    max: int | None = None
    error: str | None = None
    optional: bool = False
    skip: str | None = None  # the skip button's label; makes the question optional
    save_as: str | None = None
    go: Target = END
    go_line: int = 0
    back: Target | None = None  # where "Back" (button, or the word for it) leads
    back_line: int = 0
    joins: bool = False  # an SMS text the phone splits: later parts are added to it

    type_name: ClassVar[str] = "ask"
    keys: ClassVar[frozenset[str]] = frozenset(
        {"expect", "min", "max", "error", "optional", "skip", "save_as", "go", "back", "joins"}
    )
    EXPECTS: ClassVar[tuple[str, ...]] = (
        "text",
        "number",
        "amount",
        "phone",
        "contact",
        "photo",
        "voice",
        "location",
    )

    @property
    def skippable(self) -> bool:
        return self.optional or self.skip is not None

    @property
    def saved(self) -> str | None:
        return self.save_as

    def texts(self) -> list[tuple[str, int]]:
        extra = [(text, self.line) for text in (self.error, self.skip) if text]
        return Step.texts(self) + extra

    def targets(self) -> list[tuple[Target, int]]:
        back = [(self.back, self.back_line)] if self.back else []
        return [(self.go, self.go_line), *back]

    @property
    def waits(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class BranchStep(Step):
    """Goes on to the step that matches a value: the current phase, an answer
    (`answer.NAME`), the channel, an edition setting (`edition.districts`) or
    whatever else the engine and the features register as a branch subject.
    Yes/no values read "true" and "false", answers too; quote them in YAML,
    where a bare `true:` would be the key "True".

    ```yaml
    by_phase:
      type: branch
      on: phase
      cases:
        voting: vote_open
        results: show_results
      default: menu
    ```

    ```yaml
    ask_district:
      type: branch
      on: edition.districts
      cases:
        "true": district
      default: age
    ```
    """

    on: str = "phase"
    cases: tuple[tuple[str, Target, int], ...] = ()
    default: Target = END
    default_line: int = 0

    type_name: ClassVar[str] = "branch"
    keys: ClassVar[frozenset[str]] = frozenset({"on", "cases", "default"})
    ANSWER_PREFIX: ClassVar[str] = "answer."  # `on: answer.NAME`

    def targets(self) -> list[tuple[Target, int]]:
        return [(go, line) for _, go, line in self.cases] + [(self.default, self.default_line)]

    def choose(self, value: str) -> Target:
        return next((go for case, go, _ in self.cases if case == value), self.default)


@dataclass(frozen=True, slots=True)
class ActionStep(Step):
    """Calls a named action implemented in Python and follows the exit it returns.

    ```yaml
    save_consent:
      type: action
      action: record_consent
      exits:
        ok: questions
    ```
    """

    action: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    exits: tuple[tuple[str, Target, int], ...] = ()

    type_name: ClassVar[str] = "action"
    keys: ClassVar[frozenset[str]] = frozenset({"action", "params", "exits"})

    def targets(self) -> list[tuple[Target, int]]:
        return [(go, line) for _, go, line in self.exits]

    def exit_to(self, name: str) -> Target | None:
        return next((go for exit_name, go, _ in self.exits if exit_name == name), None)


@dataclass(frozen=True, slots=True)
class LanguageStep(Step):
    """Offers the edition's languages, each named in its own language, and
    switches the conversation to the one chosen.

    ```yaml
    choose:
      type: language
      text: "Choose your language"
      go: "@resume"
    ```
    """

    go: Target = END
    go_line: int = 0

    type_name: ClassVar[str] = "language"
    keys: ClassVar[frozenset[str]] = frozenset({"go"})

    def targets(self) -> list[tuple[Target, int]]:
        return [(self.go, self.go_line)]

    @property
    def waits(self) -> bool:
        return True


STEP_TYPES: dict[str, type[Step]] = {
    cls.type_name: cls
    for cls in (MessageStep, ChoiceStep, AskStep, BranchStep, ActionStep, LanguageStep)
}


@dataclass(frozen=True, slots=True)
class Flow:
    """One flow file. `requires: [consent]` marks a flow that stores what the
    resident sends (questions, ideas, votes): the engine leads a resident who
    has not agreed to the privacy notice to the consent question instead."""

    name: str
    spec_version: int
    start: str
    steps: dict[str, Step]
    source: str
    requires: tuple[str, ...] = ()

    REQUIREMENTS: ClassVar[tuple[str, ...]] = ("consent",)


@dataclass(frozen=True, slots=True)
class FlowSet:
    """All flows of a deployment, by name."""

    flows: dict[str, Flow]

    def step(self, flow: str, step: str) -> Step | None:
        found = self.flows.get(flow)
        return found.steps.get(step) if found else None

    def resolve(self, current_flow: str, target: Target) -> tuple[str, str] | None:
        """(flow, step) for a target; None for @end, @resume, @continue or an unknown one."""
        if target in (END, RESUME, CONTINUE):
            return None
        if target.startswith("@"):
            flow_name, _, step_id = target[1:].partition("/")
            flow = self.flows.get(flow_name)
            if flow is None:
                return None
            step_id = step_id or flow.start
            return (flow_name, step_id) if step_id in flow.steps else None
        flow = self.flows.get(current_flow)
        return (current_flow, target) if flow and target in flow.steps else None
