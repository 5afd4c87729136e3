"""`pbbot projects import|list`: staff import the ballot's projects and see their
numbers; a faulty file is refused with its lines and nothing is stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pbbot.cli import main
from tests.server.harness import EDITION as EDITION_FILE

GOOD = """title_nl,summary_nl,title_fr,cost,theme,ref
Bankjes aan de Dijle,Twintig banken langs het water,Bancs le long de la Dyle,12.500,green,P-1
Fietsenstalling station,,,"€ 45.000,-",mobility,P-2
"""


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PBBOT_EDITION", str(EDITION_FILE))


async def pbbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


@pytest.mark.usefixtures("settings")
async def test_staff_import_projects_and_list_them_by_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "projects.csv"
    path.write_text(GOOD, encoding="utf-8")

    assert await pbbot("projects", "import", str(path)) == 0
    assert capsys.readouterr().out == f"{path}: 2 projects added, 0 updated\n"
    assert await pbbot("projects", "import", str(path), "--edition", str(EDITION_FILE)) == 0
    assert capsys.readouterr().out == f"{path}: 0 projects added, 2 updated\n"
    assert await pbbot("projects", "list") == 0

    assert capsys.readouterr().out.splitlines() == [
        "  1      12500 EUR  green       Bankjes aan de Dijle",
        "  2      45000 EUR  mobility    Fietsenstalling station",
    ]


@pytest.mark.usefixtures("settings")
async def test_a_faulty_file_is_refused_with_every_faulty_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "projects.csv"
    path.write_text(GOOD + "Plein,,,veel,youth,P-3\nBoom,,,500,green,P-1\n", encoding="utf-8")

    assert await pbbot("projects", "import", str(path)) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"pbbot: {path} refused, nothing imported:",
        f"{path}:4: cost 'veel' is not a positive whole amount in euros",
        f"{path}:5: ref 'P-1' is also on line 2",
    ]
    assert await pbbot("projects", "list") == 0

    assert capsys.readouterr().out == "no projects\n"


@pytest.mark.usefixtures("settings")
async def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await pbbot("projects", "import", str(tmp_path / "nope.csv")) == 2

    assert capsys.readouterr().err == f"pbbot: {tmp_path}/nope.csv: no such file\n"
