"""Times in the edition file's phases: a wrong one names the file, the line and
what is wrong, and the file does not load."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.errors import EditionError
from tests.timeline.editions import edition_text, write_edition

FIRST_PHASE_LINE = 22  # the sample's `phases:` is on line 21

# (phases, line, message)
BROKEN = [
    (
        """
  - {kind: ideation, start: "2027-03-28 02:30", end: 2027-04-30}
""",
        FIRST_PHASE_LINE,
        "field 'phases[0].start': 2027-03-28 02:30 does not exist in Europe/Brussels "
        "(the clocks go forward then)",
    ),
    (
        """
  - {kind: ideation, start: "2027-03-01 9h", end: 2027-04-30}
""",
        FIRST_PHASE_LINE,
        "field 'phases[0].start': expected a date and time as \"YYYY-MM-DD HH:MM\", "
        "got '2027-03-01 9h'",
    ),
    (
        """
  - {kind: ideation, start: "2027-03-01 25:00", end: 2027-04-30}
""",
        FIRST_PHASE_LINE,
        "field 'phases[0].start': expected a date and time as \"YYYY-MM-DD HH:MM\", "
        "got '2027-03-01 25:00'",
    ),
    (
        """
  - {kind: ideation, start: "2027-03-01 12:00", end: "2027-03-01 09:00"}
""",
        FIRST_PHASE_LINE,
        "phases[0]: the phase ends (2027-03-01) before it starts",
    ),
    (
        """
  - {kind: ideation, start: 2027-03-01, end: "2027-03-14 18:00"}
  - {kind: review, start: "2027-03-14 12:00", end: 2027-04-11}
""",
        FIRST_PHASE_LINE + 1,
        "phases[1]: phase 'review' starts on 2027-03-14 12:00, "
        "before 'ideation' ends on 2027-03-14 18:00",
    ),
]


@pytest.mark.parametrize(("phases", "line", "message"), BROKEN, ids=[b[2][:40] for b in BROKEN])
def test_wrong_times_are_refused_with_file_and_line(
    tmp_path: Path, phases: str, line: int, message: str
) -> None:
    path = write_edition(tmp_path, edition_text(phases))
    with pytest.raises(EditionError) as raised:
        load_edition(path)
    assert (raised.value.line, raised.value.message) == (line, message)
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_a_phase_may_start_when_the_one_before_ends(tmp_path: Path) -> None:
    phases = """
  - {kind: ideation, start: 2027-03-01, end: "2027-03-14 18:00"}
  - {kind: review, start: "2027-03-14 18:00", end: 2027-04-11}
"""
    edition = load_edition(write_edition(tmp_path, edition_text(phases)))
    assert [phase.kind for phase in edition.phases] == ["ideation", "review"]
