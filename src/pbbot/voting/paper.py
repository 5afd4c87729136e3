"""Paper ballots, typed into a CSV file by staff and imported whole or not at all.

One ballot per line. Basket, approval and pick-n: a `projects` column with the
project numbers ("3 7 12", "3,7,12" or "3;7;12"). Communicating vessels: one
column per theme id of the edition with the whole euros given to it (an empty
cell is 0). Both may have an `entered_on` column (YYYY-MM-DD or DD/MM/YYYY:
the day the ballot was entered; empty: today). The file is UTF-8 (a
spreadsheet's byte-order mark is fine), separated by commas, or by semicolons
when the header is.

Every line is checked against the edition's projects and rules by the same
pure core as the chat ballot (`pbbot.domain.ballots`, `ballot_vessels`): the
budget never exceeded, the minimum share, the least and most projects, the
most choices, a split that adds up. Any problem refuses the whole file, each
reported as `FILE:LINE: message`. A file imported once is refused the second
time (its SHA-256 is kept with who imported it and when), so a retry after an
error or a double click never counts the same ballots twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.amounts import parse_amount
from pbbot.domain.ballot_problems import (
    AlreadyChosen,
    NothingChosen,
    OverBudget,
    TooFewProjects,
    TooManyProjects,
    UnderMinShare,
    UnknownProject,
)
from pbbot.domain.ballot_vessels import OverTotal, Split, SplitOver, SplitShort, VesselsRules
from pbbot.domain.ballots import ApprovalBallot, ApprovalRules, Basket, BasketRules
from pbbot.domain.ballots import Project as BallotProject
from pbbot.domain.edition import Edition
from pbbot.errors import ConfigurationError
from pbbot.voting.casting import BallotChoices, ballot_row, store_ballots
from pbbot.voting.projects import ListedProject, list_projects
from pbbot.voting.staff_files import (
    FileProblems,
    Problem,
    column_problems,
    csv_records,
    utf8_text,
)
from pbbot.voting.tables import PaperImport

__all__ = [
    "MAX_ENTERED_BY",
    "PaperAlreadyImported",
    "PaperBallot",
    "PaperBallotsError",
    "import_paper_ballots",
    "parse_paper_ballots",
]

MAX_ENTERED_BY = 100  # the column's width
_PROJECTS = "projects"
_ENTERED_ON = "entered_on"
_SEPARATORS = re.compile(r"[,;\s]+")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


@dataclass(frozen=True, slots=True)
class PaperBallot:
    line: int
    choices: BallotChoices
    entered_on: date


class PaperBallotsError(FileProblems):
    """A paper ballots file that cannot be imported; `problems` are all that were found."""


class PaperAlreadyImported(ConfigurationError):
    """This very file was imported before: importing it again would count it twice."""

    def __init__(self, source: str, entered_by: str, imported_at: datetime):
        self.entered_by = entered_by
        self.imported_at = imported_at
        super().__init__(
            f"this file was imported on {imported_at:%Y-%m-%d %H:%M} UTC by {entered_by}; "
            "its ballots count already",
            source=source,
        )


async def import_paper_ballots(
    session: AsyncSession,
    edition: Edition,
    path: Path,
    *,
    entered_by: str,
    now: datetime,
    today: date,
) -> int:
    """Import a paper ballots file in the caller's transaction; how many ballots.

    Raises `PaperBallotsError` or `PaperAlreadyImported` before storing anything.
    """
    entered_by = " ".join(entered_by.split())
    if not entered_by or len(entered_by) > MAX_ENTERED_BY:
        raise ConfigurationError(
            f"the name of who entered the ballots: 1 to {MAX_ENTERED_BY} characters",
            source="--entered-by",
        )
    text = utf8_text(path.read_bytes(), str(path), PaperBallotsError)
    digest = _digest(text)
    await _refuse_if_imported(session, edition.id, digest, str(path))
    projects = await list_projects(session, edition.id)
    ballots = parse_paper_ballots(text, edition, projects, today=today, source=str(path))
    dialect = postgresql if session.bind and session.bind.dialect.name == "postgresql" else sqlite
    claimed = await session.scalar(
        dialect.insert(PaperImport)
        .values(
            edition_id=edition.id,
            digest=digest,
            file_name=path.name[-255:],
            entered_by=entered_by,
            imported_at=now,
            ballots=len(ballots),
        )
        .on_conflict_do_nothing(index_elements=["edition_id", "digest"])
        .returning(PaperImport.digest)
    )
    if claimed is None:  # imported by someone else at this very moment
        await _refuse_if_imported(session, edition.id, digest, str(path))
    rows = [
        ballot_row(
            edition_id=edition.id,
            choices=ballot.choices,
            day=ballot.entered_on,
            source="paper",
            entered_by=entered_by,
            entered_on=ballot.entered_on,
        )
        for ballot in ballots
    ]
    await store_ballots(session, rows)
    return len(rows)


def _digest(text: str) -> str:
    """The file's fingerprint as its lines read: a spreadsheet that saves the same
    file again with Windows line ends, a byte-order mark, trailing spaces or
    blank lines does not make it new."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return hashlib.sha256("\n".join(line for line in lines if line).encode()).hexdigest()


