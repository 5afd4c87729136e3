"""What erasure keeps of a resident's messages: their keys, as keyed hashes.

Exactly-once needs the key of every message a channel may deliver again
(`twilio:<MessageSid>`, `telegram:<bot>:<update_id>`): a redelivery of an
erased message must still do nothing. The key itself is not harmless (with the
provider's logs a MessageSid leads to a phone number), so erasure keeps only an
HMAC-SHA256 of it, under a random secret this installation makes once. The
digest answers one question, "was this key seen?", and leads back to nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.messages import Channel
from pbbot.storage.repositories import insert_new_rows
from pbbot.storage.tables import ErasedInboundKey, InboundMessage, InstallationSecret

__all__ = ["digest", "drop_erased", "erasure_key", "forget_inbound"]

_SECRET_NAME = "erasure-key"


async def erasure_key(session: AsyncSession, *, now: datetime) -> bytes:
    """The installation's key for hashing erased keys, made on first use.

    Two processes making it at once agree: the first insert wins, both read it.
    """
    await insert_new_rows(
        session,
        InstallationSecret,
        ("name",),
        [{"name": _SECRET_NAME, "value": secrets.token_bytes(32), "created_at": now}],
    )
    key = await session.scalar(
        select(InstallationSecret.value).where(InstallationSecret.name == _SECRET_NAME)
    )
    assert key is not None, "inserted just now, or by another process before"
    return key


def digest(key: bytes, inbound_key: str) -> str:
    return hmac.new(key, inbound_key.encode(), hashlib.sha256).hexdigest()


async def forget_inbound(
    session: AsyncSession,
    key: bytes,
    channel: Channel,
    address: str,
    *,
    now: datetime,
    up_to: int | None = None,
) -> None:
    """Delete a resident's stored messages (up to `up_to`, if given), keeping their keys hashed."""
    which = [InboundMessage.channel == channel, InboundMessage.address == address]
    if up_to is not None:
        which.append(InboundMessage.id <= up_to)
    keys = list(await session.scalars(select(InboundMessage.key).where(*which)))
    await insert_new_rows(
        session,
        ErasedInboundKey,
        ("digest",),
        [{"digest": digest(key, inbound_key), "erased_at": now} for inbound_key in keys],
    )
    await session.execute(
        delete(InboundMessage).where(*which).execution_options(synchronize_session=False)
    )


async def drop_erased(
    session: AsyncSession, key: bytes, stored: Sequence[tuple[str, int | None]]
) -> list[int | None]:
    """The ids of messages just stored, with None for (and without the rows of)
    those whose key was erased: a redelivery of an erased message.

    Checked after storing, not before: on PostgreSQL an insert that waited
    for an erasing transaction's lock on the same key then sees its digest.
    """
    new = {digest(key, inbound_key): inbound_id for inbound_key, inbound_id in stored if inbound_id}
    if not new:
        return [inbound_id for _, inbound_id in stored]
    erased = set(
        await session.scalars(
            select(ErasedInboundKey.digest).where(ErasedInboundKey.digest.in_(new))
        )
    )
    if not erased:
        return [inbound_id for _, inbound_id in stored]
    dropped = {new[found] for found in erased}
    await session.execute(
        delete(InboundMessage)
        .where(InboundMessage.id.in_(dropped))
        .execution_options(synchronize_session=False)
    )
    return [None if inbound_id in dropped else inbound_id for _, inbound_id in stored]
