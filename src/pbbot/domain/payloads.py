"""Choice payloads as button data, within Telegram's 64-byte callback limit.

A payload of at most 64 bytes (UTF-8) travels as it is. A longer one travels
as a reference: "~" and the first 12 bytes of its SHA-256, base64url (17
characters). The reference is stable (the same payload always gives the same
reference, in every process and after a restart) and needs no table: the
conversation state already holds the payloads last offered, so the processing
side (the engine's reply matching) resolves a reference by hashing those
candidates (`resolve_payload`).
A reference that matches none of them is a tap on an old keyboard; it stays as
it is, and the engine treats it as a payload it did not offer.

Payloads that themselves start with "~" are always sent as references, so a
reference can never be mistaken for a payload.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

__all__ = ["MAX_CALLBACK_BYTES", "callback_data_for", "is_reference", "resolve_payload"]

MAX_CALLBACK_BYTES = 64
_REFERENCE_PREFIX = "~"
_DIGEST_BYTES = 12


def callback_data_for(payload: str) -> str:
    """The callback data that stands for `payload` on a button."""
    if len(payload.encode()) <= MAX_CALLBACK_BYTES and not is_reference(payload):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:_DIGEST_BYTES]
    return _REFERENCE_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def is_reference(data: str) -> bool:
    """Whether callback data is a hashed reference rather than the payload itself."""
    return data.startswith(_REFERENCE_PREFIX)


def resolve_payload(data: str, offered: Iterable[str]) -> str:
    """The payload among `offered` that `data` stands for; `data` itself if none does."""
    if not is_reference(data):
        return data
    for candidate in offered:
        if callback_data_for(candidate) == data:
            return candidate
    return data
