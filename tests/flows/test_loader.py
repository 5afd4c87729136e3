"""Flow validation: each broken flow is refused with file, line and a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pbbot.engine.flowset import ENGINE_VOCABULARY, flows_dir, load_engine_flows
from pbbot.errors import FlowError
from pbbot.flows.loader import load_flows

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
        load_flows(folder, ENGINE_VOCABULARY)
    line, message = BROKEN[broken]
    assert (raised.value.source, raised.value.line, raised.value.message) == (
        str(folder / "extra.yaml"),
        line,
        message,
    )


def test_missing_required_flow(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / "help.yaml").unlink()
    with pytest.raises(FlowError, match="the required flow 'help' is missing"):
        load_flows(folder, ENGINE_VOCABULARY)
