"""Both Telegram drivers against the same fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiogram.types
import pytest
import telegram

from pbbot.channels.telegram.bot import aiogram_sender
from pbbot.channels.telegram.ptb import make_ptb_bot, ptb_sender
from pbbot.channels.telegram.sending import TelegramSender
from pbbot.channels.telegram.updates import UpdateLike
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI


@dataclass
class Driver:
    """One Telegram library: how it reads an update, and a sender through it."""

    name: str
    sender: TelegramSender
    read_update: Callable[[dict[str, Any]], UpdateLike]


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@pytest.fixture(params=["aiogram", "ptb"])
async def driver(
    request: pytest.FixtureRequest, api: FakeTelegramAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Driver]:
    # PTB 22 warns on every RetryAfter unless time periods are timedeltas already.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    if request.param == "aiogram":
        sender = aiogram_sender(TOKEN, api_url=api.base_url)
        read: Callable[[dict[str, Any]], UpdateLike] = aiogram.types.Update.model_validate
    else:
        bot = make_ptb_bot(TOKEN, api_url=api.base_url)
        sender = ptb_sender(bot)

        def read(data: dict[str, Any]) -> UpdateLike:
            return telegram.Update.de_json(data, bot)

    yield Driver(request.param, sender, read)
    await sender.close()
