"""`pbbot broadcast` as staff type it: plan, queue, follow, pause, resume, cancel, list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from pbbot.broadcasts.worker import BroadcastWorker
from pbbot.cli import main
from pbbot.storage.tables import Broadcast, OutboundMessage, StaffAction
from tests.broadcasts.fanout_support import (
    EDITION,
    EDITION_FILE,
    Person,
    Sessions,
    add_residents,
)

PEOPLE = [
    Person("telegram", "nl"),
    Person("sms", "fr"),
    Person("telegram", "tr"),
    Person("sms", "nl", subscribed=False),  # sent STOP: never counted
    Person("sms", "en"),
]


@pytest.fixture(autouse=True)
def city(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_EDITION", str(EDITION_FILE))
    monkeypatch.setenv("PBBOT_SMS_SEGMENT_PRICE", "0.08")
    monkeypatch.setenv("USER", "an")
    for name in ("PBBOT_TELEGRAM_TOKEN", "PBBOT_TWILIO_ACCOUNT_SID"):
        monkeypatch.delenv(name, raising=False)


async def _pbbot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["broadcast", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def _broadcasts(sessions: Sessions) -> list[Broadcast]:
    async with sessions() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


async def test_a_dry_run_shows_the_plan_and_queues_nothing(
    sessionmaker: Sessions, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_residents(sessionmaker, PEOPLE)

    code, out, _ = await _pbbot(capsys, "--message", "voting", "--dry-run")

    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "Content: message voting",
        "Audience: everyone",
        "Recipients: 4 (Telegram 2, SMS 2)",
    ]
    assert "estimated cost" in out
    assert lines[-1] == "dry run: nothing queued"
    assert await _broadcasts(sessionmaker) == []


async def test_yes_queues_it_and_status_follows_it_to_the_end(
    sessionmaker: Sessions, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_residents(sessionmaker, PEOPLE)

    code, out, _ = await _pbbot(capsys, "--message", "voting", "--segment", "channel=sms", "--yes")

    assert code == 0
    assert out.startswith("Content: message voting\nAudience: channel=sms\nRecipients: 2 (SMS 2)")
    assert out.endswith(
        "broadcast 1 queued for 2 residents; follow it with `pbbot broadcast status 1`\n"
    )
    (broadcast,) = await _broadcasts(sessionmaker)
    assert (broadcast.status, broadcast.created_by, broadcast.message) == (
        "scheduled",
        "an",
        "voting",
    )

    await BroadcastWorker(sessionmaker, EDITION).run_due()  # what `pbbot serve` does
    code, out, _ = await _pbbot(capsys, "status", "1")
    assert code == 0
    header, *rest = out.splitlines()
    assert header.startswith("broadcast 1: message voting to channel=sms, at 20")
    assert header.endswith(", by an")
    assert rest == [
        "sending: [..............................]   0%  0 of 2",
        "queued 2   held 0   sent 0   delivered 0   failed 0   blocked 0   skipped 0",
    ]

    async with sessionmaker.begin() as session:  # the outbox sends them
        await session.execute(update(OutboundMessage).values(status="delivered"))
    await BroadcastWorker(sessionmaker, EDITION).run_due()
    code, out, _ = await _pbbot(capsys, "status", "1", "--follow")  # over: returns at once
    assert out.splitlines()[1:] == [
        "done: [##############################] 100%  2 of 2",
        "queued 0   held 0   sent 0   delivered 2   failed 0   blocked 0   skipped 0",
    ]


async def test_at_schedules_it_in_the_editions_time_zone(
    sessionmaker: Sessions, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await _pbbot(
        capsys, "--message", "voting", "--at", "2027-04-12 09:00", "--by", "bo", "--yes"
    )

    assert code == 0
    assert out.endswith(
        "broadcast 1 scheduled for 2027-04-12 09:00 CEST for 0 residents; "
        "follow it with `pbbot broadcast status 1`\n"
    )
    (broadcast,) = await _broadcasts(sessionmaker)
    assert broadcast.send_at == datetime(2027, 4, 12, 7, 0, tzinfo=UTC)
    assert broadcast.created_by == "bo"

    code, out, _ = await _pbbot(
        capsys, "--message", "voting", "--at", "2027-04-12T09:00+00:00", "--yes"
    )
    assert (await _broadcasts(sessionmaker))[-1].send_at == datetime(2027, 4, 12, 9, tzinfo=UTC)


async def test_staff_texts_go_per_language_and_the_others_are_warned_of(
    sessionmaker: Sessions, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path
    (folder / "nl.txt").write_text("Stemmen kan nu!\n", encoding="utf-8")
    (folder / "fr.txt").write_text("On vote !", encoding="utf-8")
    await add_residents(sessionmaker, PEOPLE)

    code, out, _ = await _pbbot(
        capsys,
        "--text-file",
        f"nl={folder / 'nl.txt'}",
        "--text-file",
        f"fr={folder / 'fr.txt'}",
        "--yes",
    )

    assert code == 0
    assert "Content: staff text in nl, fr" in out
    assert "tr" in out and "Warnings:" in out
    (broadcast,) = await _broadcasts(sessionmaker)
    assert broadcast.texts == {"nl": "Stemmen kan nu!", "fr": "On vote !"}


async def test_pause_resume_cancel_and_list(
    sessionmaker: Sessions, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_residents(sessionmaker, PEOPLE)
    await _pbbot(capsys, "--message", "voting", "--yes")
    await BroadcastWorker(sessionmaker, EDITION).run_due()

    assert await _pbbot(capsys, "pause", "1") == (0, "broadcast 1 paused: 4 messages held\n", "")
    assert await _pbbot(capsys, "resume", "1", "--by", "bo") == (
        0,
        "broadcast 1 resumed: 4 held messages queued again\n",
        "",
    )
    assert await _pbbot(capsys, "cancel", "1") == (
        0,
        "broadcast 1 cancelled: 4 messages will not be sent\n",
        "",
    )
    assert await _pbbot(capsys, "resume", "1") == (
        1,
        "",
        "pbbot: broadcast 1 is cancelled: it cannot be resumed\n",
    )
    assert await _pbbot(capsys, "pause", "9") == (1, "", "pbbot: no broadcast 9\n")

    code, out, _ = await _pbbot(capsys, "list")
    assert code == 0
    (line,) = out.splitlines()
    assert line.startswith("   1  cancelled  20")
    assert line.endswith("4 of 4          message voting, by an")
    async with sessionmaker() as session:
        actions = (await session.scalars(select(StaffAction).order_by(StaffAction.id))).all()
    assert [(action.action, action.done_by) for action in actions] == [
        ("broadcast.create", "an"),
        ("broadcast.pause", "an"),
        ("broadcast.resume", "bo"),
        ("broadcast.cancel", "an"),
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--message", "voting", "--segment", "language=de", "--yes"],
            "pbbot: --segment: language=de is not one of nl, fr, en, tr, ar",
        ),
        (["--message", "voting"], "pbbot: add --dry-run to see the plan, or --yes to queue it"),
        (["--yes"], "pbbot: say what: --message NAME or --text-file LANG=FILE"),
        (
            ["--message", "voting", "--at", "next tuesday", "--yes"],
            'pbbot: --at: expected "2027-04-12 09:00" (Europe/Brussels) or ISO 8601 '
            "with an offset, got 'next tuesday'",
        ),
        (
            ["--message", "voting", "--at", "2020-01-01 09:00", "--yes"],
            "pbbot: --at: 2020-01-01 09:00 CET is in the past",
        ),
        (
            ["--message", "voting", "--at", "2027-03-28 02:30", "--yes"],
            "pbbot: --at: 2027-03-28 02:30 does not exist in Europe/Brussels: the clocks skip it",
        ),
    ],
)
async def test_a_wrong_command_queues_nothing_and_says_why(
    sessionmaker: Sessions, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    code, _, err = await _pbbot(capsys, *args)

    assert (code, err.strip()) == (2, error)
    assert await _broadcasts(sessionmaker) == []


async def test_list_without_broadcasts(capsys: pytest.CaptureFixture[str]) -> None:
    assert await _pbbot(capsys, "list") == (0, "no broadcasts yet\n", "")
