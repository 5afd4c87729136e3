from __future__ import annotations

import pytest
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from pbbot.channels.base import InboundUpdate
from pbbot.channels.sms.inbound import (
    MAX_BODY_CHARS,
    parse_twilio_form,
    parse_twilio_sms,
    verify_twilio_request,
)
from pbbot.domain.messages import Inbound
from pbbot.errors import BadWebhook
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN

PUBLIC_URL = "https://pb.mechelen.be/sms/twilio"
SID = "SM" + "3f" * 16


def _inbound_form(
    body: str = "Hallo", sender: str = "+32470123456", sid: str = SID
) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS to a Belgian number."""
    return {
        "ToCountry": "BE",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "BE",
        "To": "+32460201234",
        "MessagingServiceSid": "MG" + "0" * 32,
        "ToZip": "",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def _sign(form: dict[str, str], url: str = PUBLIC_URL, token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


def test_a_request_signed_by_twilio_for_the_public_url_is_genuine() -> None:
    form = _inbound_form("Ja 👍 نعم")
    assert verify_twilio_request(AUTH_TOKEN, PUBLIC_URL, form, _sign(form))
    assert verify_twilio_request(AUTH_TOKEN, PUBLIC_URL, MultiDict(form), _sign(form))


def test_signature_is_checked_against_the_public_url_not_the_proxied_one() -> None:
    form = _inbound_form()
    internal = "http://127.0.0.1:8080/sms/twilio"
    assert not verify_twilio_request(AUTH_TOKEN, PUBLIC_URL, form, _sign(form, url=internal))


@pytest.mark.parametrize("forgery", ["body", "token", "missing", "garbage"])
def test_forged_requests_are_refused(forgery: str) -> None:
    form = _inbound_form("STOP")
    signature: str | None = _sign(form)
    if forgery == "body":
        form["Body"] = "START"
    elif forgery == "token":
        signature = _sign(form, token="0" * 32)
    elif forgery == "missing":
        signature = None
    else:
        signature = "not-a-signature"
    assert not verify_twilio_request(AUTH_TOKEN, PUBLIC_URL, form, signature)


def test_inbound_sms_is_normalized() -> None:
    update = parse_twilio_sms(_inbound_form("  2\r\n"))
    assert update == InboundUpdate(
        key=f"twilio:{SID}", inbound=Inbound(channel="sms", address="+32470123456", text="2")
    )


def test_body_keeps_emoji_and_right_to_left_text_drops_control_characters() -> None:
    update = parse_twilio_sms(_inbound_form("مرحبا\x00 👋\x07\nSELECT * FROM residents; --"))
    assert update.inbound.text == "مرحبا 👋\nSELECT * FROM residents; --"


def test_a_body_is_cut_at_the_1600_characters_twilio_takes() -> None:
    assert MAX_BODY_CHARS == 1600
    assert parse_twilio_sms(_inbound_form("é" * 1600)).inbound.text == "é" * 1600
    assert parse_twilio_sms(_inbound_form("x" * 10_000)).inbound.text == "x" * 1600


_FORM = "application/x-www-form-urlencoded"


def test_a_form_is_read_as_twilio_posts_it() -> None:
    body = b"Body=Ja+%F0%9F%91%8D+%D9%86%D8%B9%D9%85&To=&MediaUrl0=a&MediaUrl0=b\r\n"
    form = parse_twilio_form(body, content_type=_FORM, charset=None)
    assert list(form.items()) == [
        ("Body", "Ja 👍 نعم"),
        ("To", ""),
        ("MediaUrl0", "a"),
        ("MediaUrl0", "b"),
    ]
    assert parse_twilio_form(b"Body=x", content_type=_FORM, charset="UTF-8") == {"Body": "x"}


@pytest.mark.parametrize(
    ("body", "content_type", "charset", "status"),
    [
        (b"Body=x", "multipart/form-data", None, 415),  # file fields would reach the validator
        (b"Body=x", "application/json", None, 415),
        (b"Body=x", _FORM, "klingon", 415),  # unknown: LookupError in aiohttp's reader
        (b"Body=x", _FORM, "latin-1", 415),
        (b"Body=\xff\xfe", _FORM, None, 400),  # raw bytes that are not UTF-8
        (b"Body=%ff%fe", _FORM, None, 400),  # percent-encoded ones
        (b"a&" * 300, _FORM, None, 400),  # 300 fields
    ],
    ids=["multipart", "json", "unknown-charset", "latin-1", "raw-bytes", "escaped-bytes", "fields"],
)
def test_a_body_that_is_no_twilio_form_is_refused_before_its_signature_is_checked(
    body: bytes, content_type: str, charset: str | None, status: int
) -> None:
    with pytest.raises(BadWebhook) as raised:
        parse_twilio_form(body, content_type=content_type, charset=charset)
    assert raised.value.status == status


@pytest.mark.parametrize(
    "form",
    [
        {},
        _inbound_form(sid="SM123"),
        _inbound_form(sid=""),
        _inbound_form(sid="SM" + "3f" * 16 + "\x00"),
        _inbound_form(sid="SM" + "3f" * 200),
        _inbound_form(sender="0470123456"),
        _inbound_form(sender="PBBOT"),
        {k: v for k, v in _inbound_form().items() if k != "From"},
    ],
)
def test_a_form_that_is_no_inbound_sms_is_a_bad_webhook(form: dict[str, str]) -> None:
    with pytest.raises(BadWebhook):
        parse_twilio_sms(form)


def test_a_missing_body_is_an_empty_message() -> None:
    form = {k: v for k, v in _inbound_form().items() if k != "Body"}
    assert parse_twilio_sms(form).inbound.text == ""
