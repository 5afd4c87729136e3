"""Publishing the results (`pbbot results publish`): count once, store what residents read.

The counted ballots (chat and paper, voided voters left out: `voting.casting`)
are counted with the edition's rule (`voting.rule`) by `pbbot.counting`, the
same code as `pbbot tally` runs on the exported `.pb` file. What the count
found is stored as a `PublishedResults` document (`voting.results_view`) with
the chart drawn in each language whose labels differ, with who published and
when. The chat then reads that document: it never recounts, and a result
stays as published even if a ballot changed afterwards.

Publishing again replaces the publication residents read; the earlier one is
kept, marked with when it was replaced. All of it runs in the caller's one
transaction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.counting.election import Election, Outcome
from pbbot.counting.rules import count
from pbbot.counting.vessels import funded_by_theme
from pbbot.domain.edition import PHASE_KINDS, Edition, Phase
from pbbot.errors import PbbotError
from pbbot.i18n.catalogs import translator
from pbbot.storage.phases import current_phase
from pbbot.voting.casting import counted_ballots
from pbbot.voting.pb_export import ballots_election
from pbbot.voting.projects import ListedProject, list_projects
from pbbot.voting.results_tables import PublishedChart, PublishedResultsRow
from pbbot.voting.results_view import PublishedResults, ResultProject, theme_names

__all__ = [
    "CHART_TEXTS",
    "Counted",
    "NothingToPublish",
    "Publication",
    "chart_languages",
    "chart_png",
    "count_results",
    "current_publication",
    "draw_charts",
    "publish_results",
    "summary",
]

# The chart's own texts (`pbbot.counting.chart`): languages in which these and
# the project titles read the same share one chart.
CHART_TEXTS = ("Votes", "Funded amount ({currency})", "Vote results")


class NothingToPublish(PbbotError):
    """The results cannot be published now: voting is still open, or no ballot counts."""


@dataclass(frozen=True, slots=True)
class Counted:
    """A count as it would be published, and the outcome it came from."""

    results: PublishedResults
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Publication:
    """A stored publication: the document, and who published it when."""

    id: int
    results: PublishedResults
    published_by: str
    published_at: datetime
    earlier: int  # publications it replaced, over time
    charts: tuple[str, ...]  # the languages a chart was drawn in


async def count_results(session: AsyncSession, edition: Edition, *, at: datetime) -> Counted:
    """Count the counted ballots with the edition's rule; raises `NothingToPublish`
    while voting is open or still to come at `at` (a partial count must not reach
    residents; staff's hand moves of the phase count) or when no ballot counts."""
    voting = edition.phase("voting")
    if voting is not None and not _voting_over(
        edition, await current_phase(session, edition, at), at
    ):
        raise NothingToPublish(
            f"voting is open until {voting.end.isoformat()}: publish the results after that"
        )
    ballots = await counted_ballots(session, edition.id)
    if not ballots:
        raise NothingToPublish("no counted ballots: there is nothing to publish")
    projects = await list_projects(session, edition.id)
    election = ballots_election(edition, projects, ballots)
    # The rule the election carries (`ballots_election`): the edition's, and for
    # communicating vessels the themes' means, as `pbbot tally` counts the export.
    outcome = count(election)
    return Counted(_document(edition, projects, election, outcome), outcome)


def _voting_over(edition: Edition, current: Phase | None, at: datetime) -> bool:
    """Whether voting has ended at `at`: a later phase runs, or, between or after
    phases, its scheduled end has passed."""
    if current is not None:
        return PHASE_KINDS.index(current.kind) > PHASE_KINDS.index("voting")
    voting = edition.phase("voting")
    return voting is None or at >= voting.ends_at(edition.zone)


def _document(
    edition: Edition, listed: list[ListedProject], election: Election, outcome: Outcome
) -> PublishedResults:
    # The count's ids: project numbers; for communicating vessels, theme ids
    # (each theme is a "project" whose cost is its share: `voting.pb_export`).
    vessels = edition.voting.method == "vessels"
    by_id = (
        {
            theme.id: (number, dict(theme.name), theme.id)
            for number, theme in enumerate(edition.themes, 1)
        }
        if vessels
        else {str(p.number): (p.number, dict(p.title), p.theme) for p in listed}
    )
    scores = election.scores
    # Vessels' scores are the euros given: the chart's votes are the voters who gave any.
    voters = election.approvals if vessels else scores
    projects = []
    for project in election.projects:
        if project.id not in by_id:
            raise ValueError(f"the count's project {project.id!r} is not on the ballot")
        number, title, theme = by_id[project.id]
        projects.append(
            ResultProject(
                id=project.id,
                number=number,
                title=title,
                cost=project.cost,
                theme=theme,
                votes=Decimal(voters[project.id]),
                selected=outcome.is_selected(project.id),
                given=scores[project.id] if vessels else None,
            )
        )
    projects.sort(key=lambda p: p.number)
    results = PublishedResults(
        edition=edition.id,
        method=edition.voting.method,
        rule=outcome.rule,
        meta=dict(election.meta),
        voters=election.voters,
        projects=tuple(projects),
        selected=outcome.selected,
        by_theme={},
        default_language=edition.default_language,
        voter_budget=outcome.voter_budget,
        note=outcome.note,
    )
    # Money per theme by theme id, as the document stores it (names are per language).
    ids = results.outcome(edition.default_language, {})
    return replace(results, by_theme=funded_by_theme(ids))


def _chart_key(results: PublishedResults, locale: str) -> tuple[str, ...]:
    t = translator(locale)
    names = (p.name(locale, results.default_language) for p in results.projects)
    return (*(t.gettext(text) for text in CHART_TEXTS), *names)


def draw_charts(results: PublishedResults, edition: Edition) -> dict[str, bytes]:
    """The chart (PNG) in each of the edition's languages whose labels differ,
    by the first language that reads them; `results.charts` is then to say
    which language shows which (`chart_languages`)."""
    from pbbot.counting.chart import draw_chart  # matplotlib loads only to draw

    drawn: dict[tuple[str, ...], str] = {}
    charts: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="pbbot-chart-") as folder:
        for locale in edition.languages:
            key = _chart_key(results, locale)
            if key in drawn:
                continue
            drawn[key] = locale
            path = Path(folder) / f"{locale}.png"
            outcome = results.outcome(locale, theme_names(edition, locale))
            draw_chart(outcome, path, translator(locale))
            charts[locale] = path.read_bytes()
    return charts


