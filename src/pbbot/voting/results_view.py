"""The published results as data: what `pbbot results publish` stores and the
chat reads back, without recounting.

`PublishedResults` holds everything the texts and the chart need: every
project with its number, per-language titles, cost, theme, votes and whether
it won, the winners in the order the rule picked them, turnout and the rule.
`outcome(locale, themes)` rebuilds the count's `Outcome` from it, with the
titles and theme names in one language, so the results are written by
`pbbot.counting.results.render_results` and drawn by `counting.chart` exactly
as `pbbot tally` would, from the stored numbers. Plain data and no database:
the engine side of the results reads it from the snapshot.

`MyResults` is the snapshot part "voting.results": the publication, its chart
in the resident's language, and what is the resident's own (the projects that
came from their accepted ideas, the projects on their ballot).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from pbbot.counting.election import Election, Outcome, Project
from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import Translator

__all__ = [
    "FORMAT",
    "MyResults",
    "PublishedResults",
    "ResultProject",
    "results_text",
    "theme_names",
]

FORMAT = 1  # the version of the stored document; a newer one is refused, not misread


def theme_names(edition: Edition, locale: str) -> dict[str, str]:
    """Theme id -> its name in `locale` (else the default language's, else the id)."""
    return {
        theme.id: theme.name.get(locale) or theme.name.get(edition.default_language) or theme.id
        for theme in edition.themes
    }


@dataclass(frozen=True, slots=True)
class ResultProject:
    """A project as the count saw it; `id` is its id in the count (Pabulib)."""

    id: str
    number: int
    title: Mapping[str, str]  # locale -> title; the edition's default language always
    cost: Decimal
    theme: str | None
    votes: Decimal  # votes; communicating vessels: the voters who gave the theme money
    selected: bool
    given: Decimal | None = None  # communicating vessels: what all voters gave the theme

    def name(self, locale: str, default: str) -> str:
        return self.title.get(locale) or self.title.get(default) or next(iter(self.title.values()))


@dataclass(frozen=True, slots=True)
class PublishedResults:
    """One count, as published: enough to write and draw it in any language."""

    edition: str
    method: str  # the edition's `voting.method`
    rule: str  # the rule the outcome names ("greedy", "equalshares/add1", ...)
    meta: Mapping[str, str]  # the election's Pabulib META: budget, currency, vote type, ...
    voters: int
    projects: tuple[ResultProject, ...]  # every project on the ballot, by number
    selected: tuple[str, ...]  # the winners' ids, in the order the rule picked them
    by_theme: Mapping[str, Decimal]  # theme id -> what its winners cost, largest first
    default_language: str
    voter_budget: Decimal | None = None
    note: str = ""
    # language -> the language whose chart it shows (where the labels read the same)
    charts: Mapping[str, str] = field(default_factory=dict)

    @property
    def budget(self) -> Decimal:
        return Decimal(self.meta["budget"].replace(",", "."))

    @property
    def currency(self) -> str:
        return self.meta.get("currency", "EUR")

    @property
    def spent(self) -> Decimal:
        return sum((p.cost for p in self.winners), Decimal(0))

    @property
    def vessels(self) -> bool:
        """Communicating vessels: the "projects" are the themes, their costs the shares."""
        return self.method == "vessels"

    @property
    def winners(self) -> tuple[ResultProject, ...]:
        by_id = {p.id: p for p in self.projects}
        return tuple(by_id[project_id] for project_id in self.selected)

    def by_number(self) -> dict[int, ResultProject]:
        return {p.number: p for p in self.projects}

    def ids(self, numbers: tuple[int, ...] | list[int]) -> list[str]:
        """The count's ids of these project numbers (those on the ballot)."""
        known = self.by_number()
        return [known[n].id for n in numbers if n in known]

    def outcome(self, locale: str, themes: Mapping[str, str] | None = None) -> Outcome:
        """The count's outcome, projects named in `locale` (else the default
        language) and themes by `themes` (id -> name in `locale`)."""
        names = themes or {}
        election = _CountedElection(
            meta=dict(self.meta),
            projects=tuple(
                Project(
                    id=p.id,
                    cost=p.cost,
                    name=p.name(locale, self.default_language),
                    categories=(names.get(p.theme, p.theme),) if p.theme else (),
                    votes=int(p.votes) if p.votes == p.votes.to_integral_value() else None,
                    selected=p.selected,
                )
                for p in self.projects
            ),
            ballots=(),
            counted={p.id: p.votes for p in self.projects},
            counted_voters=self.voters,
        )
        return Outcome(
            rule=self.rule,
            selected=self.selected,
            election=election,
            voter_budget=self.voter_budget,
            note=self.note,
        )

    # --- the stored document ----------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "edition": self.edition,
            "method": self.method,
            "rule": self.rule,
            "meta": dict(self.meta),
            "voters": self.voters,
            "default_language": self.default_language,
            "projects": [
                {
                    "id": p.id,
                    "number": p.number,
                    "title": dict(p.title),
                    "cost": str(p.cost),
                    "theme": p.theme,
                    "votes": str(p.votes),
                    "selected": p.selected,
                    **({} if p.given is None else {"given": str(p.given)}),
                }
                for p in self.projects
            ],
            "selected": list(self.selected),
            "spent": str(self.spent),
            "by_theme": {theme: str(amount) for theme, amount in self.by_theme.items()},
            "voter_budget": None if self.voter_budget is None else str(self.voter_budget),
            "note": self.note,
            "charts": dict(self.charts),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublishedResults:
        if data.get("format") != FORMAT:
            raise ValueError(f"published results in format {data.get('format')!r}, not {FORMAT}")
        return cls(
            edition=data["edition"],
            method=data["method"],
            rule=data["rule"],
            meta=dict(data["meta"]),
            voters=int(data["voters"]),
            default_language=data["default_language"],
            projects=tuple(
                ResultProject(
                    id=p["id"],
                    number=int(p["number"]),
                    title=dict(p["title"]),
                    cost=Decimal(p["cost"]),
                    theme=p["theme"],
                    votes=Decimal(p["votes"]),
                    selected=bool(p["selected"]),
                    given=Decimal(p["given"]) if p.get("given") is not None else None,
                )
                for p in data["projects"]
            ),
            selected=tuple(data["selected"]),
            by_theme={theme: Decimal(amount) for theme, amount in data["by_theme"].items()},
            voter_budget=None if data["voter_budget"] is None else Decimal(data["voter_budget"]),
            note=data.get("note", ""),
            charts=dict(data.get("charts", {})),
        )


@dataclass(frozen=True)
class _CountedElection(Election):
    """An election as published: the votes the count found and how many voted,
    in place of the ballots, which a publication does not keep."""

    counted: Mapping[str, Decimal] = field(default_factory=dict)
    counted_voters: int = 0

    @property
    def voters(self) -> int:
        return self.counted_voters

    @cached_property
    def scores(self) -> dict[str, Decimal]:
        return {p.id: self.counted.get(p.id, Decimal(0)) for p in self.projects}


@dataclass(frozen=True, slots=True)
class MyResults:
    """The part "voting.results": `published` is None until staff publish.

    `chart`: the PNG in the resident's language. `own`: the numbers of the
    projects that came from the resident's own accepted ideas. `chosen`: the
    projects on their ballot (only they see it, through their own number),
    None when they did not vote (or their ballot does not count); `split`
    the same for a ballot of communicating vessels (theme id, amount)."""

    published: PublishedResults | None
    chart: bytes | None = field(default=None, repr=False)
    own: tuple[int, ...] = ()
    chosen: tuple[int, ...] | None = None
    split: tuple[tuple[str, int], ...] = ()  # communicating vessels: their division


def results_text(
    published: PublishedResults,
    edition: Edition,
    t: Translator,
    channel: str,
    *,
    chosen: tuple[int, ...] | None = None,
    own: tuple[int, ...] = (),
    split: tuple[tuple[str, int], ...] = (),
) -> str:
    """The published results as `render_results` writes them for `channel`
    ("sms" or "telegram") in `t`'s language; `chosen`, `own` and `split` are
    the resident's own (project numbers; theme id and amount)."""
    from pbbot.counting.results import render_results  # NumPy loads only to write results

    outcome = published.outcome(t.locale, theme_names(edition, t.locale))
    if published.vessels:
        mine = {theme: Decimal(amount) for theme, amount in split}
        return render_results(outcome, t, channel=channel, vessels=True, split=mine)
    return render_results(
        outcome,
        t,
        channel=channel,
        chosen=published.ids(chosen) if chosen else None,
        own=published.ids(own) if own else None,
    )
