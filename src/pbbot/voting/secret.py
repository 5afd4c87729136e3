"""The ballot key, and the link it makes from a voter's number to their ballot.

The link is HMAC-SHA256(key, edition id + NUL + phone number), in hex: the
ballot store finds a voter's one ballot by it (to replace it, or show it to
them) and it leads back to no number without the key. The key is
PBBOT_BALLOT_KEY (checked by the settings loader). Without it, the installation
makes a random key of its own in `installation_secrets` and warns, once per
process: that key then lives next to the ballots, and whoever holds a copy of
the database and a list of numbers can find how each of them voted.

The key must not change once votes are cast: links made with another key lead
nowhere, and everyone could vote a second time. So the installation keeps a
check value, HMAC(key, a fixed text), and refuses a different key while any
link exists.

Event handlers have only the step's transaction, so the key (and its check)
may be made there; nothing is cached, so if that transaction rolls back, the
links made with the key roll back with it, and the next call makes or reads
the key anew. On PostgreSQL a second transaction making it at the same time
waits for the first and then reads its key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from datetime import UTC, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.errors import SettingsError
from pbbot.settings import load_ballot_key
from pbbot.storage.repositories import insert_new_rows
from pbbot.storage.tables import InstallationSecret
from pbbot.voting.tables import SIMULATOR_BOX, VoterLink

__all__ = ["ballot_key", "voter_link"]

logger = logging.getLogger(__name__)

_KEY_NAME = "ballot-key"
_CHECK_NAME = "ballot-key-check"
_CHECK_TEXT = b"pbbot ballot key check"
_warned = False


def voter_link(key: bytes, edition_id: str, voter: str) -> str:
    """The voter's link in an edition: 64 hex digits, the same for the same number."""
    return hmac.new(key, f"{edition_id}\0{voter}".encode(), hashlib.sha256).hexdigest()


async def ballot_key(session: AsyncSession) -> bytes:
    """The key of the voters' links: PBBOT_BALLOT_KEY, or the installation's own."""
    configured = load_ballot_key(os.environ)
    key = configured.encode() if configured else await _installation_key(session)
    await _check(session, key)
    return key


def _today() -> datetime:
    # The day only: the time a key was made would tell when the first vote came in.
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def _stored(session: AsyncSession, name: str, value: bytes) -> bytes:
    """The secret `name`, stored as `value` first if it was not there yet."""
    which = select(InstallationSecret.value).where(InstallationSecret.name == name)
    stored = await session.scalar(which)
    if stored is not None:
        return stored
    await insert_new_rows(
        session,
        InstallationSecret,
        ("name",),
        [{"name": name, "value": value, "created_at": _today()}],
    )
    stored = await session.scalar(which)
    assert stored is not None, "inserted just now, or by another transaction before"
    return stored


async def _installation_key(session: AsyncSession) -> bytes:
    global _warned
    if not _warned:
        _warned = True
        logger.warning(
            "PBBOT_BALLOT_KEY is not set: the key that links voters to their ballots is "
            "kept in the database, next to the ballots; set PBBOT_BALLOT_KEY before voting opens"
        )
    return await _stored(session, _KEY_NAME, secrets.token_bytes(32))


async def _check(session: AsyncSession, key: bytes) -> None:
    expected = hmac.new(key, _CHECK_TEXT, hashlib.sha256).digest()
    stored = await _stored(session, _CHECK_NAME, expected)
    if hmac.compare_digest(stored, expected):
        return
    # The simulator's ballots (`voters.SIMULATOR_BOX`) count for nothing: a staff
    # member trying the flows before the key was set must not lock it out.
    real = VoterLink.edition_id.not_like(f"%{SIMULATOR_BOX}")
    if await session.scalar(select(exists().where(real))):
        raise SettingsError(
            "this is not the key the votes so far were cast with: with another key every "
            "voter could vote again. Set it back (or unset it, if the database's own key "
            "was used until now)",
            source="PBBOT_BALLOT_KEY",
        )
    # No one has voted yet: the new key simply takes over.
    await session.execute(
        update(InstallationSecret)
        .where(InstallationSecret.name == _CHECK_NAME)
        .values(value=expected)
        .execution_options(synchronize_session=False)
    )
