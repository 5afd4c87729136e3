"""`pbbot ideas list|show|review|export`: staff's side of ideation.

Staff list and read residents' ideas and decide on them; every decision is
recorded and reaches the author in their language, on their channel. Nothing
here shows who sent an idea: only the channel and language it came in, and
the export not even that.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
from typing import TYPE_CHECKING, Any

from pbbot.commands.options import add_common_options, database_url, edition_path

if TYPE_CHECKING:  # SQLAlchemy and the ideas package load only when a command runs
    from pbbot.ideas.listing import StaffIdea
    from pbbot.ideas.review import Decision

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ideas", help="residents' ideas: list, show, review, export")
    actions = parser.add_subparsers(dest="ideas_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the edition's ideas, by number")
    listing.add_argument("--status", help="submitted, accepted, rejected, question or merged")
    listing.add_argument("--theme", help="a theme id of the edition")
    show = actions.add_parser("show", help="one idea with its comments, questions and reviews")
    show.add_argument("number", type=int)
    export = actions.add_parser("export", help="all ideas with counts; no personal data")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    for action in (listing, show, export):
        add_common_options(action)
        action.set_defaults(run=lambda args: asyncio.run(_read(args)))
    review = actions.add_parser("review", help="decide on an idea; its author is told")
    review.add_argument("number", type=int)
    decisions = review.add_subparsers(dest="decision", required=True, metavar="DECISION")
    accept = _decision(decisions, "accept", "make it a candidate project at staff's cost")
    accept.add_argument("--cost", type=int, metavar="EUR", help="staff's cost (required)")
    reject = _decision(decisions, "reject", "refuse it, naming the criterion it fails")
    reject.add_argument("--reason", required=True, metavar="CRITERION")
    ask = _decision(decisions, "ask", "ask the author a question", note=False)
    ask.add_argument("--question", required=True, metavar="TEXT")
    merge = _decision(decisions, "merge", "join it to a similar idea, with its supporters")
    merge.add_argument("--into", required=True, type=int, metavar="M")
    for name, help_text in (("hide", "hide it from residents"), ("restore", "show it again")):
        hide = _decision(decisions, name, help_text)
        hide.add_argument("--comment", type=int, metavar="ID", help="one of its comments instead")


def _decision(
    decisions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    *,
    note: bool = True,
) -> argparse.ArgumentParser:
    parser = decisions.add_parser(name, help=help_text, description=help_text)
    if note:
        parser.add_argument("--note", metavar="TEXT", help="sent to the author as written")
    parser.add_argument(
        "--by", default=os.environ.get("USER") or getpass.getuser(), help="who decides (recorded)"
    )
    add_common_options(parser)
    parser.set_defaults(run=lambda args: asyncio.run(_review(args)))
    return parser


async def _read(args: argparse.Namespace) -> int:
    from pbbot.config.edition_file import load_edition
    from pbbot.ideas import listing
    from pbbot.ideas.tables import IDEA_STATUSES
    from pbbot.storage.database import create_engine, create_sessionmaker

    edition = load_edition(edition_path(args))
    if getattr(args, "status", None) not in (None, *IDEA_STATUSES):
        print(f"pbbot: unknown status {args.status!r}; expected one of " + ", ".join(IDEA_STATUSES))
        return 2
    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine)() as session:
            if args.ideas_command == "export":
                _print_export(await listing.export_rows(session, edition.id), args.format)
                return 0
            if args.ideas_command == "list":
                ideas = await listing.list_ideas(
                    session, edition.id, status=args.status, theme=args.theme
                )
                for idea in ideas:
                    print(_line(idea))
                if not ideas:
                    print("no ideas")
                return 0
            detail = await listing.idea_detail(session, edition.id, args.number)
    finally:
        await engine.dispose()
    if detail is None:
        print(f"pbbot: no idea #{args.number}")
        return 1
    idea = detail.idea
    print(_line(idea))
    for label, value in (
        ("description", idea.description),
        ("voice note (Telegram file id)", idea.voice_file_id),
        ("photo (Telegram file id)", idea.photo_file_id),
        ("place", idea.place),
        ("pin", f"{idea.latitude}, {idea.longitude}" if idea.latitude is not None else None),
        ("estimated cost", idea.estimated_cost),
        ("staff's cost", idea.staff_cost),
        ("merged into", f"#{idea.merged_into}" if idea.merged_into else None),
    ):
        if value is not None:
            print(f"  {label}: {value}")
    for comment_id, text, hidden in detail.comments:
        print(f"  comment {comment_id}{' (hidden)' if hidden else ''}: {text}")
    for question, answer in detail.questions:
        print(f"  question: {question}\n    answer: {answer or '(none yet)'}")
    for review in detail.reviews:
        print(f"  {listing.review_line(review)}")
    return 0


def _line(idea: StaffIdea) -> str:
    came = f"{idea.channel} {idea.locale or '-'}" if idea.channel else "anonymous"
    flags = " hidden" if idea.hidden else ""
    return (
        f"#{idea.number} {idea.status}{flags} {idea.theme or '-'} {came} "
        f"supporters={idea.supporters} comments={idea.comments}: {idea.title}"
    )


def _print_export(rows: list[dict[str, Any]], format: str) -> None:
    import csv
    import json
    import sys

    from pbbot.ideas.listing import EXPORT_FIELDS

    if format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


async def _review(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pbbot.config.edition_file import load_edition
    from pbbot.ideas.review import ReviewError, review
    from pbbot.storage.database import create_engine, create_sessionmaker

    edition = load_edition(edition_path(args))
    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine).begin() as session:
            reviewed = await review(
                session, edition, args.number, _decision_of(args), by=args.by, now=datetime.now(UTC)
            )
    except ReviewError as error:
        print(f"pbbot: {error}")
        return 1
    finally:
        await engine.dispose()
    told = "the author's message is queued" if reviewed.notice == "queued" else reviewed.notice
    print(f"idea #{reviewed.number}: {reviewed.decision} ({reviewed.status}); {told}")
    return 0


def _decision_of(args: argparse.Namespace) -> Decision:
    from pbbot.ideas import review

    match args.decision:
        case "accept":
            return review.Accept(cost=args.cost, note=args.note)
        case "reject":
            return review.Reject(reason=args.reason, note=args.note)
        case "ask":
            return review.Ask(question=args.question)
        case "merge":
            return review.Merge(into=args.into, note=args.note)
        case "hide":
            return review.Hide(note=args.note, comment=args.comment)
    return review.Restore(note=args.note, comment=args.comment)
