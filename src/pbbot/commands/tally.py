"""`pbbot tally FILE.pb`: count a Pabulib file and show, explain or export the winners.

Without `--rule` the file's own META rule is applied, so a city's published
result can be recounted and checked. `--json` gives `selected` as the file's own
project ids; `--explain LANG` prints the text residents would get; `--chart`,
`--csv` and `--pb` write files for staff.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pbbot.domain.languages import SUPPORTED_LOCALES
from pbbot.errors import PabulibError

if TYPE_CHECKING:
    from pbbot.counting.election import Outcome
    from pbbot.counting.vessels import ThemeShare

__all__ = ["register"]

_RULE_CHOICES = ("greedy", "equal-shares")
_CHANNELS = ("telegram", "sms")


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
    parser.add_argument(
        "--explain",
        metavar="LANG",
        help="print the results as residents read them (nl fr en tr ar)",
    )
    parser.add_argument(
        "--channel",
        choices=_CHANNELS,
        default="telegram",
        help="with --explain: the Telegram text or the SMS (default: telegram)",
    )
    parser.add_argument("--chart", metavar="OUT.png", type=Path, help="draw a bar chart")
    parser.add_argument(
        "--themes",
        action="store_true",
        help="communicating vessels: each theme's mean and median share and amount",
    )
    parser.add_argument("--csv", metavar="OUT.csv", type=Path, help="write the projects as CSV")
    parser.add_argument(
        "--pb",
        metavar="OUT.pb",
        type=Path,
        help="write a Pabulib file whose selected column holds the winners",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Counting loads NumPy and Babel: only here, so that `pbbot --help` stays quick.
    from pbbot.counting.pabulib import read_pabulib, write_pabulib
    from pbbot.counting.results import render_results
    from pbbot.counting.rules import count
    from pbbot.counting.vessels import theme_shares
    from pbbot.i18n.catalogs import translator

    source = str(args.file)
    if args.explain and args.explain not in SUPPORTED_LOCALES:
        raise PabulibError(
            f"--explain: unknown language {args.explain!r} "
            f"(expected one of {', '.join(SUPPORTED_LOCALES)})",
            source=source,
        )
    election = read_pabulib(args.file)
    outcome = count(election, args.rule, source=source)
    shares = theme_shares(election) if args.themes else None
    if args.json:
        data = _as_json(outcome)
        if shares is not None:
            data["themes"] = [
                {
                    "theme": share.theme,
                    "mean": share.mean,
                    "median": share.median,
                    "mean_amount": str(share.mean_amount),
                    "median_amount": str(share.median_amount),
                }
                for share in shares
            ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif args.explain:
        print(render_results(outcome, translator(args.explain), channel=args.channel))
    else:
        print(_as_table(outcome))
        if shares is not None:
            print(_vessels_table(shares, election.currency))
    if args.chart:
        from pbbot.counting.chart import draw_chart  # matplotlib loads only when asked

        draw_chart(outcome, args.chart, translator(args.explain or "en"))
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


def _vessels_table(shares: list[ThemeShare], currency: str) -> str:
    if not shares:
        return "communicating vessels: the file has no themes (no `category` field)"
    lines = ["communicating vessels: theme, mean share, median share, amounts"]
    for share in shares:
        lines.append(
            f"{share.theme:>24}  {share.mean:6.1%}  {share.median:6.1%}  "
            f"{share.mean_amount:>12} {currency}  {share.median_amount:>12} {currency}"
        )
    return "\n".join(lines)


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
