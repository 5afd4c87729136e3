from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pbbot.channels.base import InboundUpdate
from pbbot.domain.messages import Inbound, Location


@pytest.mark.parametrize(
    "update",
    [
        InboundUpdate(
            key="telegram:7000000001:815000001",
            inbound=Inbound(
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
        ),
        InboundUpdate(
            key="telegram:7000000001:815000002",
            inbound=Inbound(channel="telegram", address="412345678", payload="~AbCdEf"),
            callback_query_id="1771265243981963719",
        ),
        InboundUpdate(
            key="twilio:SM" + "0" * 32,
            inbound=Inbound(channel="sms", address="+32470123456", text="توقف 👋"),
            keyword="opt_out",
        ),
    ],
)
def test_inbound_update_survives_the_store_as_json(update: InboundUpdate) -> None:
    stored = json.loads(json.dumps(update.to_json()))
    assert InboundUpdate.from_json(stored) == update
