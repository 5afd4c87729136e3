"""Outbox leases: who holds a message being sent, since when, and sends of unknown outcome.

A message is now claimed only to be sent at once, under a short lease its
outbox renews (`lease_owner`, `started_at`); an attempt that ended without an
outcome is remembered (`uncertain_since`), so that the next one checks the
provider first (SMS) or is the last (Telegram). A message being sent when the
database is upgraded gets its queueing time as the start of its call: no later
than the call, which is all the check needs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "outbound_messages"


def _time() -> sa.DateTime:
    # pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(_TABLE, sa.Column("lease_owner", sa.String(length=32), nullable=True))
    op.add_column(_TABLE, sa.Column("started_at", _time(), nullable=True))
    op.add_column(_TABLE, sa.Column("uncertain_since", _time(), nullable=True))
    op.execute(f"UPDATE {_TABLE} SET started_at = created_at WHERE status = 'sending'")


def downgrade() -> None:
    # SQLite drops a column by copying the table, which batch mode does.
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column("uncertain_since")
        batch.drop_column("started_at")
        batch.drop_column("lease_owner")
