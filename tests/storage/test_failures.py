"""Which database failures are the update's own, for good, and which are for now."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc

from pbbot.storage.failures import classify, describe


class PostgresError(Exception):
    """What SQLAlchemy's asyncpg adapter hands on: the server's SQLSTATE."""

    def __init__(self, sqlstate: str):
        super().__init__("DETAIL: Key (address)=(+32470123456) already exists.")
        self.sqlstate = sqlstate


def postgres(sqlstate: str, *, invalidated: bool = False) -> exc.DBAPIError:
    return exc.DBAPIError(
        "INSERT ...", {}, PostgresError(sqlstate), connection_invalidated=invalidated
    )


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (postgres("22001"), "refused"),  # value too long for its column
        (postgres("22P05"), "refused"),  # a character the encoding cannot hold
        (postgres("23505"), "refused"),  # unique violation
        (postgres("23514"), "refused"),  # check violation
        (postgres("55P03"), "temporary"),  # lock timeout
        (postgres("40P01"), "temporary"),  # deadlock
        (postgres("40001"), "temporary"),  # serialization failure
        (postgres("57014"), "temporary"),  # statement timeout
        (postgres("08006"), "unreachable"),  # connection failure
        (postgres("57P01"), "unreachable"),  # the server shuts down
        (postgres("53300"), "unreachable"),  # too many connections
        (postgres("3D000"), "unreachable"),  # no such database
        (postgres("22001", invalidated=True), "unreachable"),
        (exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE")), "refused"),
        (exc.DataError("INSERT", {}, sqlite3.DataError("string or blob too big")), "refused"),
        (exc.OperationalError("INSERT", {}, sqlite3.OperationalError("locked")), "temporary"),
        (ConnectionRefusedError(111, "Connect call failed"), "unreachable"),
        (TimeoutError(), "unreachable"),
        (exc.TimeoutError("QueuePool limit reached"), "unreachable"),
        (ValueError("a bug of ours"), "temporary"),  # retried, never dropped
    ],
    ids=lambda value: value if isinstance(value, str) else describe(value),
)
def test_failures_are_told_apart(error: BaseException, failure: str) -> None:
    assert classify(error) == failure


def test_descriptions_never_quote_the_database_message() -> None:
    assert describe(postgres("23505")) == "DBAPIError 23505"
    assert describe(ValueError("+32470123456")) == "ValueError"
