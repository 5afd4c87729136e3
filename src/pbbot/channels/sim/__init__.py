"""channels/sim."""
