"""Ballots: secret ballots apart from the voters' keyed links, and paper imports
(`pbbot.voting.tables`).

Revision ID: 0008
Revises: 0007
Create Date: 2027-04-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("projects", sa.JSON(), nullable=False),
        sa.Column("split", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("cast_on", sa.Date(), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=True),
        sa.Column("entered_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
    )
    op.create_index(op.f("ix_ballots_edition_id"), "ballots", ["edition_id"])
    op.create_table(
        "voter_links",
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("link", sa.String(length=64), nullable=False),
        sa.Column(
            "ballot_id",
            sa.String(length=32),
            sa.ForeignKey(
                "ballots.id", name=op.f("fk_voter_links_ballot_id_ballots"), ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("edition_id", "link", name=op.f("pk_voter_links")),
        sa.UniqueConstraint("ballot_id", name=op.f("uq_voter_links_ballot_id")),
    )
    op.create_table(
        "paper_imports",
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        # pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("edition_id", "digest", name=op.f("pk_paper_imports")),
    )


def downgrade() -> None:
    op.drop_table("paper_imports")
    op.drop_table("voter_links")
    op.drop_index(op.f("ix_ballots_edition_id"), table_name="ballots")
    op.drop_table("ballots")
