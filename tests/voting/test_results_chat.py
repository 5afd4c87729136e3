"""The results in the chat, through the real service and flows, on SQLite and
PostgreSQL: once published, a resident who asks in the results phase reads
the count of the exported ballots (what `pbbot tally` finds) in their
language, with how the project from their own idea and their own ballot fared;
by SMS in at most three segments (Dutch, Arabic), on Telegram with the chart.
Before publication the bot says when the results come; before the results
phase the menu does not offer them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.channels.sms.render import render_sms
from pbbot.counting.election import Election, Outcome
from pbbot.counting.pabulib import read_pabulib, write_pabulib
from pbbot.counting.results import render_results
from pbbot.counting.rules import count
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.state import ConversationState
from pbbot.i18n.catalogs import translator
from pbbot.i18n.formatting import format_date
from pbbot.i18n.sms import normalize_for_sms, sms_segments
from pbbot.ideas.tables import CandidateProject, Idea
from pbbot.runtime import Runtime, build_runtime
from pbbot.storage.tables import Resident
from pbbot.voting.casting import BallotChoices, cast_ballot, counted_ballots
from pbbot.voting.pb_export import ballots_election
from pbbot.voting.projects import add_accepted_ideas, list_projects
from pbbot.voting.results import current_publication, publish_results
from pbbot.voting.results_snapshots import load_results
from pbbot.voting.results_tables import PublishedChart
from tests.voting.results_support import (
    BALLOT_KEY,
    NOW,
    RESULTS_DAY,
    VOTING_DAY,
    cast,
    cast_baskets,
    edition_file,
    import_sample_projects,
)

NL_PHONE, AR_PHONE, OTHER_PHONE = "+32470555201", "+32470555202", "+32470555203"
FR_CHAT = "412300204"
ONBOARD = {  # a language, agreeing, no district, no age
    "nl": ["hallo", "1", "NEE", "NEE"],
    "ar": ["مرحبا", "1", "لا", "لا"],
}
IDEA_TITLE = "Zitbanken aan de Vest"
NL_BALLOT = (21, 9, 13)  # 13: a project that does not win
AR_BALLOT = (2, 12, 14)

Runtimes = Callable[[date], Runtime]


@pytest.fixture
async def runtimes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Runtimes]:
    """Runtimes on given days, all on one database (the sample edition, with
    a budget of € 150.000), the sample projects imported."""
    monkeypatch.setenv("PBBOT_BALLOT_KEY", BALLOT_KEY)
    path = edition_file(tmp_path)
    made: list[Runtime] = []

    def on(day: date) -> Runtime:
        at_ten = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        made.append(build_runtime(path, database_url, day, clock=lambda: at_ten))
        return made[-1]

    first = on(RESULTS_DAY)
    async with first.sessionmaker.begin() as session:
        await import_sample_projects(session, first.edition)
    yield on
    for runtime in made:
        await runtime.close()


async def send(
    runtime: Runtime, channel: str, address: str, *messages: str | Inbound
) -> list[Outbound]:
    replies: list[Outbound] = []
    for message in messages:
        inbound = message if isinstance(message, Inbound) else Inbound(channel, address, message)
        replies = await runtime.service.handle(inbound)
    return replies


def _option(replies: list[Outbound], option: str) -> tuple[int, str] | None:
    """(number, payload) of the option `option` in the last reply with choices."""
    offered = next((reply.choices for reply in reversed(replies) if reply.choices), ())
    return next(
        (
            (number, c.payload)
            for number, c in enumerate(offered, 1)
            if c.payload.endswith("." + option)
        ),
        None,
    )


async def choose(
    runtime: Runtime, channel: str, address: str, replies: list[Outbound], option: str
) -> list[Outbound]:
    """Choose `option` as the resident would: its number by SMS, its button on Telegram."""
    found = _option(replies, option)
    assert found is not None, [c.payload for r in replies for c in r.choices]
    number, payload = found
    if channel == "telegram":
        return await send(runtime, channel, address, Inbound(channel, address, payload=payload))
    return await send(runtime, channel, address, str(number))


async def onboard_sms(runtime: Runtime, phone: str, locale: str) -> list[Outbound]:
    return await send(runtime, "sms", phone, *ONBOARD[locale])


async def onboard_telegram(runtime: Runtime, chat: str, locale: str) -> list[Outbound]:
    replies = await send(runtime, "telegram", chat, Inbound("telegram", chat, "/start"))
    replies = await choose(runtime, "telegram", chat, replies, locale)
    replies = await choose(runtime, "telegram", chat, replies, "yes")
    replies = await choose(runtime, "telegram", chat, replies, "skip")
    return await send(runtime, "telegram", chat, "34")


async def resident_id(session: AsyncSession, address: str) -> int:
    found = await session.scalar(select(Resident.id).where(Resident.address == address))
    assert found is not None
    return found


async def accept_idea(session: AsyncSession, edition: Edition, author: str) -> int:
    """An idea of `author`'s, accepted at staff's cost: a project on the ballot; its number."""
    idea = Idea(
        edition_id=edition.id,
        number=1,
        author_id=await resident_id(session, author),
        title=IDEA_TITLE,
        description="Banken in de schaduw, voor wie niet lang kan staan.",
        theme_id="green",
        status="accepted",
        hidden=False,
        staff_cost=12_000,
        created_at=NOW,
    )
    session.add(idea)
    await session.flush()
    session.add(
        CandidateProject(
            edition_id=edition.id,
            idea_id=idea.id,
            title=IDEA_TITLE,
            theme_id="green",
            cost=12_000,
            created_at=NOW,
        )
    )
    await add_accepted_ideas(session, edition, NOW)
    (number,) = [p.number for p in await list_projects(session, edition.id) if p.source == "idea"]
    return number


@dataclass(frozen=True)
class Tally:
    """`pbbot tally` on the exported ballots: the outcome, its projects named in a language."""

    outcome: Outcome
    edition: Edition
    titles: dict[str, dict[str, str]]  # project id -> locale -> title

    def named(self, locale: str) -> Outcome:
        """The same count, its projects and themes named as a resident reads them."""
        themes = {t.id: t.name.get(locale) or t.name["nl"] for t in self.edition.themes}
        election = self.outcome.election
        projects = tuple(
            replace(
                p,
                name=self.titles.get(p.id, {}).get(locale)
                or self.titles.get(p.id, {}).get("nl")
                or p.name,
                categories=tuple(themes.get(c, c) for c in p.categories),
            )
            for p in election.projects
        )
        renamed = Election(election.meta, projects, election.ballots)
        return replace(self.outcome, election=renamed)

    def text(self, locale: str, channel: str, **mine: Any) -> str:
        """What `pbbot tally --explain` writes, with the resident's own `mine`."""
        return render_results(self.named(locale), translator(locale), channel=channel, **mine)


