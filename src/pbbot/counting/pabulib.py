"""Pabulib `.pb` files in and out.

A `.pb` file has three `;`-separated sections, META (key;value), PROJECTS and
VOTES, each headed by its name and a header row. The reader streams line by
line (Łódź 2022 is 90 000 ballots) and refuses a malformed or truncated file
with the line and what is wrong, so staff can fix it instead of reading a stack
trace. The writer produces a file that this reader and other Pabulib tools read
back as the same election, with the `selected` column set from an outcome.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from pbbot.counting.election import Ballot, Election, Outcome, Project
from pbbot.errors import PabulibError

__all__ = ["read_pabulib", "read_pabulib_text", "write_pabulib"]

_SECTIONS = ("meta", "projects", "votes")
_VOTE_TYPES = ("approval", "choose-1", "cumulative")
# Columns the model holds in named fields; every other column goes to `extra`.
_PROJECT_FIELDS = ("project_id", "cost", "name", "category", "votes", "selected")
_BALLOT_FIELDS = ("voter_id", "vote", "points")


def read_pabulib(path: str | Path) -> Election:
    """Read a `.pb` file; raise `PabulibError(source=path, line=n)` when it is not valid."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return _Reader(stream, str(path)).read()
    except UnicodeDecodeError as error:
        raise PabulibError(f"not UTF-8 text ({error.reason})", source=str(path)) from None
    except OSError as error:
        raise PabulibError(error.strerror or str(error), source=str(path)) from None


def read_pabulib_text(text: str, *, source: str = "<text>") -> Election:
    """Read `.pb` content held in memory (tests, uploads)."""
    return _Reader(io.StringIO(text, newline=""), source).read()


class _Reader:
    def __init__(self, stream: TextIO, source: str):
        self._rows = csv.reader(stream, delimiter=";")
        self._source = source
        self._meta: dict[str, str] = {}
        self._projects: dict[str, Project] = {}
        self._ballots: list[Ballot] = []
        self._seen: set[str] = set()

    def _error(self, message: str, line: int | None = None) -> PabulibError:
        return PabulibError(message, source=self._source, line=line or self._rows.line_num)

    def read(self) -> Election:
        section = None
        header: list[str] = []
        try:
            for row in self._rows:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                name = row[0].strip().lower()
                if len(row) == 1 and name in _SECTIONS:
                    section = self._enter(name)
                    header = self._header(name)
                    continue
                if section is None:
                    raise self._error(
                        f"expected a section name (META, PROJECTS, VOTES), got {row[0]!r}"
                    )
                if section == "meta":
                    if len(row) < 2:
                        raise self._error(f"META row {row[0]!r} has no value")
                    self._meta[row[0].strip()] = ";".join(row[1:]).strip()
                    continue
                if len(row) != len(header):
                    raise self._error(
                        f"expected {len(header)} fields ({';'.join(header)}), got {len(row)}"
                    )
                if section == "projects":
                    self._add_project(dict(zip(header, row, strict=True)))
                else:
                    self._add_ballot(dict(zip(header, row, strict=True)))
        except csv.Error as error:
            raise self._error(f"unreadable row: {error}") from None
        return self._finish()

    def _enter(self, name: str) -> str:
        expected = _SECTIONS[len(self._seen)] if len(self._seen) < len(_SECTIONS) else None
        if name in self._seen or name != expected:
            raise self._error(
                f"section {name.upper()} out of order (expected META, PROJECTS, VOTES)"
            )
        self._seen.add(name)
        if name == "projects":
            self._check_meta()
        return name

    def _header(self, section: str) -> list[str]:
        line = self._rows.line_num + 1
        row = next(self._rows, None)
        if row is None:
            raise self._error(f"file ends after {section.upper()}: header row missing", line)
        header = [cell.strip() for cell in row]
        required = {
            "meta": ("key", "value"),
            "projects": ("project_id", "cost"),
            "votes": ("voter_id", "vote"),
        }[section]
        for column in required:
            if column not in header:
                raise self._error(f"{section.upper()} header lacks the column {column!r}")
        cumulative = self._meta.get("vote_type") == "cumulative"
        if section == "votes" and cumulative and "points" not in header:
            raise self._error("VOTES header lacks the column 'points' (vote_type is cumulative)")
        return header

    def _check_meta(self) -> None:
        for key in ("budget", "vote_type"):
            if key not in self._meta:
                raise self._error(f"META lacks {key!r}")
        if self._meta["vote_type"] not in _VOTE_TYPES:
            raise self._error(
                f"vote_type {self._meta['vote_type']!r} is not supported "
                f"(expected one of {', '.join(_VOTE_TYPES)})"
            )
        self._number(self._meta["budget"], "budget")

    def _number(self, text: str, what: str) -> Decimal:
        try:
            value = Decimal(text.strip().replace(",", "."))
        except InvalidOperation:
            raise self._error(f"{what} is not a number: {text!r}") from None
        if not value.is_finite() or value < 0:
            raise self._error(f"{what} must be a non-negative number, got {text!r}")
        return value

    def _add_project(self, cells: dict[str, str]) -> None:
        project_id = cells["project_id"].strip()
        if not project_id:
            raise self._error("empty project_id")
        if project_id in self._projects:
            raise self._error(f"project {project_id!r} appears twice")
        votes = cells.get("votes", "").strip()
        selected = cells.get("selected", "").strip()
        category = cells.get("category", "").strip()
        self._projects[project_id] = Project(
            id=project_id,
            cost=self._number(cells["cost"], f"cost of project {project_id!r}"),
            name=cells.get("name", "").strip(),
            categories=tuple(c.strip() for c in category.split(",") if c.strip()),
            votes=int(self._number(votes, "votes")) if votes else None,
            selected=selected == "1" if selected else None,
            extra={k: v.strip() for k, v in cells.items() if k not in _PROJECT_FIELDS},
        )

    def _add_ballot(self, cells: dict[str, str]) -> None:
        voter_id = cells["voter_id"].strip()
        projects = tuple(p.strip() for p in cells["vote"].split(",") if p.strip())
        for project_id in projects:
            if project_id not in self._projects:
                raise self._error(f"voter {voter_id!r} chose unknown project {project_id!r}")
        if len(set(projects)) != len(projects):
            raise self._error(f"voter {voter_id!r} chose the same project twice")
        points = None
        if self._meta["vote_type"] == "cumulative":
            raw = [p for p in cells["points"].split(",") if p.strip()]
            if len(raw) != len(projects):
                raise self._error(
                    f"voter {voter_id!r}: {len(projects)} projects but {len(raw)} points"
                )
            points = tuple(self._number(p, "points") for p in raw)
        extra = {k: v.strip() for k, v in cells.items() if k not in _BALLOT_FIELDS}
        self._ballots.append(Ballot(voter_id, projects, points, extra))

    def _finish(self) -> Election:
        if "votes" not in self._seen:
            missing = [s.upper() for s in _SECTIONS if s not in self._seen]
            raise self._error(f"file ends without {', '.join(missing)}: truncated?")
        counts = (("num_projects", len(self._projects)), ("num_votes", len(self._ballots)))
        for key, found in counts:
            declared = self._meta.get(key)
            if declared and declared.isdigit() and int(declared) != found:
                raise self._error(
                    f"META {key} is {declared} but the file holds {found}: truncated?"
                )
        return Election(dict(self._meta), tuple(self._projects.values()), tuple(self._ballots))


