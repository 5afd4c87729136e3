"""Before sending again a message whose last call ended without an answer: did it go out?

When a sender stops during a provider call (the process killed, or cut off at
a clean stop), nobody knows whether the provider accepted the message. A
provider that keeps a list of what it accepted (Twilio's Messages) can be
asked: a sender that implements `SentLog` is asked before the message is sent
again, and a match that no other message was recorded with is taken as this
one. Telegram keeps no such list; its uncertain messages are sent again (once,
see `pbbot.storage.outbound`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from pbbot.channels.base import OutboundEnvelope, SendReceipt

__all__ = ["SentLog"]


@runtime_checkable
class SentLog(Protocol):
    """A `ChannelSender` that can look up the messages its provider accepted."""

    async def sent_since(self, envelope: OutboundEnvelope, since: datetime) -> list[SendReceipt]:
        """Receipts of the messages like `envelope` (same address and content) that the
        provider accepted from `since` on, oldest first; raises the channel's errors."""
        ...
