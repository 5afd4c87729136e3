"""Voting through the real service, flows and ballot store, on SQLite and
PostgreSQL: an Arabic resident casts, checks and changes a basket by SMS; the
same number on Telegram changes that vote instead of adding one; a voided
voter cannot vote; a draft waits for the next day; what the resident typed
to vote is blanked once the ballot is cast."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pbbot.domain.messages import Inbound
from pbbot.i18n.catalogs import translator
from pbbot.runtime import Runtime, build_runtime
from pbbot.storage.tables import InboundMessage
from pbbot.voting.casting import counted_ballots, my_ballot, void_voter
from pbbot.voting.projects import import_projects
from pbbot.voting.results_tables import PublishedResultsRow

ROOT = Path(__file__).resolve().parents[2]
EDITION = ROOT / "examples" / "mechelen-2027.yaml"
PROJECTS = ROOT / "examples" / "mechelen-2027-projects.csv"
VOTING = date(2027, 4, 20)
PHONE = "+32470555101"
CHAT = "412300101"
# Arabic, agree, no district, no age: a resident who joined during ideation.
ONBOARD_AR = ["مرحبا", "1", "لا", "لا"]
# Vote (first in the menu while voting runs), age, first district.
TO_THE_BALLOT = ["١", "٣٤", "١"]

Runtimes = Callable[[date], Runtime]


@pytest.fixture
async def runtimes(database_url: str) -> AsyncIterator[Runtimes]:
    """A runtime on a given day, all on one database, with the sample projects."""
    made: list[Runtime] = []

    def on(day: date) -> Runtime:
        at_ten = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        runtime = build_runtime(EDITION, database_url, day, clock=lambda: at_ten)
        made.append(runtime)
        return runtime

    first = on(VOTING)
    async with first.sessionmaker.begin() as session:
        await import_projects(session, first.edition, PROJECTS, datetime.now(UTC))
    yield on
    for runtime in made:
        await runtime.close()


async def send(runtime: Runtime, channel: str, address: str, *messages: str | Inbound) -> str:
    replies = []
    for message in messages:
        inbound = message if isinstance(message, Inbound) else Inbound(channel, address, message)
        replies = await runtime.service.handle(inbound)
    return "\n".join(reply.text for reply in replies)


async def _ballots(runtime: Runtime) -> list[tuple[int, ...]]:
    async with runtime.sessionmaker() as session:
        return [b.projects for b in await counted_ballots(session, runtime.edition.id)]


async def test_an_arabic_resident_casts_checks_and_changes_a_basket_by_sms(
    runtimes: Runtimes,
) -> None:
    ar = translator("ar")
    runtime = runtimes(VOTING)
    await send(runtime, "sms", PHONE, *ONBOARD_AR)
    page = await send(runtime, "sms", PHONE, *TO_THE_BALLOT)
    assert ar.gettext("Projects, page {page} of {pages}:").split("{")[0] in page
    await send(runtime, "sms", PHONE, "٣ و٧ ١٢")
    await send(runtime, "sms", PHONE, "٠")
    receipt = await send(runtime, "sms", PHONE, "نعم")
    assert receipt.startswith(
        ar.gettext(
            "Thank you! Your vote is in: {count} choice. You can change it until voting closes."
        ).split("{")[0]
    )
    assert await _ballots(runtime) == [(3, 7, 12)]

    check = await send(runtime, "sms", PHONE, "مرحبا", "١")  # the menu, then Vote: their vote
    assert "3" in check and "12" in check
    await send(runtime, "sms", PHONE, "١")  # change it: the list starts from the vote
    await send(runtime, "sms", PHONE, "-٧", "٠")
    receipt = await send(runtime, "sms", PHONE, "نعم")
    assert (
        ar.ngettext(
            "Your new vote is in and replaces the one before: {count} choice.",
            "Your new vote is in and replaces the one before: {count} choices.",
            2,
        ).split("{")[0]
        in receipt
    )
    assert await _ballots(runtime) == [(3, 12)]  # replaced, not added


async def test_the_same_number_on_telegram_changes_the_sms_vote(runtimes: Runtimes) -> None:
    runtime = runtimes(VOTING)
    await send(runtime, "sms", PHONE, "hallo", "1", "NEE", "NEE")  # Dutch
    await send(runtime, "sms", PHONE, "1", "34", "1", "3 12", "0", "JA")
    assert await _ballots(runtime) == [(3, 12)]
    await send(runtime, "telegram", CHAT, "/start")
    await send(runtime, "telegram", CHAT, "hallo", "1", "NEE", "NEE")
    asked = await send(runtime, "telegram", CHAT, "1", "34", "1")
    assert "telefoonnummer" in asked
    shown = await send(runtime, "telegram", CHAT, Inbound("telegram", CHAT, contact_phone=PHONE))
    assert "3 en 12" in shown  # the vote cast by SMS, shown to its voter
    await send(runtime, "telegram", CHAT, "1", "0")  # change; the list starts from it
    assert await _ballots(runtime) == [(3, 12)]


async def test_a_draft_waits_for_the_next_day(runtimes: Runtimes) -> None:
    today = runtimes(VOTING)
    await send(today, "sms", PHONE, "hallo", "1", "NEE", "NEE", "1", "34", "1", "3 12")
    tomorrow = runtimes(date(2027, 4, 21))
    text = await send(tomorrow, "sms", PHONE, "7")
    assert "3, 12 en 7" in text
    await send(tomorrow, "sms", PHONE, "0", "JA")
    assert await _ballots(tomorrow) == [(3, 7, 12)]


async def test_a_voided_voter_cannot_vote_again(runtimes: Runtimes) -> None:
    runtime = runtimes(VOTING)
    await send(runtime, "sms", PHONE, "hallo", "1", "NEE", "NEE", "1", "34", "1", "3", "0", "JA")
    async with runtime.sessionmaker.begin() as session:
        assert await void_voter(session, edition_id=runtime.edition.id, voter=PHONE)
    assert await _ballots(runtime) == []
    text = await send(runtime, "sms", PHONE, "hallo", "1")
    assert (
        translator("nl")
        .gettext(
            "The city team has set your vote aside, so it is not counted and you cannot "
            "vote again. Questions? {contact}"
        )
        .split(",")[0]
        in text
    )
    assert await _ballots(runtime) == []


async def test_what_the_resident_typed_to_vote_is_blanked_once_cast(runtimes: Runtimes) -> None:
    runtime = runtimes(VOTING)
    await send(runtime, "sms", PHONE, "hallo", "1", "NEE", "NEE", "1", "34", "1", "3 12", "0", "JA")
    async with runtime.sessionmaker() as session:
        bodies = [row.body for row in await session.scalars(select(InboundMessage))]
    assert bodies and not any("3 12" in str(body) for body in bodies)


async def test_a_vote_in_the_simulator_is_not_counted(database_url: str) -> None:
    """Staff trying the flows on the live database add nothing to the count, and
    still see what a resident sees."""
    at_ten = datetime(2027, 4, 20, 10, tzinfo=UTC)
    simulator = build_runtime(EDITION, database_url, VOTING, clock=lambda: at_ten, simulated=True)
    try:
        async with simulator.sessionmaker.begin() as session:
            await import_projects(session, simulator.edition, PROJECTS, at_ten)
        await send(simulator, "sms", PHONE, "hallo", "1", "NEE", "NEE", "1", "34", "1", "3", "0")
        receipt = await send(simulator, "sms", PHONE, "JA")
        assert receipt.startswith("Bedankt!")
        voted = translator("nl").gettext("You voted on {date}: {chosen}.").split("{")[0]
        assert voted in await send(simulator, "sms", PHONE, "hallo", "1")
        assert await _ballots(simulator) == []
    finally:
        await simulator.close()


async def test_deleting_everything_withdraws_the_vote_until_results_are_out(
    runtimes: Runtimes,
) -> None:
    """ "Everything is deleted" is true: no one with that number sees the vote
    again. Before the count the ballot goes too (they may vote again); once the
    results are published it stays, anonymous, in the count."""
    runtime = runtimes(VOTING)
    vote = ["hallo", "1", "NEE", "NEE", "1", "34", "1", "3 12", "0", "JA"]
    await send(runtime, "sms", PHONE, *vote)
    assert await runtime.service.delete_resident("sms", PHONE)
    assert await _ballots(runtime) == []
    await send(runtime, "sms", PHONE, *vote)  # a new start, and a vote again
    assert await _ballots(runtime) == [(3, 12)]

    async with runtime.sessionmaker.begin() as session:
        session.add(
            PublishedResultsRow(
                edition_id=runtime.edition.id,
                results={},
                published_by="test",
                published_at=datetime(2027, 5, 12, tzinfo=UTC),
            )
        )
    assert await runtime.service.delete_resident("sms", PHONE)
    assert await _ballots(runtime) == [(3, 12)]  # still counted, linked to no one
    async with runtime.sessionmaker() as session:
        assert await my_ballot(session, edition_id=runtime.edition.id, voter=PHONE) is None
