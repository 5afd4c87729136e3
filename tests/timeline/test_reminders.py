"""The edition file's `reminders:`: automatic broadcasts when a phase opens or N
days before it closes; a wrong one names the file and the line."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.domain.edition import Reminder
from pbbot.errors import EditionError
from tests.timeline.editions import SAMPLE, edition_text, write_edition

SAMPLE_LINE = 70  # the sample's first reminder
WRITTEN_LINE = 68  # a test's first reminder, in place of the sample's


def test_the_sample_reminders() -> None:
    edition = load_edition(SAMPLE)
    assert edition.reminders == (
        Reminder("voting-opens", "voting", "voting", None, (), SAMPLE_LINE, time(10)),
        Reminder(
            "vote-soon",
            "voting",
            "voting_reminder",
            3,
            ("state=not_voted",),
            SAMPLE_LINE + 1,
            time(10),
        ),
        Reminder(
            "basket-draft",
            "voting",
            "basket_reminder",
            2,
            ("state=basket_draft",),
            SAMPLE_LINE + 2,
            time(18),
        ),
    )
    zone = edition.zone
    # Voting runs 12 April - 9 May: a time of day counts the days back from 9 May.
    assert [reminder.due_at(edition) for reminder in edition.reminders] == [
        datetime(2027, 4, 12, 10, tzinfo=zone),
        datetime(2027, 5, 6, 10, tzinfo=zone),
        datetime(2027, 5, 7, 18, tzinfo=zone),
    ]


def test_days_before_the_end_count_from_its_last_day_however_the_end_is_written(
    tmp_path: Path,
) -> None:
    reminders = """
  - {id: soon, phase: voting, message: voting_reminder, days_before_end: 1, at: "10:00"}
"""
    days = []
    for end in ("2027-04-04", '"2027-04-04 18:00"'):
        phases = f"""
  - {{kind: voting, start: 2027-03-20, end: {end}}}
"""
        path = write_edition(tmp_path, edition_text(phases, reminders=reminders))
        edition = load_edition(path)
        days.append(edition.reminders[0].due_at(edition))
    zone = ZoneInfo("Europe/Brussels")
    assert days == [datetime(2027, 4, 3, 10, tzinfo=zone)] * 2  # the day before the last


def test_without_a_time_a_reminder_goes_as_the_phase_opens_or_n_days_before_it_closes(
    tmp_path: Path,
) -> None:
    phases = """
  - {kind: voting, start: "2027-03-20 09:00", end: "2027-04-04 18:00"}
"""
    reminders = """
  - {id: opens, phase: voting, message: voting}
  - id: soon
    phase: voting
    message: voting_reminder
    days_before_end: 10
    audience: state=not_voted
"""
    edition = load_edition(write_edition(tmp_path, edition_text(phases, reminders=reminders)))
    opens, soon = edition.reminders
    assert opens.due_at(edition) == datetime(2027, 3, 20, 8, tzinfo=UTC)  # 09:00 CET
    # Ten days before 4 April 18:00 CEST is 25 March 18:00, in CET: the same
    # time of day across the change of 28 March, not 240 hours.
    assert soon.due_at(edition) == datetime(2027, 3, 25, 17, tzinfo=UTC)
    assert soon.audience == ("state=not_voted",)


def test_a_reminder_at_a_time_of_day_never_goes_before_its_phase_opens(tmp_path: Path) -> None:
    phases = """
  - {kind: voting, start: "2027-04-12 12:00", end: 2027-05-09}
"""
    reminders = """
  - {id: opens, phase: voting, message: voting, at: "10:00"}
"""
    edition = load_edition(write_edition(tmp_path, edition_text(phases, reminders=reminders)))
    (opens,) = edition.reminders
    assert opens.due_at(edition) == datetime(2027, 4, 12, 12, tzinfo=edition.zone)


# (reminders, line offset from the first reminder, message)
BROKEN = [
    (
        "  - {id: soon, phase: voting, message: vote_now}",
        0,
        "field 'reminders[0].message': expected one of information, ideation, review, "
        "voting, results, implementation, voting_reminder, basket_reminder, got 'vote_now'",
    ),
    (
        "  - {id: soon, phase: counting, message: voting}",
        0,
        "field 'reminders[0].phase': expected one of information, ideation, review, "
        "voting, results, implementation, got 'counting'",
    ),
    (
        "  - {id: soon, phase: voting, message: voting}\n"
        "  - {id: soon, phase: voting, message: voting_reminder, days_before_end: 2}",
        1,
        "field 'reminders[1].id': reminder 'soon' is listed twice",
    ),
    (
        "  - {id: soon, phase: voting, message: voting, days_before_close: 2}",
        0,
        "unknown field 'reminders[0].days_before_close'; expected one of id, phase, "
        "message, days_before_end, at, audience",
    ),
    (
        "  - {id: soon, phase: voting, message: voting, at: 10:00}",
        0,
        "field 'reminders[0].at': write the time in quotes, as \"10:00\"",
    ),
    (
        "  - {id: soon, phase: voting, message: voting, audience: [not_voted]}",
        0,
        "field 'reminders[0].audience[0]': expected a segment such as state=not_voted, "
        "got 'not_voted'",
    ),
    (
        "  - {id: soon, phase: voting, message: voting_reminder, days_before_end: 40}",
        0,
        "reminders[0]: reminder 'soon' would go before phase 'voting' starts on 2027-04-12",
    ),
    (
        "  - {id: soon, phase: voting, message: voting_reminder, days_before_end: 0}",
        0,
        "field 'reminders[0].days_before_end': expected a whole number of at least 1, got 0",
    ),
]


@pytest.mark.parametrize(
    ("reminders", "offset", "message"), BROKEN, ids=[b[2][:40] for b in BROKEN]
)
def test_wrong_reminders_are_refused_with_file_and_line(
    tmp_path: Path, reminders: str, offset: int, message: str
) -> None:
    path = write_edition(tmp_path, edition_text(reminders=reminders))
    with pytest.raises(EditionError) as raised:
        load_edition(path)
    assert (raised.value.line, raised.value.message) == (WRITTEN_LINE + offset, message)
    assert str(raised.value).startswith(f"{path}:{WRITTEN_LINE + offset}: ")