async def _refuse_if_imported(
    session: AsyncSession, edition_id: str, digest: str, source: str
) -> None:
    earlier = await session.scalar(
        select(PaperImport).where(
            PaperImport.edition_id == edition_id, PaperImport.digest == digest
        )
    )
    if earlier is not None:
        raise PaperAlreadyImported(source, earlier.entered_by, earlier.imported_at)


def parse_paper_ballots(
    text: str, edition: Edition, projects: Sequence[ListedProject], *, today: date, source: str
) -> list[PaperBallot]:
    """The file's ballots, or a `PaperBallotsError` naming every faulty line."""
    records = list(csv_records(text))
    if not records:
        raise PaperBallotsError(source, [Problem(1, "empty file: expected a header line")])
    _, header = records[0]
    header[:] = [name.strip() for name in header]
    checker = _Checker(edition, projects)
    problems = checker.header_problems(header)
    if problems:
        raise PaperBallotsError(source, problems)
    ballots: list[PaperBallot] = []
    for line, fields in records[1:]:
        if not any(field.strip() for field in fields):
            continue  # a blank line, or a spreadsheet's row of empty cells
        if len(fields) != len(header):
            problems.append(Problem(line, f"{len(fields)} fields, expected {len(header)}"))
            continue
        values = {name: value.strip() for name, value in zip(header, fields, strict=True)}
        messages: list[str] = []
        entered_on = _day(values.get(_ENTERED_ON, ""), today, messages)
        choices = checker.choices(values, messages)
        problems += [Problem(line, message) for message in messages]
        if choices is not None and entered_on is not None and not messages:
            ballots.append(PaperBallot(line, choices, entered_on))
    if not ballots and not problems:
        problems.append(Problem(2, "no ballots after the header"))
    if problems:
        raise PaperBallotsError(source, problems)
    return ballots


