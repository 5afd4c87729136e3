"""`pbbot projects import|list`: the candidate projects on the ballot.

Staff import projects from a CSV file (checked whole: a faulty file is refused
with every faulty line, and nothing is stored) and list them with the numbers
residents will vote by. Accepted ideas join the same numbering.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pbbot.commands.options import add_common_options, database_url, edition_path

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("projects", help="candidate projects: import, list")
    actions = parser.add_subparsers(dest="projects_command", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import",
        help="add or update projects from a CSV file",
        description="CSV columns: title_<lang>, summary_<lang> (for the edition's languages; "
        "the default language's title is required), cost, theme, and optional ref (an "
        "external id: re-importing a ref updates its project).",
    )
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    listing = actions.add_parser("list", help="the edition's projects, by number")
    for action in (importing, listing):
        add_common_options(action)
        action.set_defaults(run=lambda args: asyncio.run(_run(args)))


async def _run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pbbot.config.edition_file import load_edition
    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.voting.projects import add_accepted_ideas, import_projects, list_projects
    from pbbot.voting.projects_file import ProjectsFileError

    edition = load_edition(edition_path(args))
    now = datetime.now(UTC)
    if args.projects_command == "import" and not args.file.is_file():
        print(f"pbbot: {args.file}: no such file", file=sys.stderr)
        return 2
    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine).begin() as session:
            if args.projects_command == "import":
                imported = await import_projects(session, edition, args.file, now)
                print(
                    f"{args.file}: {imported.added} projects added, {imported.updated} updated"
                    + (f"; {imported.ideas} accepted ideas joined" if imported.ideas else "")
                )
                return 0
            await add_accepted_ideas(session, edition, now)
            projects = await list_projects(session, edition.id)
    except ProjectsFileError as error:
        print(f"pbbot: {args.file} refused, nothing imported:", file=sys.stderr)
        print(error, file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    for project in projects:
        title = project.title.get(edition.default_language) or next(iter(project.title.values()))
        print(f"{project.number:>3}  {project.cost:>9} {edition.currency}  "
              f"{project.theme or '-':<10}  {title}")  # fmt: skip
    if not projects:
        print("no projects")
    return 0