async def tally(runtime: Runtime, folder: Path) -> Tally:
    """Export the counted ballots as `pbbot ballots export --pb` does and count the
    file as `pbbot tally` does (with the file's own rule)."""
    async with runtime.sessionmaker() as session:
        projects = await list_projects(session, runtime.edition.id)
        ballots = await counted_ballots(session, runtime.edition.id)
    exported = folder / "ballots.pb"
    write_pabulib(ballots_election(runtime.edition, projects, ballots), exported)
    titles = {str(p.number): p.title for p in projects}
    titles |= {t.id: dict(t.name) for t in runtime.edition.themes}  # vessels: themes
    return Tally(count(read_pabulib(exported)), runtime.edition, titles)


async def publish(runtime: Runtime) -> None:
    async with runtime.sessionmaker.begin() as session:
        await publish_results(
            session,
            runtime.edition,
            by="An",
            now=NOW,
            at=datetime.combine(RESULTS_DAY, time(12), runtime.edition.zone),
        )


def _segments(message: Outbound) -> int:
    return sms_segments(render_sms(message)).segments


async def _results_world(runtimes: Runtimes) -> tuple[Runtime, int]:
    """Two SMS residents (nl, ar) who voted, the Dutch one with an accepted idea,
    a French one on Telegram who did not vote; twelve other ballots; published."""
    runtime = runtimes(RESULTS_DAY)
    await onboard_sms(runtime, NL_PHONE, "nl")
    await onboard_sms(runtime, AR_PHONE, "ar")
    async with runtime.sessionmaker.begin() as session:
        idea_project = await accept_idea(session, runtime.edition, NL_PHONE)
        await cast_baskets(session, runtime.edition)
        await cast(session, runtime.edition, NL_PHONE, (*NL_BALLOT, idea_project))
        await cast(session, runtime.edition, AR_PHONE, AR_BALLOT)
        await cast(session, runtime.edition, OTHER_PHONE, (idea_project, 21))
    await publish(runtime)
    return runtime, idea_project


