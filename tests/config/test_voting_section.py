"""The edition file's `voting:` rules: each way of voting reads its own, and a rule
given for another way, a misspelt one or an impossible one stops the load with
file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.errors import EditionError

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
SAMPLE_VOTING = "voting:\n  method: basket\n  rule: greedy\n  min_age: 12\n"


def _edition_with(tmp_path: Path, voting: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert SAMPLE_VOTING in text
    path = tmp_path / "edition.yaml"
    path.write_text(text.replace(SAMPLE_VOTING, voting), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


def test_a_basket_reads_its_share_and_its_least_and_most_projects(tmp_path: Path) -> None:
    voting = SAMPLE_VOTING + "  min_share_percent: 70\n  min_projects: 1\n  max_projects: 8\n"
    loaded = load_edition(_edition_with(tmp_path, voting)).voting
    assert (loaded.min_share, loaded.min_projects, loaded.max_projects) == (Decimal("0.7"), 1, 8)
    assert load_edition(SAMPLE).voting.min_share is None  # none unless the city sets one


def test_approval_needs_its_most_choices(tmp_path: Path) -> None:
    path = _edition_with(tmp_path, "voting:\n  method: approval\n")
    with pytest.raises(EditionError, match="max_choices"):
        load_edition(path)
    voting = "voting:\n  method: approval\n  max_choices: 5\n"
    assert load_edition(_edition_with(tmp_path, voting)).voting.max_choices == 5


def test_vessels_read_their_step(tmp_path: Path) -> None:
    voting = "voting:\n  method: vessels\n  step: 5000\n"
    assert load_edition(_edition_with(tmp_path, voting)).voting.step == Decimal(5000)


@pytest.mark.parametrize(
    ("voting", "wrong", "message"),
    [
        (SAMPLE_VOTING + "  step: 5000\n", "step:", "field 'voting.step': only for method vessels"),
        (
            "voting:\n  method: vessels\n  max_projects: 3\n",
            "max_projects",
            "field 'voting.max_projects': only for method basket",
        ),
        (SAMPLE_VOTING + "  max_project: 3\n", "max_project:", "'voting.max_project': unknown"),
        (
            SAMPLE_VOTING + "  min_share_percent: 120\n",
            "min_share_percent",
            "field 'voting.min_share_percent': at most 100",
        ),
        (
            SAMPLE_VOTING + "  min_projects: 5\n  max_projects: 3\n",
            "min_projects",
            "field 'voting.min_projects' is larger than 'max_projects'",
        ),
    ],
)
def test_a_wrong_rule_names_file_and_line(
    tmp_path: Path, voting: str, wrong: str, message: str
) -> None:
    path = _edition_with(tmp_path, voting)
    with pytest.raises(EditionError) as raised:
        load_edition(path)
    assert message in str(raised.value)
    assert f"{path}:{_line_of(path, wrong)}" in str(raised.value)
