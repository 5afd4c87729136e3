"""`pbbot questions list|answer`: a resident's question reaches staff, and the
answer goes back to the resident, in their language, on their channel."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from pbbot.channels.sim.wire import SimulatedResident
from pbbot.cli import main
from pbbot.i18n.catalogs import translator
from pbbot.runtime import build_runtime
from pbbot.storage.data_rights import export_resident
from pbbot.storage.migrations import upgrade
from pbbot.storage.tables import OutboundMessage, Question
from tests.server.harness import EDITION, TODAY

PHONE = "+32470123456"
QUESTION = "Mag een buurtcomité ook een idee indienen?"


async def _ask(url: str, lines: list[str]) -> None:
    runtime = build_runtime(EDITION, url, TODAY)
    resident = SimulatedResident("sms", PHONE)
    try:
        for line in lines:
            update = resident.update(line)
            await runtime.service.handle(update.inbound, key=update.key)
    finally:
        await runtime.close()


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/city.db"
    await upgrade(url)
    monkeypatch.setenv("PBBOT_DATABASE_URL", url)
    monkeypatch.setenv("PBBOT_EDITION", str(EDITION))
    return url


# A Turkish resident agrees, skips the profile, asks for a person and types a question.
TURKISH_QUESTION = ["merhaba", "1", "9", "HAYIR", "YARDIM", "3", QUESTION]


async def test_a_question_is_listed_and_the_answer_reaches_the_resident_in_their_language(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await _ask(database, TURKISH_QUESTION)

    assert await asyncio.to_thread(main, ["questions", "list"]) == 0
    listed = capsys.readouterr().out
    assert QUESTION in listed
    assert "sms tr open" in listed
    assert PHONE not in listed  # staff answer through the bot, not by phone

    answer = ["questions", "answer", "1", "Ja, elke inwoner of vereniging.", "--by", "an"]
    assert await asyncio.to_thread(main, answer) == 0
    assert await asyncio.to_thread(main, answer) == 1  # answered already: nothing sent twice

    runtime = build_runtime(EDITION, database, TODAY)
    try:
        async with runtime.sessionmaker() as session:
            sent = await session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
            last = sent.all()[-1]
            question = await session.scalar(select(Question))
            export = await export_resident(session, "sms", PHONE)
    finally:
        await runtime.close()
    intro = translator("tr").gettext("The city team answers your question:")
    assert (last.channel, last.address, last.locale) == ("sms", PHONE, "tr")
    assert last.text == f"{intro}\nJa, elke inwoner of vereniging."
    assert question is not None and question.answered_by == "an"
    assert export is not None and export["questions"][0]["text"] == QUESTION

    capsys.readouterr()
    assert await asyncio.to_thread(main, ["questions", "list"]) == 0
    assert "no questions waiting" in capsys.readouterr().out


async def test_without_consent_no_question_is_stored(database: str) -> None:
    await _ask(database, ["merhaba", "2", "YARDIM", "3", QUESTION])
    runtime = build_runtime(EDITION, database, TODAY)
    try:
        async with runtime.sessionmaker() as session:
            assert (await session.scalars(select(Question))).all() == []
    finally:
        await runtime.close()


async def test_an_unknown_question_is_refused(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["questions", "answer", "7", "Ja."]) == 1
    assert "no question #7" in capsys.readouterr().out
