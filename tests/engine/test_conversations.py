"""The scripted conversations against the pure engine step (no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from tests.conversations.script import LANGUAGES, RENDERINGS, SCRIPTS, play

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"


@pytest.fixture(scope="module")
def context() -> StepContext:
    return StepContext(load_edition(EDITION), load_engine_flows(), date(2027, 2, 20))


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
async def test_scripted_conversation(
    script: Path, locale: str, rendering: str, context: StepContext
) -> None:
    state = ConversationState()

    async def send(inbound: Inbound) -> list[Outbound]:
        nonlocal state
        result = step(state, inbound, context)
        state = result.state
        return result.messages

    await play(script, locale, rendering, send, address="+32470000001")
