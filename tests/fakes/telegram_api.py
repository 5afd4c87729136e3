"""A fake Telegram Bot API server on loopback, for both Telegram drivers.

It speaks the real protocol (`/bot<token>/<method>`, JSON, urlencoded or
multipart bodies; `{"ok": ..., "result": ...}` answers), enforces the limits the
real server enforces (4096-character texts, 64-byte callback data), records
every call, and can be told to fail the next calls the way Telegram fails
(429 with `retry_after`, 403 blocked or deactivated, 5xx). It keeps what each
chat shows (`shown`), so that `editMessageText` changes a message the bot sent,
and refuses as Telegram does an edit of a message it does not know, of a photo,
or one that changes nothing.

With `per_second=N` it enforces Telegram's flood limit as a sliding window:
a sending call (a message sent or edited) beyond N accepted in the last second
is answered 429 with the `retry_after` (whole seconds, as Telegram gives it)
until the oldest of them leaves the window; those calls are kept in
`rate_limited`, each with the `retry_after` it got. `clock` is the fake's
time (a test passes the outbox's fake clock, so that the window and the
outbox's pauses are measured alike).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["TOKEN", "FakeError", "FakeTelegramAPI", "RecordedCall"]

BOT_ID = 7000000001
TOKEN = f"{BOT_ID}:AAF4k3-T0k3n_for_tests_only_0123456789"

# Parameters whose form-encoded value is JSON (Telegram's rule for complex fields).
_JSON_FIELDS = frozenset(
    {"reply_markup", "allowed_updates", "link_preview_options", "reply_parameters", "entities"}
)
_INT_FIELDS = frozenset(
    {"chat_id", "offset", "limit", "timeout", "message_id", "cache_time", "max_connections"}
)
# The calls that Telegram's flood limit counts: messages sent or changed.
_SENDING = frozenset({"sendmessage", "sendphoto", "editmessagetext"})


@dataclass(frozen=True)
class RecordedCall:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0  # on the fake's clock


@dataclass(frozen=True)
class FakeError:
    """An error answer, shaped like Telegram's."""

    status: int
    description: str
    retry_after: int | None = None

    @classmethod
    def too_many_requests(cls, retry_after: int) -> FakeError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @classmethod
    def blocked(cls) -> FakeError:
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def deactivated(cls) -> FakeError:
        return cls(403, "Forbidden: user is deactivated")

    @classmethod
    def bad_gateway(cls) -> FakeError:
        return cls(502, "Bad Gateway")

    @classmethod
    def bad_request(cls, description: str) -> FakeError:
        return cls(400, f"Bad Request: {description}")

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class _Refused(Exception):
    def __init__(self, error: FakeError):
        self.error = error


