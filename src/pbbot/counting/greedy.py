"""Greedy by votes: what most cities use.

Most-voted project first; a project that no longer fits in what is left of the
budget is skipped and counting goes on (`greedy`), or counting stops there
(`greedy-no-skip`, Gdynia). A score threshold (`min_project_score_threshold`,
Warszawa 2026 and Łódź) keeps projects with too few votes out altogether.
Equal scores are ordered by project id as a string, as pabutools does.
"""

from __future__ import annotations

from pbbot.counting.election import Election, Outcome

__all__ = ["greedy", "greedy_order"]


def greedy_order(election: Election) -> list[str]:
    """Project ids by score (votes, or points for cumulative ballots), highest first."""
    scores = election.scores
    return sorted(scores, key=lambda project_id: (-scores[project_id], project_id))


def greedy(
    election: Election,
    *,
    threshold: int | None = None,
    skip: bool = True,
    rule: str = "greedy",
) -> Outcome:
    """Fund projects in score order while they fit; see the module docstring."""
    by_id = election.project_by_id
    scores = election.scores
    left = election.budget
    selected: list[str] = []
    for project_id in greedy_order(election):
        if threshold is not None and scores[project_id] < threshold:
            # Sorted by score: every later project is below the threshold too.
            break
        if scores[project_id] <= 0:
            break
        cost = by_id[project_id].cost
        if cost > left:
            if skip:
                continue
            break
        selected.append(project_id)
        left -= cost
    return Outcome(rule=rule, selected=tuple(selected), election=election)
