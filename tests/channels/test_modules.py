"""Every channel module declares its public names, and the layers hold.

Channels sit above the engine: they may import `domain`, `i18n`, `errors` and
each other's shared parts, never `storage`, `outbox` or the app. The aiogram
side never imports python-telegram-bot, which is an optional extra.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import pbbot.channels

_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(pbbot.channels.__path__, prefix="pbbot.channels.")
    if not info.ispkg
)
_FORBIDDEN = ("pbbot.storage", "pbbot.outbox", "pbbot.staff", "pbbot.app", "pbbot.cli")


@pytest.mark.parametrize("name", _MODULES)
def test_public_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


@pytest.mark.parametrize("name", _MODULES)
def test_imports_point_down(name: str) -> None:
    module = importlib.import_module(name)
    tree = ast.parse(Path(str(module.__file__)).read_text())
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert [m for m in imported if m.startswith(_FORBIDDEN)] == []


def test_aiogram_driver_does_not_need_python_telegram_bot() -> None:
    code = (
        "import sys; sys.modules['telegram'] = None\n"
        "import pbbot.channels.telegram.bot, pbbot.channels.telegram.webhook\n"
        "import pbbot.channels.telegram.polling, pbbot.channels.sms.sender\n"
        "try:\n"
        "    import pbbot.channels.telegram.ptb\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install 'pbbot[ptb]'" in result.stdout
