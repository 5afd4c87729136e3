from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.channels.sms.sender import TwilioSender
from pbbot.domain.messages import Choice, Outbound
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioHttpClient, twilio_error

MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
FROM_NUMBER = "+32460201234"
SERVICE = "MG" + "1" * 32


@pytest.fixture
async def http() -> AsyncIterator[FakeTwilioHttpClient]:
    yield FakeTwilioHttpClient()


def _sender(http: FakeTwilioHttpClient, sender: str = FROM_NUMBER) -> TwilioSender:
    return TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        sender=sender,
        public_url="https://pb.mechelen.be/",
        http_client=http,
    )


def _envelope(outbound: Outbound) -> OutboundEnvelope:
    return OutboundEnvelope(message_id="42", address="+32470123456", outbound=outbound)


async def test_a_reply_is_one_rest_call_with_status_callback(http: FakeTwilioHttpClient) -> None:
    outbound = Outbound(
        text="Wil je meer weten\u00a0?",
        locale="nl",
        choices=(Choice("info", "Wat is het?"), Choice("menu", "Menu")),
    )
    receipt = await _sender(http).send(_envelope(outbound))
    [request] = http.requests
    assert (request.method, request.url) == ("POST", MESSAGES_URL)
    assert request.data == {
        "To": "+32470123456",
        "From": FROM_NUMBER,
        "Body": "Wil je meer weten ?\n1 Wat is het?\n2 Menu",
        "StatusCallback": "https://pb.mechelen.be/sms/twilio/status",
    }
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert receipt == SendReceipt(provider_id="SM" + "0" * 31 + "1", segments=1)


async def test_a_messaging_service_sends_instead_of_a_number(http: FakeTwilioHttpClient) -> None:
    await _sender(http, sender=SERVICE).send(_envelope(Outbound(text="Hallo", locale="nl")))
    [request] = http.requests
    assert request.data["MessagingServiceSid"] == SERVICE
    assert "From" not in request.data


async def test_receipt_counts_segments(http: FakeTwilioHttpClient) -> None:
    receipt = await _sender(http).send(_envelope(Outbound(text="ş" * 71, locale="tr")))
    assert receipt.segments == 2


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), RecipientBlocked),
        (twilio_error(400, 21211, "Invalid 'To' Phone Number"), RecipientBlocked),
        (twilio_error(429, 20429, "Too Many Requests"), RateLimited),
        (Response(429, "Too Many Requests"), RateLimited),
        (twilio_error(500, 20500, "Internal Server Error"), ChannelError),
        (Response(503, "<html>Service Unavailable</html>"), ChannelError),
        (twilio_error(401, 20003, "Authenticate"), ChannelError),
    ],
)
async def test_twilio_errors_are_translated(
    http: FakeTwilioHttpClient, answer: Response, expected: type[ChannelError]
) -> None:
    http.answers.append(answer)
    with pytest.raises(ChannelError) as raised:
        await _sender(http).send(_envelope(Outbound(text="Hallo", locale="nl")))
    assert type(raised.value) is expected


class _Unreachable(FakeTwilioHttpClient):
    async def request(self, *args: object, **kwargs: object) -> Response:
        raise aiohttp.ClientConnectionError("Cannot connect to host api.twilio.com:443")


async def test_network_failure_is_a_channel_error() -> None:
    with pytest.raises(ChannelError) as raised:
        await _sender(_Unreachable()).send(_envelope(Outbound(text="Hallo", locale="nl")))
    assert type(raised.value) is ChannelError


async def test_default_http_client_is_twilios_async_one_and_closes() -> None:
    sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, sender=FROM_NUMBER, public_url=None)
    assert isinstance(sender.http_client, AsyncTwilioHttpClient)
    assert sender.status_callback is None
    await sender.close()
    assert sender.http_client.session.closed
