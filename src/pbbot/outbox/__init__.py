"""The one outbound queue: a database-backed outbox with per-channel rate limits and retries.

Replies and broadcasts are queued in `outbound_messages` by the conversation
service (or staff tools); `Outbox` claims the due ones, sends them through each
channel's `ChannelSender` within that channel's limits, and records the outcome.
"""
