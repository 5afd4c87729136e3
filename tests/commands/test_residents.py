"""`pbbot residents export|delete`: staff answer a resident's data request."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from pbbot.cli import main
from pbbot.domain.messages import Inbound
from pbbot.runtime import build_runtime
from pbbot.storage.migrations import upgrade
from tests.server.harness import EDITION, TODAY


async def test_export_then_delete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/city.db"
    await upgrade(url)
    runtime = build_runtime(EDITION, url, TODAY)
    for text in ("hallo", "1"):
        await runtime.service.handle(Inbound("sms", "+32470123456", text=text))
    await runtime.close()
    monkeypatch.setenv("PBBOT_DATABASE_URL", url)

    code = await asyncio.to_thread(
        main, ["residents", "export", "--channel", "sms", "--address", "+32470123456"]
    )
    export = json.loads(capsys.readouterr().out)
    assert code == 0
    assert export["resident"]["locale"] == "nl"
    assert [m["body"]["text"] for m in export["inbound_messages"]] == ["hallo", "1"]

    delete = ["residents", "delete", "--channel", "sms", "--address", "+32470123456"]
    assert await asyncio.to_thread(main, delete) == 0
    assert await asyncio.to_thread(main, delete) == 1  # nothing left to delete
    assert "no resident +32470123456 on sms" in capsys.readouterr().out
