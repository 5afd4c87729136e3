"""`pbbot db upgrade` and the Alembic migrations, on an empty database of each backend."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

import pbbot.ideas.tables
import pbbot.voting.tables  # noqa: F401  (their tables belong to the metadata too)
from pbbot.commands import db
from pbbot.storage.database import create_engine
from pbbot.storage.migrations import alembic_config, upgrade
from pbbot.storage.tables import Base

TABLES = {table.name for table in Base.metadata.sorted_tables}


def pbbot_db(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pbbot")
    db.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["db", *argv])
    code: int = args.run(args)
    return code


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_db_upgrade_creates_the_tables_in_a_new_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "data" / "city.db"
    monkeypatch.setenv("PBBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")

    assert pbbot_db("upgrade") == 0

    assert sqlite_tables(path) == TABLES | {"alembic_version"}
    assert "is up to date" in capsys.readouterr().out


def test_db_upgrade_defaults_to_pbbot_db_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PBBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    assert pbbot_db("upgrade") == 0

    assert sqlite_tables(tmp_path / "pbbot.db") >= TABLES


def test_db_upgrade_twice_is_harmless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pbbot.db"
    monkeypatch.setenv("PBBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert pbbot_db("upgrade") == 0
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO residents (channel, address, created_at, unreachable, subscribed)"
            " VALUES ('sms', '+32470000001', '2027-03-01 09:30:00', 0, 1)"
        )

    assert pbbot_db("upgrade") == 0

    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head(),)
        ]
        assert connection.execute("SELECT address FROM residents").fetchall() == [("+32470000001",)]


def test_the_migrations_match_the_tables(empty_database_url: str) -> None:
    asyncio.run(upgrade(empty_database_url))

    assert asyncio.run(_run_sync(empty_database_url, _schema_differences)) == []


def test_downgrade_to_base_removes_every_table(empty_database_url: str) -> None:
    asyncio.run(upgrade(empty_database_url))

    remaining = asyncio.run(_run_sync(empty_database_url, _downgrade_to_base))

    assert remaining == {"alembic_version"}


async def _run_sync(url: str, function: object) -> object:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(function)  # type: ignore[arg-type]
    finally:
        await engine.dispose()


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _downgrade_to_base(connection: Connection) -> set[str]:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")
    return set(inspect(connection).get_table_names())
