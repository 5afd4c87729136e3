"""The first tables: residents, conversations, inbound and outbound messages, events, edition state.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time() -> sa.DateTime:
    # pbbot.storage.tables.UTCDateTime; migrations name the plain type so that
    # they do not change when the application's code does.
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("unreachable", sa.Boolean(), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("start_param", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_residents"),
        sa.UniqueConstraint("channel", "address", name="uq_residents_channel_address"),
    )
    op.create_table(
        "conversations",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name="fk_conversations_resident_id_residents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resident_id", name="pk_conversations"),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", _time(), nullable=False),
        sa.Column("processed_at", _time(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_messages"),
        sa.UniqueConstraint("key", name="uq_inbound_messages_key"),
    )
    op.create_index(
        "ix_inbound_messages_channel_address", "inbound_messages", ["channel", "address"]
    )
    op.create_index("ix_inbound_messages_processed_at", "inbound_messages", ["processed_at"])
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("request", sa.String(length=16), nullable=True),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _time(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("sent_at", _time(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name="fk_outbound_messages_inbound_id_inbound_messages",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name="fk_outbound_messages_resident_id_residents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbound_messages"),
    )
    op.create_index(
        "ix_outbound_messages_due", "outbound_messages", ["status", "priority", "next_attempt_at"]
    )
    op.create_index("ix_outbound_messages_provider_id", "outbound_messages", ["provider_id"])
    op.create_index("ix_outbound_messages_resident_id", "outbound_messages", ["resident_id"])
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name="fk_conversation_events_resident_id_residents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_events"),
    )
    op.create_index("ix_conversation_events_resident_id", "conversation_events", ["resident_id"])
    op.create_table(
        "edition_state",
        sa.Column("edition", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("edition", "key", name="pk_edition_state"),
    )


def downgrade() -> None:
    for table in (
        "edition_state",
        "conversation_events",
        "outbound_messages",
        "inbound_messages",
        "conversations",
        "residents",
    ):
        op.drop_table(table)
