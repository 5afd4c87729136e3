"""Loading flow files: the file's own fields here, each step by its type's
parser (`flows/parsers.py`), then the checks across flows (`flows/validate.py`).

A file this code cannot read (a newer spec version, an unknown step type or
field) is refused with file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pbbot.config.yamlfile import Node, line_of, load_yaml
from pbbot.errors import FlowError
from pbbot.flows.model import STEP_TYPES, Flow, FlowSet, Step
from pbbot.flows.parsers import STEP_PARSERS
from pbbot.flows.reader import StepReader
from pbbot.flows.validate import validate_flowset
from pbbot.flows.vocabulary import Vocabulary

__all__ = ["SPEC_VERSION", "Vocabulary", "load_flow_file", "load_flows", "validate_flowset"]

# The flow format this code reads. A newer file is refused rather than misread.
SPEC_VERSION = 1


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


def _parse_step(step_id: str, node: Any, parent: Node, source: str) -> Step:
    reader = StepReader(node, step_id, line_of(parent, step_id) or parent.line, source)
    type_name = reader.get("type", str, required=True)
    cls = STEP_TYPES.get(type_name)
    if cls is None:
        known = ", ".join(sorted(STEP_TYPES))
        reader.fail(f"step '{step_id}': unknown step type '{type_name}' (known: {known})", "type")
    for key in reader.node:
        if key not in cls.keys | {"type", "text"}:
            reader.fail(f"step '{step_id}': unknown field '{key}' for a {type_name} step", key)
    common: dict[str, Any] = {"id": step_id, "line": reader.line, "text": reader.get("text", str)}
    return STEP_PARSERS[type_name](reader, common)
