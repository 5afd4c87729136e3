"""Every outbox module declares its public names, and the layers hold.

The outbox sits beside the channels: it may use their shared contract
(`pbbot.channels.base`) and storage, never a concrete channel (it gets its
senders handed in), the app, the CLI or staff tools. The storage module it
queries through stays below both.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import pbbot.outbox

_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(pbbot.outbox.__path__, prefix="pbbot.outbox.")
    if not info.ispkg
)


def imported_modules(name: str) -> set[str]:
    module = importlib.import_module(name)
    tree = ast.parse(Path(str(module.__file__)).read_text())
    nodes = list(ast.walk(tree))
    return {node.module or "" for node in nodes if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names
    }


def test_the_modules_are_found() -> None:
    assert _MODULES == [
        "pbbot.outbox.clock",
        "pbbot.outbox.grouping",
        "pbbot.outbox.limits",
        "pbbot.outbox.policy",
        "pbbot.outbox.queue",
        "pbbot.outbox.sender",
        "pbbot.outbox.uncertain",
    ]


@pytest.mark.parametrize("name", [*_MODULES, "pbbot.storage.outbound", "pbbot.storage.delivery"])
def test_public_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


@pytest.mark.parametrize("name", _MODULES)
def test_the_outbox_uses_only_the_channels_contract(name: str) -> None:
    # The package-level layers are tests/test_layers.py; here: only the contract.
    imported = imported_modules(name)
    channels = {m for m in imported if m.startswith("pbbot.channels")}
    assert channels <= {"pbbot.channels.base"}


@pytest.mark.parametrize("name", ["pbbot.storage.outbound", "pbbot.storage.delivery"])
def test_storage_does_not_know_the_outbox_or_the_channels(name: str) -> None:
    imported = imported_modules(name)
    assert [m for m in imported if m.startswith(("pbbot.outbox", "pbbot.channels"))] == []
