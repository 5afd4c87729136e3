"""Sending SMS through Twilio's REST API, asynchronously.

Replies go out by REST, not as TwiML in the webhook's answer, so that every
outbound SMS passes the same outbox, rate limit and status tracking. The
twilio client runs on its aiohttp-based `AsyncTwilioHttpClient`, so a send
does not block the event loop.

Errors become pbbot's here: 21610 (the resident sent STOP to the carrier) and
numbers that cannot receive SMS are `RecipientBlocked`; 429 and 20429 are
`RateLimited`; everything else, server errors and network failures included,
is `ChannelError`.

After a send whose answer never came (the process died during the call), the
outbox asks `sent_since` whether Twilio has the message before it sends it
again (see `pbbot.outbox.uncertain`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from twilio.base.exceptions import (
    TwilioException,
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http import AsyncHttpClient
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.channels.sms.inbound import CHANNEL
from pbbot.channels.sms.render import render_sms
from pbbot.domain.messages import Channel
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from pbbot.i18n.sms import sms_segments

__all__ = ["STATUS_CALLBACK_PATH", "TwilioSender", "translate_error"]

STATUS_CALLBACK_PATH = "/sms/twilio/status"

# 21610: unsubscribed (STOP); 21211: not a valid phone number; 21614: not a mobile
# number; 21612: no route to this number. Retrying cannot help any of them.
_UNREACHABLE = frozenset({21610, 21211, 21614, 21612})
_TOO_MANY_REQUESTS = frozenset({429, 20429})
# Twilio's 429 carries no Retry-After; its documentation suggests backing off about a second.
_DEFAULT_RETRY_AFTER = 1.0
# Twilio stamps a message's creation to the second, by its own clock, not ours.
_CLOCK_SLACK = timedelta(minutes=2)
# The newest messages to a number that `sent_since` reads: a resident gets a few a minute.
_LOOKBACK = 20


def translate_error(error: TwilioRestException | TwilioServiceException) -> ChannelError:
    """pbbot's error for a refusal by Twilio's API."""
    code = error.code
    if code in _UNREACHABLE:
        return RecipientBlocked(f"Twilio {code}: {_message(error)}")
    if code in _TOO_MANY_REQUESTS or error.status == 429:
        return RateLimited(_DEFAULT_RETRY_AFTER, f"Twilio {code}")
    return ChannelError(f"Twilio {error.status}/{code}: {_message(error)}")


def _message(error: TwilioRestException | TwilioServiceException) -> str:
    if isinstance(error, TwilioServiceException):
        return str(error.detail or error.title)
    return str(error.msg)


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except (TwilioRestException, TwilioServiceException) as error:
        raise translate_error(error) from error
    except TwilioException as error:  # a list page that did not load: no code to translate
        raise ChannelError(f"Twilio: {error.args[0]}") from error
    except (TimeoutError, aiohttp.ClientError) as error:
        raise ChannelError(f"Twilio unreachable: {error!r}") from error


class TwilioSender:
    """The SMS `ChannelSender`.

    `sender` is `PBBOT_TWILIO_FROM`: a phone number, or a messaging service
    SID ("MG..."), which lets Twilio pick the number. `public_url` is
    `PBBOT_PUBLIC_URL`; Twilio reports each message's delivery there. Create it
    inside the running event loop (its HTTP client opens an aiohttp session).
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        sender: str,
        public_url: str | None,
        http_client: AsyncHttpClient | None = None,
    ):
        self._owns_http_client = http_client is None
        self.http_client = http_client or AsyncTwilioHttpClient(timeout=30)
        self.client = Client(account_sid, auth_token, http_client=self.http_client)
        self.sender = sender
        self.status_callback = public_url.rstrip("/") + STATUS_CALLBACK_PATH if public_url else None

    @property
    def channel(self) -> Channel:
        return CHANNEL

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        body = render_sms(envelope.outbound)
        extra = {"status_callback": self.status_callback} if self.status_callback else {}
        with _translated_errors():
            message = await self.client.messages.create_async(
                to=envelope.address, body=body, **self._origin(), **extra
            )
        return SendReceipt(provider_id=str(message.sid), segments=sms_segments(body).segments)

    async def sent_since(self, envelope: OutboundEnvelope, since: datetime) -> list[SendReceipt]:
        """The messages Twilio accepted from this sender to the same number with the same
        body, created from `since` on, oldest first.

        Twilio lists a number's messages newest first. Its date filter takes
        whole days and leaves out a message still in Twilio's queue (it has no
        `date_sent` yet), so the time is matched here, on `date_created`.
        """
        body = render_sms(envelope.outbound)
        messaging_service = self.sender.startswith("MG")
        filters: dict[str, Any] = {} if messaging_service else {"from_": self.sender}
        with _translated_errors():
            listed = await self.client.messages.list_async(
                to=envelope.address, limit=_LOOKBACK, **filters
            )
        earliest = since - _CLOCK_SLACK
        found = [
            message
            for message in listed
            if message.body == body
            and message.date_created is not None
            and message.date_created >= earliest
            and (not messaging_service or message.messaging_service_sid == self.sender)
        ]
        found.sort(key=lambda message: message.date_created)
        return [
            SendReceipt(
                provider_id=str(message.sid),
                segments=int(message.num_segments or sms_segments(body).segments),
            )
            for message in found
        ]

    def _origin(self) -> dict[str, str]:
        if self.sender.startswith("MG"):
            return {"messaging_service_sid": self.sender}
        return {"from_": self.sender}

    async def close(self) -> None:
        if self._owns_http_client:
            await self.http_client.close()
