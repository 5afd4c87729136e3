"""The layers hold: every package imports only the packages below it.

The table is the architecture of STYLE.md, written down where a test keeps it
true. Siblings do not import each other, with one named exception: the outbox
is the bridge between the queue in storage and the channels' senders.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "pbbot"

BELOW: dict[str, set[str]] = {
    "errors": set(),
    "domain": {"errors"},
    "i18n": {"errors", "domain"},
    "config": {"errors", "domain"},
    "flows": {"errors", "domain", "config"},
    "engine": {"errors", "domain", "config", "flows", "i18n"},
    "channels": {"errors", "domain", "i18n"},
    "storage": {"errors", "domain", "engine"},
    "counting": {"errors", "domain", "i18n"},
    "outbox": {"errors", "domain", "storage", "channels"},
    "conversations": {"errors", "domain", "engine", "storage"},
    "ideas": {"errors", "domain", "config", "i18n", "engine", "storage", "conversations"},
    "voting": {
        "errors", "domain", "config", "i18n", "engine", "storage", "conversations", "counting",
        "ideas", "settings",
    },
    "settings": {"errors"},
    "broadcasts": {
        "errors", "domain", "config", "i18n", "engine", "storage", "outbox", "channels",
        "settings", "conversations",
    },
    "staff": {
        "errors", "domain", "i18n", "config", "storage", "ideas", "settings", "channels",
        "outbox", "broadcasts",
    },
    "features": set(),  # imports the feature modules by name (`ENGINE_PARTS`, ...)
    "runtime": {
        "errors", "domain", "config", "flows", "engine", "i18n", "storage", "conversations",
        "features",
    },
    "server": {
        "errors", "domain", "i18n", "channels", "storage", "outbox", "conversations",
        "runtime", "settings", "ideas", "staff", "broadcasts",
    },
}  # fmt: skip
TOP = {"commands", "cli"}  # the `pbbot` command may use everything


def _package(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("pbbot.")}


FILES = sorted(path for path in SRC.rglob("*.py") if _package(path) not in TOP | {"__init__"})


def test_every_package_has_a_place() -> None:
    assert {_package(path) for path in FILES} <= set(BELOW)


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    package = _package(path)
    assert _imports(path) - {package} - BELOW[package] == set()
