"""Flow validation: each broken flow is refused with file, line and a clear message."""

from __future__ import annotations

import inspect
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from pbbot.engine.actions import ACTION_SIGNATURES
from pbbot.engine.flowset import engine_vocabulary, flows_dir, load_engine_flows
from pbbot.errors import FlowError
from pbbot.flows.loader import load_flow_file, load_flows
from pbbot.flows.model import STEP_TYPES, AskStep, ChoiceStep, Step
from pbbot.flows.parsers import STEP_PARSERS
from pbbot.flows.vocabulary import ActionSignature

# file name -> (line, message) of the error; each file replaces or adds one flow.
BROKEN = {
    "unknown_type.yaml": (
        6,
        "step 'hello': unknown step type 'shout' "
        "(known: action, ask, branch, choice, language, message)",
    ),
    "bad_target.yaml": (7, "step 'hello': 'go' target 'nowhere' does not exist"),
    "unknown_action.yaml": (5, "step 'work': unknown action 'launch_rocket'"),
    "unreachable.yaml": (8, "step 'orphan' is unreachable"),
    "unmapped_exit.yaml": (
        5,
        "step 'work': action 'record_consent' can exit with ok, which 'exits' does not map",
    ),
    "unknown_variable.yaml": (5, "step 'hello': unknown variable '{weather}' in text"),
    "newer_version.yaml": (1, "spec_version 99 is newer than this pbbot reads (1); upgrade pbbot"),
    "unknown_field.yaml": (7, "step 'hello': unknown field 'goto' for a message step"),
    "bad_yaml.yaml": (6, "not valid YAML: expected ',' or '}', but got '<stream end>'"),
    "bad_requires.yaml": (4, "'requires' must be a list of consent"),
    "bad_when.yaml": (9, "step 'ask': 'when' must be one of consent, no_consent"),
    # Would send Tick, Tock, ... 41 messages in one turn.
    "message_loop.yaml": (5, "step 'tick': the steps tick -> tock -> tick never wait for a reply"),
    # Nothing fills {count} in a flow text: it would be shown as "{count}".
    "count_placeholder.yaml": (5, "step 'hello': unknown variable '{count}' in text"),
    "unknown_answer.yaml": (
        5,
        "step 'hello': '{answers.titel}' names no answer: "
        "no step saves 'titel' and no action sets it",
    ),
    # Would read "false" for every resident.
    "misspelt_flag.yaml": (
        5,
        # The features' own subjects follow the engine's (`voting.method`, ...).
        "step 'check': cannot branch on 'edition.distrcts' (known: answer.NAME, channel, "
        "consented, edition.age, edition.binding, edition.districts, onboarded, phase, ",
    ),
    "unknown_answer_branch.yaml": (
        5,
        "step 'check': cannot branch on 'answer.distrct': "
        "no step saves 'distrct' and no action sets it",
    ),
    # A bare `true:` is the key "True"; answers and flags read "true".
    "bare_true_case.yaml": (
        9,
        "step 'check': case 'True' never matches: "
        'yes/no values read "true" or "false" (write "true", quoted)',
    ),
    "unknown_option_source.yaml": (5, "step 'pick': unknown options_from 'neighbourhoods'"),
    "bad_page_size.yaml": (
        8,
        "step 'pick': 'page_size' is a number of options from 'options_from'",
    ),
}


def _flows_with(tmp_path: Path, broken: str) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    shutil.copy(Path(__file__).parent / "broken" / broken, folder / "extra.yaml")
    return folder


def test_shipped_flows_load() -> None:
    flows = load_engine_flows()
    assert {"onboarding", "main_menu", "info", "help", "language", "stop"} <= set(flows.flows)


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_broken_flow_is_refused_with_file_and_line(tmp_path: Path, broken: str) -> None:
    folder = _flows_with(tmp_path, broken)
    with pytest.raises(FlowError) as raised:
        load_flows(folder, engine_vocabulary())
    line, message = BROKEN[broken]
    assert (raised.value.source, raised.value.line) == (str(folder / "extra.yaml"), line)
    # A message that ends in ", " names what comes first; the rest is the features'.
    shown = raised.value.message
    assert shown.startswith(message) if message.endswith(", ") else shown == message


def test_missing_required_flow(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / "help.yaml").unlink()
    with pytest.raises(FlowError, match="the required flow 'help' is missing"):
        load_flows(folder, engine_vocabulary())


def _examples(cls: type[Step]) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", inspect.cleandoc(cls.__doc__ or ""), re.S)


@pytest.mark.parametrize("cls", STEP_TYPES.values(), ids=lambda cls: cls.type_name)
def test_every_step_type_documents_an_example_that_loads(tmp_path: Path, cls: type[Step]) -> None:
    examples = _examples(cls)
    assert examples, f"{cls.__name__} has no YAML example"
    for number, example in enumerate(examples):
        path = tmp_path / f"example{number}.yaml"
        first = example.split(":", 1)[0]
        path.write_text(
            f"spec_version: 1\nflow: example{number}\nstart: {first}\nsteps:\n"
            + textwrap.indent(example, "  ")
        )
        flow = load_flow_file(path)
        assert isinstance(flow.steps[first], cls)


def test_every_step_type_has_a_parser() -> None:
    assert set(STEP_PARSERS) == set(STEP_TYPES)


def test_an_ask_example_records_its_kinds(tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    example = _examples(AskStep)[1]
    path.write_text(
        "spec_version: 1\nflow: example\nstart: description\nsteps:\n"
        + textwrap.indent(example, "  ")
    )
    step = load_flow_file(path).steps["description"]
    assert isinstance(step, AskStep)
    assert (step.expect, step.optional, step.skippable) == (("text", "voice"), True, True)


def test_a_choice_example_pages(tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(
        "spec_version: 1\nflow: example\nstart: theme\nsteps:\n"
        + textwrap.indent(_examples(ChoiceStep)[1], "  ")
    )
    step = load_flow_file(path).steps["theme"]
    assert isinstance(step, ChoiceStep) and step.page_size == 3


RECEIPT = """\
spec_version: 1
flow: extra
start: send
steps:
  send:
    type: action
    action: send_idea
    exits: {ok: receipt}
  receipt:
    type: message
    text: "Thank you! Your idea is {idea_number}, titled {answers.idea_title}."
"""


def test_a_text_may_name_what_an_action_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / "extra.yaml").write_text(RECEIPT)
    declared = ActionSignature(answers=("idea_title",), texts=("idea_number",))
    monkeypatch.setitem(ACTION_SIGNATURES, "send_idea", declared)
    assert load_flows(folder, engine_vocabulary()).step("extra", "receipt") is not None
    monkeypatch.setitem(ACTION_SIGNATURES, "send_idea", ActionSignature(answers=("idea_title",)))
    with pytest.raises(FlowError, match=r"unknown variable '\{idea_number\}' in text"):
        load_flows(folder, engine_vocabulary())
