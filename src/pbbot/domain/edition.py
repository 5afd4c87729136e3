"""A PB round ("edition"): budget, phases, themes, criteria, voting rules, languages.

Staff describe it in one YAML file (see `pbbot.config.edition_file`); this module
holds the validated values and the rules that follow from them, such as which
phase is current on a given day. Which phase runs at a given moment, with
staff's hand moves, is `pbbot.domain.timeline`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

__all__ = [
    "PHASE_KINDS",
    "VOTING_METHODS",
    "VOTING_RULES",
    "Contact",
    "Criteria",
    "Edition",
    "Expectations",
    "Ideas",
    "Phase",
    "Questions",
    "Reminder",
    "Theme",
    "Voting",
]

# The order in which phases happen; an edition lists each at most once, in this order.
PHASE_KINDS: tuple[str, ...] = (
    "information",
    "ideation",
    "review",
    "voting",
    "results",
    "implementation",
)
VOTING_METHODS: tuple[str, ...] = ("basket", "approval", "pick_n", "vessels")
VOTING_RULES: tuple[str, ...] = ("greedy", "equal-shares")

# Texts that staff write per language (name, intro, ...): locale -> text.
LocalizedText = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase runs from `start` (at `opens`, else midnight) to `end` (at `closes`,
    else the midnight after it), in the edition's time zone. Texts show the days;
    the instants decide when it runs, and stay right across a daylight-saving
    change because each is a wall-clock time in the zone, not an offset."""

    kind: str
    start: date
    end: date  # inclusive: the last day of the phase
    opens: time | None = None  # the time of day on `start` it opens; None: 00:00
    closes: time | None = None  # the time of day on `end` it closes; None: the day's end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def starts_at(self, zone: tzinfo) -> datetime:
        return datetime.combine(self.start, self.opens or time(0), tzinfo=zone)

    def ends_at(self, zone: tzinfo) -> datetime:
        """The first instant after the phase (exclusive)."""
        if self.closes is None:
            return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=zone)
        return datetime.combine(self.end, self.closes, tzinfo=zone)


@dataclass(frozen=True, slots=True)
class Reminder:
    """An automatic broadcast of the edition file's `reminders:` section: a catalog
    message (`pbbot.domain.broadcasting.MESSAGE_NAMES`) when a phase opens, or
    `days_before_end` days before it closes, to an audience of segment specs
    ("state=not_voted", read by `pbbot.broadcasts.audience`; empty: everyone).

    `at`: the time of day it goes instead (a phase opening at midnight should not
    wake 100,000 phones); on the opening day never before the phase opens.
    """

    id: str
    phase: str  # a kind the edition lists
    message: str
    days_before_end: int | None = None  # None: when the phase opens
    audience: tuple[str, ...] = ()
    line: int | None = None  # in the edition file, for messages
    at: time | None = None

    def due_at(self, edition: Edition) -> datetime:
        """When it goes (aware, in the edition's time zone)."""
        phase = edition.phase(self.phase)
        if phase is None:
            raise ValueError(f"reminder {self.id!r}: the edition has no phase {self.phase!r}")
        zone = edition.zone
        if self.days_before_end is None:
            opens = phase.starts_at(zone)
            if self.at is None:
                return opens
            return max(opens, datetime.combine(phase.start, self.at, tzinfo=zone))
        # Wall-clock days: "3 days before" is the same time of day, DST or not. With a
        # time of day, the days count back from the phase's last day, however its end
        # is written (a date alone, or a time on it).
        if self.at is None:
            return phase.ends_at(zone) - timedelta(days=self.days_before_end)
        day = phase.end - timedelta(days=self.days_before_end)
        return datetime.combine(day, self.at, tzinfo=zone)


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    name: LocalizedText


@dataclass(frozen=True, slots=True)
class Criteria:
    """What an idea must meet to go to the vote."""

    max_cost: Decimal | None = None
    min_cost: Decimal | None = None
    public: bool = False  # must be accessible to the public
    in_city: bool = False  # must be on the city's territory or property
    one_off: bool = False  # an investment, not a recurring cost
    extra: LocalizedText = field(default_factory=dict)  # further rules, in staff's words


@dataclass(frozen=True, slots=True)
class Expectations:
    """How much say residents really have: the seed of the 'expectations' text."""

    binding: bool  # the city commits to carrying out the winning projects
    note: LocalizedText = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Voting:
    """How residents vote, with the names other PB platforms give the rules: a
    basket's minimum share of the budget to spend and its least and most
    projects; the money step of communicating vessels' buttons."""

    method: str  # one of VOTING_METHODS
    rule: str  # one of VOTING_RULES
    max_choices: int | None = None  # pick_n / approval: at most this many projects
    min_age: int | None = None
    min_share: Decimal | None = None  # basket: of the budget, e.g. 0.7
    min_projects: int | None = None  # basket
    max_projects: int | None = None  # basket
    step: Decimal | None = None  # vessels: what one button moves between themes


@dataclass(frozen=True, slots=True)
class Questions:
    """Optional profile questions asked during onboarding."""

    districts: tuple[str, ...] = ()  # empty: the district is not asked
    ask_age: bool = False
    min_age: int = 0
    max_age: int = 120


@dataclass(frozen=True, slots=True)
class Ideas:
    """Limits on residents' ideas (the edition file's `ideas:` section). The
    lengths of an idea's texts are the idea flow's (`flows/idea.yaml`)."""

    daily_limit: int = 5  # ideas one resident may send per day: stops floods
    reports_to_hide: int = 3  # reports that hide an idea or comment until staff look


@dataclass(frozen=True, slots=True)
class Contact:
    email: str | None = None
    phone: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    name: LocalizedText
    intro: LocalizedText
    languages: tuple[str, ...]  # the first is the default
    budget: Decimal
    currency: str
    timezone: str
    phases: tuple[Phase, ...]
    themes: tuple[Theme, ...]
    criteria: Criteria
    expectations: Expectations
    voting: Voting
    questions: Questions
    contact: Contact
    # Where the residents live, as ISO 3166-1 alpha-2 (BE); SMS answers that
    # country's numbers unless the server's settings name others.
    country: str | None = None
    ideas: Ideas = Ideas()
    source: str = ""  # the file it was read from, for messages
    reminders: tuple[Reminder, ...] = ()

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo keeps one instance per key

    def current_phase(self, today: date) -> Phase | None:
        """The phase running on `today`, or None between or outside phases."""
        return next((phase for phase in self.phases if phase.contains(today)), None)

    def next_phase(self, today: date) -> Phase | None:
        return next((phase for phase in self.phases if phase.start > today), None)

    def phase(self, kind: str) -> Phase | None:
        return next((phase for phase in self.phases if phase.kind == kind), None)
