"""`pbbot ballots export --pb`: the counted ballots, chat and paper, as a
Pabulib file that `pbbot tally` counts with the edition's rule; checked by
hand on small elections, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pbbot.counting.pabulib import read_pabulib, read_pabulib_text, write_pabulib
from pbbot.voting.casting import BallotChoices, cast_ballot
from pbbot.voting.pb_export import ballots_election
from pbbot.voting.projects import ListedProject
from tests.voting.ballot_fixtures import (
    KEY,
    PROJECTS,
    TODAY,
    Sessions,
    add_projects,
    edition_file,
    pbbot,
    small_edition,
)

LISTED = [
    ListedProject(number, cost, theme, {"nl": title}, {}, "csv")
    for number, (title, cost, theme) in PROJECTS.items()
]


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY)
    monkeypatch.setenv("PBBOT_TODAY", TODAY.isoformat())


def use_edition(monkeypatch: pytest.MonkeyPatch, folder: Path, kind: str) -> None:
    monkeypatch.setenv("PBBOT_EDITION", str(edition_file(folder, kind)))


async def cast(sessions: Sessions, votes: dict[str, BallotChoices]) -> None:
    async with sessions.begin() as session:
        for voter, choices in votes.items():
            await cast_ballot(
                session, edition_id="mechelen-2027", voter=voter, choices=choices, day=TODAY
            )


def basket(*numbers: int) -> BallotChoices:
    return BallotChoices("basket", projects=numbers)


async def tally(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert await pbbot("tally", str(path), "--json") == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


@pytest.mark.usefixtures("settings")
async def test_chat_and_paper_ballots_are_counted_by_tally_without_the_voided_ones(
    sessionmaker: Sessions,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_edition(monkeypatch, tmp_path, "basket")
    await add_projects(sessionmaker, small_edition(tmp_path))
    await cast(
        sessionmaker,
        {
            "+32470000001": basket(1, 3),
            "+32470000002": basket(1),
            "+32470000003": basket(3, 2),
            "+32470000004": basket(2, 4),
            # Counted, these two would fund 2 and 4 first: 2, 4 and 3 would win.
            "+32470000005": basket(2, 4),
            "+32470123456": basket(2, 4),
        },
    )
    paper = tmp_path / "paper.csv"
    paper.write_text("projects\n1 4\n", encoding="utf-8")
    assert await pbbot("ballots", "import", str(paper), "--entered-by", "Jan") == 0
    assert await pbbot("ballots", "void", "+32 470 00 00 05") == 0
    assert await pbbot("ballots", "void", "0470 12 34 56") == 0  # as a Belgian number
    capsys.readouterr()
    out = tmp_path / "ballots.pb"

    assert await pbbot("ballots", "export", "--pb", str(out)) == 0

    assert capsys.readouterr().out == (
        f"{out}: 5 ballots (4 chat, 1 paper) over 5 projects; count them with: pbbot tally {out}\n"
    )
    # By hand: 1 has 3 votes (60 000), 2, 3 and 4 two each. Greedy funds 1, skips
    # 2 (50 000 > 40 000 left), funds 3 (30 000), skips 4 (20 000 > 10 000).
    result = await tally(out, capsys)
    assert (result["rule"], result["selected"], result["spent"], result["voters"]) == (
        "greedy",
        ["1", "3"],
        "90000",
        5,
    )
    election = read_pabulib(out)
    assert {k: election.meta[k] for k in ("vote_type", "rule", "budget", "currency")} == {
        "vote_type": "approval",
        "rule": "greedy",
        "budget": "100000",
        "currency": "EUR",
    }
    assert (election.meta["max_sum_cost"], election.meta["min_sum_cost"]) == ("100000", "50000")
    assert election.meta["max_length"] == "3"
    assert [(p.id, p.cost, p.name, p.categories) for p in election.projects][:2] == [
        ("1", Decimal(60000), "Bankjes aan de Dijle", ("green",)),
        ("2", Decimal(50000), "Fietsenstalling station", ("mobility",)),
    ]
    assert sorted(b.voter_id for b in election.ballots) == ["1", "2", "3", "4", "5"]
    assert sorted(b.projects for b in election.ballots) == [
        ("1",), ("1", "3"), ("1", "4"), ("2", "3"), ("2", "4"),
    ]  # fmt: skip


@pytest.mark.usefixtures("settings")
async def test_communicating_vessels_give_each_theme_the_mean_of_the_splits(
    sessionmaker: Sessions,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_edition(monkeypatch, tmp_path, "vessels")
    await cast(
        sessionmaker,
        {
            "+32470000001": BallotChoices("vessels", split=(("green", 50000), ("mobility", 50000))),
            "+32470000002": BallotChoices("vessels", split=(("green", 100000),)),
            "+32470000003": BallotChoices("vessels", split=(("youth", 40000), ("culture", 60000))),
        },
    )
    out = tmp_path / "vessels.pb"

    assert await pbbot("ballots", "export", "--pb", str(out)) == 0

    assert "3 ballots (3 chat, 0 paper) over 4 themes" in capsys.readouterr().out
    election = read_pabulib(out)
    # By hand: green 150 000 / 3, mobility 50 000 / 3 = 16 666,67 (the cent left
    # over goes to the largest remainder), youth 13 333,33, culture 20 000.
    assert {p.id: p.cost for p in election.projects} == {
        "green": Decimal("50000"),
        "mobility": Decimal("16666.67"),
        "youth": Decimal("13333.33"),
        "culture": Decimal("20000"),
    }
    assert [p.name for p in election.projects] == ["Groen", "Mobiliteit", "Jeugd", "Cultuur"]
    assert election.meta["vote_type"] == "cumulative"
    assert sorted(b.points for b in election.ballots if b.points) == [
        (Decimal(40000), Decimal(60000)),
        (Decimal(50000), Decimal(50000)),
        (Decimal(100000),),
    ]
    result = await tally(out, capsys)
    # Every theme someone gave money to, most points first; together the budget.
    assert (result["selected"], result["spent"]) == (
        ["green", "culture", "mobility", "youth"],
        "100000.00",
    )


@pytest.mark.usefixtures("settings")
async def test_tally_counts_with_the_editions_equal_shares_rule(
    sessionmaker: Sessions,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_edition(monkeypatch, tmp_path, "equal-shares")
    await add_projects(sessionmaker, small_edition(tmp_path, "equal-shares"))
    approve = {f"+3247000000{n}": BallotChoices("approval", projects=(1,)) for n in range(3)}
    approve |= {f"+3247000001{n}": BallotChoices("approval", projects=(2, 4)) for n in range(2)}
    await cast(sessionmaker, approve)
    out = tmp_path / "mes.pb"

    assert await pbbot("ballots", "export", "--pb", str(out)) == 0
    capsys.readouterr()

    assert read_pabulib(out).meta["rule"] == "equalshares/add1"
    result = await tally(out, capsys)
    # Each voter's share is 20 000: three pay 1 (60 000), two pay 4 (20 000);
    # 2 (50 000) would need 25 000 from each of its two.
    assert (result["rule"], sorted(result["selected"]), result["voters"]) == (  # type: ignore[call-overload]
        "equalshares/add1",
        ["1", "4"],
        5,
    )


def test_voters_are_numbered_one_to_n_in_a_random_order(tmp_path: Path) -> None:
    edition = small_edition(tmp_path)
    ballots = [basket(n) for n in range(1, 6)] + [basket(1, 3)]

    orders = set()
    for _ in range(30):
        election = ballots_election(edition, LISTED, ballots)
        assert [b.voter_id for b in election.ballots] == ["1", "2", "3", "4", "5", "6"]
        orders.add(tuple(b.projects for b in election.ballots))

    assert len(orders) > 1  # the same order 30 times: (1/720)^29


def test_a_project_withdrawn_after_the_vote_no_longer_counts_on_its_ballots(
    tmp_path: Path,
) -> None:
    edition = small_edition(tmp_path)
    election = ballots_election(edition, LISTED[:3], [basket(1, 4), basket(5)])
    written = tmp_path / "out.pb"
    write_pabulib(election, written)

    again = read_pabulib_text(written.read_text(encoding="utf-8"))
    assert sorted(b.projects for b in again.ballots) == [(), ("1",)]
    assert again.meta["num_projects"] == "3"


@pytest.mark.usefixtures("settings")
async def test_with_no_ballot_yet_there_is_nothing_to_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_edition(monkeypatch, tmp_path, "vessels")
    out = tmp_path / "none.pb"

    assert await pbbot("ballots", "export", "--pb", str(out)) == 1

    assert capsys.readouterr().err == "pbbot: no ballots count yet: nothing exported\n"
    assert not out.exists()
