"""The conversation engine: a pure step from (state, inbound) to (new state, events)."""
