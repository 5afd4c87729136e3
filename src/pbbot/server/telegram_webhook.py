"""`POST /telegram/webhook`: check the secret, read the update, store it, answer.

Anything without our secret is not Telegram: 401 before the body is read. A
body that is not an update: 400, nothing stored. An update type pbbot does
not handle: 200 and ignored, so Telegram does not retry it.
"""

from __future__ import annotations

from aiohttp import web

from pbbot.channels.telegram.webhook import (
    SECRET_HEADER,
    parse_webhook_body,
    webhook_answer,
    webhook_secret_ok,
)
from pbbot.errors import BadWebhook
from pbbot.server.pipeline import InboundPipeline, StoreFailed, retry_later

__all__ = ["TelegramWebhook"]


class TelegramWebhook:
    def __init__(self, pipeline: InboundPipeline, *, bot_id: int, secret: str):
        self._pipeline = pipeline
        self._bot_id = bot_id
        self._secret = secret

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not webhook_secret_ok(request.headers.get(SECRET_HEADER), self._secret):
            return web.Response(status=401, text="wrong or missing secret token")
        body = await request.read()  # over the size limit: 413 from aiohttp
        try:
            update = parse_webhook_body(body, self._bot_id)
        except BadWebhook as error:
            return web.Response(status=error.status, text=str(error))
        if update is None:
            return web.Response(status=200)
        try:
            await self._pipeline.accept(update)
        except StoreFailed as error:  # not stored: the sender must retry later
            return retry_later(error)
        answer = webhook_answer(update)  # also for a redelivery: the tap needs an answer
        return web.json_response(answer) if answer else web.Response(status=200)
