"""The edition file: the sample loads; a wrong file names file, line, field and problem."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.errors import EditionError

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"


def test_sample_edition_loads_with_its_phases() -> None:
    edition = load_edition(SAMPLE)
    assert edition.budget == Decimal(600000)
    assert edition.languages == ("nl", "fr", "en", "tr", "ar")
    assert edition.current_phase(date(2027, 2, 20)).kind == "ideation"  # type: ignore[union-attr]
    assert edition.current_phase(date(2026, 12, 1)) is None


# (text replaced, replacement, expected line, expected message)
BROKEN = [
    (
        "total: 600000",
        "total: lots",
        18,
        "field 'budget.total': expected a positive amount, got 'lots'",
    ),
    (
        "currency: EUR",
        "currency: EURO",
        19,
        "field 'budget.currency': expected an ISO 4217 currency code such as EUR, got 'EURO'",
    ),
    (
        "timezone: Europe/Brussels",
        "timezone: Europe/Mechelen",
        20,
        "field 'timezone': unknown time zone 'Europe/Mechelen'",
    ),
    (
        "end: 2027-03-14}",
        "end: 2027-13-14}",
        23,
        "field 'phases[1].end': expected a date as YYYY-MM-DD, got '2027-13-14'",
    ),
    (
        "{kind: review, start: 2027-03-15",
        "{kind: review, start: 2027-03-01",
        24,
        "phases[2]: phase 'review' starts on 2027-03-01, before 'ideation' ends on 2027-03-14",
    ),
    (
        "languages: [nl, fr, en, tr, ar]",
        "languages: [nl, de]",
        4,
        "field 'languages[1]': unsupported language 'de'; pbbot ships nl, fr, en, tr, ar",
    ),
    ("  tr: Mechelen Katılımcı Bütçesi 2027\n", "", 6, "missing field 'name.tr'"),
    (
        "  method: basket",
        "  method: lottery",
        51,
        "field 'voting.method': expected one of basket, approval, pick_n, vessels, got 'lottery'",
    ),
    (
        "  max_cost: 60000",
        "  max_cost: 6000000",
        38,
        "field 'criteria.max_cost': the maximum cost of an idea is larger than the budget",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BROKEN, ids=[b[1][:24] for b in BROKEN])
def test_wrong_edition_is_refused(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edition.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(EditionError) as raised:
        load_edition(path)
    assert (raised.value.line, raised.value.message) == (line, message)
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(EditionError, match="cannot read file"):
        load_edition(tmp_path / "nope.yaml")


def test_the_country_is_optional_and_must_have_a_calling_code(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert load_edition(SAMPLE).country == "BE"
    path = tmp_path / "edition.yaml"
    path.write_text(text.replace("\ncountry: BE", "\n"), encoding="utf-8")
    assert load_edition(path).country is None
    lines = text.splitlines()
    line = 1 + next(n for n, content in enumerate(lines) if content.startswith("country:"))
    for wrong in ("be", "Belgium", "XX", "EU"):
        path.write_text(text.replace("\ncountry: BE", f"\ncountry: {wrong}"), encoding="utf-8")
        with pytest.raises(EditionError) as raised:
            load_edition(path)
        assert (raised.value.line, raised.value.message) == (
            line,
            f"field 'country': expected an ISO 3166 country code such as BE, got {wrong!r}",
        )
