"""The edition file's `ideas:` section: optional, with defaults; a wrong value or
a misspelt field stops the load with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.domain.edition import Ideas
from pbbot.errors import EditionError

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"


def _edition_with(tmp_path: Path, section: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8").split("\nideas:")[0] + "\n" + section
    path = tmp_path / "edition.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_states_the_defaults_and_a_file_without_the_section_gets_them(
    tmp_path: Path,
) -> None:
    assert load_edition(SAMPLE).ideas == Ideas(daily_limit=5, reports_to_hide=3)
    assert load_edition(_edition_with(tmp_path, "")).ideas == Ideas()


def test_the_section_sets_the_limits(tmp_path: Path) -> None:
    path = _edition_with(tmp_path, "ideas:\n  daily_limit: 2\n  reports_to_hide: 5\n")

    assert load_edition(path).ideas == Ideas(daily_limit=2, reports_to_hide=5)


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ("ideas:\n  daily_limit: 0\n", 2, "field 'ideas.daily_limit': expected a whole number"),
        (
            "ideas:\n  daily_limit: 3\n  reports_to_hyde: 2\n",
            3,
            "unknown field 'ideas.reports_to_hyde'; expected one of daily_limit, ",
        ),
        ("ideas: 5\n", None, "ideas must be a mapping of fields"),
    ],
)
def test_a_wrong_section_names_file_and_line(
    tmp_path: Path, section: str, line: int | None, message: str
) -> None:
    path = _edition_with(tmp_path, section)
    start = path.read_text(encoding="utf-8").count("\n") - section.count("\n")

    with pytest.raises(EditionError) as raised:
        load_edition(path)

    assert message in str(raised.value)
    assert str(path) in str(raised.value)
    if line is not None:
        assert raised.value.line == start + line
