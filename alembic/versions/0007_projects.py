"""Projects: the candidate projects on the ballot, from staff's CSV and from
accepted ideas, with their per-edition numbers (`pbbot.voting.tables`).

Revision ID: 0007
Revises: 0006
Create Date: 2027-03-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column(
            "idea_id",
            sa.Integer(),
            sa.ForeignKey("ideas.id", name=op.f("fk_projects_idea_id_ideas"), ondelete="CASCADE"),
            nullable=True,
        ),
        # pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("edition_id", "number", name=op.f("uq_projects_edition_id_number")),
        sa.UniqueConstraint("edition_id", "ref", name=op.f("uq_projects_edition_id_ref")),
        sa.UniqueConstraint("idea_id", name=op.f("uq_projects_idea_id")),
    )
    op.create_table(
        "project_counters",
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_project_counters")),
    )


def downgrade() -> None:
    op.drop_table("project_counters")
    op.drop_table("projects")
