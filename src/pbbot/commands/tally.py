"""`pbbot tally FILE.pb`: count a Pabulib file and show, explain or export the winners.

Without `--rule` the file's own META rule is applied, so a city's published
result can be recounted and checked. `--json` gives `selected` as the file's own
project ids; `--csv` and `--pb` write files for staff. (The residents' results
text, `--explain LANG`, and the chart, `--chart`, are still to come: issue 4.)
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from pbbot.counting.election import Outcome
from pbbot.counting.pabulib import read_pabulib, write_pabulib
from pbbot.counting.rules import count

__all__ = ["register"]

_RULE_CHOICES = ("greedy", "equal-shares")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tally",
        help="count a Pabulib .pb file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.pb", type=Path)
    parser.add_argument(
        "--rule", choices=_RULE_CHOICES, help="counting rule (default: the file's META rule)"
    )
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument("--csv", metavar="OUT.csv", type=Path, help="write the projects as CSV")
    parser.add_argument(
        "--pb",
        metavar="OUT.pb",
        type=Path,
        help="write a Pabulib file whose selected column holds the winners",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    source = str(args.file)
    election = read_pabulib(args.file)
    outcome = count(election, args.rule, source=source)
    if args.json:
        print(json.dumps(_as_json(outcome), ensure_ascii=False, indent=2))
    else:
        print(_as_table(outcome))
    if args.csv:
        _write_csv(outcome, args.csv)
    if args.pb:
        write_pabulib(election, args.pb, outcome=outcome)
    return 0


def _as_json(outcome: Outcome) -> dict[str, object]:
    election = outcome.election
    return {
        "rule": outcome.rule,
        "selected": list(outcome.selected),
        "spent": str(outcome.spent),
        "budget": str(election.budget),
        "voters": election.voters,
        "voter_budget": None if outcome.voter_budget is None else str(outcome.voter_budget),
        "note": outcome.note,
    }


def _as_table(outcome: Outcome) -> str:
    election = outcome.election
    scores = election.scores
    lines = [
        f"rule: {outcome.rule}   voters: {election.voters}   "
        f"spent {outcome.spent} of {election.budget} {election.currency}"
    ]
    for project_id in outcome.selected:
        project = election.project_by_id[project_id]
        votes = scores[project_id]
        lines.append(f"{project_id:>14}  {project.cost:>12}  {votes:>8}  {project.name}")
    if outcome.note:
        lines.append(outcome.note)
    return "\n".join(lines)


def _write_csv(outcome: Outcome, path: Path) -> None:
    election = outcome.election
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["project_id", "name", "cost", "votes", "categories", "selected"])
        for project in election.projects:
            writer.writerow(
                [
                    project.id,
                    project.name,
                    project.cost,
                    election.scores[project.id],
                    ",".join(project.categories),
                    int(outcome.is_selected(project.id)),
                ]
            )
