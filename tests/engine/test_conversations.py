"""The scripted conversations against the pure engine step (no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.snapshot import Snapshot
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.ideas.snapshots import IdeaPage, MyIdeas, OneIdea
from pbbot.voting.views import MyVote
from tests.conversations.script import LANGUAGES, RENDERINGS, SCRIPTS, play

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"


# What the service would load for a resident with no ideas and no vote yet, in memory.
NOTHING_YET = Snapshot(
    {
        "ideas.mine": MyIdeas(own=(), supported=()),
        "ideas.page": IdeaPage(theme=None, ideas=()),
        "ideas.one": OneIdea(idea=None, comments=(), supported=False, own=False),
        "voting.mine": MyVote(),
    }
)


@pytest.fixture(scope="module")
def context() -> StepContext:
    edition = load_edition(EDITION)
    return StepContext(edition, load_engine_flows(), date(2027, 2, 20), snapshot=NOTHING_YET)


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
