"""`pbbot db upgrade`: bring the database (`PBBOT_DATABASE_URL`) to the newest schema."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from pbbot.commands.options import database_url

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="manage the database")
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade_parser = actions.add_parser(
        "upgrade",
        help="apply the migrations to $PBBOT_DATABASE_URL (a SQLite file is created if needed)",
    )
    upgrade_parser.set_defaults(run=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    # SQLAlchemy and Alembic load only to migrate, so that other commands start quickly.
    from sqlalchemy.engine import make_url

    from pbbot.storage.migrations import upgrade

    url = database_url()
    asyncio.run(upgrade(url))
    print(f"pbbot: database {make_url(url).render_as_string(hide_password=True)} is up to date")
    return 0
