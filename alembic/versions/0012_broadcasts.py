"""Broadcasts and the timeline: one outbox copy per recipient of a broadcast
(unique per resident), phases moved by hand, and a record of staff's actions.

Revision ID: 0012
Revises: 0011
Create Date: 2027-06-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Times are pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("message", sa.String(64), nullable=True),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_before", sa.String(16), nullable=True),
        sa.Column("fanned_to", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
        sa.UniqueConstraint("key", name=op.f("uq_broadcasts_key")),
    )
    op.create_index(op.f("ix_broadcasts_status"), "broadcasts", ["status"])
    op.create_table(
        "phase_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase_moves")),
    )
    op.create_index(op.f("ix_phase_moves_edition"), "phase_moves", ["edition"])
    op.create_table(
        "staff_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("done_by", sa.String(100), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_actions")),
    )
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbound_messages_broadcast_id_broadcasts"),
            "broadcasts",
            ["broadcast_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            op.f("uq_outbound_messages_broadcast_id_resident_id"),
            ["broadcast_id", "resident_id"],
        )
        batch.create_index(
            op.f("ix_outbound_messages_broadcast_id_status"), ["broadcast_id", "status"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_index(op.f("ix_outbound_messages_broadcast_id_status"))
        batch.drop_constraint(
            op.f("uq_outbound_messages_broadcast_id_resident_id"), type_="unique"
        )
        batch.drop_constraint(
            op.f("fk_outbound_messages_broadcast_id_broadcasts"), type_="foreignkey"
        )
        batch.drop_column("broadcast_id")
    op.drop_table("staff_actions")
    op.drop_index(op.f("ix_phase_moves_edition"), table_name="phase_moves")
    op.drop_table("phase_moves")
    op.drop_index(op.f("ix_broadcasts_status"), table_name="broadcasts")
    op.drop_table("broadcasts")
