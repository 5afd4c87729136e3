"""The scripted conversations through the conversation service, on SQLite and
PostgreSQL: state survives between messages only through the database, and a
restart (a new engine on the same database) loses nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pbbot.domain.messages import Inbound, Outbound
from pbbot.runtime import build_runtime
from tests.conversations.script import LANGUAGES, RENDERINGS, SCRIPTS, play

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
TODAY = date(2027, 2, 20)


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
async def test_scripted_conversation_is_stored(
    script: Path, locale: str, rendering: str, database_url: str
) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY)
    try:
        await play(script, locale, rendering, runtime.service.handle, address="+32470000002")
    finally:
        await runtime.close()


async def test_restart_loses_no_conversation(database_url: str) -> None:
    first = build_runtime(EDITION, database_url, TODAY)
    await first.service.handle(Inbound(channel="sms", address="+32470000003", text="hello"))
    await first.service.handle(Inbound(channel="sms", address="+32470000003", text="3"))
    await first.close()

    second = build_runtime(EDITION, database_url, TODAY)
    try:
        replies: list[Outbound] = await second.service.handle(
            Inbound(channel="sms", address="+32470000003", text="1")
        )
    finally:
        await second.close()
    # The consent answer was understood: the restarted server knew the resident
    # had chosen English and was at the consent question.
    assert replies[0].locale == "en"
    assert replies[0].text.startswith("In which district do you live?")
