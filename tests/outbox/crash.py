"""kill -9 during a burst of replies, then a restart: what residents get twice, and how late.

`pbbot serve`'s application runs in a child process (`python -m tests.outbox.crash
PORT DATABASE_URL TELEGRAM_URL TWILIO_URL`) against two fakes on loopback in this
process, a Telegram Bot API and Twilio's Messages API, each answering after
`latency` seconds. Residents on both channels write at once (on Telegram "hello"
then "1": three replies a second apart; by SMS "hello", answered with a few
replies); once all of it is stored and both fakes are well into the replies
and answering more, the child is killed with SIGKILL and started again on the
same database. The run ends when every resident has every reply, or at the
deadline.

Used by `tests/outbox/test_crash.py` (with assertions) and `bench/bench_crash.py`
(figures before and after, so it uses no pbbot API newer than that bench's
"before": the child and the database reads stay with what every version has).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from tests.child_process import ChildServer
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioServer

ROOT = Path(__file__).resolve().parents[2]
EDITION = ROOT / "examples" / "mechelen-2027.yaml"
SECRET = "crash-test-secret"
PUBLIC_URL = "https://pb.example.be"
SMS_FROM = "+3215000001"
# Twilio's rate for this sender (a short code's): SMS leave as fast as Telegram replies.
SMS_SEGMENTS_PER_SECOND = 25
_FIRST_CHAT = 500000


@dataclass(frozen=True)
class Figures:
    """One crash and restart, per channel where it differs."""

    residents: int
    replies: int
    # Provider calls that had arrived and were not answered yet when the child died.
    in_flight_at_kill: dict[str, int]
    # Calls the provider had received whose outcome the database had not recorded.
    unrecorded_at_kill: dict[str, int]
    # Replies a resident received more than once.
    doubles: dict[str, int]
    # Seconds from the restart (the new process spawned) until every resident had every reply;
    # None: not by the deadline.
    answered_after_restart: float | None
    # The same for the residents who had no reply on its way ("sending") at the kill.
    others_answered_after_restart: float | None
    # Seconds the new process took to answer /healthz.
    startup: float
    # Residents still missing a reply at the deadline.
    unanswered: int


class SlowTelegramAPI(FakeTelegramAPI):
    """The fake Bot API, answering each call `latency` seconds after it arrived."""

    def __init__(self, latency: float):
        super().__init__()
        self.latency = latency
        self.pending = 0

    async def _handle(self, request: web.Request) -> web.Response:
        self.pending += 1
        try:
            response = await super()._handle(request)  # recorded as it arrived
            await asyncio.sleep(self.latency)
        finally:
            self.pending -= 1
        return response

    def texts_to(self, chat: int) -> list[str]:
        return [
            str(c.params["text"])
            for c in self.calls_to("sendMessage")
            if c.params["chat_id"] == chat
        ]


def chats(residents: int) -> list[int]:
    return [_FIRST_CHAT + n for n in range(residents)]


def phones(residents: int) -> list[str]:
    return [f"+32470{n:06d}" for n in range(residents)]


def _update(chat: int, update_id: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "R", "language_code": "en"}
    chat_ = {"id": chat, "type": "private", "first_name": "R"}
    message = {"message_id": update_id, "from": person, "chat": chat_, "date": 1800000000}
    return {"update_id": update_id, "message": {**message, "text": text}}


async def _post_telegram(session: aiohttp.ClientSession, base: str, chat: int) -> None:
    for turn, text in enumerate(("hello", "1")):
        body = json.dumps(_update(chat, chat * 10 + turn, text))
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with session.post(base + "/telegram/webhook", data=body, headers=headers) as r:
            if r.status != 200:
                raise RuntimeError(f"Telegram webhook answered {r.status}")


async def _post_sms(session: aiohttp.ClientSession, base: str, phone: str) -> None:
    sid = "SM" + phone[1:].rjust(32, "0")
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": SMS_FROM,
        "Body": "hello",
        "NumMedia": "0",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/sms/twilio", form)
    headers = {"X-Twilio-Signature": str(signature)}
    async with session.post(base + "/sms/twilio", data=form, headers=headers) as r:
        if r.status != 200:
            raise RuntimeError(f"Twilio webhook answered {r.status}")


class _Server(ChildServer):
    """The child process: `pbbot serve`'s application on a free port."""

    def __init__(self, database_url: str, telegram: str, twilio: str, log: Path):
        super().__init__("tests.outbox.crash", [database_url, telegram, twilio], log)


async def _outbound(database_url: str) -> list[tuple[str, str, str]]:
    """(channel, address, status) of every outbound row.

    A plain engine, not pbbot's: pbbot begins every SQLite transaction with
    BEGIN IMMEDIATE, and these reads must not take the server's write lock.
    """
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT channel, address, status FROM outbound_messages")
            )
            return [(str(c), str(a), str(s)) for c, a, s in rows]
    finally:
        await engine.dispose()


def _received(telegram: SlowTelegramAPI, twilio: FakeTwilioServer) -> dict[str, Counter[str]]:
    """Per channel, how many messages each address received."""
    return {
        "telegram": Counter(str(c.params["chat_id"]) for c in telegram.calls_to("sendMessage")),
        "sms": Counter(str(m["to"]) for m in twilio.messages.created),
    }


def _doubles(telegram: SlowTelegramAPI, twilio: FakeTwilioServer, residents: int) -> dict[str, int]:
    # Every resident's replies differ from each other, so a text seen twice came twice.
    per_chat = [telegram.texts_to(chat) for chat in chats(residents)]
    per_phone = [twilio.bodies_to(phone) for phone in phones(residents)]
    return {
        "telegram": sum(len(texts) - len(set(texts)) for texts in per_chat),
        "sms": sum(len(bodies) - len(set(bodies)) for bodies in per_phone),
    }


