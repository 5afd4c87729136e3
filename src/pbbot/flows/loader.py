"""Loading and validating flow files.

Validation refuses a flow that cannot run: unknown step type or field, a `go`
to nowhere, an unknown action, option source or text variable, an unreachable
step, a missing required flow, a spec version this code does not know. Every
error names file and line. What the engine offers (actions, variables, ...)
is passed in as `Vocabulary`, since the engine sits above this layer.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from pbbot.config.yamlfile import Node, line_of, load_yaml
from pbbot.errors import FlowError
from pbbot.flows.model import (
    CONTINUE,
    END,
    RESUME,
    STEP_TYPES,
    ActionStep,
    AskStep,
    BranchStep,
    ChoiceStep,
    Flow,
    FlowSet,
    Option,
    Step,
)

__all__ = ["SPEC_VERSION", "Vocabulary", "load_flow_file", "load_flows", "validate_flowset"]

# The flow format this code reads. A newer file is refused rather than misread.
SPEC_VERSION = 1
_MAX_PAYLOAD_BYTES = 64  # Telegram's callback data limit: "flow.step.option" must fit.


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Names the engine provides, which flows may use."""

    actions: Mapping[str, Collection[str]]  # action name -> the exits it can take
    option_sources: Collection[str]
    variables: Collection[str]
    branch_subjects: Collection[str]  # e.g. "phase", "channel", "answer.<name>", "edition.<flag>"
    required_flows: Collection[str]
    entry_steps: Collection[str] = ()  # "flow/step" the engine jumps to directly


def load_flows(folder: Path, vocabulary: Vocabulary) -> FlowSet:
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise FlowError("no flow files (*.yaml) found", source=str(folder))
    flowset = FlowSet({})
    for path in files:
        flow = load_flow_file(path)
        if flow.name in flowset.flows:
            raise FlowError(f"flow '{flow.name}' is defined twice", source=str(path), line=1)
        flowset.flows[flow.name] = flow
    validate_flowset(flowset, vocabulary)
    return flowset


def load_flow_file(path: Path) -> Flow:
    data = load_yaml(path, FlowError)
    source = str(path)
    if not isinstance(data, Node):
        raise FlowError(
            "a flow file must be a mapping with spec_version, flow, start, steps",
            source=source,
            line=1,
        )
    version = data.get("spec_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FlowError(
            "missing or invalid 'spec_version' (a whole number)",
            source=source,
            line=line_of(data, "spec_version"),
        )
    if version > SPEC_VERSION:
        raise FlowError(
            f"spec_version {version} is newer than this pbbot reads ({SPEC_VERSION}); "
            "upgrade pbbot",
            source=source,
            line=line_of(data, "spec_version"),
        )
    if version < 1:
        raise FlowError(
            f"unknown spec_version {version}", source=source, line=line_of(data, "spec_version")
        )
    name = data.get("flow")
    if name != path.stem:
        raise FlowError(
            f"field 'flow' must be the file's name '{path.stem}', got {name!r}",
            source=source,
            line=line_of(data, "flow"),
        )
    unknown = set(data) - {"spec_version", "flow", "start", "steps", "requires"}
    if unknown:
        key = sorted(unknown)[0]
        raise FlowError(f"unknown field '{key}'", source=source, line=line_of(data, key))
    steps_node = data.get("steps")
    if not isinstance(steps_node, Node) or not steps_node:
        raise FlowError(
            "'steps' must be a non-empty mapping of step ids",
            source=source,
            line=line_of(data, "steps"),
        )
    steps = {
        step_id: _parse_step(step_id, node, steps_node, source)
        for step_id, node in steps_node.items()
    }
    start = data.get("start")
    if start not in steps:
        raise FlowError(
            f"'start' names no step of this flow: {start!r}",
            source=source,
            line=line_of(data, "start"),
        )
    requires = data.get("requires", [])
    if not isinstance(requires, list) or any(r not in Flow.REQUIREMENTS for r in requires):
        raise FlowError(
            f"'requires' must be a list of {', '.join(Flow.REQUIREMENTS)}",
            source=source,
            line=line_of(data, "requires"),
        )
    return Flow(
        name=name,
        spec_version=version,
        start=start,
        steps=steps,
        source=source,
        requires=tuple(requires),
    )


