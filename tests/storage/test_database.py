"""Engines for SQLAlchemy URLs: SQLite settings, and clear errors for wrong URLs."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from pbbot.errors import SettingsError
from pbbot.storage.database import create_engine
from tests.conftest import asyncpg_dsn, postgres_server_url


async def test_a_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'pbbot.db'}")
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        await engine.dispose()

    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10_000,
        "synchronous": 2,  # FULL: what was acknowledged survives a power cut
    }
    assert (tmp_path / "nested" / "pbbot.db").exists()


async def test_a_sqlite_transaction_takes_the_write_lock_up_front(tmp_path: Path) -> None:
    # Another process must wait for the lock before it starts, not fail half-way.
    path = tmp_path / "pbbot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, timeout=0)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("CREATE TABLE elsewhere (x)")
        other.execute("CREATE TABLE elsewhere (x)")
    finally:
        other.close()
        await engine.dispose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "not a SQLAlchemy URL"),
        ("sqlite:///pbbot.db", "unsupported database 'sqlite+pysqlite'"),
        ("mysql+aiomysql://u@h/db", "unsupported database 'mysql+aiomysql'"),
    ],
)
def test_a_wrong_url_is_a_settings_error(url: str, expected: str) -> None:
    with pytest.raises(SettingsError) as raised:
        create_engine(url)

    assert raised.value.source == "PBBOT_DATABASE_URL"
    assert expected in raised.value.message


@pytest.mark.postgres
async def test_a_lock_held_elsewhere_fails_a_waiting_statement_within_seconds() -> None:
    """A lock held for long (a stuck transaction) must not hold every webhook with it."""
    url = postgres_server_url()
    holder = await asyncpg.connect(asyncpg_dsn(url))
    engine = create_engine(url)
    try:
        await holder.execute("CREATE TABLE IF NOT EXISTS lock_probe (id int)")
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("LOCK TABLE lock_probe IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(Exception, match="lock timeout"):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT count(*) FROM lock_probe"))
        assert time.monotonic() - started < 10
        await transaction.rollback()
    finally:
        await holder.execute("DROP TABLE IF EXISTS lock_probe")
        await holder.close()
        await engine.dispose()
