"""When the database fails on an update: for good, for now, or for everyone.

The server must tell these apart. An update the database refuses for good
(a value too long for its column, a broken constraint) fails the same way on
every redelivery: answering 503 would have the channel send it again forever,
so it is recorded and answered 200. A failure for now (a lock that did not
come free in time, a deadlock, anything not known to be permanent) is answered
503, and the channel sends the update again later. When the database cannot be
reached at all, every update fails alike: trying the others one by one would
only multiply the wait.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Inbound
from pbbot.storage import repositories

__all__ = ["Failure", "classify", "describe", "record_refused"]

Failure = Literal["refused", "unreachable", "temporary"]

# SQLSTATE classes: 22 data exception (too long, out of range, bad encoding),
# 23 integrity constraint violation. The same row fails the same way every time.
_REFUSED_CLASSES = frozenset({"22", "23"})
# 08 connection, 28 authorization, 3D no such database, 53 insufficient
# resources, 57P the server shutting down or restarting, 58 system error.
_UNREACHABLE_CLASSES = frozenset({"08", "28", "3D", "53", "58"})


def classify(error: BaseException) -> Failure:
    """What a failure while storing or processing updates says about them."""
    if isinstance(error, OSError | TimeoutError | exc.TimeoutError | exc.DisconnectionError):
        return "unreachable"  # no connection, or none free in the pool in time
    if not isinstance(error, exc.DBAPIError):
        return "temporary"  # not the database's verdict on the data: retry, do not drop
    if error.connection_invalidated or isinstance(error, exc.InterfaceError):
        return "unreachable"
    state = _sqlstate(error)
    if state is not None:
        if state[:2] in _REFUSED_CLASSES:
            return "refused"
        if state[:2] in _UNREACHABLE_CLASSES or state.startswith("57P"):
            return "unreachable"
        return "temporary"  # e.g. 55P03 lock timeout, 40P01 deadlock, 57014 statement timeout
    # SQLite gives no SQLSTATE; its driver's classes say as much.
    return "refused" if isinstance(error, exc.IntegrityError | exc.DataError) else "temporary"


def describe(error: BaseException) -> str:
    """The error's class and SQLSTATE: database messages may quote the values
    (a phone number in a unique key's DETAIL), so logs and records get only these."""
    state = _sqlstate(error) if isinstance(error, exc.DBAPIError) else None
    return f"{type(error).__name__} {state}" if state else type(error).__name__


def _sqlstate(error: exc.DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None)  # asyncpg, through SQLAlchemy's adapter
    return state if isinstance(state, str) and len(state) == 5 else None


async def record_refused(
    session: AsyncSession, inbound: Inbound, key: str, *, now: datetime, error: str
) -> int | None:
    """Store an update the database refused as processed with `error`, without
    its content (which may be what was refused); its id, or None if `key` was
    stored before. A redelivery then finds its key and does nothing."""
    (inbound_id,) = await repositories.store_inbound_many(
        session, [(Inbound(inbound.channel, inbound.address), key)], now=now, processed=True
    )
    if inbound_id is not None:
        await repositories.finish_inbound(session, inbound_id, now=now, error=error)
    return inbound_id
