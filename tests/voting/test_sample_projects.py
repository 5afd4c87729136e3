"""The sample edition's ballot (`examples/mechelen-2027-projects.csv`), which the
demo imports and the benchmarks vote on, read through the real reader so that it
cannot drift from the edition or grow too long for an SMS ballot line."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.i18n.sms import is_gsm7, normalize_for_sms
from pbbot.voting.projects import import_projects, list_projects
from pbbot.voting.projects_file import read_projects_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EDITION = load_edition(EXAMPLES / "mechelen-2027.yaml")
SAMPLE = EXAMPLES / "mechelen-2027-projects.csv"
NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)

# A title is one line of a paged SMS ballot ("12 Speeltuin Heffen 52.000");
# Arabic is UCS-2 (70 units a segment) and needs a direction mark per line.
TITLE_LENGTH = {"nl": 28, "fr": 28, "en": 28, "tr": 28, "ar": 24}
SUMMARY_LENGTH = 100  # one plain sentence


def test_the_sample_ballot_reads_without_problems_in_every_language() -> None:
    rows = read_projects_file(SAMPLE, EDITION)  # raises with FILE:LINE on any problem

    assert [row.ref for row in rows] == [f"p{n:02}" for n in range(1, 25)]
    assert set(TITLE_LENGTH) == set(EDITION.languages)
    for row in rows:
        for lang in EDITION.languages:
            title, summary = row.title.get(lang, ""), row.summary.get(lang, "")
            assert 0 < len(title) <= TITLE_LENGTH[lang], (row.ref, lang, title)
            assert 0 < len(summary) <= SUMMARY_LENGTH, (row.ref, lang, summary)


def test_every_theme_has_six_projects_and_every_cost_is_within_the_rules() -> None:
    rows = read_projects_file(SAMPLE, EDITION)

    assert Counter(row.theme for row in rows) == {theme.id: 6 for theme in EDITION.themes}
    max_cost = EDITION.criteria.max_cost
    assert max_cost is not None
    for row in rows:
        assert 8_000 <= row.cost <= max_cost, (row.ref, row.cost)
    # More is proposed than the budget holds: a basket means choosing.
    assert sum(row.cost for row in rows) > EDITION.budget


def test_dutch_and_english_ballot_lines_stay_in_the_cheap_sms_alphabet() -> None:
    # One "ë" or "’" outside GSM-7 would turn a whole Dutch ballot SMS into UCS-2,
    # more than doubling its segments.
    rows = read_projects_file(SAMPLE, EDITION)

    for row in rows:
        for lang in ("nl", "en"):
            for text in (row.title[lang], row.summary[lang]):
                assert is_gsm7(normalize_for_sms(text)), (row.ref, lang, text)


async def test_importing_the_sample_again_keeps_every_project_number(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # The demo imports the sample on every run.
    for expected in ((24, 0), (0, 24)):
        async with sessionmaker.begin() as session:
            imported = await import_projects(session, EDITION, SAMPLE, NOW)
        assert (imported.added, imported.updated) == expected

    async with sessionmaker() as session:
        projects = await list_projects(session, EDITION.id)
    assert [p.number for p in projects] == list(range(1, 25))
    assert projects[12].title["nl"] == "Speeltuin Heffen"
    assert projects[12].cost == 52_000
