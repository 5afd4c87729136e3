"""A city's server on loopback: `pbbot serve`'s application with both channels,
Telegram pointed at the fake Bot API server and Twilio at the fake HTTP client.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from pbbot.channels.sms.sender import TwilioSender
from pbbot.channels.telegram.bot import aiogram_sender
from pbbot.channels.telegram.ptb import make_ptb_bot, ptb_sender
from pbbot.outbox.limits import ChannelLimits
from pbbot.outbox.sender import Outbox
from pbbot.runtime import Runtime, build_runtime
from pbbot.server.app import SERVER_STATE, SenderFactories, create_app
from pbbot.server.pipeline import InboundPipeline
from pbbot.settings import load_settings
from pbbot.storage.tables import InboundMessage, OutboundMessage
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioHttpClient

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
TODAY = date(2027, 2, 20)
SECRET = "s3cret-token_for-tests"
PUBLIC_URL = "https://pb.example.be"
SMS_FROM = "+3215000001"
RESIDENT_PHONE = "+32470123456"
# Tests need no pauses between a resident's messages; the outbox's own tests check the limits.
FAST_LIMITS = {"telegram": ChannelLimits(per_second=1000), "sms": ChannelLimits(per_second=1000)}


async def settle(
    pipeline: InboundPipeline, outbox: Outbox, runtime: Runtime, timeout: float = 10.0
) -> None:
    """Wait until the pipeline is idle and no message waits in the outbox."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await pipeline.drain()
        await outbox.send_due()
        async with runtime.sessionmaker() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status.in_(("queued", "sending")))
            )
        if not waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("messages still waiting in the outbox")


@dataclass
class City:
    client: TestClient
    telegram_api: FakeTelegramAPI
    twilio_http: FakeTwilioHttpClient
    runtime: Runtime

    async def telegram(self, update: Mapping[str, Any], *, secret: str | None = SECRET) -> Any:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return await self.client.post("/telegram/webhook", data=json.dumps(update), headers=headers)

    async def sms(
        self,
        body: str,
        *,
        sid: str,
        sender: str = RESIDENT_PHONE,
        signed_for: str = PUBLIC_URL + "/sms/twilio",
        token: str = AUTH_TOKEN,
    ) -> Any:
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": SMS_FROM,
            "Body": body,
            "NumMedia": "0",
        }
        signature = RequestValidator(token).compute_signature(signed_for, form)
        return await self.client.post(
            "/sms/twilio", data=form, headers={"X-Twilio-Signature": str(signature)}
        )

    async def status(self, form: dict[str, str]) -> Any:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            PUBLIC_URL + "/sms/twilio/status", form
        )
        return await self.client.post(
            "/sms/twilio/status", data=form, headers={"X-Twilio-Signature": str(signature)}
        )

    async def settle(self) -> None:
        """Wait until every stored message is processed and every reply has left."""
        state = self.client.server.app[SERVER_STATE]
        assert state.outbox is not None
        await settle(state.pipeline, state.outbox, self.runtime)

    async def count(self, table: type[Any]) -> int:
        async with self.runtime.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)

    async def inbound_count(self) -> int:
        return await self.count(InboundMessage)

    def sent_texts(self) -> list[str]:
        return [str(call.params["text"]) for call in self.telegram_api.calls_to("sendMessage")]

    def sms_bodies(self) -> list[str]:
        return [str(request.data.get("Body")) for request in self.twilio_http.requests]


def _factories(
    driver: str, api: FakeTelegramAPI, twilio_http: FakeTwilioHttpClient
) -> SenderFactories:
    def telegram(settings: Any) -> Any:
        if driver == "ptb":
            return ptb_sender(make_ptb_bot(TOKEN, api_url=api.base_url))
        return aiogram_sender(TOKEN, api_url=api.base_url)

    def sms(settings: Any) -> TwilioSender:
        return TwilioSender(
            ACCOUNT_SID, AUTH_TOKEN, sender=SMS_FROM, public_url=PUBLIC_URL, http_client=twilio_http
        )

    return SenderFactories(telegram=telegram, sms=sms)


@asynccontextmanager
async def running_city(
    database_url: str,
    *,
    driver: str = "aiogram",
    polling: bool = False,
    settings: Mapping[str, str] | None = None,
    edition: Path = EDITION,
    today: date = TODAY,
) -> AsyncIterator[City]:
    """The city's server; `settings` are added to (or replace) the harness's own;
    `edition` and `today` are the edition file and the day it sees."""
    async with FakeTelegramAPI() as api:
        twilio_http = FakeTwilioHttpClient()
        loaded = load_settings(
            {
                "PBBOT_TELEGRAM_TOKEN": TOKEN,
                "PBBOT_TELEGRAM_SECRET": SECRET,
                "PBBOT_TELEGRAM_API_URL": api.base_url,
                "PBBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "PBBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "PBBOT_TWILIO_FROM": SMS_FROM,
                "PBBOT_PUBLIC_URL": PUBLIC_URL,
                "PBBOT_SMS_SEGMENTS_PER_SECOND": "1000",
                **(settings or {}),
            }
        )
        runtime = build_runtime(edition, database_url, today)
        app = create_app(
            runtime,
            loaded,
            polling=polling,
            factories=_factories(driver, api, twilio_http),
            limits=FAST_LIMITS,
        )
        client = TestClient(TestServer(app))
        await client.start_server()
        try:
            yield City(client, api, twilio_http, runtime)
        finally:
            await client.close()