async def test_by_sms_the_results_fit_in_three_segments_and_name_the_counts_winners(
    runtimes: Runtimes, tmp_path: Path
) -> None:
    runtime, idea_project = await _results_world(runtimes)
    counted = await tally(runtime, tmp_path)
    ideas = [str(idea_project)]

    menu = await send(runtime, "sms", NL_PHONE, "menu")
    nl = await choose(runtime, "sms", NL_PHONE, menu, "results")
    menu = await send(runtime, "sms", AR_PHONE, "قائمة")
    ar = await choose(runtime, "sms", AR_PHONE, menu, "results")

    (nl_text,) = nl
    mine = [str(n) for n in (*NL_BALLOT, idea_project)]
    assert nl_text.text == counted.text("nl", "sms", chosen=mine, own=ideas)
    (ar_text,) = ar
    assert ar_text.text == counted.text("ar", "sms", chosen=[str(n) for n in AR_BALLOT])
    assert _segments(nl_text) <= 3 and _segments(ar_text) <= 3
    assert nl_text.image is None and ar_text.image is None  # SMS carries no picture
    # What a resident notices: the most-voted winner by name, their own idea's fate.
    top = max(counted.outcome.selected, key=lambda p: counted.outcome.election.scores[p])
    assert counted.titles[top]["nl"] in nl_text.text
    assert counted.titles[top]["ar"] in ar_text.text
    nl_t = translator("nl")
    funded = counted.outcome.is_selected(str(idea_project))
    idea_line = (
        "The project from your idea, {name}, is funded."
        if funded
        else "The project from your idea, {name}, is not funded."
    )
    assert nl_t.gettext(idea_line).format(name=IDEA_TITLE) in nl_text.text
    # Whatever they send next brings the main menu.
    after = await send(runtime, "sms", NL_PHONE, "ok")
    assert _option(after, "results") is not None


async def test_on_telegram_the_results_come_with_the_chart_in_the_residents_language(
    runtimes: Runtimes, tmp_path: Path
) -> None:
    runtime, _ = await _results_world(runtimes)
    menu = await onboard_telegram(runtime, FR_CHAT, "fr")

    shown = await choose(runtime, "telegram", FR_CHAT, menu, "results")

    (message,) = shown
    counted = await tally(runtime, tmp_path)
    assert message.text == counted.text("fr", "telegram")
    async with runtime.sessionmaker() as session:
        publication = await current_publication(session, runtime.edition.id)
        assert publication is not None
        chart = await session.scalar(
            select(PublishedChart.png).where(
                PublishedChart.results_id == publication.id,
                PublishedChart.language == publication.results.charts["fr"],
            )
        )
    assert message.image is not None and message.image == chart
    assert message.image.startswith(b"\x89PNG\r\n\x1a\n")
    assert [c.payload for c in message.choices] == ["results.telegram.menu"]


