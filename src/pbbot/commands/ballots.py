"""`pbbot ballots void|import|export|count`: staff's side of the secret ballot.

None of them shows what anyone voted: `void` says only whether a ballot was
voided, `count` only how many there are, and `export` writes the ballots as a
Pabulib file with voters numbered in a random order, for `pbbot tally`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pbbot.commands.options import add_common_options, database_url, edition_path, today
from pbbot.errors import ConfigurationError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ballots", help="secret ballots: void, import paper, export")
    actions = parser.add_subparsers(dest="ballots_command", required=True, metavar="ACTION")
    void = actions.add_parser(
        "void",
        help="a voter's ballot no longer counts, and the number cannot vote again",
        description="Deletes the ballot cast with this phone number (+32..., or as the "
        "edition's country writes it). Prints whether there was one, never what it said.",
    )
    void.add_argument("phone", metavar="PHONE")
    importing = actions.add_parser(
        "import",
        help="add paper ballots from a CSV file",
        description="One ballot per line. Basket, approval, pick_n: a 'projects' column "
        "('3 7 12'). Vessels: one column per theme id with whole euros. Optional "
        "'entered_on' (YYYY-MM-DD, default today). A faulty file is refused with every "
        "faulty line; a file imported once is refused the second time.",
    )
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    importing.add_argument("--entered-by", required=True, metavar="NAME", help="who typed them")
    export = actions.add_parser(
        "export", help="write the counted ballots (chat and paper) as a Pabulib file"
    )
    export.add_argument("--pb", required=True, type=Path, metavar="OUT.pb")
    count = actions.add_parser("count", help="how many ballots: chat, paper, voided")
    for action in (void, importing, export, count):
        add_common_options(action)
        action.set_defaults(run=lambda args: asyncio.run(_run(args)))


def _e164(text: str, country: str | None) -> str:
    """The number as pbbot stores it (+32470123456), read as staff may type it."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ConfigurationError(
            "not a phone number: write it as +32 470 12 34 56"
            + (f" (or as a {country} number)" if country else ""),
            source="PHONE",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


async def _run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pbbot.config.edition_file import load_edition
    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.voting.casting import count_ballots, counted_ballots, void_voter
    from pbbot.voting.paper import PaperAlreadyImported, PaperBallotsError, import_paper_ballots
    from pbbot.voting.pb_export import ballots_election
    from pbbot.voting.projects import list_projects
    from pbbot.voting.secret import ballot_key

    edition = load_edition(edition_path(args))
    now = datetime.now(UTC)
    day = today(args) or now.date()
    command = args.ballots_command
    voter = _e164(args.phone, edition.country) if command == "void" else None
    if command == "import" and not args.file.is_file():
        print(f"pbbot: {args.file}: no such file", file=sys.stderr)
        return 2
    engine = create_engine(database_url())
    sessions = create_sessionmaker(engine)
    try:
        if voter is not None:
            # The key in a transaction of its own, so the one that uses it finds it made.
            async with sessions.begin() as session:
                await ballot_key(session)
            async with sessions.begin() as session:
                voided = await void_voter(session, edition_id=edition.id, voter=voter, day=day)
            print(
                "voided: that ballot no longer counts, and this number cannot vote again"
                if voided
                else "no ballot of this number counts in this edition: nothing voided"
            )
            return 0
        async with sessions.begin() as session:
            if command == "import":
                imported = await import_paper_ballots(
                    session, edition, args.file, entered_by=args.entered_by, now=now, today=day
                )
                print(f"{args.file}: {imported} paper ballots imported")
                return 0
            counts = await count_ballots(session, edition.id)
            if command == "count":
                print(f"chat ballots: {counts.chat}")
                print(f"paper ballots: {counts.paper}")
                print(f"voided voters: {counts.voided}")
                print(f"counted: {counts.counted}")
                return 0
            projects = await list_projects(session, edition.id)
            ballots = await counted_ballots(session, edition.id)
    except (PaperBallotsError, PaperAlreadyImported) as error:
        print(f"pbbot: {args.file} refused, nothing imported:", file=sys.stderr)
        print(error, file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    if not ballots:
        print("pbbot: no ballots count yet: nothing exported", file=sys.stderr)
        return 1
    from pbbot.counting.pabulib import write_pabulib

    election = ballots_election(edition, projects, ballots)
    write_pabulib(election, args.pb)
    print(
        f"{args.pb}: {counts.counted} ballots ({counts.chat} chat, {counts.paper} paper) "
        f"over {len(election.projects)} "
        + ("themes" if edition.voting.method == "vessels" else "projects")
        + f"; count them with: pbbot tally {args.pb}"
    )
    return 0