def _unanswered(
    rows: list[tuple[str, str, str]],
    telegram: SlowTelegramAPI,
    twilio: FakeTwilioServer,
    residents: int,
    *,
    besides: Collection[tuple[str, str]] = (),
) -> int:
    """Residents with no reply yet, or with a reply still unsent or never received, not
    counting those in `besides` ((channel, address))."""
    queued = Counter((channel, address) for channel, address, _ in rows)
    waiting = {(c, a) for c, a, status in rows if status in ("queued", "sending")}
    received = {
        **{("telegram", str(chat)): len(set(telegram.texts_to(chat))) for chat in chats(residents)},
        **{("sms", phone): len(set(twilio.bodies_to(phone))) for phone in phones(residents)},
    }
    return sum(
        key in waiting or not queued[key] or got < queued[key]
        for key, got in received.items()
        if key not in besides
    )


async def crash_and_restart(
    database_url: str,
    workdir: Path,
    *,
    residents: int = 40,
    latency: float = 0.15,
    deadline: float = 30.0,
    startup_timeout: float = 90.0,
) -> Figures:
    """Burst, SIGKILL, restart on `database_url` (migrated); figures once all is answered."""
    log = workdir / "server.log"
    async with (
        SlowTelegramAPI(latency) as telegram,
        FakeTwilioServer(latency=latency) as twilio,
        aiohttp.ClientSession() as session,
    ):
        urls = (telegram.base_url, twilio.base_url)
        server = _Server(database_url, *urls, log)
        try:
            await server.ready(session, startup_timeout)
            await asyncio.gather(
                *(_post_telegram(session, server.base, chat) for chat in chats(residents)),
                *(_post_sms(session, server.base, phone) for phone in phones(residents)),
            )
            # Kill into the burst, while both channels have calls on the wire.
            burst_over = time.monotonic() + 30
            while not (
                telegram.pending
                and twilio.pending
                and len(telegram.calls_to("sendMessage")) >= residents // 2
                and len(twilio.messages.created) >= residents // 4
            ):
                if time.monotonic() > burst_over:
                    sent = (len(telegram.calls_to("sendMessage")), len(twilio.messages.created))
                    raise RuntimeError(f"the burst was over before the kill: {sent} sent")
                await asyncio.sleep(0.001)
            in_flight = {"telegram": telegram.pending, "sms": twilio.pending}
            server.kill()
        finally:
            server.stop()
        await asyncio.sleep(0.2)  # requests already on the loopback still arrive
        rows = await _outbound(database_url)
        received = _received(telegram, twilio)
        recorded = Counter(c for c, _, s in rows if s not in ("queued", "sending"))
        unrecorded = {c: sum(received[c].values()) - recorded[c] for c in received}
        on_their_way = {(c, a) for c, a, s in rows if s == "sending"}

        started = time.monotonic()
        restarted = _Server(database_url, *urls, log)
        try:
            await restarted.ready(session, startup_timeout)
            startup = time.monotonic() - started
            answered = others = None
            while answered is None and time.monotonic() - started < deadline:
                rows = await _outbound(database_url)
                if others is None and not _unanswered(
                    rows, telegram, twilio, residents, besides=on_their_way
                ):
                    others = time.monotonic() - started
                if not _unanswered(rows, telegram, twilio, residents):
                    answered = time.monotonic() - started
                await asyncio.sleep(0.1)
        finally:
            restarted.stop()
        rows = await _outbound(database_url)
        return Figures(
            residents=residents,
            replies=len(rows),
            in_flight_at_kill=in_flight,
            unrecorded_at_kill=unrecorded,
            doubles=_doubles(telegram, twilio, residents),
            answered_after_restart=answered,
            others_answered_after_restart=others,
            startup=startup,
            unanswered=_unanswered(rows, telegram, twilio, residents),
        )


# -- the child ------------------------------------------------------------------------


def _settings(telegram: str, twilio: str) -> Mapping[str, str]:
    return {
        "PBBOT_TELEGRAM_TOKEN": TOKEN,
        "PBBOT_TELEGRAM_SECRET": SECRET,
        "PBBOT_TELEGRAM_API_URL": telegram,
        "PBBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "PBBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PBBOT_TWILIO_FROM": SMS_FROM,
        "PBBOT_PUBLIC_URL": PUBLIC_URL,
        "PBBOT_SMS_SEGMENTS_PER_SECOND": str(SMS_SEGMENTS_PER_SECOND),
    }


def serve(port: int, database_url: str, telegram: str, twilio: str) -> None:
    """`pbbot serve`'s application and loop, with Twilio's API at `twilio`."""
    import logging
    from datetime import date

    from pbbot.channels.sms.sender import TwilioSender
    from pbbot.runtime import build_runtime
    from pbbot.server.app import SenderFactories, create_app, run
    from pbbot.settings import load_settings
    from tests.fakes.twilio_http import LoopbackTwilioHttpClient

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings(_settings(telegram, twilio))

    clients: list[LoopbackTwilioHttpClient] = []

    def sms(settings: Any) -> TwilioSender:
        clients.append(LoopbackTwilioHttpClient(twilio, timeout=30))
        return TwilioSender(
            ACCOUNT_SID, AUTH_TOKEN, sender=SMS_FROM, public_url=PUBLIC_URL, http_client=clients[-1]
        )

    async def close_clients(app: web.Application) -> None:
        for client in clients:  # a sender closes only the client it made itself
            await client.close()

    runtime = build_runtime(EDITION, database_url, date(2027, 2, 20))
    app = create_app(runtime, settings, factories=SenderFactories(sms=sms))
    app.on_cleanup.append(close_clients)
    run(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    serve(int(sys.argv[1]), *sys.argv[2:5])
