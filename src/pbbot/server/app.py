"""The aiohttp application of `pbbot serve`: routes, channels, background tasks.

Channels are optional: without Telegram settings there is no Telegram route,
without Twilio settings no SMS routes; the server runs with what it has. The
staff chat is there when Telegram is and `PBBOT_STAFF_TELEGRAM_IDS` names staff.
Senders are created inside the running loop (Twilio's HTTP client needs it)
through factories, so that tests can point them at local fakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from aiohttp import web

from pbbot.broadcasts.worker import BroadcastWorker
from pbbot.channels.base import ChannelSender, InboundUpdate
from pbbot.channels.sms.sender import TwilioSender
from pbbot.channels.sms.status import DeliveryStatus
from pbbot.channels.telegram.bot import aiogram_sender, make_bot
from pbbot.channels.telegram.polling import poll_updates
from pbbot.channels.telegram.sending import TelegramSender
from pbbot.domain.messages import Channel
from pbbot.outbox.limits import ChannelLimits, default_limits
from pbbot.outbox.sender import Outbox
from pbbot.runtime import Runtime
from pbbot.server.guards import guards_for
from pbbot.server.pipeline import InboundPipeline, StoreFailed
from pbbot.server.telegram_webhook import TelegramWebhook
from pbbot.server.twilio_webhooks import SMS_PATH, STATUS_PATH, TwilioWebhooks
from pbbot.settings import Settings
from pbbot.staff.chat import StaffChat
from pbbot.storage.delivery import record_delivery_status
from pbbot.storage.health import backlog

__all__ = [
    "MAX_BODY_BYTES",
    "SERVER_STATE",
    "SenderFactories",
    "ServerState",
    "channel_senders",
    "create_app",
    "outbox_limits",
    "run",
]

_log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024  # larger requests get 413 before they are read
# /healthz says "stalled" past these: a webhook processes its update before it
# answers, and a reply waits at most a few per-chat slots in a burst.
STALLED_INBOUND_SECONDS = 30.0
STALLED_REPLY_SECONDS = 60.0
TELEGRAM_PATH = "/telegram/webhook"
POSTGRES_LANES = 4
POLL_PAUSE = 5.0  # seconds to wait after the database refused an update while polling


@dataclass(frozen=True, slots=True)
class SenderFactories:
    """How each channel's sender is made; the defaults talk to the real services."""

    telegram: Callable[[Settings], TelegramSender] = field(default=lambda s: _telegram_sender(s))
    sms: Callable[[Settings], ChannelSender] = field(default=lambda s: _twilio_sender(s))


def _telegram_sender(settings: Settings) -> TelegramSender:
    assert settings.telegram is not None
    return aiogram_sender(settings.telegram.token, api_url=settings.telegram.api_url)


def _twilio_sender(settings: Settings) -> ChannelSender:
    assert settings.twilio is not None
    twilio = settings.twilio
    return TwilioSender(
        twilio.account_sid, twilio.auth_token, sender=twilio.sender, public_url=settings.public_url
    )


def channel_senders(
    settings: Settings, factories: SenderFactories, *, telegram: TelegramSender | None = None
) -> dict[Channel, ChannelSender]:
    """A sender for each channel the settings configure; `telegram`: one made already."""
    senders: dict[Channel, ChannelSender] = {}
    if settings.telegram:
        senders["telegram"] = telegram or factories.telegram(settings)
    if settings.twilio:
        senders["sms"] = factories.sms(settings)
    return senders


def outbox_limits(settings: Settings) -> dict[Channel, ChannelLimits]:
    """This process's share of each channel's rate limit."""
    segments = settings.twilio.segments_per_second if settings.twilio else 1.0
    return default_limits(
        segments,
        telegram_per_second=settings.telegram_per_second,
        processes=settings.sending_processes,
    )


def create_app(
    runtime: Runtime,
    settings: Settings,
    *,
    polling: bool = False,
    send: bool = True,
    factories: SenderFactories | None = None,
    limits: Mapping[Channel, ChannelLimits] | None = None,
) -> web.Application:
    """The application; with `send=False` it only receives and queues (another
    process, sharing the PostgreSQL database, runs the outbox and the broadcasts,
    such as `pbbot worker`)."""
    factories = factories or SenderFactories()
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    state = ServerState(runtime, settings, polling, send, factories, limits)
    app.router.add_get("/healthz", state.healthz)
    if settings.telegram and not polling:
        assert settings.telegram.secret is not None  # checked by load_settings
        webhook = TelegramWebhook(
            state.pipeline, bot_id=settings.telegram.bot_id, secret=settings.telegram.secret
        )
        app.router.add_post(TELEGRAM_PATH, webhook.handle)
    if settings.twilio and settings.public_url:
        twilio = TwilioWebhooks(
            state.pipeline,
            auth_token=settings.twilio.auth_token,
            public_url=settings.public_url,
            record_status=state.record_status,
        )
        app.router.add_post(SMS_PATH, twilio.sms)
        app.router.add_post(STATUS_PATH, twilio.status)
    app.cleanup_ctx.append(state.lifetime)
    app[SERVER_STATE] = state
    return app


