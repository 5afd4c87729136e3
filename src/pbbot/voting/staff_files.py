"""What staff's CSV files (projects, paper ballots) share: every problem found
is reported with its line, as `FILE:LINE: message`, so staff fix them all in
one go, and a file that is not UTF-8 says on which line it stops being so."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from pbbot.errors import ConfigurationError

__all__ = ["FileProblems", "Problem", "column_problems", "csv_records", "utf8_text"]


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


class FileProblems(ConfigurationError):
    """A file that cannot be imported; `problems` are all that were found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__(problems[0].message, source=source, line=problems[0].line)

    def __str__(self) -> str:
        return "\n".join(f"{self.source}:{p.line}: {p.message}" for p in self.problems)


def utf8_text(data: bytes, source: str, error: type[FileProblems]) -> str:
    """The file's text (a spreadsheet's byte-order mark is fine), or `error`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as undecodable:
        line = data[: undecodable.start].count(b"\n") + 1
        raise error(source, [Problem(line, "not UTF-8 text")]) from None


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted field may span lines),
    separated by commas, or by semicolons when the header is (as spreadsheets
    save CSV where the comma is the decimal sign)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for fields in reader:
        yield start, fields
        start = reader.line_num + 1


def column_problems(
    header: list[str], known: tuple[str, ...], required: tuple[str, ...], *, expected: str
) -> list[Problem]:
    """What is wrong with a header: unknown columns (with what is `expected`),
    a column twice, a required one missing. All on line 1."""
    problems = [
        Problem(1, f"unknown column {name!r}; {expected}: {', '.join(known)}")
        for name in header
        if name not in known
    ]
    problems += [
        Problem(1, f"column {name!r} is twice")
        for name in sorted(set(header))
        if header.count(name) > 1
    ]
    problems += [Problem(1, f"missing column {name!r}") for name in required if name not in header]
    return problems
