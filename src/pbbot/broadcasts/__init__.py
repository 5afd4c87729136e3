"""Broadcasts: one message to many residents, through the outbox, exactly once."""
