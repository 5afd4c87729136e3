"""Issue 12's "done when": staff announce "voting is open" to every subscriber, in five
languages across both channels, with one command; they see what it will cost and how
long it will take before they confirm; and nobody gets it twice although the server
dies halfway (but for the Telegram calls on the wire at that moment, each recorded
uncertain).

The command is the real `pbbot broadcast`, run as staff run it; the sending, the kill
and the restart are `tests.broadcasts.crash` (a `pbbot serve` process against fakes of
Telegram and Twilio on loopback). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pbbot.broadcasts.content import catalog_content, render
from pbbot.cli import main
from pbbot.config.edition_file import load_edition
from pbbot.i18n.sms import normalize_for_sms, sms_segments
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.tables import Broadcast
from tests.broadcasts.crash import EDITION, TEXTS, Town, crash_mid_broadcast
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN

TOWN = Town(telegram=200, sms=80, stopped=20, blocked=10)
LANGUAGES = tuple(TEXTS)  # the town's residents read these in turn
PRICE = Decimal("0.0786")


def _voting_texts() -> dict[str, str]:
    edition = load_edition(EDITION)
    content = catalog_content("voting", edition)
    now = datetime.now(UTC)
    return {language: render(content, edition, language, now=now) for language in LANGUAGES}


def _expected_audience() -> Counter[tuple[str, str]]:
    """Who the dry run must count, per (channel, language): every subscriber, the chats
    that blocked the bot too (nobody knows it before the first copy is refused)."""
    counts: Counter[tuple[str, str]] = Counter()
    for n, (channel, _, subscribed) in enumerate(TOWN.residents()):
        if subscribed:
            counts[channel, LANGUAGES[n % len(LANGUAGES)]] += 1
    return counts


async def _broadcasts(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(Broadcast)) or 0)
    finally:
        await engine.dispose()


async def test_voting_is_open_reaches_everyone_once_with_its_cost_known_before(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "PBBOT_DATABASE_URL": database_url,
        "PBBOT_EDITION": str(EDITION),
        "PBBOT_SMS_SEGMENT_PRICE": str(PRICE),
        "PBBOT_TELEGRAM_MESSAGES_PER_SECOND": "60",
        "PBBOT_SMS_SEGMENTS_PER_SECOND": "15",
        "PBBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "PBBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PBBOT_TWILIO_FROM": "+3215000002",
        "PBBOT_PUBLIC_URL": "https://pb.example.be",
    }.items():
        monkeypatch.setenv(name, value)
    texts = _voting_texts()
    audience = _expected_audience()
    seen: dict[str, str] = {}

    async def staff_announce(url: str) -> int:
        command = ["broadcast", "--message", "voting", "--by", "An Peeters"]
        assert await asyncio.to_thread(main, [*command, "--dry-run"]) == 0
        seen["dry run"] = capsys.readouterr().out
        assert await _broadcasts(url) == 0  # a dry run queues nothing
        assert await asyncio.to_thread(main, [*command, "--yes"]) == 0
        seen["queued"] = capsys.readouterr().out
        queued = re.search(r"^broadcast (\d+) queued for 290 residents", seen["queued"], re.M)
        assert queued, seen["queued"]
        return int(queued.group(1))

    marks = {*texts.values(), *(normalize_for_sms(text) for text in texts.values())}
    outcome = await crash_mid_broadcast(
        database_url, tmp_path, TOWN, queue=staff_announce, marks=marks
    )

    # Before confirming, staff read who gets it, in which language, at what cost, how fast.
    plan = seen["dry run"]
    assert "Recipients: 290 (Telegram 210, SMS 80)" in plan
    segments = 0
    for language in LANGUAGES:
        telegram, sms = audience["telegram", language], audience["sms", language]
        size = sms_segments(normalize_for_sms(texts[language]))
        segments += sms * size.segments
        each = f"{size.segments} segment" + ("s" if size.segments > 1 else "")
        assert (
            f"  {language}: {telegram + sms}: Telegram {telegram}, SMS {sms} x {each} "
            f"({size.encoding}) = {sms * size.segments} segments"
        ) in plan
        assert f"  {language}: {texts[language]}" in plan
    cost = (segments * PRICE).quantize(Decimal("0.01"))
    assert f"SMS: {segments} segments, estimated cost €{cost} (€0.0786 a segment)" in plan
    assert "Telegram 4 s at 60/s" in plan  # 210 chats
    assert "at 15 segments/s" in plan
    assert "dry run: nothing queued" in plan

    # Everyone reachable has it, once (SMS), or at most the calls
    # cut off at the kill twice (Telegram), each of those recorded as uncertain.
    assert outcome.broadcast_status == "done"
    assert outcome.unrecorded_at_kill["telegram"] >= 1  # the kill did cut calls off
    for channel, addresses in (("telegram", TOWN.chats()), ("sms", TOWN.phones())):
        assert [a for a in addresses if outcome.received[channel][a] == 0] == []
    assert outcome.doubles("sms") == {}
    doubles = outcome.doubles("telegram")
    assert len(doubles) <= outcome.unrecorded_at_kill["telegram"]
    assert all(outcome.copy(address).uncertain for address in doubles)
    # Who sent STOP got nothing; the chats that blocked the bot are told apart.
    stopped = [*TOWN.stopped_chats(), *TOWN.stopped_phones()]
    received = outcome.received["telegram"] + outcome.received["sms"]
    assert [address for address in stopped if received[address]] == []
    shown = outcome.progress
    assert (shown.sent + shown.delivered, shown.blocked) == (290 - TOWN.blocked, TOWN.blocked)
