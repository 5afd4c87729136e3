"""Twilio for tests: the real twilio `Client` runs against it, nothing leaves the machine.

One account's message log (`TwilioMessages`) answers the two calls pbbot makes:
creating a message, and listing the messages sent to a number (newest first,
filtered by `To` and `From`, as Twilio's Messages list is). It is reached two ways:

- `FakeTwilioHttpClient`, an HTTP client for the twilio library, in process:
  it records each request (method, URL, form fields or query, auth) and can
  be told to answer the next ones with Twilio's errors (21610 for an
  unsubscribed recipient, 20429 too many requests, 500);
- `FakeTwilioServer`, the same log on loopback, for a `pbbot serve` in another
  process (which talks to it through `LoopbackTwilioHttpClient`); it can take
  its time to answer, as the real API does, and counts the calls it is still
  answering.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web
from twilio.http import AsyncHttpClient
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

__all__ = [
    "ACCOUNT_SID",
    "AUTH_TOKEN",
    "FakeTwilioHttpClient",
    "FakeTwilioServer",
    "LoopbackTwilioHttpClient",
    "RecordedRequest",
    "TwilioMessages",
    "twilio_error",
]

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "f" * 32
API_URL = "https://api.twilio.com"
_MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    data: dict[str, Any]
    auth: tuple[str, str] | None
    params: dict[str, Any] = field(default_factory=dict)


def twilio_error(status: int, code: int, message: str) -> Response:
    """An error answer in Twilio's (legacy) JSON error format."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Response(status, json.dumps(body))


class TwilioMessages:
    """One account's messages, as Twilio's Messages resource creates and lists them.

    `now` stamps each message's `date_created` (Twilio's clock, to the second).
    """

    def __init__(self, now: Callable[[], datetime] | None = None):
        self.now = now or (lambda: datetime.now(UTC))
        self.created: list[dict[str, Any]] = []

    def answer(self, method: str, url: str, form: Mapping[str, Any]) -> Response:
        """The answer to a request on the Messages resource (form: body or query fields)."""
        if method.upper() == "GET":
            return Response(200, json.dumps(self._page(form)))
        return Response(201, json.dumps(self._create(form)))

    def _create(self, form: Mapping[str, Any]) -> dict[str, Any]:
        sid = f"SM{len(self.created) + 1:032x}"
        stamp = format_datetime(self.now().astimezone(UTC).replace(microsecond=0))
        message = {
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "body": form.get("Body"),
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "EUR",
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json"
            },
            "to": form.get("To"),
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }
        self.created.append(message)
        return message

    def _page(self, query: Mapping[str, Any]) -> dict[str, Any]:
        size = int(query.get("PageSize", 50))
        found = [
            message
            for message in reversed(self.created)
            if query.get("To") in (None, message["to"])
            and query.get("From") in (None, message["from"])
        ][:size]
        return {
            "messages": found,
            "end": max(0, len(found) - 1),
            "first_page_uri": _MESSAGES_PATH,
            "next_page_uri": None,
            "page": 0,
            "page_size": size,
            "previous_page_uri": None,
            "start": 0,
            "uri": _MESSAGES_PATH,
        }


class FakeTwilioHttpClient(AsyncHttpClient):
    """The twilio library's HTTP client, answered from a `TwilioMessages` in this process.

    `answers` are given, in order, to the next requests instead.
    """

    def __init__(self, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__(logging.getLogger("tests.twilio"), is_async=True)
        self.requests: list[RecordedRequest] = []
        self.answers: list[Response] = []
        self.messages = TwilioMessages(now)

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        self.requests.append(
            RecordedRequest(method, uri, dict(data or {}), auth, dict(params or {}))
        )
        if self.answers:
            return self.answers.pop(0)
        return self.messages.answer(method, uri, {**(params or {}), **(data or {})})

    def created(self) -> list[RecordedRequest]:
        """The requests that sent a message (not those that listed them)."""
        return [request for request in self.requests if request.method.upper() == "POST"]


class FakeTwilioServer:
    """Twilio's Messages API on loopback: `async with FakeTwilioServer() as twilio:`.

    Each message is created as its request arrives and the answer leaves
    `latency` seconds later, so a client killed in between leaves a message
    that Twilio has and the client never heard of. `pending` counts the
    requests still waiting for their answer.
    """

    def __init__(self, *, latency: float = 0.0):
        self.latency = latency
        self.messages = TwilioMessages()
        self.pending = 0
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeTwilioServer:
        app = web.Application()
        app.router.add_route("*", _MESSAGES_PATH, self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def bodies_to(self, address: str) -> list[str]:
        return [str(m["body"]) for m in self.messages.created if m["to"] == address]

    async def _handle(self, request: web.Request) -> web.Response:
        self.pending += 1
        try:
            form = {**request.query, **(await request.post())}
            answer = self.messages.answer(request.method, request.path, form)
            await asyncio.sleep(self.latency)
        finally:
            self.pending -= 1
        return web.Response(
            status=answer.status_code, text=answer.text, content_type="application/json"
        )


class LoopbackTwilioHttpClient(AsyncTwilioHttpClient):
    """The twilio library's own aiohttp client, sending to `base_url` instead of Twilio."""

    def __init__(self, base_url: str, **options: Any):
        super().__init__(**options)
        self.base_url = base_url

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return await super().request(method, url.replace(API_URL, self.base_url), *args, **kwargs)
