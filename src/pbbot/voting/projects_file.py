"""Reading staff's projects CSV: every row checked before anything is stored.

The file is UTF-8 (a spreadsheet's byte-order mark is fine), separated by
commas or semicolons (`staff_files.csv_records`), with a header:
`title_<lang>` and `summary_<lang>` for the edition's languages (only the
default language's title is required), `cost`, `theme`, and an optional `ref`,
an external id that lets a second import update a project instead of adding
it again. A cost is read as residents write amounts in the default language
("12.500", "€ 12.500,-"). Any problem refuses the whole file: each is
reported as `FILE:LINE: message`, so staff fix them all in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pbbot.domain.amounts import parse_amount
from pbbot.domain.edition import Edition
from pbbot.voting.staff_files import (
    FileProblems,
    Problem,
    column_problems,
    csv_records,
    utf8_text,
)

__all__ = [
    "MAX_SUMMARY",
    "MAX_TITLE",
    "ProjectRow",
    "ProjectsFileError",
    "read_projects_file",
]

MAX_TITLE = 80  # characters: a ballot line on a phone, and within an SMS
MAX_SUMMARY = 160  # one SMS segment's worth
_MAX_REF = 100  # the column's width


@dataclass(frozen=True, slots=True)
class ProjectRow:
    line: int
    title: dict[str, str]  # locale -> title; always the default language's
    summary: dict[str, str]
    cost: int  # whole euros
    theme: str
    ref: str | None


class ProjectsFileError(FileProblems):
    """A projects file that cannot be imported; `problems` are all that were found."""


def read_projects_file(path: Path, edition: Edition) -> list[ProjectRow]:
    """The file's projects, or a `ProjectsFileError` naming every faulty line."""
    text = utf8_text(path.read_bytes(), str(path), ProjectsFileError)
    return parse_projects(text, edition, source=str(path))


def parse_projects(text: str, edition: Edition, *, source: str) -> list[ProjectRow]:
    records = list(csv_records(text))
    if not records:
        raise ProjectsFileError(source, [Problem(1, "empty file: expected a header line")])
    _, header = records[0]
    problems = _header_problems(header, edition)
    if problems:
        raise ProjectsFileError(source, problems)
    rows: list[ProjectRow] = []
    refs: dict[str, int] = {}
    for line, fields in records[1:]:
        if not any(field.strip() for field in fields):
            continue  # a blank line, or a spreadsheet's row of empty cells
        if len(fields) != len(header):
            problems.append(Problem(line, f"{len(fields)} fields, expected {len(header)}"))
            continue
        values = dict(zip(header, fields, strict=True))
        row, row_problems = _row(line, values, edition)
        problems += row_problems
        ref = values.get("ref", "").strip()
        if ref in refs:
            problems.append(Problem(line, f"ref {ref!r} is also on line {refs[ref]}"))
        elif ref:
            refs[ref] = line
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "no projects after the header"))
    if problems:
        raise ProjectsFileError(source, problems)
    return rows


def _columns(edition: Edition) -> tuple[str, ...]:
    texts = tuple(f"{kind}_{lang}" for lang in edition.languages for kind in ("title", "summary"))
    return (*texts, "cost", "theme", "ref")


def _header_problems(header: list[str], edition: Edition) -> list[Problem]:
    names = [name.strip() for name in header]
    header[:] = names
    required = (f"title_{edition.default_language}", "cost", "theme")
    return column_problems(names, _columns(edition), required, expected="expected some of")


def _row(
    line: int, values: dict[str, str], edition: Edition
) -> tuple[ProjectRow | None, list[Problem]]:
    problems: list[Problem] = []
    title: dict[str, str] = {}
    summary: dict[str, str] = {}
    for lang in edition.languages:
        for kind, texts, limit in (("title", title, MAX_TITLE), ("summary", summary, MAX_SUMMARY)):
            text = " ".join(values.get(f"{kind}_{lang}", "").split())
            if len(text) > limit:
                problems.append(
                    Problem(line, f"{kind}_{lang} has {len(text)} characters, at most {limit}")
                )
            if text:
                texts[lang] = text
        if lang in summary and lang not in title:
            problems.append(Problem(line, f"summary_{lang} without title_{lang}"))
    if edition.default_language not in title:
        problems.append(Problem(line, f"title_{edition.default_language} is empty"))
    raw_cost = values["cost"].strip()
    amount = parse_amount(raw_cost, edition.default_language)
    if amount is None or amount != amount.to_integral_value():
        problems.append(Problem(line, f"cost {raw_cost!r} is not a positive whole amount in euros"))
    theme = values["theme"].strip()
    themes = [t.id for t in edition.themes]
    if theme not in themes:
        problems.append(
            Problem(line, f"unknown theme {theme!r}; the edition's are: {', '.join(themes)}")
        )
    ref = values.get("ref", "").strip() or None
    if ref is not None and len(ref) > _MAX_REF:
        problems.append(Problem(line, f"ref has {len(ref)} characters, at most {_MAX_REF}"))
    if problems or amount is None:
        return None, problems
    return ProjectRow(line, title, summary, int(amount), theme, ref), []