class FakeTelegramAPI:
    """The server; `async with FakeTelegramAPI() as api:` then point a bot at `api.base_url`."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        port: int = 0,
    ):
        self.token = token
        self.per_second = per_second
        self._clock = clock
        self._port = port
        # When the sending calls accepted within the last second came (per_second mode).
        self._window: deque[float] = deque()
        self.rate_limited: list[tuple[RecordedCall, int]] = []
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "PB Bot",
            "username": "pb_test_bot",
        }
        self.calls: list[RecordedCall] = []
        self.webhook: dict[str, Any] = {}
        self._failures: list[tuple[str | None, FakeError]] = []
        self._updates: list[dict[str, Any]] = []
        self._new_updates = asyncio.Event()
        self._message_ids = itertools.count(1)
        # (chat id, message id) -> what the message shows: its text (None for a
        # photo) and its inline keyboard (None: none).
        self.shown: dict[tuple[int, int], dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeTelegramAPI:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        self._new_updates.set()  # a long poll still waiting returns now, not after its timeout
        await self._runner.cleanup()

    # -- steering -----------------------------------------------------------

    def fail_next(self, error: FakeError, *, method: str | None = None, times: int = 1) -> None:
        """Answer the next `times` calls (of `method`, or of any method) with `error`."""
        self._failures.extend([(method, error)] * times)

    def push_updates(self, *updates: dict[str, Any]) -> None:
        """Updates that the next getUpdates (long polling) returns."""
        self._updates.extend(updates)
        self._new_updates.set()

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    # -- the protocol -------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = RecordedCall(method, params, files, self._clock())
        self.calls.append(call)
        try:
            self._maybe_fail(method)
            self._enforce_limit(call)
            handler = getattr(self, f"_{method.lower()}", None)
            if handler is None:
                raise _Refused(FakeError(404, "Not Found: method not found"))
            result = await handler(params, files)
        except _Refused as refused:
            return web.json_response(refused.error.body(), status=refused.error.status)
        return web.json_response({"ok": True, "result": result})

    def _maybe_fail(self, method: str) -> None:
        for index, (only, error) in enumerate(self._failures):
            if only is None or only.lower() == method.lower():
                del self._failures[index]
                raise _Refused(error)

    def _enforce_limit(self, call: RecordedCall) -> None:
        if self.per_second is None or call.method.lower() not in _SENDING:
            return
        while self._window and self._window[0] <= call.at - 1.0:
            self._window.popleft()
        if len(self._window) >= self.per_second:
            retry_after = max(1, math.ceil(self._window[0] + 1.0 - call.at))
            self.rate_limited.append((call, retry_after))
            raise _Refused(FakeError.too_many_requests(retry_after))
        self._window.append(call.at)

    async def _getme(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self.bot_user

    async def _sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _Refused(FakeError.bad_request("message text is empty"))
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _Refused(FakeError.bad_request("message is too long"))
        _check_markup(params.get("reply_markup"))
        return self._message(params, text=text)

    async def _sendphoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if "photo" not in files and "photo" not in params:
            raise _Refused(FakeError.bad_request("there is no photo in the request"))
        _check_markup(params.get("reply_markup"))
        photo = [
            {
                "file_id": "AgACAgQAAxkDAAIB",
                "file_unique_id": "AQADAgAT",
                "width": 320,
                "height": 240,
            }
        ]
        return self._message(params, photo=photo)

    async def _editmessagetext(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        text = str(params.get("text", ""))
        if not text.strip():
            raise _Refused(FakeError.bad_request("message text is empty"))
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _Refused(FakeError.bad_request("MESSAGE_TOO_LONG"))
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" not in markup:
            raise _Refused(FakeError.bad_request("inline keyboard expected"))
        _check_markup(markup)
        current = self.shown.get(key)
        if current is None:
            raise _Refused(FakeError.bad_request("message to edit not found"))
        if current["text"] is None:
            raise _Refused(FakeError.bad_request("there is no text in the message to edit"))
        inline = markup if isinstance(markup, dict) else None
        if current["text"] == text and current["reply_markup"] == inline:
            raise _Refused(
                FakeError.bad_request(
                    "message is not modified: specified new message content and reply markup"
                    " are exactly the same as a current content and reply markup of the message"
                )
            )
        self.shown[key] = {"text": text, "reply_markup": inline}
        message: dict[str, Any] = {
            "message_id": key[1],
            "from": self.bot_user,
            "chat": {"id": key[0], "type": "private", "first_name": "Resident"},
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "text": text,
        }
        if inline is not None:
            message["reply_markup"] = inline
        return message

    async def _answercallbackquery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if not params.get("callback_query_id"):
            raise _Refused(FakeError.bad_request("query is too old and response timeout expired"))
        return True

    async def _setwebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = params
        return True

    async def _deletewebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = {}
        return True

    async def _getupdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook:
            raise _Refused(
                FakeError(409, "Conflict: can't use getUpdates method while webhook is active")
            )
        offset = int(params.get("offset") or 0)
        # Confirming an offset forgets the updates before it, as Telegram does.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_updates.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._new_updates.wait(), timeout=min(float(params.get("timeout") or 0), 5)
                )
        return list(self._updates)

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": {"id": params["chat_id"], "type": "private", "first_name": "Resident"},
            "date": int(time.time()),
            **content,
        }
        markup = params.get("reply_markup")
        inline = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if inline is not None:
            message["reply_markup"] = inline
        self.shown[(int(params["chat_id"]), message["message_id"])] = {
            "text": content.get("text"),
            "reply_markup": inline,
        }
        return message


def _check_markup(markup: Any) -> None:
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data", "")
            if not 1 <= len(data.encode()) <= 64:
                raise _Refused(FakeError.bad_request("BUTTON_DATA_INVALID"))


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        return dict(await request.json()), files
    raw: dict[str, Any] = {}
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename is not None:  # type: ignore[union-attr]
                files[part.name or ""] = bytes(await part.read())  # type: ignore[union-attr]
            else:
                raw[part.name or ""] = await part.text()  # type: ignore[union-attr]
    else:
        raw.update(await request.post())
        raw.update(request.query)
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if name in _JSON_FIELDS and isinstance(value, str):
            params[name] = json.loads(value)
        elif name in _INT_FIELDS and isinstance(value, str) and value.lstrip("-").isdigit():
            params[name] = int(value)
        elif isinstance(value, str) and value.startswith("attach://"):
            # aiogram uploads as `photo=attach://<part>`, which the Bot API resolves.
            files[name] = files.pop(value.removeprefix("attach://"))
        else:
            params[name] = value
    return params, files
