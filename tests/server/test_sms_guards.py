"""The guards on what SMS costs, through Twilio's webhook: numbers from other
countries and numbers over their replies for the hour get 200 and no reply."""

from __future__ import annotations

import logging

import pytest

from tests.server.harness import running_city

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def sid(number: int) -> str:
    return f"SM{number:032x}"


async def test_an_sms_from_another_country_is_not_answered_nor_stored(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_city(database_url) as city:  # the edition's country: BE
        with caplog.at_level(logging.WARNING, logger="pbbot.server.guards"):
            response = await city.sms("hello", sid=sid(1), sender="+18765550123")
        answer = await response.text()
        await city.settle()
        stored = await city.inbound_count()
        home = await city.sms("hallo", sid=sid(2))  # a Belgian number still is answered
        await city.settle()

        assert (response.status, answer, stored) == (200, EMPTY_TWIML, 0)
        assert home.status == 200
        assert {request.data["To"] for request in city.twilio_http.requests} == {"+32470123456"}
    (line,) = [record.getMessage() for record in caplog.records]
    assert line == (
        "not answered: 1 SMS this hour from outside PBBOT_SMS_COUNTRIES (+32), "
        "by calling code: +1 1"
    )


async def test_the_setting_names_the_countries_answered(database_url: str) -> None:
    settings = {"PBBOT_SMS_COUNTRIES": "+31,+3247"}
    async with running_city(database_url, settings=settings) as city:
        for n, number in enumerate(("+31612345678", "+32470123456", "+3215123456", "+33612345678")):
            assert (await city.sms("hallo", sid=sid(n), sender=number)).status == 200
        await city.settle()
        answered = sorted({request.data["To"] for request in city.twilio_http.requests})
    assert answered == ["+31612345678", "+32470123456"]  # a Belgian landline is not a mobile


async def test_a_number_over_its_replies_for_the_hour_gets_no_more(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"PBBOT_SMS_REPLIES_PER_HOUR": "3"}
    async with running_city(database_url, settings=settings) as city:
        await city.sms("👋", sid=sid(1))  # the language menu: 1 reply
        await city.settle()
        await city.sms("1", sid=sid(2))  # Nederlands: the welcome and the privacy question
        await city.settle()
        replies = len(city.twilio_http.requests)
        with caplog.at_level(logging.WARNING, logger="pbbot.server.guards"):
            over = [await city.sms("ja", sid=sid(n)) for n in (3, 4)]
        await city.settle()
        other = await city.sms("👋", sid=sid(5), sender="+32470999999")  # another number
        await city.settle()

        assert replies == 3
        assert [(r.status, await r.text()) for r in over] == [(200, EMPTY_TWIML)] * 2
        assert other.status == 200
        assert len(city.twilio_http.requests) == 4  # only the other number's menu
        assert await city.inbound_count() == 3  # the silenced ones are not kept
    # Once, and masked.
    assert [record.getMessage() for record in caplog.records] == [
        "SMS number +32…56 was sent 3 replies in the last hour: its messages get no reply "
        "until the hour has passed"
    ]
