from __future__ import annotations

import pytest

from pbbot.channels.sms.status import DeliveryStatus, parse_status_callback, status_moves_forward
from pbbot.errors import BadWebhook

SID = "SM" + "ab" * 16


def test_status_callback_is_parsed() -> None:
    form = {
        "SmsSid": SID,
        "SmsStatus": "undelivered",
        "MessageStatus": "undelivered",
        "To": "+32470123456",
        "MessageSid": SID,
        "AccountSid": "AC" + "0" * 32,
        "From": "+32460201234",
        "ApiVersion": "2010-04-01",
        "ErrorCode": "30003",
    }
    assert parse_status_callback(form) == DeliveryStatus(SID, "undelivered", 30003)


def test_delivered_has_no_error_code() -> None:
    form = {"MessageSid": SID, "MessageStatus": "delivered", "ErrorCode": ""}
    assert parse_status_callback(form) == DeliveryStatus(SID, "delivered", None)


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"MessageSid": SID},
        {"MessageSid": SID, "MessageStatus": "exploded"},
        # PostgreSQL's text refuses NUL: a database error, not a 4xx.
        {"MessageSid": SID + "\x00", "MessageStatus": "delivered"},
        {"MessageSid": "SM\x00", "MessageStatus": "delivered"},
        {"MessageSid": SID * 10, "MessageStatus": "delivered"},
        # int() refuses both, though "²".isdigit() is true.
        {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "²"},
        {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "3" * 5000},
        {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "3" * 20},  # no INTEGER
        {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "-1"},
    ],
    ids=[
        "empty",
        "no-status",
        "unknown-status",
        "nul-after-sid",
        "nul-sid",
        "long-sid",
        "superscript-code",
        "5000-digit-code",
        "20-digit-code",
        "negative-code",
    ],
)
def test_a_form_that_is_no_status_callback_is_a_bad_webhook(form: dict[str, str]) -> None:
    with pytest.raises(BadWebhook):
        parse_status_callback(form)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, "queued", True),
        ("queued", "sending", True),
        ("queued", "delivered", True),  # skipping steps is fine
        ("sending", "sent", True),
        ("sent", "delivered", True),
        ("sent", "undelivered", True),
        ("sent", "failed", True),
        ("delivered", "sent", False),  # a late callback
        ("delivered", "sending", False),
        ("sent", "sent", False),
        ("delivered", "failed", False),  # final stays final
        ("failed", "delivered", False),
        ("queued", "exploded", False),
        ("accepted", "queued", True),
    ],
)
def test_status_only_moves_forward(old: str | None, new: str, expected: bool) -> None:
    assert status_moves_forward(old, new) is expected


def test_callbacks_in_any_order_end_in_the_final_status() -> None:
    for order in (
        ["queued", "sent", "delivered"],
        ["delivered", "queued", "sent"],
        ["sent", "delivered", "queued"],
    ):
        status: str | None = None
        for new in order:
            if status_moves_forward(status, new):
                status = new
        assert status == "delivered"
