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
from datetime import datetime
from typing import Any, Literal, Protocol

from pbbot.domain.messages import Channel, Inbound, Location, Outbound

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
    - `keyword`: the carrier keyword the whole text is (SMS STOP, START, HELP, ...).
      Opt-in words only count for a resident who opted out; for anyone else
      they are ordinary answers, which is for the processing side to decide.
    - `callback_query_id`: a Telegram button tap to answer, so that the
      resident's client stops showing a spinner (answer it whatever the engine
      makes of the payload, stale or not).
    """

    key: str
    inbound: Inbound
    keyword: Keyword | None = None
    callback_query_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict, for an inbound store that keeps updates before processing."""
        inbound = self.inbound
        return {
            "key": self.key,
            "keyword": self.keyword,
            "callback_query_id": self.callback_query_id,
            "inbound": {
                "channel": inbound.channel,
                "address": inbound.address,
                "text": inbound.text,
                "payload": inbound.payload,
                "start_param": inbound.start_param,
                "language_hint": inbound.language_hint,
                "contact_phone": inbound.contact_phone,
                "location": (
                    [inbound.location.latitude, inbound.location.longitude]
                    if inbound.location
                    else None
                ),
                "photo_id": inbound.photo_id,
                "received_at": inbound.received_at.isoformat() if inbound.received_at else None,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InboundUpdate:
        """The update `to_json` wrote."""
        raw = data["inbound"]
        location = raw.get("location")
        received_at = raw.get("received_at")
        inbound = Inbound(
            channel=raw["channel"],
            address=raw["address"],
            text=raw.get("text") or "",
            payload=raw.get("payload"),
            start_param=raw.get("start_param"),
            language_hint=raw.get("language_hint"),
            contact_phone=raw.get("contact_phone"),
            location=Location(location[0], location[1]) if location else None,
            photo_id=raw.get("photo_id"),
            received_at=datetime.fromisoformat(received_at) if received_at else None,
        )
        return cls(
            key=data["key"],
            inbound=inbound,
            keyword=data.get("keyword"),
            callback_query_id=data.get("callback_query_id"),
        )


@dataclass(frozen=True, slots=True)
class OutboundEnvelope:
    """A message the outbox sends: who to, what, and the outbox's own id for it.

    `address` is the channel address (Telegram chat id, E.164 phone number);
    `message_id` is the outbox row, so that logs and status callbacks can be
    matched to it.
    """

    message_id: str
    address: str
    outbound: Outbound


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
