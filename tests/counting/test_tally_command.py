"""`pbbot tally` through the real `pbbot` entry point.

Only the first test needs a city's real file; the others count a small file
they write themselves, so they run wherever the shared data is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbbot import cli
from pbbot.counting.pabulib import read_pabulib
from tests.counting.conftest import pabulib_text, shared_file

PROJECTS = """
p1;6000;Speeltuin Zuid;sport,public space
p2;3000;Bankjes;public space
p3;4000;Bibliotheekkast;culture
"""
VOTES = """
v1;p1,p2
v2;p1,p3
v3;p2,p3
v4;p1
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Four voters; Equal Shares, the file's rule, funds p1 and p2, as greedy does."""
    path = tmp_path / "small.pb"
    text = pabulib_text(PROJECTS, VOTES, budget=10000, rule="equalshares/add1")
    path.write_text(text, encoding="utf-8")
    return path


def test_json_gives_the_citys_winners_in_the_files_own_ids(capsys: pytest.CaptureFixture[str]):
    path = shared_file("Poland_Swiecie_2023.pb")
    city = sorted(p.id for p in read_pabulib(path).projects if p.selected)

    code = cli.main(["tally", str(path), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sorted(result["selected"]) == city
    assert result["rule"] == "equalshares/add1"


def test_rule_option_overrides_the_files_rule(small: Path, capsys: pytest.CaptureFixture[str]):
    cli.main(["tally", str(small), "--rule", "greedy", "--json"])

    result = json.loads(capsys.readouterr().out)
    assert (result["rule"], result["voter_budget"]) == ("greedy", None)


@pytest.mark.usefixtures("compiled_locales")
def test_explain_chart_csv_and_pabulib_outputs(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    chart, table, pb = tmp_path / "c.png", tmp_path / "t.csv", tmp_path / "out.pb"

    code = cli.main(
        [
            "tally",
            str(small),
            "--explain",
            "nl",
            "--chart",
            str(chart),
            "--csv",
            str(table),
            "--pb",
            str(pb),
        ]
    )

    assert code == 0
    assert capsys.readouterr().out.startswith("Uitslag: 2 projecten krijgen geld")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table.read_text(encoding="utf-8").splitlines() == [
        "project_id,name,cost,votes,categories,selected",
        'p1,Speeltuin Zuid,6000,3,"sport,public space",1',
        "p2,Bankjes,3000,2,public space,1",
        "p3,Bibliotheekkast,4000,2,culture,0",
    ]
    written = read_pabulib(pb)
    assert [p.id for p in written.projects if p.selected] == ["p1", "p2"]
    assert written.ballots == read_pabulib(small).ballots


def test_a_broken_file_gets_file_line_and_reason_and_exit_2(
    tmp_path, capsys: pytest.CaptureFixture[str]
):
    broken = tmp_path / "broken.pb"
    broken.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;ten\n",
        encoding="utf-8",
    )

    code = cli.main(["tally", str(broken)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == f"pbbot: {broken}:7: cost of project '1' is not a number: 'ten'\n"
    assert "Traceback" not in captured.err


def test_an_unknown_language_is_refused_before_counting(
    small: Path, capsys: pytest.CaptureFixture[str]
):
    assert cli.main(["tally", str(small), "--explain", "de"]) == 2
    assert "unknown language 'de'" in capsys.readouterr().err


def test_themes_give_each_themes_share_of_the_whole_budget(
    small: Path, capsys: pytest.CaptureFixture[str]
):
    code = cli.main(["tally", str(small), "--json", "--themes"])

    themes = {theme["theme"]: theme for theme in json.loads(capsys.readouterr().out)["themes"]}
    assert code == 0
    # Each voter's share splits over the themes they chose (the sums are in test_results):
    # public space gets half of the budget on average, culture and sport a quarter each.
    assert {name: theme["mean_amount"] for name, theme in themes.items()} == {
        "culture": "2500",
        "public space": "5000",
        "sport": "2500",
    }
    assert sum(theme["mean"] for theme in themes.values()) == pytest.approx(1)
