"""A bar chart of the result for Telegram: votes per project, and what each winner gets.

Drawn with matplotlib's Agg backend (no display needed). Long ballots are cut to
the projects that matter to a reader: every winner plus the most-voted others,
at most `MAX_BARS` rows.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from pbbot.counting.election import Outcome
from pbbot.i18n.catalogs import Translator

__all__ = ["MAX_BARS", "draw_chart"]

MAX_BARS = 30
_FUNDED, _NOT_FUNDED = "#2a9d8f", "#c9c9c9"
_LABEL_LENGTH = 40


def draw_chart(outcome: Outcome, path: str | Path, tr: Translator) -> Path:
    """Write the chart as PNG to `path` and return it."""
    election = outcome.election
    scores = election.scores
    ordered = sorted(election.project_by_id, key=lambda p: (-scores[p], p))
    winners = [p for p in ordered if outcome.is_selected(p)]
    others = [p for p in ordered if not outcome.is_selected(p)]
    shown = set(winners[:MAX_BARS]) | set(others[: max(0, MAX_BARS - len(winners))])
    rows = [p for p in ordered if p in shown][::-1]  # matplotlib draws bottom-up

    labels = [_label(election.project_by_id[p].name or p) for p in rows]
    colours = [_FUNDED if outcome.is_selected(p) else _NOT_FUNDED for p in rows]
    funded = [
        float(election.project_by_id[p].cost) if outcome.is_selected(p) else 0.0 for p in rows
    ]

    height = 1.5 + 0.32 * len(rows)
    figure, (votes_axis, money_axis) = plt.subplots(
        1, 2, figsize=(11, height), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
    )
    try:
        votes_axis.barh(range(len(rows)), [float(scores[p]) for p in rows], color=colours)
        votes_axis.set_yticks(range(len(rows)), labels, fontsize=8)
        votes_axis.set_xlabel(tr.gettext("Votes"))
        money_axis.barh(range(len(rows)), funded, color=_FUNDED)
        money_axis.set_xlabel(
            tr.gettext("Funded amount ({currency})").format(currency=election.currency)
        )
        figure.suptitle(tr.gettext("Vote results"))
        figure.tight_layout()
        figure.savefig(path, format="png", dpi=110)
    finally:
        plt.close(figure)
    return Path(path)


def _label(name: str) -> str:
    return name if len(name) <= _LABEL_LENGTH else name[: _LABEL_LENGTH - 1].rstrip() + "…"
