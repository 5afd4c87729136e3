"""Results: the published count of an edition's vote, with its chart per language
(`pbbot.voting.results_tables`).

Revision ID: 0009
Revises: 0008
Create Date: 2027-05-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        # pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_results")),
    )
    op.create_index(
        op.f("ix_published_results_edition_id_replaced_at"),
        "published_results",
        ["edition_id", "replaced_at"],
    )
    op.create_table(
        "published_charts",
        sa.Column(
            "results_id",
            sa.Integer(),
            sa.ForeignKey(
                "published_results.id",
                name=op.f("fk_published_charts_results_id_published_results"),
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("results_id", "language", name=op.f("pk_published_charts")),
    )


def downgrade() -> None:
    op.drop_table("published_charts")
    op.drop_index(
        op.f("ix_published_results_edition_id_replaced_at"), table_name="published_results"
    )
    op.drop_table("published_results")
