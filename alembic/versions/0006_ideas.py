"""Ideas: residents' ideas with their supports, comments and reports, staff's
questions and review history, the per-edition idea numbers, and the accepted
ideas as candidate projects for the ballot (`pbbot.ideas.tables`).

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time() -> sa.DateTime:
    # pbbot.storage.tables.UTCDateTime, named as the plain type (see 0001).
    return sa.DateTime(timezone=True)


def _idea_key(table: str, column: str = "idea_id", *, cascade: bool = True) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(
            "ideas.id",
            name=op.f(f"fk_{table}_{column}_ideas"),
            ondelete="CASCADE" if cascade else None,
        ),
        nullable=not cascade,
    )


def _resident_key(table: str, column: str, *, erased: str) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey("residents.id", name=op.f(f"fk_{table}_{column}_residents"), ondelete=erased),
        nullable=erased == "SET NULL",
    )


def upgrade() -> None:
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _resident_key("ideas", "author_id", erased="SET NULL"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("voice_file_id", sa.String(length=200), nullable=True),
        sa.Column("photo_file_id", sa.String(length=200), nullable=True),
        sa.Column("theme_id", sa.String(length=63), nullable=True),
        sa.Column("estimated_cost", sa.Integer(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column(
            "merged_into_id",
            sa.Integer(),
            sa.ForeignKey("ideas.id", name=op.f("fk_ideas_merged_into_id_ideas")),
            nullable=True,
        ),
        sa.Column("staff_cost", sa.Integer(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
        sa.UniqueConstraint("edition_id", "number", name=op.f("uq_ideas_edition_id_number")),
    )
    op.create_index(op.f("ix_ideas_author_id"), "ideas", ["author_id"])
    op.create_table(
        "idea_counters",
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_idea_counters")),
    )
    op.create_table(
        "idea_supports",
        _idea_key("idea_supports"),
        _resident_key("idea_supports", "resident_id", erased="CASCADE"),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("idea_id", "resident_id", name=op.f("pk_idea_supports")),
    )
    op.create_index(op.f("ix_idea_supports_resident_id"), "idea_supports", ["resident_id"])
    op.create_table(
        "idea_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        _idea_key("idea_comments"),
        _resident_key("idea_comments", "author_id", erased="SET NULL"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_comments")),
    )
    op.create_index(op.f("ix_idea_comments_idea_id"), "idea_comments", ["idea_id"])
    op.create_index(op.f("ix_idea_comments_author_id"), "idea_comments", ["author_id"])
    op.create_table(
        "idea_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        _resident_key("idea_reports", "resident_id", erased="CASCADE"),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("reviewed_at", _time(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_reports")),
        sa.UniqueConstraint(
            "resident_id", "kind", "item_id", name=op.f("uq_idea_reports_resident_id_kind_item_id")
        ),
    )
    op.create_index(op.f("ix_idea_reports_kind_item_id"), "idea_reports", ["kind", "item_id"])
    op.create_table(
        "idea_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        _idea_key("idea_questions"),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=100), nullable=False),
        sa.Column("asked_at", _time(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", _time(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_questions")),
    )
    op.create_index(op.f("ix_idea_questions_idea_id"), "idea_questions", ["idea_id"])
    op.create_table(
        "idea_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        _idea_key("idea_reviews"),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("criterion", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("cost", sa.Integer(), nullable=True),
        _idea_key("idea_reviews", "merged_into_id", cascade=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", _time(), nullable=False),
        sa.Column("notice", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_reviews")),
    )
    op.create_index(op.f("ix_idea_reviews_idea_id"), "idea_reviews", ["idea_id"])
    op.create_table(
        "candidate_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.String(length=100), nullable=False),
        _idea_key("candidate_projects"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=True),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_projects")),
        sa.UniqueConstraint("idea_id", name=op.f("uq_candidate_projects_idea_id")),
    )
    op.create_index(op.f("ix_candidate_projects_edition_id"), "candidate_projects", ["edition_id"])


def downgrade() -> None:
    for table in (
        "candidate_projects",
        "idea_reviews",
        "idea_questions",
        "idea_reports",
        "idea_comments",
        "idea_supports",
        "idea_counters",
        "ideas",
    ):
        op.drop_table(table)