async def test_the_results_read_a_telegram_residents_own_ballot_by_their_shared_number(
    runtimes: Runtimes,
) -> None:
    runtime, _ = await _results_world(runtimes)
    await onboard_telegram(runtime, FR_CHAT, "fr")

    async with runtime.sessionmaker() as session:
        who = await resident_id(session, FR_CHAT)
        edition = runtime.edition.id
        before = await load_results(session, who, ConversationState(locale="fr"), edition)
        shared = ConversationState(locale="fr", answers={"voter_phone": AR_PHONE})
        after = await load_results(session, who, shared, edition)
        texter = await resident_id(session, AR_PHONE)
        by_sms = await load_results(session, texter, ConversationState(locale="ar"), edition)

    assert (before.chosen, after.chosen, by_sms.chosen) == (None, AR_BALLOT, AR_BALLOT)
    assert before.chart is not None and by_sms.chart is None  # a picture only where shown
    assert before.own == ()


async def test_before_publication_the_bot_says_when_the_results_come(
    runtimes: Runtimes,
) -> None:
    runtime = runtimes(RESULTS_DAY)
    menu = await onboard_sms(runtime, NL_PHONE, "nl")

    (said,) = await choose(runtime, "sms", NL_PHONE, menu, "results")

    t = translator("nl")
    expected = t.gettext(
        "The results are not published yet; they come after the count on {results_date}."
    ).format(results_date=format_date(date(2027, 5, 10), t.babel_locale))
    assert said.text == expected
    assert "10 mei 2027" in said.text
    assert [c.payload for c in said.choices] == ["results.not_yet.menu"]
    assert said.image is None


@pytest.mark.parametrize(
    ("day", "offered"),
    [
        (date(2027, 2, 20), False),  # ideation
        (VOTING_DAY, False),
        (date(2027, 5, 10), True),  # the first day of the results phase
        (date(2027, 7, 1), True),  # implementation
    ],
)
async def test_the_menu_offers_the_results_from_the_results_phase_on(
    runtimes: Runtimes, day: date, offered: bool
) -> None:
    menu = await onboard_sms(runtimes(day), NL_PHONE, "nl")

    assert (_option(menu, "results") is not None) is offered


async def test_communicating_vessels_results_tell_a_dutch_resident_the_split(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PBBOT_BALLOT_KEY", BALLOT_KEY)
    runtime = build_runtime(edition_file(tmp_path, method="vessels"), database_url, RESULTS_DAY)
    try:
        await onboard_sms(runtime, NL_PHONE, "nl")
        splits = [
            {"green": 60_000, "mobility": 50_000, "youth": 25_000, "culture": 15_000},
            {"green": 30_000, "mobility": 90_000, "youth": 30_000},
            {"green": 75_000, "youth": 75_000},
        ]
        async with runtime.sessionmaker.begin() as session:
            for phone, split in zip((NL_PHONE, AR_PHONE, OTHER_PHONE), splits, strict=True):
                choices = BallotChoices("vessels", split=tuple(split.items()))
                await cast_ballot(
                    session, edition_id=runtime.edition.id, voter=phone, choices=choices,
                    day=VOTING_DAY,
                )  # fmt: skip
        await publish(runtime)
        counted = await tally(runtime, tmp_path)

        menu = await send(runtime, "sms", NL_PHONE, "menu")
        (said,) = await choose(runtime, "sms", NL_PHONE, menu, "results")
        async with runtime.sessionmaker() as session:
            publication = await current_publication(session, runtime.edition.id)
    finally:
        await runtime.close()

    mine = {theme: Decimal(amount) for theme, amount in splits[0].items()}
    assert said.text == counted.text("nl", "sms", vessels=True, split=mine)
    assert _segments(said) <= 3
    # Green gets the mean of 60.000, 30.000 and 75.000; it is where they gave the most.
    assert "Groen: € 55.000 (37%)" in said.text  # SMS: a plain space, for GSM-7
    gave = translator("nl").gettext("You gave the most to {theme}; it gets {amount}.")
    assert normalize_for_sms(gave.format(theme="Groen", amount="€\u00a055.000")) in said.text
    # The chart's votes for a theme are the voters who gave it money, not the euros.
    assert publication is not None
    green = next(p for p in publication.results.projects if p.id == "green")
    assert (green.votes, green.given, green.cost) == (3, 165_000, 55_000)