def chart_languages(results: PublishedResults, edition: Edition) -> dict[str, str]:
    """Language -> the language whose chart it shows."""
    first: dict[tuple[str, ...], str] = {}
    shown = {}
    for locale in edition.languages:
        shown[locale] = first.setdefault(_chart_key(results, locale), locale)
    return shown


async def publish_results(
    session: AsyncSession, edition: Edition, *, by: str, now: datetime, at: datetime | None = None
) -> Publication:
    """Count, draw and store the results as the ones residents read; an earlier
    publication is kept, marked replaced. Raises `NothingToPublish`. `at`: the
    moment on the edition's timeline (a demo's fixed day); default `now`."""
    counted = await count_results(session, edition, at=at or now)
    charts = draw_charts(counted.results, edition)
    results = replace(counted.results, charts=chart_languages(counted.results, edition))
    replaced = await _count(session, PublishedResultsRow.edition_id == edition.id)
    await session.execute(
        update(PublishedResultsRow)
        .where(
            PublishedResultsRow.edition_id == edition.id, PublishedResultsRow.replaced_at.is_(None)
        )
        .values(replaced_at=now)
    )
    row = PublishedResultsRow(
        edition_id=edition.id,
        results=results.to_json(),
        published_by=by,
        published_at=now,
        replaced_at=None,
    )
    session.add(row)
    await session.flush()
    session.add_all(
        PublishedChart(results_id=row.id, language=locale, png=png)
        for locale, png in charts.items()
    )
    await session.flush()
    return Publication(row.id, results, by, now, replaced, tuple(charts))


async def current_publication(session: AsyncSession, edition_id: str) -> Publication | None:
    """The publication residents read now, or None before staff publish."""
    row = await session.scalar(
        select(PublishedResultsRow)
        .where(
            PublishedResultsRow.edition_id == edition_id, PublishedResultsRow.replaced_at.is_(None)
        )
        .order_by(PublishedResultsRow.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    earlier = await _count(
        session, PublishedResultsRow.edition_id == edition_id, PublishedResultsRow.id != row.id
    )
    languages = await session.scalars(
        select(PublishedChart.language).where(PublishedChart.results_id == row.id)
    )
    return Publication(
        row.id,
        PublishedResults.from_json(row.results),
        row.published_by,
        row.published_at,
        earlier,
        tuple(sorted(languages)),
    )


async def _count(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    """How many publications match `where`."""
    found = await session.scalar(
        select(func.count()).select_from(PublishedResultsRow).where(*where)
    )
    return found or 0


async def chart_png(session: AsyncSession, publication: Publication, locale: str) -> bytes | None:
    """The chart `locale` shows (the one of the language with the same labels)."""
    charts: Mapping[str, str] = publication.results.charts
    language = charts.get(locale) or charts.get(publication.results.default_language)
    if language is None:
        return None
    png: bytes | None = await session.scalar(
        select(PublishedChart.png).where(
            PublishedChart.results_id == publication.id, PublishedChart.language == language
        )
    )
    return png


def summary(publication: Publication | Counted, edition: Edition) -> str:
    """The count for staff, in English: rule, turnout, money, winners, themes."""
    results = publication.results
    currency = results.currency
    lines = [
        f"rule: {results.rule}   voters: {results.voters}   "
        f"spent {results.spent} of {results.budget} {currency}"
    ]
    if isinstance(publication, Publication):
        lines.insert(
            0,
            f"published {publication.published_at:%Y-%m-%d %H:%M} UTC by {publication.published_by}"
            + (f" (replaces {publication.earlier} earlier)" if publication.earlier else ""),
        )
    lines.append("funded:")
    for project in results.winners:
        title = project.name(edition.default_language, edition.default_language)
        given = "" if project.given is None else f" ({_votes(project.given)} {currency} given)"
        lines.append(
            f"{project.number:>5}  {project.cost:>10} {currency}  {_votes(project.votes):>7} votes"
            f"  {title}{given}"
        )
    if not results.winners:
        lines.append("    none")
    if results.by_theme:
        lines.append("money per theme:")
        lines += [
            f"{theme:>16}  {amount:>10} {currency}" for theme, amount in results.by_theme.items()
        ]
    if results.note:
        lines.append(results.note)
    return "\n".join(lines)


def _votes(votes: Decimal) -> str:
    return str(int(votes)) if votes == votes.to_integral_value() else str(votes)
