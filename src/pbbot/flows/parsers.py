"""One parser per step type, keyed by the YAML `type` name (`type: choice` -> `_choice`).

The loader has checked the step is a mapping with a known type and no unknown
field; a parser reads the fields of its type and refuses what cannot run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pbbot.config.yamlfile import Node, line_of
from pbbot.flows.model import (
    END,
    ActionStep,
    AskStep,
    BranchStep,
    ChoiceStep,
    LanguageStep,
    MessageStep,
    Option,
    Step,
)
from pbbot.flows.reader import StepReader

__all__ = ["STEP_PARSERS", "StepParser"]

# (the step's reader, its id/line/text) -> the step
StepParser = Callable[[StepReader, dict[str, Any]], Step]
STEP_PARSERS: dict[str, StepParser] = {}


def _parses(type_name: str) -> Callable[[StepParser], StepParser]:
    def add(parser: StepParser) -> StepParser:
        STEP_PARSERS[type_name] = parser
        return parser

    return add


def _with_text(reader: StepReader, common: dict[str, Any], type_name: str) -> dict[str, Any]:
    if not common["text"]:
        reader.fail(f"step '{reader.step_id}': a {type_name} step needs a 'text'")
    return common


def _go(reader: StepReader) -> dict[str, Any]:
    return {"go": reader.get("go", str) or END, "go_line": reader.key_line("go")}


def _image(reader: StepReader) -> dict[str, Any]:
    """`image: NAME`, an image source (validation checks that one is registered)."""
    image = reader.get("image", str)
    if image is not None and not image.strip():
        reader.fail(f"step '{reader.step_id}': 'image' names no image source", "image")
    return {"image": image, "image_line": reader.key_line("image")}


@_parses("message")
def _message(reader: StepReader, common: dict[str, Any]) -> Step:
    return MessageStep(**_with_text(reader, common, "message"), **_go(reader), **_image(reader))


@_parses("language")
def _language(reader: StepReader, common: dict[str, Any]) -> Step:
    return LanguageStep(**_with_text(reader, common, "language"), **_go(reader))


@_parses("ask")
def _ask(reader: StepReader, common: dict[str, Any]) -> Step:
    raw = reader.get("expect", (str, list), default="text")
    expect = tuple(raw) if isinstance(raw, list) else (raw,)
    known = AskStep.EXPECTS
    if not expect or any(kind not in known for kind in expect) or len(set(expect)) < len(expect):
        message = f"'expect' must be one of {', '.join(known)}, or a list of them"
        reader.fail(f"step '{reader.step_id}': {message}", "expect")
    return AskStep(
        **_with_text(reader, common, "ask"),
        expect=expect,
        min=reader.get("min", int),
        max=reader.get("max", int),
        error=reader.get("error", str),
        optional=reader.get("optional", bool, default=False),
        skip=reader.get("skip", str),
        save_as=reader.get("save_as", str),
        back=reader.get("back", str),
        back_line=reader.key_line("back"),
        joins=reader.get("joins", bool, default=False),
        **_go(reader),
    )


@_parses("branch")
def _branch(reader: StepReader, common: dict[str, Any]) -> Step:
    cases = reader.get("cases", Node, required=True)
    return BranchStep(
        **common,
        on=reader.get("on", str, required=True),
        cases=tuple(
            (value, reader.target(target, "cases"), line_of(cases, value) or reader.line)
            for value, target in cases.items()
        ),
        default=reader.get("default", str, default=END),
        default_line=reader.key_line("default"),
    )


@_parses("action")
def _action(reader: StepReader, common: dict[str, Any]) -> Step:
    exits = reader.get("exits", Node, required=True)
    return ActionStep(
        **common,
        action=reader.get("action", str, required=True),
        params=dict(reader.get("params", Node, default=Node())),
        exits=tuple(
            (name, reader.target(target, "exits"), line_of(exits, name) or reader.line)
            for name, target in exits.items()
        ),
    )


@_parses("choice")
def _choice(reader: StepReader, common: dict[str, Any]) -> Step:
    step_id = reader.step_id
    options_from = reader.get("options_from", str)
    raw_options = reader.get("options", list, default=[])
    go = reader.get("go", str)
    if not raw_options and not options_from:
        reader.fail(f"step '{step_id}': give 'options', 'options_from' or both")
    if options_from and not go:
        reader.fail(f"step '{step_id}': 'options_from' needs a 'go' for the chosen option")
    page_size = reader.get("page_size", int)
    if page_size is not None and (page_size < 1 or not options_from):
        reader.fail(
            f"step '{step_id}': 'page_size' is a number of options from 'options_from'",
            "page_size",
        )
    options = tuple(_option(reader, item) for item in raw_options)
    ids = [option.id for option in options]
    if len(set(ids)) != len(ids):
        reader.fail(f"step '{step_id}': two options share an id")
    return ChoiceStep(
        **_with_text(reader, common, "choice"),
        options=options,
        options_from=options_from,
        go=go,
        go_line=reader.key_line("go"),
        save_as=reader.get("save_as", str),
        page_size=page_size,
        edit_in_place=reader.get("edit_in_place", bool, default=False),
        numbered=reader.get("numbered", bool, default=True),
        **_image(reader),
    )


def _option(step: StepReader, item: Any) -> Option:
    step_id = step.step_id
    option = StepReader(item, step_id, line_of(item) or step.line, step.source)
    for key in option.node:
        if key not in ("id", "label", "go", "phases", "when"):
            option.fail(f"step '{step_id}': unknown option field '{key}'", key)
    when = option.get("when", str)
    if when is not None and when not in Option.WHEN:
        option.fail(f"step '{step_id}': 'when' must be one of {', '.join(Option.WHEN)}", "when")
    option_id = str(option.get("id", (str, int), required=True))
    if option_id.startswith("~"):  # the engine's own: a paged choice's Next and Back
        option.fail(f"step '{step_id}': an option id cannot start with '~'", "id")
    return Option(
        id=option_id,
        label=option.get("label", str, required=True),
        go=option.get("go", str, required=True),
        phases=tuple(str(phase) for phase in option.get("phases", list, default=[])),
        when=when,
        line=option.line,
    )