def _day(text: str, today: date, messages: list[str]) -> date | None:
    if not text:
        return today
    day_first = _DAY_FIRST.fullmatch(text)
    try:
        if day_first:
            day = date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        else:
            day = date.fromisoformat(text)
    except ValueError:
        messages.append(f"entered_on {text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
        return None
    if day > today:
        messages.append(f"entered_on {day.isoformat()} is after today ({today.isoformat()})")
        return None
    return day


def _plain_digits(text: str) -> str:
    # Digits of any script (Arabic-Indic "٣") as ASCII, as the chat reads them.
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


class _Checker:
    """The edition's ballot rules, and the staff-facing words for what breaks them."""

    def __init__(self, edition: Edition, projects: Sequence[ListedProject]):
        self.edition = edition
        self.method = edition.voting.method
        self.currency = edition.currency
        self.catalog = [BallotProject(p.number, p.cost, p.theme) for p in projects]
        self.costs = {p.number: Decimal(p.cost) for p in projects}
        self.themes = tuple(theme.id for theme in edition.themes)

    def columns(self) -> tuple[str, ...]:
        own = self.themes if self.method == "vessels" else (_PROJECTS,)
        return (*own, _ENTERED_ON)

    def header_problems(self, header: list[str]) -> list[Problem]:
        required = self.themes if self.method == "vessels" else (_PROJECTS,)
        problems = column_problems(header, self.columns(), required, expected="expected")
        if self.method != "vessels" and not self.catalog:
            problems.append(Problem(1, "the edition has no projects yet (pbbot projects import)"))
        return problems

    def choices(self, values: dict[str, str], messages: list[str]) -> BallotChoices | None:
        if self.method == "vessels":
            return self._split(values, messages)
        return self._projects(values[_PROJECTS], messages)

    def _money(self, amount: Decimal) -> str:
        return f"{_amount(amount)} {self.currency}"

    def _projects(self, cell: str, messages: list[str]) -> BallotChoices | None:
        numbers: list[int] = []
        for token in _SEPARATORS.split(_plain_digits(cell)):
            if not token:
                continue
            if not (token.isascii() and token.isdigit() and int(token) > 0):
                messages.append(f"projects: {token!r} is not a project number")
                continue
            numbers.append(int(token))
        if messages:
            return None
        for number in sorted({n for n in numbers if numbers.count(n) > 1}):
            messages.append(f"project {number} is listed twice")
        unknown = sorted({n for n in numbers if n not in self.costs})
        messages += [f"project {number} is not on the ballot" for number in unknown]
        if messages:
            return None
        if self.method == "basket":
            self._basket(numbers, messages)
        else:
            self._approval(numbers, messages)
        return None if messages else BallotChoices(self.method, projects=tuple(numbers))

    def _basket(self, numbers: list[int], messages: list[str]) -> None:
        voting, budget = self.edition.voting, self.edition.budget
        rules = BasketRules(budget, voting.min_share, voting.min_projects, voting.max_projects)
        basket = Basket.start(rules, self.catalog)
        for number in numbers:
            added = basket.add(number)
            if isinstance(added, Basket):
                basket = added
                continue
            if isinstance(added, TooManyProjects):
                messages.append(f"{len(numbers)} projects, at most {added.maximum}")
            elif isinstance(added, OverBudget):
                total = sum((self.costs[n] for n in numbers), Decimal(0))
                messages.append(
                    f"the projects cost {self._money(total)} together, "
                    f"more than the budget of {self._money(budget)}"
                )
            elif isinstance(added, (UnknownProject, AlreadyChosen)):  # checked above
                raise AssertionError(added)
            return
        for problem in basket.check_cast():
            if isinstance(problem, NothingChosen):
                messages.append("no project chosen (leave blank ballots out of the file)")
            elif isinstance(problem, UnderMinShare):
                messages.append(
                    f"the projects cost {self._money(problem.spent)}, less than the "
                    f"{self._money(problem.required)} a ballot must spend at least"
                )
            elif isinstance(problem, TooFewProjects):
                messages.append(f"{problem.chosen} projects, at least {problem.minimum}")

    def _approval(self, numbers: list[int], messages: list[str]) -> None:
        most = self.edition.voting.max_choices or len(self.catalog)
        ballot = ApprovalBallot.start(ApprovalRules(most), self.catalog)
        for number in numbers:
            added = ballot.add(number)
            if not isinstance(added, ApprovalBallot):
                messages.append(f"{len(numbers)} projects, at most {most}")
                return
            ballot = added
        if ballot.check_cast():
            messages.append("no project chosen (leave blank ballots out of the file)")

    def _split(self, values: dict[str, str], messages: list[str]) -> BallotChoices | None:
        total = self.edition.budget
        amounts: dict[str, Decimal] = {}
        for theme in self.themes:
            raw = values[theme]
            if not raw or _plain_digits(raw).strip("0 ") in ("", ",", "."):
                amounts[theme] = Decimal(0)
                continue
            amount = parse_amount(raw, self.edition.default_language)
            if amount is None or amount != amount.to_integral_value():
                messages.append(f"{theme}: {raw!r} is not an amount in whole {self.currency}")
                continue
            amounts[theme] = amount
        if messages:
            return None
        step = self.edition.voting.step or total
        split = Split.empty(VesselsRules(total, self.themes, step)).with_amounts(amounts)
        if isinstance(split, OverTotal):
            messages.append(
                f"{split.theme}: {self._money(split.amount)} is more than the whole "
                f"{self._money(split.total)}"
            )
            return None
        if not isinstance(split, Split):  # unknown theme: the header was checked
            raise AssertionError(split)
        for problem in split.check_cast():
            if isinstance(problem, SplitShort):
                messages.append(
                    f"the amounts add up to {self._money(split.allocated)}, "
                    f"{self._money(problem.missing)} short of the {self._money(total)} to divide"
                )
            elif isinstance(problem, SplitOver):
                messages.append(
                    f"the amounts add up to {self._money(split.allocated)}, "
                    f"{self._money(problem.excess)} more than the {self._money(total)} to divide"
                )
        if messages:
            return None
        pairs = tuple((theme, int(amount)) for theme, amount in amounts.items() if amount)
        return BallotChoices("vessels", split=pairs)


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
