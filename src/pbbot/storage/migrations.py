"""Applying the Alembic migrations (`alembic/` at the repository root) to a database.

`upgrade(url)` is what `pbbot db upgrade` and the test suite call: it opens the
engine the application uses (WAL and all on SQLite) and runs Alembic on its
connection in one transaction, so a failed migration leaves nothing half done.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from pbbot.storage.database import create_engine

__all__ = ["alembic_config", "upgrade"]


def _project_root() -> Path:
    return Path(__file__).resolve().parents[3]


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration for `url` (None: `PBBOT_DATABASE_URL` or the default)."""
    root = _project_root()
    config = Config(root / "alembic.ini")
    config.set_main_option("script_location", str(root / "alembic"))
    if url is not None:
        config.attributes["url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating a SQLite file if needed)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, alembic_config(url), revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
