"""Paper ballots: staff's CSV checked whole against the edition's rules, every
faulty line named and nothing imported, the same file never counted twice;
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pbbot.voting.casting import BallotChoices, BallotCounts, count_ballots, counted_ballots
from pbbot.voting.paper import PaperAlreadyImported, PaperBallotsError, import_paper_ballots
from pbbot.voting.tables import Ballot, PaperImport
from tests.voting.ballot_fixtures import (
    NOW,
    TODAY,
    Sessions,
    add_projects,
    edition_file,
    pbbot,
    small_edition,
)

GOOD = """projects,entered_on
1 3,2027-04-20
"4,2",
٣ ٤ ٥,20/04/2027
"""
# Line by line: over the budget, under the minimum share, an unknown project,
# one twice, too many, not a number, nothing chosen, not a date, a future date,
# a field too many; line 12 is fine.
BAD = """projects,entered_on
1 2,
5,
9 3,
3 3 4,
3 4 5 1,
three,
,2027-04-20
1,2027-13-01
1,2027-05-01
1,,x
1 3,
"""
BAD_PROBLEMS = [
    "2: the projects cost 110000 EUR together, more than the budget of 100000 EUR",
    "3: the projects cost 10000 EUR, less than the 50000 EUR a ballot must spend at least",
    "4: project 9 is not on the ballot",
    "5: project 3 is listed twice",
    "6: 4 projects, at most 3",
    "7: projects: 'three' is not a project number",
    "8: no project chosen (leave blank ballots out of the file)",
    "9: entered_on '2027-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
    "10: entered_on 2027-05-01 is after today (2027-04-25)",
    "11: 3 fields, expected 2",
]


def write(folder: Path, text: str, name: str = "paper.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def run_import(sessions: Sessions, folder: Path, path: Path, kind: str = "basket") -> int:
    edition = small_edition(folder, kind)
    async with sessions.begin() as session:
        return await import_paper_ballots(
            session, edition, path, entered_by="Jan Peeters", now=NOW, today=TODAY
        )


async def stored(sessions: Sessions) -> tuple[int, int]:
    async with sessions() as session:
        ballots = await session.scalar(select(func.count()).select_from(Ballot))
        imports = await session.scalar(select(func.count()).select_from(PaperImport))
    return ballots or 0, imports or 0


@pytest.fixture
async def projects(sessionmaker: Sessions, tmp_path: Path) -> None:
    await add_projects(sessionmaker, small_edition(tmp_path))


@pytest.mark.usefixtures("projects")
async def test_a_good_file_imports_one_ballot_per_line(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    assert await run_import(sessionmaker, tmp_path, write(tmp_path, GOOD)) == 3

    async with sessionmaker() as session:
        ballots = await counted_ballots(session, "mechelen-2027")
        counts = await count_ballots(session, "mechelen-2027")
        entered = set((await session.execute(select(Ballot.entered_by, Ballot.entered_on))).all())
    assert sorted(ballots, key=lambda b: b.projects) == [
        BallotChoices("basket", projects=(1, 3)),
        BallotChoices("basket", projects=(2, 4)),
        BallotChoices("basket", projects=(3, 4, 5)),  # Arabic-Indic digits
    ]
    assert counts == BallotCounts(chat=0, paper=3, voided=0)
    assert entered == {("Jan Peeters", date(2027, 4, 20)), ("Jan Peeters", TODAY)}


@pytest.mark.usefixtures("projects")
async def test_a_faulty_file_is_refused_with_every_faulty_line_and_nothing_imported(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    path = write(tmp_path, BAD)

    with pytest.raises(PaperBallotsError) as refused:
        await run_import(sessionmaker, tmp_path, path)

    assert str(refused.value).splitlines() == [f"{path}:{p}" for p in BAD_PROBLEMS]
    assert await stored(sessionmaker) == (0, 0)


@pytest.mark.usefixtures("projects")
async def test_the_same_file_imported_twice_counts_once(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    await run_import(sessionmaker, tmp_path, path)
    again = write(tmp_path, GOOD, "paper-copy.csv")  # renamed: still the same ballots

    with pytest.raises(PaperAlreadyImported) as refused:
        await run_import(sessionmaker, tmp_path, again)

    assert "imported on 2027-04-25 09:00 UTC by Jan Peeters" in str(refused.value)
    assert await stored(sessionmaker) == (3, 1)
    # Saved again by a spreadsheet (byte-order mark, Windows line ends, a blank
    # line at the end): still the same ballots.
    resaved = tmp_path / "paper-resaved.csv"
    resaved.write_bytes(("\ufeff" + GOOD.replace("\n", "\r\n") + "\r\n").encode())
    with pytest.raises(PaperAlreadyImported):
        await run_import(sessionmaker, tmp_path, resaved)
    assert await stored(sessionmaker) == (3, 1)
    # A file that was refused is not remembered: once fixed, it imports.
    with pytest.raises(PaperBallotsError):
        await run_import(sessionmaker, tmp_path, write(tmp_path, BAD, "bad.csv"))
    assert await run_import(sessionmaker, tmp_path, write(tmp_path, "projects\n1 3\n")) == 1


@pytest.mark.usefixtures("projects")
async def test_approval_ballots_keep_to_the_most_choices(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    path = write(tmp_path, "projects\n1 2\n1 2 3\n5\n")

    with pytest.raises(PaperBallotsError) as refused:
        await run_import(sessionmaker, tmp_path, path, "approval")

    assert str(refused.value) == f"{path}:3: 3 projects, at most 2"
    assert await run_import(sessionmaker, tmp_path, write(tmp_path, "projects\n1 2\n5\n"),
                            "approval") == 2  # fmt: skip


async def test_a_vessels_file_gives_whole_euros_per_theme_that_add_up(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    good = write(tmp_path, 'green;mobility;youth;culture\n"50.000";50000;;0\n100000;;;\n')
    assert await run_import(sessionmaker, tmp_path, good, "vessels") == 2
    async with sessionmaker() as session:
        ballots = await counted_ballots(session, "mechelen-2027")
    assert sorted(ballots, key=lambda b: b.split) == [
        BallotChoices("vessels", split=(("green", 50000), ("mobility", 50000))),
        BallotChoices("vessels", split=(("green", 100000),)),
    ]

    bad = write(
        tmp_path,
        "green,mobility,youth,culture,entered_on\n"
        "40000,10000,,,\n60000,60000,,,\n120000,,,,\n30%,70%,,,\n",
        "bad.csv",
    )
    with pytest.raises(PaperBallotsError) as refused:
        await run_import(sessionmaker, tmp_path, bad, "vessels")
    assert str(refused.value).splitlines() == [
        f"{bad}:2: the amounts add up to 50000 EUR, 50000 EUR short of the 100000 EUR to divide",
        f"{bad}:3: the amounts add up to 120000 EUR, 20000 EUR more than the 100000 EUR to divide",
        f"{bad}:4: green: 120000 EUR is more than the whole 100000 EUR",
        f"{bad}:5: green: '30%' is not an amount in whole EUR",
        f"{bad}:5: mobility: '70%' is not an amount in whole EUR",
    ]


@pytest.mark.parametrize(
    ("kind", "header", "problems"),
    [
        pytest.param(
            "basket",
            "project,entered_on",
            [
                "unknown column 'project'; expected: projects, entered_on",
                "missing column 'projects'",
            ],
            id="basket",
        ),
        pytest.param(
            "vessels",
            "green,mobility,youth,green",
            ["column 'green' is twice", "missing column 'culture'"],
            id="vessels",
        ),
    ],
)
@pytest.mark.usefixtures("projects")
async def test_a_wrong_header_is_refused(
    sessionmaker: Sessions, tmp_path: Path, kind: str, header: str, problems: list[str]
) -> None:
    path = write(tmp_path, f"{header}\n1\n")

    with pytest.raises(PaperBallotsError) as refused:
        await run_import(sessionmaker, tmp_path, path, kind)

    assert str(refused.value).splitlines() == [f"{path}:1: {p}" for p in problems]


async def test_without_projects_a_list_ballot_file_is_refused(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)

    with pytest.raises(PaperBallotsError) as refused:
        await run_import(sessionmaker, tmp_path, path)

    assert str(refused.value) == (
        f"{path}:1: the edition has no projects yet (pbbot projects import)"
    )


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_EDITION", str(edition_file(tmp_path)))
    monkeypatch.setenv("PBBOT_TODAY", TODAY.isoformat())


@pytest.mark.usefixtures("settings", "projects")
async def test_staff_import_paper_ballots_with_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = write(tmp_path, GOOD), write(tmp_path, BAD, "bad.csv")

    assert await pbbot("ballots", "import", str(bad), "--entered-by", "Jan") == 1
    assert capsys.readouterr().err.splitlines() == [
        f"pbbot: {bad} refused, nothing imported:",
        *(f"{bad}:{p}" for p in BAD_PROBLEMS),
    ]
    assert await pbbot("ballots", "import", str(good), "--entered-by", "Jan") == 0
    assert capsys.readouterr().out == f"{good}: 3 paper ballots imported\n"
    assert await pbbot("ballots", "import", str(good), "--entered-by", "Piet") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"pbbot: {good} refused, nothing imported:"
    assert err[1].startswith(f"{good}: this file was imported on ")
    assert err[1].endswith(" UTC by Jan; its ballots count already")
    assert await pbbot("ballots", "count") == 0
    assert capsys.readouterr().out.splitlines() == [
        "chat ballots: 0",
        "paper ballots: 3",
        "voided voters: 0",
        "counted: 3",
    ]
