"""`POST /sms/twilio` and `POST /sms/twilio/status`: Twilio's webhooks.

Signatures are checked against the configured public URL, never the
request's own URL, which is wrong behind a TLS-terminating proxy. Replies go
out by REST through the outbox, so the answer to Twilio is an empty TwiML.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from aiohttp import web

from pbbot.channels.sms.inbound import (
    SIGNATURE_HEADER,
    parse_twilio_form,
    parse_twilio_sms,
    verify_twilio_request,
)
from pbbot.channels.sms.sender import STATUS_CALLBACK_PATH
from pbbot.channels.sms.status import DeliveryStatus, parse_status_callback
from pbbot.errors import BadWebhook
from pbbot.server.pipeline import InboundPipeline, StoreFailed, retry_later

__all__ = ["SMS_PATH", "STATUS_PATH", "TwilioWebhooks"]

SMS_PATH = "/sms/twilio"
STATUS_PATH = STATUS_CALLBACK_PATH  # where TwilioSender asks Twilio to report
T = TypeVar("T")
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

    async def _read(
        self, request: web.Request, path: str, parse: Callable[[Mapping[str, str]], T]
    ) -> T | web.Response:
        """The parsed form of a genuine request, or the 4xx answer to a forged or odd one.

        The form is read by `parse_twilio_form`, not aiohttp's `request.post()`,
        which would hand the signature check a multipart form's file fields and
        fail on bytes that are not in the request's charset (a 500 to anyone).
        """
        body = await request.read()  # over the size limit: 413 from aiohttp
        try:
            form = parse_twilio_form(
                body, content_type=request.content_type, charset=request.charset
            )
            signature = request.headers.get(SIGNATURE_HEADER)
            if not verify_twilio_request(
                self._auth_token, self._public_url + path, form, signature
            ):
                return web.Response(status=403, text="invalid Twilio signature")
            return parse(form)
        except BadWebhook as error:
            return web.Response(status=error.status, text=str(error))

    async def sms(self, request: web.Request) -> web.StreamResponse:
        update = await self._read(request, SMS_PATH, parse_twilio_sms)
        if isinstance(update, web.Response):
            return update
        try:
            await self._pipeline.accept(update)
        except StoreFailed as error:  # not stored: the sender must retry later
            return retry_later(error)
        return web.Response(text=_EMPTY_TWIML, content_type="text/xml")

    async def status(self, request: web.Request) -> web.StreamResponse:
        status = await self._read(request, STATUS_PATH, parse_status_callback)
        if isinstance(status, web.Response):
            return status
        await self._record_status(status)
        return web.Response(status=204)
