"""`pbbot worker`: a process of its own sends a queued broadcast, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime

import pytest

from pbbot.broadcasts.progress import progress
from tests.broadcasts.fanout_support import (
    EDITION_FILE,
    TEXTS,
    Person,
    Sessions,
    add_residents,
    staff_broadcast,
)
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI


async def test_a_worker_process_sends_the_broadcast_and_stops_on_sigterm(
    sessionmaker: Sessions, database_url: str
) -> None:
    await add_residents(sessionmaker, [Person("telegram", "nl"), Person("telegram", "fr")])
    broadcast_id = await staff_broadcast(sessionmaker, send_at=datetime.now(UTC))
    async with FakeTelegramAPI() as api:
        env = {name: value for name, value in os.environ.items() if not name.startswith("PBBOT_")}
        env.update(
            PBBOT_DATABASE_URL=database_url,
            PBBOT_EDITION=str(EDITION_FILE),
            PBBOT_TELEGRAM_TOKEN=TOKEN,
            PBBOT_TELEGRAM_API_URL=api.base_url,
        )
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pbbot.cli",
            "worker",
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            for _ in range(1200):
                async with sessionmaker() as session:
                    if (await progress(session, broadcast_id)).over:
                        break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the worker did not finish the broadcast within a minute")
        finally:
            worker.send_signal(signal.SIGTERM)
            _, errors = await asyncio.wait_for(worker.communicate(), timeout=30)

    assert worker.returncode == 0, errors.decode()
    assert "worker started: sending on telegram" in errors.decode()
    sent = sorted(str(call.params["text"]) for call in api.calls_to("sendMessage"))
    assert sent == sorted([TEXTS["nl"], TEXTS["fr"]])
