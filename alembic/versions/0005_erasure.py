"""Erasure that erases: the hashed keys of erased residents' messages, the
installation's secret for that hash, and when a resident erased everything.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time() -> sa.DateTime:
    # pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "erased_inbound_keys",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("erased_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_erased_inbound_keys")),
    )
    op.create_table(
        "installation_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_installation_secrets")),
    )
    op.add_column("residents", sa.Column("erased_at", _time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("erased_at")
    op.drop_table("installation_secrets")
    op.drop_table("erased_inbound_keys")
