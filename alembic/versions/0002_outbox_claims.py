"""The outbox's claims: due messages by channel, a resident's unsent messages, delivery time.

The outbox claims one channel's due messages at a time, so the due index leads
with (status, channel) and a channel without a sender (the simulator, SMS
without Twilio) costs the claim nothing; it ends with the claim's order
(priority, next_attempt_at, id), so that a claim reads the index in order and
stops after a batch, however long the queue. Each claimed message must be the next
one for its resident, which looks up the resident's unsent messages by
(resident_id, status); that index also serves everything the old resident_id
index did. `delivered_at` records the provider's delivery report.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "outbound_messages"


def upgrade() -> None:
    op.drop_index("ix_outbound_messages_due", table_name=_TABLE)
    op.create_index(
        "ix_outbound_messages_due",
        _TABLE,
        ["status", "channel", "priority", "next_attempt_at", "id"],
    )
    op.drop_index("ix_outbound_messages_resident_id", table_name=_TABLE)
    op.create_index("ix_outbound_messages_resident_id_status", _TABLE, ["resident_id", "status"])
    op.add_column(_TABLE, sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table, which batch mode does.
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column("delivered_at")
    op.drop_index("ix_outbound_messages_resident_id_status", table_name=_TABLE)
    op.create_index("ix_outbound_messages_resident_id", _TABLE, ["resident_id"])
    op.drop_index("ix_outbound_messages_due", table_name=_TABLE)
    op.create_index(
        "ix_outbound_messages_due", _TABLE, ["status", "priority", "next_attempt_at"]
    )
