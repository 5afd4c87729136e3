"""Checks across flows: a flow that cannot run is refused before any resident meets it.

Refused, with file and line: a `go` to nowhere, an unknown action, option
source, image source, branch subject or text placeholder, an action exit the
flow does not map, a branch case that can never match, a loop of steps that
never waits for a reply (it would send message after message in one turn), an
unreachable step, a missing required flow.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from pbbot.errors import FlowError
from pbbot.flows.model import (
    ANSWERS_PREFIX,
    CONTINUE,
    END,
    RESUME,
    ActionStep,
    BranchStep,
    ChoiceStep,
    Flow,
    FlowSet,
    MessageStep,
    Step,
)
from pbbot.flows.vocabulary import Vocabulary

__all__ = ["validate_flowset"]

MAX_PAYLOAD_BYTES = 64  # Telegram's callback data limit: "flow.step.option" must fit.
_YES_NO = {"True": "true", "False": "false"}  # what YAML makes of a bare true/false key


def validate_flowset(flowset: FlowSet, vocabulary: Vocabulary) -> None:
    """Cross-flow checks: targets, names the engine must know, loops, reachability."""
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
    names = _Names(flowset, vocabulary)
    for flow in flowset.flows.values():
        reached.add((flow.name, flow.start))
        for step in flow.steps.values():
            _check_step(flow, step, vocabulary, names)
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
    _check_no_busy_loop(flowset)
    for flow in flowset.flows.values():
        _check_reachable(flowset, flow, reached)


class _Names:
    """What the flows and the engine provide: answers and placeholders."""

    def __init__(self, flowset: FlowSet, vocabulary: Vocabulary):
        saved = {
            step.saved
            for flow in flowset.flows.values()
            for step in flow.steps.values()
            if step.saved
        }
        declared = vocabulary.actions.values()
        self.answers = saved | {name for action in declared for name in action.answers}
        self.texts = set(vocabulary.variables) | {name for a in declared for name in a.texts}


def _fail(flow: Flow, step: Step, message: str, line: int | None = None) -> FlowError:
    return FlowError(f"step '{step.id}': {message}", source=flow.source, line=line or step.line)


def _placeholders(text: str) -> Iterator[str]:
    for _, field_name, _, _ in string.Formatter().parse(text):
        if field_name is not None:
            yield field_name


def _check_step(flow: Flow, step: Step, vocabulary: Vocabulary, names: _Names) -> None:
    for text, line in step.texts():
        for name in _placeholders(text):
            if name.startswith(ANSWERS_PREFIX):
                answer = name.removeprefix(ANSWERS_PREFIX)
                if answer not in names.answers:
                    message = f"'{{{name}}}' names no answer: {_no_answer(answer)}"
                    raise _fail(flow, step, message, line)
            elif name not in names.texts:
                raise _fail(flow, step, f"unknown variable '{{{name}}}' in text", line)
    if isinstance(step, MessageStep | ChoiceStep):
        _check_image(flow, step, vocabulary)
    if isinstance(step, ActionStep):
        _check_action(flow, step, vocabulary)
    if isinstance(step, ChoiceStep):
        _check_choice(flow, step, vocabulary)
    if isinstance(step, BranchStep):
        _check_branch(flow, step, vocabulary, names)


def _no_answer(name: str) -> str:
    return f"no step saves '{name}' and no action sets it"


def _check_image(flow: Flow, step: MessageStep | ChoiceStep, vocabulary: Vocabulary) -> None:
    if step.image is not None and step.image not in vocabulary.image_sources:
        raise _fail(flow, step, f"unknown image '{step.image}'", step.image_line)


def _check_action(flow: Flow, step: ActionStep, vocabulary: Vocabulary) -> None:
    signature = vocabulary.actions.get(step.action)
    if signature is None:
        raise _fail(flow, step, f"unknown action '{step.action}'")
    unmapped = [name for name in signature.exits if step.exit_to(name) is None]
    if unmapped:
        raise _fail(
            flow,
            step,
            f"action '{step.action}' can exit with {', '.join(unmapped)}, "
            "which 'exits' does not map",
        )


def _check_choice(flow: Flow, step: ChoiceStep, vocabulary: Vocabulary) -> None:
    if step.options_from and step.options_from not in vocabulary.option_sources:
        raise _fail(flow, step, f"unknown options_from '{step.options_from}'")
    fixed = [(option.id, option.line) for option in step.options]
    paging = [(page_id, step.line) for page_id in ChoiceStep.PAGE_IDS] if step.page_size else []
    for option_id, line in fixed + paging:
        payload = f"{flow.name}.{step.id}.{option_id}"
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            message = f"button payload '{payload}' is over {MAX_PAYLOAD_BYTES} bytes"
            raise _fail(flow, step, message, line)


def _check_branch(flow: Flow, step: BranchStep, vocabulary: Vocabulary, names: _Names) -> None:
    if step.on.startswith(BranchStep.ANSWER_PREFIX):
        answer = step.on.removeprefix(BranchStep.ANSWER_PREFIX)
        if answer not in names.answers:
            raise _fail(flow, step, f"cannot branch on '{step.on}': {_no_answer(answer)}")
    elif step.on not in vocabulary.branch_subjects:
        known = ", ".join(sorted({*vocabulary.branch_subjects, "answer.NAME"}))
        raise _fail(flow, step, f"cannot branch on '{step.on}' (known: {known})")
    for value, _, line in step.cases:
        if value in _YES_NO:
            message = (
                f'case \'{value}\' never matches: yes/no values read "true" or "false" '
                f'(write "{_YES_NO[value]}", quoted)'
            )
            raise _fail(flow, step, message, line)


def _check_no_busy_loop(flowset: FlowSet) -> None:
    """A loop of steps that never wait (messages, branches, actions) would send
    message after message in one turn until the engine's step cap cuts it."""
    done: set[tuple[str, str]] = set()
    for flow in flowset.flows.values():
        for step in flow.steps.values():
            path: list[tuple[str, str]] = []
            loop = _busy_loop(flowset, (flow.name, step.id), path, set(), done)
            if loop is not None:
                first = flowset.flows[loop[0][0]]
                shown = " -> ".join(
                    s if f == loop[0][0] else f"@{f}/{s}" for f, s in (*loop, loop[0])
                )
                raise FlowError(
                    f"step '{loop[0][1]}': the steps {shown} never wait for a reply",
                    source=first.source,
                    line=first.steps[loop[0][1]].line,
                )


def _busy_loop(
    flowset: FlowSet,
    node: tuple[str, str],
    path: list[tuple[str, str]],
    on_path: set[tuple[str, str]],
    done: set[tuple[str, str]],
) -> list[tuple[str, str]] | None:
    """The loop through `node` of steps that do not wait, found depth-first."""
    if node in on_path:
        return path[path.index(node) :]
    step = flowset.step(*node)
    if node in done or step is None or step.waits:
        return None
    path.append(node)
    on_path.add(node)
    for target, _ in step.targets():
        resolved = flowset.resolve(node[0], target)
        if resolved is not None:
            loop = _busy_loop(flowset, resolved, path, on_path, done)
            if loop is not None:
                return loop
    path.pop()
    on_path.discard(node)
    done.add(node)
    return None


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
