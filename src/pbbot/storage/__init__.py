"""Persistence on SQLite (default) or PostgreSQL.

- `database`: the async engine for a URL (SQLite: WAL, one connection, BEGIN IMMEDIATE).
- `tables`: the schema as typed mappings; `alembic/` at the repository root migrates it.
- `repositories`: small async functions per aggregate, inside the caller's transaction.
- `data_rights`: a resident's export and erasure.
- `codec`: the JSON forms of inbound messages, choices and events.
- `migrations`: `upgrade(url)`, behind `pbbot db upgrade`.

`pbbot.conversations.ConversationService` is the caller that ties them together.
"""
