"""`pbbot tally` through the real `pbbot` entry point (only this subcommand registered)."""

from __future__ import annotations

import json

import pytest

from pbbot import cli
from pbbot.counting.pabulib import read_pabulib
from tests.counting.conftest import shared_file


@pytest.fixture(autouse=True)
def _only_tally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_COMMAND_MODULES", ("pbbot.commands.tally",))


def test_json_gives_the_citys_winners_in_the_files_own_ids(capsys: pytest.CaptureFixture[str]):
    path = shared_file("Poland_Swiecie_2023.pb")
    city = sorted(p.id for p in read_pabulib(path).projects if p.selected)

    code = cli.main(["tally", str(path), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sorted(result["selected"]) == city
    assert result["rule"] == "equalshares/add1"


def test_rule_option_overrides_the_files_rule(capsys: pytest.CaptureFixture[str]):
    path = shared_file("Netherlands_Assen_2024.pb")

    cli.main(["tally", str(path), "--rule", "greedy", "--json"])

    assert json.loads(capsys.readouterr().out)["rule"] == "greedy"


@pytest.mark.usefixtures("compiled_locales")
def test_explain_chart_csv_and_pabulib_outputs(tmp_path, capsys: pytest.CaptureFixture[str]):
    path = shared_file("Poland_Warszawa_2019_Las.pb")
    chart, table, pb = tmp_path / "c.png", tmp_path / "t.csv", tmp_path / "out.pb"

    code = cli.main(
        [
            "tally",
            str(path),
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
    assert capsys.readouterr().out.startswith("Uitslag: 13 projecten krijgen geld")
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert table.read_text(encoding="utf-8").splitlines()[0] == (
        "project_id,name,cost,votes,categories,selected"
    )
    assert read_pabulib(pb) == read_pabulib(path)


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


def test_an_unknown_language_is_refused_before_counting(capsys: pytest.CaptureFixture[str]):
    path = shared_file("Netherlands_Assen_2024.pb")

    assert cli.main(["tally", str(path), "--explain", "de"]) == 2
    assert "unknown language 'de'" in capsys.readouterr().err


def test_themes_give_each_themes_share_of_the_whole_budget(capsys: pytest.CaptureFixture[str]):
    path = shared_file("Poland_Warszawa_2021_Targowek.pb")
    budget = read_pabulib(path).budget

    code = cli.main(["tally", str(path), "--json", "--themes"])

    themes = json.loads(capsys.readouterr().out)["themes"]
    assert code == 0
    assert "public space" in {theme["theme"] for theme in themes}
    for kind in ("mean", "median"):
        amounts = sum(float(theme[f"{kind}_amount"]) for theme in themes)
        assert abs(amounts - float(budget)) <= len(themes)  # whole units, rounded per theme
    assert abs(sum(theme["mean"] for theme in themes) - 1) < 1e-9
