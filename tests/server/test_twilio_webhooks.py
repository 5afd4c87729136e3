"""SMS through Twilio, end to end: signed webhooks in, REST replies out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from pbbot.engine.flowset import load_engine_flows
from pbbot.i18n.catalogs import translator
from pbbot.i18n.sms import normalize_for_sms
from pbbot.storage.tables import OutboundMessage, Resident
from tests.fakes.twilio_http import ACCOUNT_SID, twilio_error
from tests.server.harness import PUBLIC_URL, SMS_FROM, City, running_city


def sid(number: int) -> str:
    """A Twilio message SID: SM and 32 hex digits."""
    return f"SM{number:032x}"


@pytest.fixture
async def city(database_url: str) -> AsyncIterator[City]:
    async with running_city(database_url) as running:
        yield running


async def test_an_sms_is_answered_by_rest_with_a_status_callback(city: City) -> None:
    response = await city.sms("👋", sid=sid(1))
    assert response.status == 200
    assert await response.text() == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    await city.settle()
    (request,) = city.twilio_http.requests
    assert request.method == "POST"
    assert request.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.data["To"] == "+32470123456"
    assert request.data["From"] == SMS_FROM
    assert request.data["StatusCallback"] == PUBLIC_URL + "/sms/twilio/status"
    # A numbered list, not buttons: SMS has none.
    assert "1 Nederlands\n2 Français\n3 English" in request.data["Body"]


@pytest.mark.parametrize(
    "forgery",
    ["wrong token", "signed for the request's own URL", "no signature"],
)
async def test_forged_sms_is_refused_and_nothing_is_stored(city: City, forgery: str) -> None:
    if forgery == "wrong token":
        response = await city.sms("1", sid=sid(2), token="0" * 32)
    elif forgery == "signed for the request's own URL":
        own_url = str(city.client.make_url("/sms/twilio"))
        response = await city.sms("1", sid=sid(2), signed_for=own_url)
    else:
        response = await city.client.post("/sms/twilio", data={"MessageSid": sid(2), "Body": "1"})
    assert response.status == 403
    assert await city.inbound_count() == 0


async def test_stop_unsubscribes_and_only_start_resubscribes(city: City) -> None:
    for number, body in enumerate(["👋", "3", "1", "2", "40"], 1):
        await city.sms(body, sid=sid(number))
    await city.settle()
    await city.sms("STOPALL", sid=sid(10))  # a carrier word, not one of pbbot's own
    await city.settle()
    assert city.sms_bodies()[-1].startswith("You will get no more messages.")
    async with city.runtime.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
    assert resident is not None and not resident.subscribed

    sent = len(city.sms_bodies())
    await city.sms("What about the park?", sid=sid(11))  # an ordinary message: still stopped
    await city.settle()
    assert len(city.sms_bodies()) == sent  # and no SMS to pay for: the STOP reply said how
    await city.sms("UNSTOP", sid=sid(12))
    await city.settle()
    assert "What would you like to do?" in city.sms_bodies()[-1]
    async with city.runtime.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
    assert resident is not None and resident.subscribed


async def test_yes_is_an_answer_for_someone_who_never_stopped(city: City) -> None:
    await city.sms("👋", sid=sid(1))
    await city.sms("3", sid=sid(2))
    await city.sms("Yes, I agree", sid=sid(3))
    await city.settle()
    assert city.sms_bodies()[-1].startswith("In which district do you live?")


async def test_help_is_answered_in_the_residents_language(city: City) -> None:
    await city.sms("👋", sid=sid(1))
    await city.sms("2", sid=sid(2))  # Français
    await city.settle()
    await city.sms("HELP", sid=sid(3))
    await city.settle()
    help_text = load_engine_flows().step("help", "help").text or ""
    french = normalize_for_sms(translator("fr").gettext(help_text).split("{")[0])
    assert city.sms_bodies()[-1].startswith(french)


async def test_unsubscribed_number_marks_the_resident_unreachable(city: City) -> None:
    city.twilio_http.answers.append(
        twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
    )
    await city.sms("👋", sid=sid(1))
    await city.settle()
    async with city.runtime.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
        message = await session.scalar(select(OutboundMessage))
    assert resident is not None and resident.unreachable
    assert message is not None and message.status == "failed"


async def test_delivery_status_only_moves_forward(city: City) -> None:
    await city.sms("👋", sid=sid(1))
    await city.settle()
    async with city.runtime.sessionmaker() as session:
        message = await session.scalar(select(OutboundMessage))
    assert message is not None and message.provider_id
    for status in ("delivered", "sent"):  # callbacks arrive out of order
        response = await city.status(
            {"MessageSid": message.provider_id, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
        )
        assert response.status == 204
    async with city.runtime.sessionmaker() as session:
        message = await session.scalar(select(OutboundMessage))
    assert message is not None and message.status == "delivered"


async def test_a_forged_status_callback_is_refused(city: City) -> None:
    response = await city.client.post(
        "/sms/twilio/status", data={"MessageSid": sid(1), "MessageStatus": "delivered"}
    )
    assert response.status == 403
