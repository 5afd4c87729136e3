"""Fixtures for the whole suite: clean databases at the newest schema, on SQLite and PostgreSQL.

Every test that asks for `database_url` (or `sessionmaker`) runs twice: on a
SQLite file and on the PostgreSQL server named by `PBBOT_TEST_POSTGRES_URL`
(`eval "$(scripts/pg-test-server.sh start)"`). Without that variable the
PostgreSQL runs are skipped, unless `PBBOT_REQUIRE_POSTGRES=1` (as in `.ci/run`),
which makes them fail instead.

The migrations run once per session and backend; each test then gets a copy of
the migrated SQLite file, or the PostgreSQL tables emptied.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.features import load_features
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.migrations import upgrade
from pbbot.storage.tables import Base

# As every command that runs flows does: the features' actions, sources and
# variables are registered before any test loads the flows.
load_features()

BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_server_url() -> str:
    """The test server's URL; skips (or fails, if PostgreSQL is required) without one."""
    url = os.environ.get("PBBOT_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("PBBOT_REQUIRE_POSTGRES") == "1":
        pytest.fail(
            "PBBOT_REQUIRE_POSTGRES=1 but PBBOT_TEST_POSTGRES_URL is not set; "
            'start a server with: eval "$(scripts/pg-test-server.sh start)"',
            pytrace=False,
        )
    pytest.skip("PostgreSQL not configured: set PBBOT_TEST_POSTGRES_URL")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy `postgresql+asyncpg://` URL as asyncpg's own DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def migrated_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest schema, migrated once per session: the template of each test."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("template") / "pbbot.db")
    else:
        url = postgres_server_url()
    asyncio.run(upgrade(url))
    return url


@pytest.fixture
async def database_url(migrated_database_url: str, backend: str, tmp_path: Path) -> str:
    """A clean database at the newest schema, for one test."""
    if backend == "sqlite":
        # The template's engine is disposed, so its WAL is checkpointed into the file.
        path = tmp_path / "pbbot.db"
        shutil.copyfile(make_url(migrated_database_url).database or "", path)
        return sqlite_url(path)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    connection = await asyncpg.connect(asyncpg_dsn(migrated_database_url))
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
    return migrated_database_url


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a clean database; the engine is disposed after the test."""
    engine = create_engine(database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (for migration tests); dropped afterwards."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    server = postgres_server_url()
    name = f"pbbot_empty_{uuid4().hex[:12]}"
    asyncio.run(_run_on_server(server, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_run_on_server(server, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _run_on_server(server_url: str, sql: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
