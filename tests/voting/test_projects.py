"""Candidate projects: staff's CSV checked whole, re-imports by ref, one stable
numbering shared with the accepted ideas; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.ideas.tables import CandidateProject, Idea
from pbbot.voting.projects import add_accepted_ideas, import_projects, list_projects
from pbbot.voting.projects_file import ProjectsFileError
from pbbot.voting.tables import Project, ProjectCounter
from tests.server.harness import EDITION as EDITION_FILE

EDITION = load_edition(EDITION_FILE)  # nl (default), fr, en, tr, ar; green, mobility, ...
NOW = datetime(2027, 3, 20, 10, 0, tzinfo=UTC)
HEADER = "ref,title_nl,summary_nl,title_fr,title_ar,cost,theme"
GOOD = f"""{HEADER}
P-1,Bankjes aan de Dijle,Twintig banken langs het water,Bancs le long de la Dyle,مقاعد,12.500,green
P-2,Fietsenstalling station,,,,"€ 45.000,-",mobility
P-3,Speelplein Nekkerspoel,"Een plein, met schaduw",,,60000,youth
"""

Sessions = async_sessionmaker[AsyncSession]


def write(tmp_path: Path, text: str, name: str = "projects.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def run_import(sessionmaker: Sessions, path: Path) -> tuple[int, int, int]:
    async with sessionmaker.begin() as session:
        imported = await import_projects(session, EDITION, path, NOW)
    return imported.added, imported.updated, imported.ideas


async def numbered(sessionmaker: Sessions) -> dict[int, tuple[str, int, str | None]]:
    async with sessionmaker() as session:
        projects = await list_projects(session, EDITION.id)
    return {p.number: (p.title["nl"], p.cost, p.theme) for p in projects}


async def stored(sessionmaker: Sessions) -> tuple[int, int]:
    async with sessionmaker() as session:
        projects = await session.scalar(select(func.count()).select_from(Project))
        counters = await session.scalar(select(func.count()).select_from(ProjectCounter))
    return projects or 0, counters or 0


async def test_a_good_file_imports_every_project_with_a_number(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    assert await run_import(sessionmaker, write(tmp_path, GOOD)) == (3, 0, 0)

    assert await numbered(sessionmaker) == {
        1: ("Bankjes aan de Dijle", 12500, "green"),
        2: ("Fietsenstalling station", 45000, "mobility"),
        3: ("Speelplein Nekkerspoel", 60000, "youth"),
    }
    async with sessionmaker() as session:
        first = (await list_projects(session, EDITION.id))[0]
    assert first.title == {"nl": "Bankjes aan de Dijle", "fr": "Bancs le long de la Dyle",
                           "ar": "مقاعد"}  # fmt: skip
    assert first.summary == {"nl": "Twintig banken langs het water"}
    assert first.source == "csv"


async def test_a_spreadsheets_byte_order_mark_and_a_multi_line_field_are_fine(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    text = '\ufefftitle_nl,cost,theme\n"Bankjes\naan de Dijle",12.500,green\nPlein,x,green\n'
    with pytest.raises(ProjectsFileError) as refused:
        await run_import(sessionmaker, write(tmp_path, text))
    # The quoted title spans lines 2 and 3: the next record starts on line 4.
    assert str(refused.value) == (
        f"{tmp_path}/projects.csv:4: cost 'x' is not a positive whole amount in euros"
    )


async def test_a_spreadsheet_saved_with_semicolons_imports_too(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    # Where the comma is the decimal sign (nl, fr), spreadsheets save CSV with ";".
    text = 'title_nl;cost;theme\nBankjes aan de Dijle;"12.500,-";green\nPlein;8000;youth\n'
    assert await run_import(sessionmaker, write(tmp_path, text)) == (2, 0, 0)
    assert await numbered(sessionmaker) == {
        1: ("Bankjes aan de Dijle", 12500, "green"),
        2: ("Plein", 8000, "youth"),
    }


LONG = "x" * 81
MALFORMED = [
    pytest.param("title_nl,theme\nBank,green\n", 1, "missing column 'cost'", id="no-cost"),
    pytest.param(
        "title_fr,cost,theme\nBanc,100,green\n", 1, "missing column 'title_nl'", id="no-title_nl"
    ),
    pytest.param(
        "title_nl,price,cost,theme\nBank,1,100,green\n",
        1,
        "unknown column 'price'; expected some of: title_nl, summary_nl, title_fr, summary_fr, "
        "title_en, summary_en, title_tr, summary_tr, title_ar, summary_ar, cost, theme, ref",
        id="unknown-column",
    ),
    pytest.param(
        "title_nl,title_fr,cost,theme\nBank,Banc,100,green\n ,Banc,100,green\n",
        3,
        "title_nl is empty",
        id="empty-title",
    ),
    pytest.param(
        "title_nl,cost,theme\nBank,0,green\n",
        2,
        "cost '0' is not a positive whole amount in euros",
        id="zero-cost",
    ),
    pytest.param(
        'title_nl,cost,theme\nBank,"12,50",green\n',
        2,
        "cost '12,50' is not a positive whole amount in euros",
        id="cents",
    ),
    pytest.param(
        "title_nl,cost,theme\nBank,-500,green\n",
        2,
        "cost '-500' is not a positive whole amount in euros",
        id="negative-cost",
    ),
    pytest.param(
        "title_nl,cost,theme\nBank,500 dollar,green\n",
        2,
        "cost '500 dollar' is not a positive whole amount in euros",
        id="not-euros",
    ),
    pytest.param(
        "title_nl,cost,theme\nBank,500,sports\n",
        2,
        "unknown theme 'sports'; the edition's are: green, mobility, youth, culture",
        id="unknown-theme",
    ),
    pytest.param(
        f"title_nl,cost,theme\n{LONG},500,green\n",
        2,
        "title_nl has 81 characters, at most 80",
        id="long-title",
    ),
    pytest.param(
        f"title_nl,summary_nl,cost,theme\nBank,{'y' * 161},500,green\n",
        2,
        "summary_nl has 161 characters, at most 160",
        id="long-summary",
    ),
    pytest.param(
        "ref,title_nl,cost,theme\nA,Bank,500,green\nB,Plein,500,youth\nA,Boom,500,green\n",
        4,
        "ref 'A' is also on line 2",
        id="duplicate-ref",
    ),
    pytest.param("title_nl,cost,theme\nBank,500\n", 2, "2 fields, expected 3", id="missing-field"),
    pytest.param("", 1, "empty file: expected a header line", id="empty"),
    pytest.param("title_nl,cost,theme\n", 2, "no projects after the header", id="header-only"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
async def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_stored(
    sessionmaker: Sessions, tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text)
    await _accepted_idea(sessionmaker, 27, "Boomgaard", 30000)

    with pytest.raises(ProjectsFileError) as refused:
        await run_import(sessionmaker, path)

    assert str(refused.value).splitlines()[0] == f"{path}:{line}: {message}"
    assert await stored(sessionmaker) == (0, 0)  # not even the accepted idea, nor a number


async def test_every_faulty_line_is_reported_and_a_good_row_among_them_is_not_stored(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    path = write(tmp_path, "title_nl,cost,theme\n,5,green\nBank,500,green\nPlein,5,space\n")

    with pytest.raises(ProjectsFileError) as refused:
        await run_import(sessionmaker, path)

    assert str(refused.value).splitlines() == [
        f"{path}:2: title_nl is empty",
        f"{path}:4: unknown theme 'space'; the edition's are: green, mobility, youth, culture",
    ]
    assert await stored(sessionmaker) == (0, 0)


async def test_a_file_that_is_not_utf8_is_refused_at_its_line(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("title_nl,cost,theme\nCafé,500,culture\n".encode("latin-1"))

    with pytest.raises(ProjectsFileError) as refused:
        await run_import(sessionmaker, path)

    assert str(refused.value) == f"{path}:2: not UTF-8 text"


async def test_a_re_import_updates_by_ref_and_numbers_stay_stable(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    await run_import(sessionmaker, write(tmp_path, GOOD))
    again = f"""{HEADER}
