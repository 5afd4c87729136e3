"""The `pbbot serve` process: webhooks in, the outbox out, one aiohttp application."""
