"""Twilio's delivery status callbacks, which arrive late and out of order.

A message goes queued, sending, sent, then ends delivered, undelivered or
failed; the callbacks for these steps can overtake each other, so a status
only ever moves forward and a late "sent" never overwrites "delivered".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pbbot.channels.sms.inbound import MESSAGE_SID
from pbbot.errors import BadWebhook

__all__ = ["DeliveryStatus", "parse_status_callback", "status_moves_forward"]

_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    # Final: once one of these is known, no other callback changes it.
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
}
# Twilio's error codes have five digits (30003, 30007, ...).
_ERROR_CODE = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """A status callback: which message, its new status, and Twilio's error code if any.

    `error_code` says why a message was undelivered or failed (e.g. 30003,
    unreachable handset; 30007, carrier filtering).
    """

    message_sid: str
    status: str
    error_code: int | None = None


def parse_status_callback(form: Mapping[str, str]) -> DeliveryStatus:
    """The status in a (verified) callback form; `BadWebhook` if it is not one.

    The SID and the error code are checked whole: a NUL byte, which
    PostgreSQL's text refuses, or a number `int` cannot read (thousands of
    digits, "²", which `str.isdigit` accepts) never reach the database.
    """
    sid = form.get("MessageSid") or ""
    status = (form.get("MessageStatus") or "").lower()
    if not MESSAGE_SID.fullmatch(sid) or status not in _RANK:
        raise BadWebhook(f"not a status callback: MessageSid {sid[:40]!r}, status {status[:40]!r}")
    code = form.get("ErrorCode") or ""
    if code and not _ERROR_CODE.fullmatch(code):
        raise BadWebhook(f"not a status callback: ErrorCode {code[:40]!r}")
    return DeliveryStatus(sid, status, int(code) if code else None)


def status_moves_forward(old: str | None, new: str) -> bool:
    """Whether a message in status `old` (None: none known yet) may take status `new`."""
    if new not in _RANK:
        return False
    if old is None or old not in _RANK:
        return True
    return _RANK[new] > _RANK[old]