P-4,Boomgaard,,,,8000,green
P-3,Speelplein Nekkerspoel,,,,55.000,youth
P-1,Bankjes langs de Dijle,,,,"13.000",green
"""

    assert await run_import(sessionmaker, write(tmp_path, again, "again.csv")) == (1, 2, 0)

    assert await numbered(sessionmaker) == {
        1: ("Bankjes langs de Dijle", 13000, "green"),
        2: ("Fietsenstalling station", 45000, "mobility"),  # not in the file: kept as it was
        3: ("Speelplein Nekkerspoel", 55000, "youth"),
        4: ("Boomgaard", 8000, "green"),
    }
    async with sessionmaker() as session:
        first = (await list_projects(session, EDITION.id))[0]
    assert first.title == {"nl": "Bankjes langs de Dijle"}  # the row replaces the texts
    assert first.summary == {}


async def test_rows_without_ref_are_added_each_time(sessionmaker: Sessions, tmp_path: Path) -> None:
    path = write(tmp_path, "title_nl,cost,theme\nBank,500,green\n")

    await run_import(sessionmaker, path)
    await run_import(sessionmaker, path)

    assert await numbered(sessionmaker) == {1: ("Bank", 500, "green"), 2: ("Bank", 500, "green")}


async def _accepted_idea(sessionmaker: Sessions, number: int, title: str, cost: int) -> None:
    async with sessionmaker.begin() as session:
        idea = Idea(
            edition_id=EDITION.id, number=number, title=title, description=None,
            theme_id="green", status="accepted", hidden=False, staff_cost=cost, created_at=NOW,
        )  # fmt: skip
        session.add(idea)
        await session.flush()
        session.add(
            CandidateProject(
                edition_id=EDITION.id, idea_id=idea.id, title=title, theme_id="green",
                cost=cost, created_at=NOW,
            )
        )  # fmt: skip


async def test_accepted_ideas_join_the_numbering_once(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    await _accepted_idea(sessionmaker, 27, "Boomgaard", 30000)

    assert await run_import(sessionmaker, write(tmp_path, GOOD)) == (3, 0, 1)
    await _accepted_idea(sessionmaker, 31, "Waterpunt", 4000)
    async with sessionmaker.begin() as session:
        assert await add_accepted_ideas(session, EDITION, NOW) == 1
    async with sessionmaker.begin() as session:
        assert await add_accepted_ideas(session, EDITION, NOW) == 0
    assert await run_import(sessionmaker, write(tmp_path, GOOD)) == (0, 3, 0)

    assert await numbered(sessionmaker) == {
        1: ("Boomgaard", 30000, "green"),
        2: ("Bankjes aan de Dijle", 12500, "green"),
        3: ("Fietsenstalling station", 45000, "mobility"),
        4: ("Speelplein Nekkerspoel", 60000, "youth"),
        5: ("Waterpunt", 4000, "green"),
    }
    async with sessionmaker() as session:
        sources = list(await session.scalars(select(Project.source).order_by(Project.number)))
    assert sources == ["idea", "csv", "csv", "csv", "idea"]


async def test_staff_changing_an_accepted_ideas_cost_keeps_its_number(
    sessionmaker: Sessions,
) -> None:
    await _accepted_idea(sessionmaker, 27, "Boomgaard", 30000)
    async with sessionmaker.begin() as session:
        await add_accepted_ideas(session, EDITION, NOW)
        candidate = await session.scalar(select(CandidateProject))
        assert candidate is not None
        candidate.cost = 35000
    async with sessionmaker.begin() as session:
        assert await add_accepted_ideas(session, EDITION, NOW) == 0

    assert await numbered(sessionmaker) == {1: ("Boomgaard", 35000, "green")}


async def test_a_number_is_never_reused(sessionmaker: Sessions, tmp_path: Path) -> None:
    await run_import(sessionmaker, write(tmp_path, GOOD))
    async with sessionmaker.begin() as session:
        project = await session.scalar(select(Project).where(Project.number == 3))
        await session.delete(project)

    await run_import(sessionmaker, write(tmp_path, "title_nl,cost,theme\nBank,500,green\n"))

    assert sorted(await numbered(sessionmaker)) == [1, 2, 4]
