"""`pbbot serve` and `pbbot telegram set-webhook` as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from pbbot.cli import main
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PBBOT_")}
    env.update(
        PBBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        PBBOT_EDITION=str(ROOT / "examples" / "mechelen-2027.yaml"),
        **values,
    )
    return env


async def test_serve_starts_without_channels_and_says_why(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pbbot.cli", "serve", "--port", str(port)],
        env=_environment(tmp_path),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        assert (await response.json())["status"] == "ok"
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("pbbot serve did not answer /healthz")
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "PBBOT_TELEGRAM_TOKEN is not set: Telegram is off" in errors
    assert "SMS is off" in errors


def test_serve_refuses_a_wrong_setting_with_its_name(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pbbot.cli", "serve"],
        env=_environment(tmp_path, PBBOT_TELEGRAM_TOKEN=TOKEN),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "pbbot: PBBOT_TELEGRAM_SECRET: required for the Telegram webhook "
        "(or run `pbbot serve --polling`)"
    )


async def test_set_webhook_registers_the_public_url_and_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with FakeTelegramAPI() as api:
        for name, value in {
            "PBBOT_TELEGRAM_TOKEN": TOKEN,
            "PBBOT_TELEGRAM_SECRET": "city-secret",
            "PBBOT_TELEGRAM_API_URL": api.base_url,
            "PBBOT_PUBLIC_URL": "https://pb.example.be",
        }.items():
            monkeypatch.setenv(name, value)
        code = await asyncio.to_thread(main, ["telegram", "set-webhook"])
        assert code == 0
        assert api.webhook["url"] == "https://pb.example.be/telegram/webhook"
        assert api.webhook["secret_token"] == "city-secret"
        assert api.webhook["allowed_updates"] == ["message", "callback_query"]
        assert api.webhook["max_connections"] == 100


def test_libraries_log_from_warning_and_pbbot_from_info() -> None:
    """Twilio's client logs each request at INFO, Account SID included: not in our logs."""
    probe = (
        "import logging; from pbbot.commands.serve import configure_logging; "
        "configure_logging(); "
        "print(logging.getLogger('twilio.http_client').getEffectiveLevel(), "
        "logging.getLogger('aiogram.event').getEffectiveLevel(), "
        "logging.getLogger('pbbot.outbox.sender').getEffectiveLevel())"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown == ["30", "30", "20"]
