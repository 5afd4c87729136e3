"""The guards on cost and load, on their own: which messages they turn away,
and that their log lines count without naming anyone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.domain.messages import Inbound, Outbound
from pbbot.server.guards import Guards, guards_for, masked
from pbbot.settings import load_settings
from pbbot.storage import repositories
from tests.server.harness import EDITION

TWILIO = {
    "PBBOT_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "PBBOT_TWILIO_AUTH_TOKEN": "f" * 32,
    "PBBOT_TWILIO_FROM": "+3215000001",
    "PBBOT_PUBLIC_URL": "https://pb.example.be",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sms(number: str) -> Inbound:
    return Inbound("sms", number, text="hallo")


def test_sms_is_answered_only_from_the_allowed_prefixes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    guards = Guards(sms_prefixes=("+32", "+3161"), sessionmaker=sessionmaker)
    assert [
        guards.admit(sms(number))
        for number in ("+32470123456", "+31612345678", "+31201234567", "+18765550123")
    ] == [True, True, False, False]
    assert guards.admit(Inbound("telegram", "42", text="hi"))  # no prefixes on Telegram


def test_no_prefixes_answer_no_sms_and_a_plus_answers_all(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert not Guards().admit(sms("+32470123456"))
    assert Guards(sms_prefixes=("+",), sessionmaker=sessionmaker).admit(sms("+18765550123"))


def test_foreign_sms_are_counted_by_calling_code_never_by_number(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    guards = Guards(sms_prefixes=("+32",), sessionmaker=sessionmaker, clock=clock)
    with caplog.at_level(logging.WARNING, logger="pbbot.server.guards"):
        for n in range(120):
            guards.admit(sms(f"+1876555{n:04d}" if n % 3 else f"+23480{n:08d}"))
        clock.now += 3601
        guards.admit(sms("+18765559999"))
    lines = [record.getMessage() for record in caplog.records]
    # The 1st, 10th and 100th of the hour, then the 1st of the next hour.
    assert [line.split(" SMS")[0] for line in lines] == [
        "not answered: 1",
        "not answered: 10",
        "not answered: 100",
        "not answered: 1",
    ]
    assert lines[2].endswith("(+32), by calling code: +1 66, +234 34")
    assert not any("876555" in line or "23480" in line for line in lines)


def test_a_resident_gets_a_burst_then_the_rate_per_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    guards = Guards(inbound_per_minute=3, clock=clock)
    flooder, other = Inbound("telegram", "123456789"), Inbound("telegram", "987654321")
    with caplog.at_level(logging.WARNING, logger="pbbot.server.guards"):
        burst = [guards.admit(flooder) for _ in range(5)]
        others = guards.admit(other)  # one resident's flood is not anyone else's limit
        clock.now += 20  # a third of a minute: one message's worth
        later = [guards.admit(flooder) for _ in range(2)]
        clock.now += 60
        again = [guards.admit(flooder) for _ in range(4)]
    assert (burst, others, later, again) == (
        [True, True, True, False, False],
        True,
        [True, False],
        [True, True, True, False],
    )
    # Once a minute at most, and without the chat id.
    assert [record.getMessage() for record in caplog.records] == [
        "telegram resident 123…89 sent more than 3 messages in a minute: "
        "the others are not processed"
    ] * 2


def test_idle_residents_are_forgotten() -> None:
    clock = Clock()
    guards = Guards(inbound_per_minute=2, clock=clock)
    for n in range(1000):
        guards.admit(Inbound("telegram", str(n)))
    clock.now += 61
    guards.admit(Inbound("telegram", "new"))
    assert len(guards._buckets) == 1


async def test_numbers_over_their_replies_for_the_hour_are_silenced(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        for number, replies, age in (
            ("+32470000001", 3, timedelta(minutes=5)),  # at the limit
            ("+32470000002", 2, timedelta(minutes=5)),  # under it
            ("+32470000003", 3, timedelta(minutes=61)),  # at it, but over an hour ago
        ):
            await _queue_replies(session, number, replies, at=now - age)
        await _queue_broadcast(session, "+32470000002", at=now)  # not a reply: not counted
    wall = now
    guards = Guards(
        sms_prefixes=("+32",), sms_replies_per_hour=3, sessionmaker=sessionmaker, now=lambda: wall
    )
    numbers = [sms(f"+3247000000{n}") for n in (1, 2, 3, 4)]
    with caplog.at_level(logging.WARNING, logger="pbbot.server.guards"):
        first = await guards.silenced([*numbers, Inbound("telegram", "+32470000001")])
        second = await guards.silenced(numbers)
    wall = now + timedelta(minutes=56)  # the replies are an hour old now
    assert (first, second, await guards.silenced(numbers)) == (
        {("sms", "+32470000001")},
        first,
        set(),
    )
    assert [record.getMessage() for record in caplog.records] == [
        "SMS number +32…01 was sent 3 replies in the last hour: its messages get no reply "
        "until the hour has passed"
    ]


def test_the_edition_country_is_the_default_and_the_setting_wins(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    edition = load_edition(EDITION)
    default = guards_for(load_settings(TWILIO), edition, sessionmaker)
    chosen = guards_for(
        load_settings({**TWILIO, "PBBOT_SMS_COUNTRIES": "+31"}), edition, sessionmaker
    )
    dutch, belgian = sms("+31612345678"), sms("+32470123456")
    assert (default.admit(belgian), default.admit(dutch)) == (True, False)
    assert (chosen.admit(belgian), chosen.admit(dutch)) == (False, True)


def test_without_a_country_no_sms_is_answered(
    tmp_path: Path,
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "edition.yaml"
    path.write_text(
        EDITION.read_text(encoding="utf-8").replace("\ncountry: BE", "\n"), encoding="utf-8"
    )
    edition = load_edition(path)
    assert edition.country is None
    with caplog.at_level(logging.WARNING, logger="pbbot.server.guards"):
        guards = guards_for(load_settings(TWILIO), edition, sessionmaker)
    said = [record.getMessage() for record in caplog.records]
    assert not guards.admit(sms("+32470123456"))
    assert said == [
        f"no SMS is answered: set PBBOT_SMS_COUNTRIES or the edition's country ({path})"
    ]


def test_masked_addresses_tell_residents_apart_without_naming_them() -> None:
    assert [masked(a) for a in ("+32470123456", "123456789", "12345")] == [
        "+32…56",
        "123…89",
        "…",
    ]


async def _queue_replies(session: AsyncSession, number: str, count: int, *, at: datetime) -> None:
    locked = await repositories.lock_conversation(session, "sms", number, now=at)
    (inbound_id,) = await repositories.store_inbound_many(
        session, [(sms(number), f"twilio:{number}:{at.isoformat()}")], now=at, processed=True
    )
    await repositories.enqueue_messages(
        session,
        [Outbound(f"reply {n}", "nl") for n in range(count)],
        resident_id=locked.resident_id,
        channel="sms",
        address=number,
        now=at,
        inbound_id=inbound_id,
    )


async def _queue_broadcast(session: AsyncSession, number: str, *, at: datetime) -> None:
    locked = await repositories.lock_conversation(session, "sms", number, now=at)
    await repositories.enqueue_messages(
        session, [Outbound("news", "nl")], resident_id=locked.resident_id, channel="sms",
        address=number, now=at,
    )  # fmt: skip
