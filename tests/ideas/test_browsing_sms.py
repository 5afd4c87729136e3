"""What browsing costs on SMS: every page of the list, an idea's page and "My
ideas" fit in three segments in every language, Turkish and Arabic (UCS-2,
67 characters a part) included, with titles at their longest.

The pure engine step with the snapshot in memory: what the service would load.
"""

from __future__ import annotations

from datetime import date

import pytest

from pbbot.channels.sms.render import render_sms
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.snapshot import Snapshot
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.features import load_features
from pbbot.i18n.sms import sms_segments
from pbbot.ideas.snapshots import IdeaPage, IdeaView, MyIdeas, OneIdea
from pbbot.ideas.views import Decisions
from tests.ideas.support import EDITION, NOW

TODAY = date(2027, 2, 20)
# 80 characters, the longest title an idea may have, in a script that needs UCS-2.
LONGEST = ("Gölgeli oyun alanı ve içme suyu çeşmesi, Grote Markt'ın yanındaki meydana " * 2)[:80]


def _idea(number: int, *, status: str = "submitted", title: str = LONGEST) -> IdeaView:
    return IdeaView(
        id=number,
        number=number,
        title=title,
        description="Çocuklar yazın gölgede oynayabilsin; su içebilsinler. " * 10,
        theme="green",
        estimated_cost=58_500,
        place="Grote Markt, tegenover het stadhuis",
        status=status,
        merged_into=None,
        supporters=999,
        comments=321,
        created_at=NOW,
    )


# Three-digit numbers and supporters: a city with up to 999 ideas.
IDEAS = tuple(_idea(number) for number in range(907, 900, -1))
SNAPSHOT = Snapshot(
    {
        "ideas.page": IdeaPage(theme="green", ideas=IDEAS),
        # A page with every option: supported, its description cut ("Read all").
        "ideas.one": OneIdea(
            idea=_idea(907, title="Gölge ve çeşme, Grote Markt"),
            comments=(),
            supported=True,
            own=False,
        ),
        "ideas.mine": MyIdeas(
            own=(_idea(911, status="rejected"), _idea(912, status="question"), *IDEAS[:2]),
            supported=IDEAS[2:],
        ),
        "ideas.decisions": Decisions(reasons={911: "max_cost"}, questions={}),
    }
)


@pytest.fixture(scope="module")
def context() -> StepContext:
    load_features()
    return StepContext(EDITION, load_engine_flows(), TODAY, snapshot=SNAPSHOT)


def _at(flow: str, step_id: str, offered: tuple[str, ...], locale: str) -> ConversationState:
    answers = {"consent": "2027-02-01", "browse_theme": "green", "idea_number": 907}
    return ConversationState(
        locale=locale, flow=flow, step=step_id, answers=answers, offered=offered
    )


def _segments(message: Outbound) -> int:
    return sms_segments(render_sms(message)).segments


def _send(
    context: StepContext, state: ConversationState, text: str
) -> tuple[ConversationState, Outbound]:
    result = step(state, Inbound("sms", "+32470000001", text=text), context)
    return result.state, result.messages[-1]


@pytest.mark.parametrize("locale", EDITION.languages)
def test_every_page_of_a_theme_fits_in_three_segments(context: StepContext, locale: str) -> None:
    themes = _at("idea_browse", "themes", ("idea_browse.themes.green",), locale)
    state, page = _send(context, themes, "1")
    assert render_sms(page).count("#90") == 3  # three ideas a page
    pages = [page]
    for _ in range(2):
        state, page = _send(context, state, context.translators(locale).gettext("Next"))
        pages.append(page)
    assert "#901" in render_sms(pages[-1])
    assert [_segments(page) <= 3 for page in pages] == [True] * len(pages), [
        render_sms(p) for p in pages
    ]


@pytest.mark.parametrize("locale", EDITION.languages)
def test_an_ideas_page_and_my_ideas_fit_in_three_segments(
    context: StepContext, locale: str
) -> None:
    listed = _at("idea_browse", "list", ("idea_browse.list.i907",), locale)
    _, page = _send(context, listed, "1")
    assert "#907" in render_sms(page)
    answered = _at("idea_take_part", "answered", ("idea_take_part.answered.mine",), locale)
    _, mine = _send(context, answered, "1")
    assert "#911" in render_sms(mine)
    assert _segments(page) <= 3, render_sms(page)
    assert _segments(mine) <= 3, render_sms(mine)
