"""What every channel hands to the rest of pbbot, and what it takes back.

Inbound, a channel's parser turns one webhook or polled update into an
`InboundUpdate`: the normalized `Inbound` plus the key that makes it
exactly-once (the store refuses a key it has seen). Outbound, the outbox hands
a `ChannelSender` an `OutboundEnvelope` and gets a `SendReceipt` back, or one of
the channel errors of `pbbot.errors`, translated from the library at the
boundary:

- `RateLimited(retry_after)`: slow down, then try the same message again;
- `RecipientBlocked`: the resident cannot be reached on this channel (blocked
  the bot, deactivated, opted out at the carrier); do not retry;
- `ChannelError`: anything else (network, provider outage); retry with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from pbbot.domain.messages import Channel, Inbound, Outbound

__all__ = [
    "ChannelSender",
    "InboundUpdate",
    "Keyword",
    "OutboundEnvelope",
    "SendReceipt",
]

# A carrier-level keyword, recognized on the whole message (SMS only).
Keyword = Literal["opt_out", "opt_in", "help"]


@dataclass(frozen=True, slots=True)
class InboundUpdate:
    """One genuine update from a channel, normalized.

    - `key`: unique per update and stable across redeliveries
      (`telegram:<bot_id>:<update_id>`, `twilio:<MessageSid>`).
    - `callback_query_id`: a Telegram button tap to answer, so that the
      resident's client stops showing a spinner (answer it whatever the engine
      makes of the payload, stale or not).
    """

    key: str
    inbound: Inbound
    callback_query_id: str | None = None


@dataclass(frozen=True, slots=True)
class OutboundEnvelope:
    """A message the outbox sends: who to, what, and the outbox's own id for it.

    `address` is the channel address (Telegram chat id, E.164 phone number);
    `message_id` is the outbox row, so that logs and status callbacks can be
    matched to it. `edits`: the channel's id of a message to show this one in
    place of (a Telegram message whose button was tapped); a channel that
    cannot edit it, or not this message, sends a new one.
    """

    message_id: str
    address: str
    outbound: Outbound
    edits: str | None = None


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """What the provider said when it accepted the message.

    `provider_id` is the provider's id for it (Twilio's MessageSid, which status
    callbacks quote; for Telegram the message id of the last part sent);
    `segments` is what it costs: SMS segments, or Telegram messages sent.
    """

    provider_id: str
    segments: int


class ChannelSender(Protocol):
    """Sends rendered messages on one channel; errors are pbbot's, not the library's."""

    @property
    def channel(self) -> Channel: ...

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt: ...

    async def close(self) -> None: ...
