"""pbbot inside a city's own python-telegram-bot `Application` (extra `pbbot[ptb]`).

For a city that already runs a bot on its token with python-telegram-bot:
the same engine, pipeline and outbox as `pbbot serve`, with updates coming
from the city's `Application` and replies leaving through its `Bot`.

    bridge = attach(application, runtime)        # adds a handler, group 0
    # staff_telegram_ids=settings.staff_telegram_ids adds the staff chat
    # in the application's post_init / post_shutdown:
    await bridge.start()   ...   await bridge.stop()
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.ptb import add_inbound_handler, ptb_sender
from pbbot.domain.messages import Channel
from pbbot.outbox.limits import ChannelLimits, default_limits
from pbbot.outbox.sender import Outbox
from pbbot.runtime import Runtime
from pbbot.server.pipeline import InboundPipeline
from pbbot.staff.chat import StaffChat

__all__ = ["PtbBridge", "attach"]


class PtbBridge:
    def __init__(
        self,
        application: Any,
        runtime: Runtime,
        *,
        limits: Mapping[Channel, ChannelLimits] | None = None,
        staff_telegram_ids: frozenset[int] = frozenset(),
    ):
        self._sender = ptb_sender(application.bot)
        limits = limits or default_limits()
        self.outbox = Outbox(runtime.sessionmaker, {"telegram": self._sender}, limits=limits)
        staff = (
            StaffChat(runtime.sessionmaker, runtime.edition, staff_telegram_ids, limits=limits)
            if staff_telegram_ids
            else None
        )
        self.pipeline = InboundPipeline(
            runtime.service,
            replies_queued=self.outbox.wake,
            sessionmaker=runtime.sessionmaker,
            staff=staff,
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def handle(self, update: InboundUpdate) -> None:
        await self.pipeline.accept(update)
        if update.callback_query_id is not None:
            await self._sender.answer_callback(update.callback_query_id)

    async def start(self) -> None:
        """Recover what a crash left stored, then run the pipeline and the outbox."""
        await self.pipeline.recover()
        self._stop.clear()
        self._tasks = [
            asyncio.create_task(self.pipeline.run(self._stop)),
            asyncio.create_task(self.outbox.run(self._stop)),
        ]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []


def attach(
    application: Any,
    runtime: Runtime,
    *,
    group: int = 0,
    limits: Mapping[Channel, ChannelLimits] | None = None,
    staff_telegram_ids: frozenset[int] = frozenset(),
) -> PtbBridge:
    """Plug pbbot into `application`; start and stop the returned bridge with it."""
    bridge = PtbBridge(application, runtime, limits=limits, staff_telegram_ids=staff_telegram_ids)
    add_inbound_handler(application, bridge.handle, group=group)
    return bridge
