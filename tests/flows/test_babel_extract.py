"""The Babel extraction method for flow YAML: which values, which lines, plural pairs."""

from __future__ import annotations

import importlib
import tomllib
from importlib.metadata import entry_points
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract

from pbbot.flows.babel_extract import extract_flow_texts

FLOW = """\
spec_version: 1
name: ideas            # not a resident text
steps:
  ask_cost:
    type: number
    text: "How much would your idea cost, in euro?"
    error: 'Please send a number, like 5000.'
    help: >-
      Send the cost as a number.
  ask_theme:
    type: choice
    text: "Which theme?"
    choices:
      - payload: green
        label: "Green"
      - payload: mobility
        label: Mobility
  summary:
    type: message
    text:
      one: "You have {n} idea."
      other: "You have {n} ideas."
  timeline:
    texts:
      - "First line."
      - "Second line."
      - 42
    text: {one: "{n} day left", other: "{n} days left"}
  nothing:
    text: ""
    label: 7
    action: count_ideas
"""


def _extracted(source: str) -> list[tuple[int, str | None, object, list[str]]]:
    return list(extract_flow_texts(BytesIO(source.encode()), DEFAULT_KEYWORDS, [], {}))


def test_yields_every_resident_text_with_its_line() -> None:
    assert _extracted(FLOW) == [
        (6, None, "How much would your idea cost, in euro?", []),
        (7, None, "Please send a number, like 5000.", []),
        (8, None, "Send the cost as a number.", []),
        (12, None, "Which theme?", []),
        (15, None, "Green", []),
        (17, None, "Mobility", []),
        (21, "ngettext", ("You have {n} idea.", "You have {n} ideas."), []),
        (25, None, "First line.", []),
        (26, None, "Second line.", []),
        (28, "ngettext", ("{n} day left", "{n} days left"), []),
    ]


def test_babel_keeps_both_plural_forms() -> None:
    found = list(extract(extract_flow_texts, BytesIO(FLOW.encode())))

    assert (21, ("You have {n} idea.", "You have {n} ideas."), [], None) in found
    assert (6, "How much would your idea cost, in euro?", [], None) in found
    assert len(found) == 10


def test_pyproject_registers_it_as_pbbot_flows() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    target = pyproject["project"]["entry-points"]["babel.extractors"]["pbbot_flows"]
    module, function = target.split(":")

    assert getattr(importlib.import_module(module), function) is extract_flow_texts


@pytest.mark.skipif(
    not entry_points(group="babel.extractors", name="pbbot_flows"),
    reason="pbbot is not installed in this environment (scripts/setup.sh installs it)",
)
def test_babel_finds_it_by_name_once_installed() -> None:
    found = list(extract("pbbot_flows", BytesIO(b"text: Hello\n")))

    assert found == [(1, "Hello", [], None)]


def test_babel_cfg_names_it_without_the_entry_point() -> None:
    found = list(extract("pbbot.flows.babel_extract:extract_flow_texts", BytesIO(b"label: Hi\n")))

    assert found == [(1, "Hi", [], None)]


def test_a_mapping_that_is_not_a_plural_pair_is_searched_not_extracted() -> None:
    source = "text:\n  one: Only one form\n  nested:\n    label: Inside\n"

    assert _extracted(source) == [(4, None, "Inside", [])]


def test_several_documents_and_empty_ones() -> None:
    assert _extracted("---\ntext: A\n---\n---\nlabel: B\n") == [
        (2, None, "A", []),
        (5, None, "B", []),
    ]


def test_broken_yaml_yields_nothing_for_flows_check_to_report() -> None:
    assert _extracted('text: "unclosed\n') == []