class _StepReader:
    def __init__(self, node: Any, step_id: str, line: int, source: str):
        self.source = source
        self.step_id = step_id
        self.line = line
        self.node: Node = node if isinstance(node, Node) else Node()
        if not isinstance(node, Node):
            self.fail(f"step '{step_id}' must be a mapping")

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        line = line_of(self.node, key) if key in self.node else self.line
        raise FlowError(message, source=self.source, line=line)

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = False,
        default: Any = None,
    ) -> Any:
        if key not in self.node:
            if required:
                self.fail(f"step '{self.step_id}': missing field '{key}'")
            return default
        value = self.node[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.fail(f"step '{self.step_id}': field '{key}' has the wrong type", key)
        return value

    def key_line(self, key: str) -> int:
        return line_of(self.node, key) or self.line


def _parse_step(step_id: str, node: Any, parent: Node, source: str) -> Step:
    reader = _StepReader(node, step_id, line_of(parent, step_id) or parent.line, source)
    type_name = reader.get("type", str, required=True)
    cls = STEP_TYPES.get(type_name)
    if cls is None:
        known = ", ".join(sorted(STEP_TYPES))
        reader.fail(f"step '{step_id}': unknown step type '{type_name}' (known: {known})", "type")
    for key in reader.node:
        if key not in cls.keys | {"type", "text"}:
            reader.fail(f"step '{step_id}': unknown field '{key}' for a {type_name} step", key)
    common: dict[str, Any] = {"id": step_id, "line": reader.line, "text": reader.get("text", str)}
    if type_name in ("choice", "ask", "language") and not common["text"]:
        reader.fail(f"step '{step_id}': a {type_name} step needs a 'text'")
    go = reader.get("go", str, default=None)
    go_line = reader.key_line("go")
    if type_name == "message":
        if not common["text"]:
            reader.fail(f"step '{step_id}': a message step needs a 'text'")
        return cls(**common, go=go or END, go_line=go_line)  # type: ignore[call-arg]
    if type_name == "language":
        return cls(**common, go=go or END, go_line=go_line)  # type: ignore[call-arg]
    if type_name == "choice":
        return _parse_choice(reader, common, go, go_line)
    if type_name == "ask":
        expect = reader.get("expect", str, default="text")
        if expect not in AskStep.EXPECTS:
            reader.fail(
                f"step '{step_id}': 'expect' must be one of {', '.join(AskStep.EXPECTS)}", "expect"
            )
        return AskStep(
            **common,
            expect=expect,
            min=reader.get("min", int),
            max=reader.get("max", int),
            error=reader.get("error", str),
            skip=reader.get("skip", str),
            save_as=reader.get("save_as", str),
            go=go or END,
            go_line=go_line,
        )
    if type_name == "branch":
        cases = reader.get("cases", Node, required=True)
        return BranchStep(
            **common,
            on=reader.get("on", str, required=True),
            cases=tuple(
                (
                    str(value),
                    _target(reader, target, "cases"),
                    line_of(cases, str(value)) or reader.line,
                )
                for value, target in cases.items()
            ),
            default=reader.get("default", str, default=END),
            default_line=reader.key_line("default"),
        )
    exits = reader.get("exits", Node, required=True)
    return ActionStep(
        **common,
        action=reader.get("action", str, required=True),
        params=dict(reader.get("params", Node, default=Node())),
        exits=tuple(
            (str(name), _target(reader, target, "exits"), line_of(exits, str(name)) or reader.line)
            for name, target in exits.items()
        ),
    )


def _target(reader: _StepReader, value: Any, key: str) -> str:
    if not isinstance(value, str):
        reader.fail(f"step '{reader.step_id}': every target in '{key}' must be a text", key)
    return str(value)


def _parse_choice(
    reader: _StepReader, common: dict[str, Any], go: str | None, go_line: int
) -> ChoiceStep:
    step_id = reader.step_id
    options_from = reader.get("options_from", str)
    raw_options = reader.get("options", list, default=[])
    if not raw_options and not options_from:
        reader.fail(f"step '{step_id}': give 'options', 'options_from' or both")
    if options_from and not go:
        reader.fail(f"step '{step_id}': 'options_from' needs a 'go' for the chosen option")
    options = []
    for item in raw_options:
        option = _StepReader(item, step_id, line_of(item) or reader.line, reader.source)
        for key in option.node:
            if key not in ("id", "label", "go", "phases", "when"):
                option.fail(f"step '{step_id}': unknown option field '{key}'", key)
        option_id = str(option.get("id", (str, int), required=True))
        phases = option.get("phases", list, default=[])
        when = option.get("when", str)
        if when is not None and when not in Option.WHEN:
            option.fail(f"step '{step_id}': 'when' must be one of {', '.join(Option.WHEN)}", "when")
        options.append(
            Option(
                id=option_id,
                label=option.get("label", str, required=True),
                go=option.get("go", str, required=True),
                phases=tuple(str(phase) for phase in phases),
                when=when,
                line=option.line,
            )
        )
    ids = [option.id for option in options]
    if len(set(ids)) != len(ids):
        reader.fail(f"step '{step_id}': two options share an id")
    return ChoiceStep(
        **common,
        options=tuple(options),
        options_from=options_from,
        go=go,
        go_line=go_line,
        save_as=reader.get("save_as", str),
    )


def validate_flowset(flowset: FlowSet, vocabulary: Vocabulary) -> None:
    """Cross-flow checks: targets, names the engine must know, reachability."""
    for required in vocabulary.required_flows:
        if required not in flowset.flows:
            raise FlowError(
                f"the required flow '{required}' is missing", source=f"flows/{required}.yaml"
            )
    reached: set[tuple[str, str]] = set()
    for entry in vocabulary.entry_steps:
        resolved = flowset.resolve("", "@" + entry)
        if resolved is None:
            flow_name = entry.split("/")[0]
            raise FlowError(
                f"the engine needs the step '{entry}'", source=f"flows/{flow_name}.yaml"
            )
        reached.add(resolved)
    for flow in flowset.flows.values():
        reached.add((flow.name, flow.start))
        for step in flow.steps.values():
            _check_step(flowset, flow, step, vocabulary)
            for target, line in step.targets():
                if target in (END, RESUME, CONTINUE):
                    continue
                resolved = flowset.resolve(flow.name, target)
                if resolved is None:
                    raise FlowError(
                        f"step '{step.id}': 'go' target '{target}' does not exist",
                        source=flow.source,
                        line=line,
                    )
                if resolved[0] != flow.name:
                    reached.add(resolved)
    for flow in flowset.flows.values():
        _check_reachable(flowset, flow, reached)


def _check_step(flowset: FlowSet, flow: Flow, step: Step, vocabulary: Vocabulary) -> None:
    for text, line in step.texts():
        for _, field_name, _, _ in string.Formatter().parse(text):
            if field_name is not None and field_name not in vocabulary.variables:
                raise FlowError(
                    f"step '{step.id}': unknown variable '{{{field_name}}}' in text",
                    source=flow.source,
                    line=line,
                )
    if isinstance(step, ActionStep):
        if step.action not in vocabulary.actions:
            raise FlowError(
                f"step '{step.id}': unknown action '{step.action}'",
                source=flow.source,
                line=step.line,
            )
        unmapped = [e for e in vocabulary.actions[step.action] if step.exit_to(e) is None]
        if unmapped:
            raise FlowError(
                f"step '{step.id}': action '{step.action}' can exit with "
                f"{', '.join(unmapped)}, which 'exits' does not map",
                source=flow.source,
                line=step.line,
            )
    if isinstance(step, ChoiceStep):
        if step.options_from and step.options_from not in vocabulary.option_sources:
            raise FlowError(
                f"step '{step.id}': unknown options_from '{step.options_from}'",
                source=flow.source,
                line=step.line,
            )
        for option in step.options:
            payload = f"{flow.name}.{step.id}.{option.id}"
            if len(payload.encode()) > _MAX_PAYLOAD_BYTES:
                raise FlowError(
                    f"step '{step.id}': button payload '{payload}' is over "
                    f"{_MAX_PAYLOAD_BYTES} bytes",
                    source=flow.source,
                    line=option.line,
                )
    if isinstance(step, BranchStep):
        subject = step.on.split(".", 1)[0] + (".*" if "." in step.on else "")
        if step.on not in vocabulary.branch_subjects and subject not in vocabulary.branch_subjects:
            raise FlowError(
                f"step '{step.id}': cannot branch on '{step.on}'",
                source=flow.source,
                line=step.line,
            )


def _check_reachable(flowset: FlowSet, flow: Flow, entries: set[tuple[str, str]]) -> None:
    seen = {step for name, step in entries if name == flow.name}
    todo = list(seen)
    while todo:
        for target, _ in flow.steps[todo.pop()].targets():
            resolved = flowset.resolve(flow.name, target)
            if resolved and resolved[0] == flow.name and resolved[1] not in seen:
                seen.add(resolved[1])
                todo.append(resolved[1])
    for step_id, step in flow.steps.items():
        if step_id not in seen:
            raise FlowError(f"step '{step_id}' is unreachable", source=flow.source, line=step.line)
