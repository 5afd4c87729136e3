"""A Twilio HTTP client for tests: the real twilio `Client` runs on it, nothing leaves the machine.

It records each request the client makes (method, URL, form fields, auth) and
answers with canned Twilio JSON: a created message, or the error Twilio
returns (21610 for an unsubscribed recipient, 20429 too many requests, 500).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from twilio.http import AsyncHttpClient
from twilio.http.response import Response

__all__ = ["FakeTwilioHttpClient", "RecordedRequest", "twilio_error"]

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "f" * 32


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    data: dict[str, Any]
    auth: tuple[str, str] | None


def twilio_error(status: int, code: int, message: str) -> Response:
    """An error answer in Twilio's (legacy) JSON error format."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Response(status, json.dumps(body))


class FakeTwilioHttpClient(AsyncHttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("tests.twilio"), is_async=True)
        self.requests: list[RecordedRequest] = []
        self.answers: list[Response] = []
        self._count = 0

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
        self.requests.append(RecordedRequest(method, uri, dict(data or {}), auth))
        if self.answers:
            return self.answers.pop(0)
        self._count += 1
        return Response(201, json.dumps(self._created(data or {})))

    def _created(self, data: dict[str, object]) -> dict[str, Any]:
        sid = f"SM{self._count:032x}"
        return {
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "body": data.get("Body"),
            "date_created": "Thu, 01 Jan 2026 09:00:00 +0000",
            "date_sent": None,
            "date_updated": "Thu, 01 Jan 2026 09:00:00 +0000",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": data.get("From"),
            "messaging_service_sid": data.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "EUR",
            "sid": sid,
            "status": "accepted" if data.get("MessagingServiceSid") else "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json"
            },
            "to": data.get("To"),
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }
