"""Phases start and end at the times of the edition file, in the city's time zone,
also on the days the clocks change (Europe/Brussels: 28 March 2027 at 02:00 the
clocks go forward to 03:00; 31 October 2027 at 03:00 they go back to 02:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from pbbot.domain.edition import Edition
from pbbot.domain.messages import Inbound
from pbbot.domain.timeline import boundaries, phase_at
from pbbot.runtime import build_runtime
from tests.timeline.editions import edition_text, edition_with, write_edition

SPRING = """
  - {kind: ideation, start: 2027-03-01, end: 2027-03-27}
  - {kind: voting, start: "2027-03-28 09:00", end: "2027-04-04 18:00"}
  - {kind: results, start: "2027-04-04 18:00", end: 2027-04-30}
"""
AUTUMN = """
  - {kind: review, start: 2027-10-01, end: "2027-10-30 12:00"}
  - {kind: voting, start: 2027-10-31, end: 2027-10-31}
  - {kind: results, start: "2027-11-01 09:00", end: 2027-11-30}
"""
PHONE = "+32470555401"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def kind_at(edition: Edition, moment: datetime) -> str | None:
    phase = phase_at(edition, moment)
    return phase.kind if phase else None


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2027, 3, 27, 22, 59), "ideation"),  # 23:59 CET on the 27th
        (utc(2027, 3, 27, 23, 0), None),  # midnight: ideation is over, voting not open
        (utc(2027, 3, 28, 6, 59), None),  # 08:59 CEST (07:59 if the offset were CET's)
        (utc(2027, 3, 28, 7, 0), "voting"),  # 09:00 CEST, after the clocks went forward
        (utc(2027, 4, 4, 15, 59), "voting"),
        (utc(2027, 4, 4, 16, 0), "results"),  # 18:00 CEST: results follow without a gap
        (utc(2027, 4, 30, 21, 59), "results"),
        (utc(2027, 4, 30, 22, 0), None),  # midnight CEST after the last day
    ],
)
def test_spring_forward(tmp_path: Path, moment: datetime, expected: str | None) -> None:
    assert kind_at(edition_with(tmp_path, SPRING), moment) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2027, 10, 30, 9, 59), "review"),  # 11:59 CEST
        (utc(2027, 10, 30, 10, 0), None),  # 12:00 CEST
        (utc(2027, 10, 30, 21, 59), None),
        (utc(2027, 10, 30, 22, 0), "voting"),  # midnight CEST opens the 31st
        # 02:30 comes twice on the 31st (CEST, then CET): voting runs through both.
        (utc(2027, 10, 31, 0, 30), "voting"),
        (utc(2027, 10, 31, 1, 30), "voting"),
        (utc(2027, 10, 31, 22, 59), "voting"),  # 23:59 CET
        (utc(2027, 10, 31, 23, 0), None),  # midnight CET closes it
        (utc(2027, 11, 1, 7, 59), None),
        (utc(2027, 11, 1, 8, 0), "results"),  # 09:00 CET
    ],
)
def test_fall_back(tmp_path: Path, moment: datetime, expected: str | None) -> None:
    assert kind_at(edition_with(tmp_path, AUTUMN), moment) == expected


def test_the_days_the_clocks_change_are_23_and_25_hours_long(tmp_path: Path) -> None:
    days = """
  - {kind: ideation, start: 2027-03-28, end: 2027-03-28}
  - {kind: voting, start: 2027-10-31, end: 2027-10-31}
"""
    edition = edition_with(tmp_path, days)
    zone = edition.zone
    ideation, voting = edition.phases
    assert ideation.ends_at(zone) - ideation.starts_at(zone) == timedelta(days=1)  # wall clock
    lengths = [
        phase.ends_at(zone).astimezone(UTC) - phase.starts_at(zone).astimezone(UTC)
        for phase in edition.phases
    ]
    assert lengths == [timedelta(hours=23), timedelta(hours=25)]
    assert voting.starts_at(zone) == datetime(2027, 10, 31, tzinfo=zone)


def test_times_are_kept_and_texts_keep_the_days(tmp_path: Path) -> None:
    edition = edition_with(tmp_path, SPRING)
    voting = edition.phase("voting")
    assert voting is not None
    assert (voting.start, voting.opens, voting.end, voting.closes) == (
        date(2027, 3, 28),
        time(9, 0),
        date(2027, 4, 4),
        time(18, 0),
    )
    # The day-based rule (what a context for one day shows) still holds the dates.
    assert edition.current_phase(date(2027, 3, 28)) == voting


def test_a_phase_ending_at_midnight_is_the_whole_of_the_day_before(tmp_path: Path) -> None:
    phases = """
  - {kind: voting, start: 2027-04-12, end: "2027-05-10 00:00"}
"""
    edition = edition_with(tmp_path, phases)
    (voting,) = edition.phases
    assert (voting.end, voting.closes) == (date(2027, 5, 9), None)


def test_phases_that_follow_without_a_gap_have_one_boundary_between_them(tmp_path: Path) -> None:
    edition = edition_with(tmp_path, SPRING)
    kinds = [(b.at, b.phase.kind if b.phase else None) for b in boundaries(edition)]
    assert kinds == [
        (utc(2027, 2, 28, 23, 0), "ideation"),
        (utc(2027, 3, 27, 23, 0), None),
        (utc(2027, 3, 28, 7, 0), "voting"),
        (utc(2027, 4, 4, 16, 0), "results"),
        (utc(2027, 4, 30, 22, 0), None),
    ]


async def test_a_running_service_opens_voting_at_nine_on_the_day_the_clocks_go_forward(
    tmp_path: Path, database_url: str
) -> None:
    path = write_edition(tmp_path, edition_text(SPRING))
    moment = [utc(2027, 3, 28, 6, 59)]  # 08:59 in Brussels
    runtime = build_runtime(path, database_url, date(2027, 3, 28), clock=lambda: moment[0])
    try:
        replies: list[str] = []
        for text in ("hello", "3", "1", "NO", "NO"):  # English, agree, no district, no age
            replies = [r.text for r in await runtime.service.handle(Inbound("sms", PHONE, text))]
        assert replies[-1].startswith("Now: no phase running (Voting from ")
        assert "Vote" not in replies[-1]
        moment[0] = utc(2027, 3, 28, 7, 0)  # 09:00 CEST
        (menu,) = await runtime.service.handle(Inbound("sms", PHONE, "MENU"))
    finally:
        await runtime.close()
    assert menu.text.startswith("Now: Voting (")
    assert [choice.label for choice in menu.choices][:1] == ["Vote"]
