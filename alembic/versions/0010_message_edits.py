"""Message edits: the Telegram message an outbox message is shown in place of
(the list whose button the resident tapped, edited rather than sent again).

Revision ID: 0010
Revises: 0009
Create Date: 2027-05-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbound_messages",
        sa.Column("edits_message_id", sa.String(length=64), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("edits_message_id")
