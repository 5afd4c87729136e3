"""Alembic's environment: runs migrations on pbbot's async engine.

`pbbot db upgrade` (see `pbbot.storage.migrations`) hands over an open
connection in `config.attributes["connection"]`. Run as `alembic upgrade head`,
this file opens the engine itself, for `PBBOT_DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

import pbbot.ideas.tables
import pbbot.voting.tables  # noqa: F401  (the ideas and projects tables, for the metadata)
from pbbot.commands.options import database_url
from pbbot.storage.database import create_engine
from pbbot.storage.tables import Base, UTCDateTime

config = context.config


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | bool:
    # New migrations name plain SQLAlchemy types, never pbbot's own.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("pbbot's migrations run online only: use `pbbot db upgrade`")
connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    asyncio.run(run_with_own_engine(config.attributes.get("url") or database_url()))
