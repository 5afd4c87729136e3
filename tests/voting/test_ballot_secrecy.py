"""Secrecy: after residents with known numbers voted (one changed their vote,
one was voided) and paper ballots came in, no table, export, command output
or log line holds a number, in any of the ways it is written, and a ballot
holds nothing that leads to its voter; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import DateTime, select

from pbbot.storage.tables import Base
from pbbot.voting.casting import BallotChoices, cast_ballot, my_ballot
from pbbot.voting.secret import voter_link
from pbbot.voting.tables import Ballot, VoterLink
from tests.voting.ballot_fixtures import (
    KEY,
    TODAY,
    Sessions,
    add_projects,
    edition_file,
    pbbot,
    small_edition,
)

EDITION = "mechelen-2027"
VOTERS = {
    "+32470111222": BallotChoices("basket", projects=(1, 3)),
    "+32486555666": BallotChoices("basket", projects=(2, 4)),
    "+32499777888": BallotChoices("basket", projects=(1, 4)),
}
CHANGED = "+32470111222"
VOIDED = "+32499777888"


def ways_of_writing(number: str) -> set[str]:
    """+32470111222, 32470111222, 0470111222, 470111222, 0470 11 12 22, 0470/11.12.22."""
    national = number[3:]
    spaced = f"0{national[:3]} {national[3:5]} {national[5:7]} {national[7:]}"
    return {number, number[1:], f"0{national}", national, spaced, spaced.replace(" ", "")}


NEEDLES = {form for number in VOTERS for form in ways_of_writing(number)}


def found_in(text: str) -> set[str]:
    digits = re.sub(r"[\s./-]", "", text)
    return {needle for needle in NEEDLES if needle in text or needle in digits}


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_EDITION", str(edition_file(tmp_path)))
    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY)
    monkeypatch.setenv("PBBOT_TODAY", TODAY.isoformat())


@pytest.mark.usefixtures("settings")
async def test_no_table_export_output_or_log_line_holds_a_voters_number(
    sessionmaker: Sessions,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Every line at DEBUG: pbbot's own, the drivers', SQLAlchemy's statements and rows.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    await add_projects(sessionmaker, small_edition(tmp_path))
    async with sessionmaker.begin() as session:
        for voter, choices in VOTERS.items():
            await cast_ballot(
                session, edition_id=EDITION, voter=voter, choices=choices, day=date(2027, 4, 20)
            )
    async with sessionmaker.begin() as session:
        await cast_ballot(
            session, edition_id=EDITION, voter=CHANGED, choices=BallotChoices("basket", (5, 1)),
            day=TODAY,
        )  # fmt: skip
        assert await my_ballot(session, edition_id=EDITION, voter=CHANGED) is not None
    paper = tmp_path / "paper.csv"
    paper.write_text("projects\n1 3\n2 4\n", encoding="utf-8")
    assert await pbbot("ballots", "import", str(paper), "--entered-by", "Jan") == 0
    assert await pbbot("ballots", "void", "0499 77 78 88") == 0
    assert await pbbot("ballots", "count") == 0
    out = tmp_path / "ballots.pb"
    assert await pbbot("ballots", "export", "--pb", str(out)) == 0
    output = capsys.readouterr()

    # Nowhere in the database, in any table, in any column.
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                assert found_in(str(tuple(row))) == set(), table.name
        links = list(await session.scalars(select(VoterLink.link)))
        ballot_ids = list(await session.scalars(select(Ballot.id)))
    # Not in the export, the commands' output or any log line (SQL included).
    exported = out.read_text(encoding="utf-8")
    assert found_in(exported) == set()
    assert found_in(output.out + output.err) == set()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert any("INSERT INTO ballots" in record.getMessage() for record in caplog.records)
    assert found_in(logged) == set()

    # A link is a keyed hash: without the key no number leads to it.
    assert sorted(links) == sorted(voter_link(KEY.encode(), EDITION, v) for v in VOTERS)
    for number in VOTERS:
        for form in ways_of_writing(number):
            unkeyed = hashlib.sha256(f"{EDITION}\0{form}".encode()).hexdigest()
            other_key = hmac.new(b"x" * 40, f"{EDITION}\0{form}".encode(), "sha256").hexdigest()
            assert unkeyed not in links and other_key not in links
            assert hashlib.sha256(form.encode()).hexdigest() not in links
    # Ballot ids are random (uuid4), not a sequence to match with the message log.
    assert all(uuid.UUID(hex=ballot_id).version == 4 for ballot_id in ballot_ids)
    assert len(ballot_ids) == 4  # 2 chat (one changed, one voided) and 2 paper
    # The export numbers voters 1..n, and says nothing else about them.
    votes = exported.split("VOTES\n", 1)[1].splitlines()
    assert votes[0] == "voter_id;vote"
    assert sorted(line.split(";")[0] for line in votes[1:]) == ["1", "2", "3", "4"]
    # The void command says whether a ballot went, never what it said.
    assert output.out.splitlines()[1] == (
        "voided: that ballot no longer counts, and this number cannot vote again"
    )


def test_a_ballot_has_no_column_that_leads_to_its_voter() -> None:
    ballots = Ballot.__table__.columns
    assert {c.name for c in ballots} == {
        "id", "edition_id", "method", "projects", "split", "source", "cast_on",
        "entered_by", "entered_on",
    }  # fmt: skip
    # Days only: a time of casting could be matched with the conversation log.
    for table in (Ballot.__table__, VoterLink.__table__):
        assert not [c.name for c in table.columns if isinstance(c.type, DateTime)]
    # The link holds no choices: only the way to the one ballot.
    assert {c.name for c in VoterLink.__table__.columns} == {
        "edition_id", "link", "ballot_id", "voided", "voided_on",
    }  # fmt: skip
    assert not [c for c in ballots if c.foreign_keys]
