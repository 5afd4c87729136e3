"""The async engine for a SQLAlchemy URL: SQLite (the embedded default) or PostgreSQL.

SQLite allows one writer at a time. Rather than let several connections race
for the file lock (and poll on `busy_timeout`), a SQLite engine keeps exactly one
pooled connection: sessions queue for it in FIFO order, so every transaction in
this process runs alone and per-resident ordering comes for free. Each
transaction starts with `BEGIN IMMEDIATE`, so another process on the same file
(`pbbot db upgrade`, a second server) waits for the lock up front instead of
failing half-way with "database is locked". WAL lets readers in other processes
read while we write. `synchronous=FULL`: a webhook answers 2xx only after the
commit, and the channel will not send that update again, so the commit must
survive a power cut too (with batched commits it costs a few percent).

PostgreSQL (asyncpg) uses the normal pool; ordering there comes from row locks
(`SELECT ... FOR UPDATE`, see `pbbot.storage.repositories`). Every session has a
statement and a lock timeout: a lock held elsewhere (a long manual query, a stuck
transaction) fails the waiting webhook after seconds, so the channel redelivers
later, instead of holding every webhook for as long as the lock lasts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from pbbot.errors import SettingsError

__all__ = ["create_engine", "create_sessionmaker", "ensure_sqlite_folder", "is_sqlite"]

# How long another process waits for SQLite's write lock before giving up (ms).
_SQLITE_BUSY_TIMEOUT_MS = 10_000
# How long a coroutine waits for the single SQLite connection (s).
_SQLITE_POOL_TIMEOUT_S = 60
# PostgreSQL: the longest a statement runs, and waits for a row lock (ms).
_PG_STATEMENT_TIMEOUT_MS = 15_000
_PG_LOCK_TIMEOUT_MS = 5_000


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except Exception as error:  # sqlalchemy raises ArgumentError with a terse text
        raise SettingsError(
            f"not a SQLAlchemy URL: {url!r} ({error})", source="PBBOT_DATABASE_URL"
        ) from None
    driver = f"{parsed.get_backend_name()}+{parsed.get_driver_name()}"
    if driver not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise SettingsError(
            f"unsupported database {driver!r}; use sqlite+aiosqlite:///FILE "
            "or postgresql+asyncpg://USER@HOST/DB",
            source="PBBOT_DATABASE_URL",
        )
    return parsed


def ensure_sqlite_folder(url: str | URL) -> None:
    """Create the folder of a SQLite file URL (SQLite creates the file, not its folder)."""
    parsed = make_url(url)
    if is_sqlite(parsed) and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """The engine for `url` (`sqlite+aiosqlite:///pbbot.db`, `postgresql+asyncpg://...`)."""
    parsed = _parse(url)
    # Statement parameters hold phone numbers and messages: never in a log line.
    options.setdefault("hide_parameters", True)
    if not is_sqlite(parsed):
        connect_args = options.pop("connect_args", {})
        connect_args.setdefault(
            "server_settings",
            {
                "statement_timeout": str(_PG_STATEMENT_TIMEOUT_MS),
                "lock_timeout": str(_PG_LOCK_TIMEOUT_MS),
            },
        )
        return create_async_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **options)
    ensure_sqlite_folder(parsed)
    options.setdefault("pool_size", 1)
    options.setdefault("max_overflow", 0)
    options.setdefault("pool_timeout", _SQLITE_POOL_TIMEOUT_S)
    engine = create_async_engine(parsed, **options)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 driver (it would not BEGIN
    # before a SELECT); `_begin_immediate` emits our own BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: rows read in a transaction stay usable after it.
    return async_sessionmaker(engine, expire_on_commit=False)