def write_pabulib(
    election: Election, target: str | Path | TextIO, *, outcome: Outcome | None = None
) -> None:
    """Write `election` as Pabulib; with `outcome`, the `selected` column holds its winners."""
    if isinstance(target, (str, Path)):
        with Path(target).open("w", encoding="utf-8", newline="") as stream:
            _write(election, stream, outcome)
    else:
        _write(election, target, outcome)


def _write(election: Election, stream: TextIO, outcome: Outcome | None) -> None:
    writer = csv.writer(stream, delimiter=";", lineterminator="\n")
    writer.writerows(_rows(election, outcome))


def _rows(election: Election, outcome: Outcome | None) -> Iterator[list[str]]:
    yield ["META"]
    yield ["key", "value"]
    yield from ([key, value] for key, value in election.meta.items())

    projects = election.projects
    has = {
        "name": any(p.name for p in projects),
        "category": any(p.categories for p in projects),
        "votes": any(p.votes is not None for p in projects),
        "selected": outcome is not None or any(p.selected is not None for p in projects),
    }
    extra = _extra_columns(p.extra for p in projects)
    yield ["PROJECTS"]
    yield ["project_id", "cost", *(c for c in _PROJECT_FIELDS[2:] if has[c]), *extra]
    for p in projects:
        row = [p.id, _number(p.cost)]
        if has["name"]:
            row.append(p.name)
        if has["category"]:
            row.append(",".join(p.categories))
        if has["votes"]:
            row.append("" if p.votes is None else str(p.votes))
        if has["selected"]:
            chosen = outcome.is_selected(p.id) if outcome is not None else p.selected
            row.append("" if chosen is None else str(int(chosen)))
        yield row + [p.extra.get(column, "") for column in extra]

    cumulative = any(b.points is not None for b in election.ballots)
    extra = _extra_columns(b.extra for b in election.ballots)
    yield ["VOTES"]
    yield ["voter_id", "vote", *(["points"] if cumulative else []), *extra]
    for b in election.ballots:
        row = [b.voter_id, ",".join(b.projects)]
        if cumulative:
            row.append(",".join(_number(x) for x in b.points or ()))
        yield row + [b.extra.get(column, "") for column in extra]


def _extra_columns(extras: Iterable[Mapping[str, str]]) -> list[str]:
    columns: dict[str, None] = {}
    for extra in extras:
        for key in extra:
            columns.setdefault(key, None)
    return list(columns)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
