"""Every channel module declares its public names; the aiogram side never
imports python-telegram-bot, which is an optional extra. (The layers between
packages are checked by tests/test_layers.py.)
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import pbbot.channels

_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(pbbot.channels.__path__, prefix="pbbot.channels.")
    if not info.ispkg
)


@pytest.mark.parametrize("name", _MODULES)
def test_public_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


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
