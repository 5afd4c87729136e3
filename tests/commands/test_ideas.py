"""`pbbot ideas list|show|review|export`: staff read and decide; the author hears
back in their language on their channel; the export names nobody."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from pbbot.cli import main
from pbbot.ideas.events import CommentAdded, IdeaSupported
from pbbot.ideas.handlers import store_comment, store_idea, store_support
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.migrations import upgrade
from pbbot.storage.tables import OutboundMessage, Resident
from tests.ideas.support import submitted
from tests.server.harness import EDITION as EDITION_FILE

NOW = datetime(2027, 2, 20, 9, 30, tzinfo=UTC)
# Resident ids and addresses unlike any number an idea shows, so a leak cannot hide.
RESIDENTS = {
    700123: ("sms", "+32470555123", "tr"),
    700456: ("telegram", "987654321", "ar"),
    700789: ("sms", "+32470555789", "nl"),
}


async def _fill(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            for resident_id, (channel, address, locale) in RESIDENTS.items():
                resident = Resident(channel=channel, address=address, locale=locale, created_at=NOW)
                resident.id = resident_id
                session.add(resident)
            await session.flush()
            await store_idea(session, 700123, submitted("Parkta banklar"), NOW)
            voice = submitted("ملعب", description=None, voice_file_id="AwACAgQAAx", theme="youth")
            await store_idea(session, 700456, voice, NOW)
            await store_support(session, 700789, IdeaSupported(1), NOW)
            await store_comment(session, 700789, CommentAdded(1, "Goed idee!"), NOW)
    finally:
        await engine.dispose()


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/city.db"
    await upgrade(url)
    await _fill(url)
    monkeypatch.setenv("PBBOT_DATABASE_URL", url)
    monkeypatch.setenv("PBBOT_EDITION", str(EDITION_FILE))
    return url


async def pbbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def _outbound(url: str) -> list[OutboundMessage]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return list(await session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
    finally:
        await engine.dispose()


async def test_staff_list_and_read_ideas_without_seeing_who_sent_them(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await pbbot("ideas", "list") == 0
    listed = capsys.readouterr().out
    assert await pbbot("ideas", "list", "--theme", "youth") == 0
    youth = capsys.readouterr().out
    assert await pbbot("ideas", "show", "1") == 0
    shown = capsys.readouterr().out
    assert await pbbot("ideas", "show", "2") == 0
    voice = capsys.readouterr().out

    assert listed.splitlines() == [
        "#1 submitted green sms tr supporters=1 comments=1: Parkta banklar",
        "#2 submitted youth telegram ar supporters=0 comments=0: ملعب",
    ]
    assert youth.splitlines() == [listed.splitlines()[1]]
    assert "comment 1: Goed idee!" in shown and "estimated cost: 12500" in shown
    assert "voice note (Telegram file id): AwACAgQAAx" in voice
    for output in (listed, shown, voice):
        assert not any(address in output for _, address, _ in RESIDENTS.values())


async def test_a_decision_is_queued_for_the_author_and_recorded(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await pbbot("ideas", "review", "1", "accept", "--cost", "14000", "--by", "an") == 0
    assert capsys.readouterr().out == (
        "idea #1: accept (accepted); the author's message is queued\n"
    )
    assert await pbbot("ideas", "review", "2", "reject", "--reason", "theme", "--by", "an") == 0
    capsys.readouterr()

    sent = (await _outbound(database))[-2:]
    assert [(m.channel, m.address, m.locale) for m in sent] == [
        ("sms", "+32470555123", "tr"),
        ("telegram", "987654321", "ar"),
    ]
    assert await pbbot("ideas", "show", "1") == 0
    assert "an: accept cost=14000 [queued]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["9", "hide"], "pbbot: no idea #9 in mechelen-2027"),
        (["1", "accept"], "pbbot: accepting needs staff's cost (--cost EUR), above zero"),
        (["1", "merge", "--into", "1"], "pbbot: idea #1 cannot be merged into itself"),
        (["1", "reject", "--reason", "ugly"], "pbbot: unknown reason 'ugly'"),
    ],
)
async def test_a_wrong_request_is_refused_and_nothing_is_sent(
    database: str, capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    before = len(await _outbound(database))

    assert await pbbot("ideas", "review", *argv) == 1

    assert capsys.readouterr().out.startswith(error)
    assert len(await _outbound(database)) == before


@pytest.mark.parametrize("format", ["csv", "json"])
async def test_the_export_has_every_idea_with_counts_and_no_personal_identifier(
    database: str, capsys: pytest.CaptureFixture[str], format: str
) -> None:
    assert await pbbot("ideas", "export", "--format", format) == 0
    output = capsys.readouterr().out

    rows = json.loads(output) if format == "json" else list(csv.DictReader(io.StringIO(output)))
    assert [(str(row["number"]), row["status"], row["theme"]) for row in rows] == [
        ("1", "submitted", "green"),
        ("2", "submitted", "youth"),
    ]
    assert [str(row["supporters"]) for row in rows] == ["1", "0"]
    assert [str(row["comments"]) for row in rows] == ["1", "0"]
    identifiers = {str(resident_id) for resident_id in RESIDENTS} | {
        address for _, address, _ in RESIDENTS.values()
    }
    identifiers |= {address.lstrip("+") for address in identifiers}
    for row in rows:
        for field, value in row.items():
            leaked = [found for found in identifiers if found in str(value)]
            assert leaked == [], f"{field} holds {leaked}"
    assert "AwACAgQAAx" not in output  # the voice note's file id fetches the author's voice


async def test_an_author_who_sent_stop_is_not_messaged_and_staff_are_told(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(database)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(
                update(Resident).where(Resident.id == 700123).values(subscribed=False)
            )
    finally:
        await engine.dispose()
    before = len(await _outbound(database))

    assert await pbbot("ideas", "review", "1", "ask", "--question", "Welk park?") == 0

    assert capsys.readouterr().out == ("idea #1: ask (question); not sent: the author sent STOP\n")
    assert len(await _outbound(database)) == before


async def test_the_list_filters_by_status(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await pbbot("ideas", "review", "2", "reject", "--reason", "duplicate") == 0
    capsys.readouterr()

    assert await pbbot("ideas", "list", "--status", "rejected") == 0
    assert capsys.readouterr().out.startswith("#2 rejected youth telegram ar")
    assert await pbbot("ideas", "list", "--status", "accepted") == 0
    assert capsys.readouterr().out == "no ideas\n"
    assert await pbbot("ideas", "list", "--status", "done") == 2
    assert "unknown status 'done'" in capsys.readouterr().out