class ServerState:
    """What lives as long as the application: pipeline, outbox, broadcast worker,
    background tasks."""

    def __init__(
        self,
        runtime: Runtime,
        settings: Settings,
        polling: bool,
        send: bool,
        factories: SenderFactories,
        limits: Mapping[Channel, ChannelLimits] | None,
    ):
        self.send = send
        self.limits = limits
        self.runtime = runtime
        self.settings = settings
        self.polling = polling
        self.factories = factories
        self.outbox: Outbox | None = None
        # Made here, so that a wrong reminder in the edition file stops the start.
        self.broadcasts = (
            BroadcastWorker(runtime.sessionmaker, runtime.edition, queued=self._wake_outbox)
            if send
            else None
        )
        # SQLite writes one transaction at a time; PostgreSQL takes several at once.
        lanes = 1 if runtime.database.dialect.name == "sqlite" else POSTGRES_LANES
        self.pipeline = InboundPipeline(
            runtime.service,
            replies_queued=self._wake_outbox,
            lanes=lanes,
            guards=guards_for(settings, runtime.edition, runtime.sessionmaker),
            sessionmaker=runtime.sessionmaker,
            staff=(
                StaffChat(
                    runtime.sessionmaker,
                    runtime.edition,
                    settings.staff_telegram_ids,
                    # A preview reckons with what every sending process does together.
                    limits=outbox_limits(replace(settings, sending_processes=1)),
                    segment_price=settings.sms_segment_price,
                )
                if settings.telegram and settings.staff_telegram_ids
                else None
            ),
        )
        self.stop = asyncio.Event()

    def _wake_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    async def record_status(self, status: DeliveryStatus) -> bool:
        """A Twilio delivery report; an unknown or backward one changes nothing."""
        async with self.runtime.sessionmaker.begin() as session:
            return await record_delivery_status(
                session, status.message_sid, status.status, status.error_code, now=datetime.now(UTC)
            )

    async def healthz(self, request: web.Request) -> web.Response:
        """200 while messages flow; 503 when the database is unreachable or when
        the oldest unprocessed update or due reply shows the pipeline or the
        outbox is stuck (a held lock, a dead sender)."""
        try:
            async with self.runtime.sessionmaker() as session:
                waiting = await backlog(session, now=datetime.now(UTC))
        except Exception:  # any failure means "not healthy"; details stay in the log
            _log.exception("health check: database unreachable")
            return web.json_response({"status": "database unreachable"}, status=503)
        ages = {
            "oldest_unprocessed_inbound_seconds": round(waiting.inbound_seconds, 1),
            "oldest_due_reply_seconds": round(waiting.reply_seconds, 1),
        }
        stalled = [
            part
            for part, seconds, limit in (
                ("pipeline", waiting.inbound_seconds, STALLED_INBOUND_SECONDS),
                ("outbox", waiting.reply_seconds, STALLED_REPLY_SECONDS),
            )
            if seconds > limit
        ]
        status = f"stalled: {', '.join(stalled)}" if stalled else "ok"
        return web.json_response({"status": status, **ages}, status=503 if stalled else 200)

    async def lifetime(self, app: web.Application):  # type: ignore[no-untyped-def]
        telegram_sender = None
        if self.settings.telegram and (self.send or self.polling):
            telegram_sender = self.factories.telegram(self.settings)
        senders = (
            channel_senders(self.settings, self.factories, telegram=telegram_sender)
            if self.send
            else {}
        )
        self.outbox = Outbox(
            self.runtime.sessionmaker, senders, limits=self.limits or outbox_limits(self.settings)
        )
        await self.pipeline.recover()  # what a crash left stored but unprocessed
        background = [
            asyncio.create_task(self.outbox.run(self.stop)),
            asyncio.create_task(self.pipeline.run(self.stop)),
        ]
        if self.broadcasts is not None:
            background.append(asyncio.create_task(self.broadcasts.run(self.stop)))
        poller = None
        if self.polling and telegram_sender is not None:
            poller = asyncio.create_task(self._poll(telegram_sender))
        yield
        self.stop.set()
        if poller is not None:
            poller.cancel()  # long polling waits on Telegram; nothing to finish
            background.append(poller)
        await asyncio.gather(*background, return_exceptions=True)
        for sender in senders.values():
            with contextlib.suppress(Exception):
                await sender.close()
        await self.runtime.close()

    async def _poll(self, sender: TelegramSender) -> None:
        assert self.settings.telegram is not None
        bot = make_bot(self.settings.telegram.token, api_url=self.settings.telegram.api_url)

        async def handle(update: InboundUpdate) -> None:
            await self.pipeline.accept(update)
            if update.callback_query_id is not None:
                await sender.answer_callback(update.callback_query_id)

        try:
            while True:
                try:
                    await poll_updates(bot, handle)
                except StoreFailed:  # unconfirmed: Telegram sends the update again
                    _log.warning("database unavailable; polling again in %gs", POLL_PAUSE)
                    await asyncio.sleep(POLL_PAUSE)
        finally:
            await bot.session.close()


# The application's state (pipeline, outbox), for tests and operators' tools.
SERVER_STATE = web.AppKey("pbbot", ServerState)


def run(app: web.Application, *, host: str, port: int) -> None:
    """Serve `app` until interrupted, on uvloop where it is installed."""
    try:
        import uvloop
    except ImportError:  # Windows: the standard loop
        pass
    else:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    web.run_app(app, host=host, port=port, print=_log.info, access_log=None)
