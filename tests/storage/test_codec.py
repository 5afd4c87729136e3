"""Inbound messages are stored as JSON and read back unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pbbot.domain.messages import Inbound, Location
from pbbot.storage.codec import inbound_from_json, inbound_to_json


@pytest.mark.parametrize(
    "inbound",
    [
        Inbound(
            channel="telegram",
            address="412345678",
            text="/start",
            start_param="wijk-7",
            language_hint="ar",
            contact_phone="+32470123456",
            location=Location(51.027931, 4.478321),
            photo_id="AgACAgQAAxkBAAIBsmT1_y",
            received_at=datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
        ),
        Inbound(channel="telegram", address="412345678", payload="main_menu.menu.about"),
        Inbound(channel="sms", address="+32470123456", text="توقف 👋", media="sticker"),
    ],
)
def test_inbound_survives_the_store_as_json(inbound: Inbound) -> None:
    stored = json.loads(json.dumps(inbound_to_json(inbound)))
    assert inbound_from_json(stored) == inbound
