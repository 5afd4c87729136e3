"""`pbbot results publish|show`: the count of the vote, published to residents.

`publish` counts the counted ballots (chat and paper, voided voters left out)
with the edition's rule, as `pbbot tally` counts the exported `.pb` file, and
stores the outcome and its chart for the chat, recording who published and
when; residents who ask in the results phase then read it in their language.
Publishing again replaces what residents read (the earlier publication is
kept). `--dry-run` prints what would be published and stores nothing.
`show` prints the publication residents read now, or, with `--explain LANG`,
the text they get (`--channel sms` for the SMS).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from pbbot.commands.options import add_common_options, database_url, edition_path, today
from pbbot.domain.languages import SUPPORTED_LOCALES

__all__ = ["register"]

_CHANNELS = ("telegram", "sms")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "results",
        help="the vote's results: publish them to residents, show them",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="results_command", required=True, metavar="ACTION")
    publish = actions.add_parser(
        "publish", help="count the ballots with the edition's rule and publish the results"
    )
    publish.add_argument(
        "--by", default=os.environ.get("USER") or getpass.getuser(), help="who publishes (recorded)"
    )
    publish.add_argument(
        "--dry-run", action="store_true", help="print what would be published; store nothing"
    )
    show = actions.add_parser("show", help="the published results residents read now")
    show.add_argument(
        "--explain", metavar="LANG", help="print the text residents get (nl fr en tr ar)"
    )
    show.add_argument(
        "--channel",
        choices=_CHANNELS,
        default="telegram",
        help="with --explain: the Telegram text or the SMS (default: telegram)",
    )
    show.add_argument("--chart", metavar="OUT.png", type=Path, help="write the published chart")
    for action in (publish, show):
        add_common_options(action)
        action.set_defaults(run=lambda args: asyncio.run(_run(args)))


async def _run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pbbot.config.edition_file import load_edition
    from pbbot.domain.timeline import edition_now
    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.voting import results

    edition = load_edition(edition_path(args))
    explain = getattr(args, "explain", None)
    if explain and explain not in SUPPORTED_LOCALES:
        print(
            f"pbbot: --explain: unknown language {explain!r} "
            f"(expected one of {', '.join(SUPPORTED_LOCALES)})",
            file=sys.stderr,
        )
        return 2
    moment = edition_now(edition, today(args))()
    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine).begin() as session:
            if args.results_command == "publish":
                try:
                    if args.dry_run:
                        counted = await results.count_results(session, edition, at=moment)
                        print("dry run: nothing is published")
                        print(results.summary(counted, edition))
                        return 0
                    publication = await results.publish_results(
                        session, edition, by=args.by, now=datetime.now(UTC), at=moment
                    )
                except results.NothingToPublish as refused:
                    print(f"pbbot: not published: {refused}", file=sys.stderr)
                    return 1
                print(results.summary(publication, edition))
                print(f"charts: {', '.join(publication.charts)}")
                return 0
            current = await results.current_publication(session, edition.id)
            if current is None:
                print("the results are not published yet (pbbot results publish)")
                return 1
            chart = None
            if args.chart:
                language = explain or edition.default_language
                chart = await results.chart_png(session, current, language)
    finally:
        await engine.dispose()
    if explain:
        from pbbot.i18n.catalogs import translator
        from pbbot.voting.results_view import results_text

        print(results_text(current.results, edition, translator(explain), args.channel))
    else:
        print(results.summary(current, edition))
    if args.chart and chart is not None:
        args.chart.write_bytes(chart)
        print(f"{args.chart}: the chart residents read in {explain or edition.default_language}")
    return 0
