"""The vote's whole round trip through `pbbot serve`'s application, on both
databases: an Arabic resident casts, checks and changes a basket entirely by
SMS (signed Twilio webhooks); in an edition that votes with communicating
vessels a Dutch resident divides the budget over the themes by SMS; staff
export the ballots, count them with `pbbot tally` and publish the results;
then both residents ask the bot for the results, and each reads, in their
own language, what the count found."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from pbbot.i18n.catalogs import translator
from pbbot.i18n.sms import sms_segments
from pbbot.storage.tables import InboundMessage, OutboundMessage
from pbbot.voting.casting import counted_ballots
from tests.server.harness import City, running_city
from tests.voting.ballot_chat import sample_candidates
from tests.voting.results_support import edition_file, import_sample_projects, pbbot
from tests.voting.test_voting_service import EDITION, VOTING

RESULTS = VOTING.replace(month=5, day=12)
ARABIC_PHONE = "+32470555201"
DUTCH_PHONE = "+32470555202"
KEY = "round-trip-ballot-key-0123456789abcdefghijklmn"
_SIDS = itertools.count(1)  # MessageSids are exactly-once keys: one per message, ever


async def _sms(city: City, phone: str, *texts: str) -> str:
    """Send each text as a signed webhook; what the bot answered the last one."""
    answered = 0
    for text in texts:
        answered = len(city.sms_bodies())
        response = await city.sms(text, sid=f"SM{next(_SIDS):032d}", sender=phone)
        assert response.status == 200
        await city.settle()
    return "\n".join(city.sms_bodies()[answered:])


async def _ballots(city: City) -> list[object]:
    async with city.runtime.sessionmaker() as session:
        return list(await counted_ballots(session, city.runtime.edition.id))


async def _count_and_publish(
    database_url: str, edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, object]:
    """Staff's steps after voting closed: export, tally, publish (in-process `pbbot`);
    what `pbbot tally --json` counted."""
    env = {
        "PBBOT_DATABASE_URL": database_url,
        "PBBOT_EDITION": str(edition),
        "PBBOT_TODAY": RESULTS.isoformat(),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        export = tmp_path / f"{edition.stem}.pb"
        assert await pbbot("ballots", "export", "--pb", str(export)) == 0
        capsys.readouterr()
        assert await pbbot("tally", str(export), "--json") == 0
        counted: dict[str, object] = json.loads(capsys.readouterr().out)
        assert await pbbot("results", "publish", "--by", "city team") == 0
    return counted


async def test_an_arabic_basket_and_a_dutch_split_by_sms_and_their_results(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY)
    ar, nl = translator("ar"), translator("nl")
    async with running_city(database_url, today=VOTING) as city:
        async with city.runtime.sessionmaker.begin() as session:
            await import_sample_projects(session, city.runtime.edition)
        await _sms(city, ARABIC_PHONE, "مرحبا", "1", "لا", "لا")  # joined: Arabic, agreed
        page = await _sms(city, ARABIC_PHONE, "١", "٣٤", "١")  # Vote, age, district
        assert ar.gettext("Projects, page {page} of {pages}:").split("{")[0] in page
        await _sms(city, ARABIC_PHONE, "٣ و٧ ١٢", "٠")
        receipt = await _sms(city, ARABIC_PHONE, "نعم")
        assert (
            ar.ngettext(
                "Thank you! Your vote is in: {count} choice. "
                "You can change it until voting closes.",
                "Thank you! Your vote is in: {count} choices. "
                "You can change it until voting closes.",
                3,
            ).split("{")[0]
            in receipt
        )
        checked = await _sms(city, ARABIC_PHONE, "مرحبا", "١")  # checks it: the vote is shown
        assert "12" in checked and ar.gettext("Change my vote") in checked
        await _sms(city, ARABIC_PHONE, "١", "-٧", "٠")
        changed = await _sms(city, ARABIC_PHONE, "نعم")
        assert (
            ar.ngettext(
                "Your new vote is in and replaces the one before: {count} choice.",
                "Your new vote is in and replaces the one before: {count} choices.",
                2,
            ).split("{")[0]
            in changed
        )
        [ballot] = await _ballots(city)
        assert ballot.projects == (3, 12)  # type: ignore[attr-defined]
        # Secret: once cast, neither what they typed nor the bot's screens that showed
        # the basket are kept next to their number; only the last receipt is.
        async with city.runtime.sessionmaker() as session:
            typed = await session.scalars(
                select(InboundMessage.body).where(InboundMessage.address == ARABIC_PHONE)
            )
            shown = await session.scalars(
                select(OutboundMessage.text).where(OutboundMessage.address == ARABIC_PHONE)
            )
            assert not any(body for body in typed)
            assert [text for text in shown if text] == [changed]
        # Checking the vote again shows it, and that screen is not kept once sent.
        again = await _sms(city, ARABIC_PHONE, "مرحبا", "١")
        voted = ar.gettext("You voted on {date}: {chosen}.").split("{")[0]
        assert voted in again
        async with city.runtime.sessionmaker() as session:
            kept = await session.scalars(
                select(OutboundMessage.text).where(OutboundMessage.address == ARABIC_PHONE)
            )
            assert not any(voted in text for text in kept)

    vessels = tmp_path / "vessels.yaml"  # another edition, that votes over themes
    text = edition_file(tmp_path, method="vessels", budget=600_000).read_text(encoding="utf-8")
    vessels.write_text(text.replace("id: mechelen-2027", "id: vessels-2027"), encoding="utf-8")
    async with running_city(database_url, edition=vessels, today=VOTING) as city:
        await _sms(city, DUTCH_PHONE, "hallo", "1", "NEE", "NEE", "1", "34", "1")
        await _sms(city, DUTCH_PHONE, "1=40 2=30 3=20 4=10", "0")
        receipt = await _sms(city, DUTCH_PHONE, "JA")
        assert receipt.startswith("Bedankt")
        [split] = await _ballots(city)
        assert dict(split.split) == {  # type: ignore[attr-defined]
            "green": 240_000,
            "mobility": 180_000,
            "youth": 120_000,
            "culture": 60_000,
        }

    basket_count = await _count_and_publish(database_url, EDITION, tmp_path, capsys)
    split_count = await _count_and_publish(database_url, vessels, tmp_path, capsys)

    async with running_city(database_url, today=RESULTS) as city:
        results = await _sms(city, ARABIC_PHONE, ar.gettext("MENU"), ar.gettext("Results"))
    titles = {c.number: c.title["ar"] for c in sample_candidates().projects}
    assert sorted(basket_count["selected"]) == ["12", "3"]  # type: ignore[arg-type]
    assert all(titles[int(n)] in results for n in basket_count["selected"])  # type: ignore[union-attr]
    assert sms_segments(results).segments <= 3

    async with running_city(database_url, edition=vessels, today=RESULTS) as city:
        results = await _sms(city, DUTCH_PHONE, "hallo", nl.gettext("Results"))
    assert split_count["selected"] == ["green", "mobility", "youth", "culture"]
    assert "Groen" in results and "€ 240.000" in results
    assert sms_segments(results).segments <= 3
