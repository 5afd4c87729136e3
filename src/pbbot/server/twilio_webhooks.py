"""`POST /sms/twilio` and `POST /sms/twilio/status`: Twilio's webhooks.

Signatures are checked against the configured public URL, never the
request's own URL, which is wrong behind a TLS-terminating proxy. Replies go
out by REST through the outbox, so the answer to Twilio is an empty TwiML.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from pbbot.channels.sms.inbound import SIGNATURE_HEADER, parse_twilio_sms, verify_twilio_request
from pbbot.channels.sms.sender import STATUS_CALLBACK_PATH
from pbbot.channels.sms.status import DeliveryStatus, parse_status_callback
from pbbot.errors import BadWebhook
from pbbot.server.pipeline import InboundPipeline, StoreFailed

__all__ = ["SMS_PATH", "STATUS_PATH", "TwilioWebhooks"]

SMS_PATH = "/sms/twilio"
STATUS_PATH = STATUS_CALLBACK_PATH  # where TwilioSender asks Twilio to report
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class TwilioWebhooks:
    def __init__(
        self,
        pipeline: InboundPipeline,
        *,
        auth_token: str,
        public_url: str,
        record_status: Callable[[DeliveryStatus], Awaitable[object]],
    ):
        self._pipeline = pipeline
        self._auth_token = auth_token
        self._public_url = public_url
        self._record_status = record_status

    async def _verified_form(self, request: web.Request, path: str) -> Mapping[str, str] | None:
        form = await request.post()  # over the size limit: 413 from aiohttp
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        signature = request.headers.get(SIGNATURE_HEADER)
        if not verify_twilio_request(self._auth_token, self._public_url + path, form, signature):
            return None
        return fields

    async def sms(self, request: web.Request) -> web.StreamResponse:
        form = await self._verified_form(request, SMS_PATH)
        if form is None:
            return web.Response(status=403, text="invalid Twilio signature")
        try:
            update = parse_twilio_sms(form)
        except BadWebhook as error:
            return web.Response(status=error.status, text=str(error))
        try:
            await self._pipeline.accept(update)
        except StoreFailed:  # not stored: the sender must retry later
            return web.Response(status=503, text="try again later")
        return web.Response(text=_EMPTY_TWIML, content_type="text/xml")

    async def status(self, request: web.Request) -> web.StreamResponse:
        form = await self._verified_form(request, STATUS_PATH)
        if form is None:
            return web.Response(status=403, text="invalid Twilio signature")
        try:
            status = parse_status_callback(form)
        except BadWebhook as error:
            return web.Response(status=error.status, text=str(error))
        await self._record_status(status)
        return web.Response(status=204)
