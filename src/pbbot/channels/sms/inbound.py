"""Twilio's inbound SMS webhook: is it genuine, and what did the resident write.

Twilio signs each request with the account's auth token over the URL it
called and the form fields. Behind a TLS proxy the server sees another URL
(http, an internal host), so the signature is checked against the configured
public URL, never the request's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from twilio.request_validator import RequestValidator

from pbbot.channels.base import InboundUpdate
from pbbot.channels.text import clean_text
from pbbot.domain.messages import Inbound
from pbbot.errors import BadWebhook

__all__ = ["CHANNEL", "SIGNATURE_HEADER", "parse_twilio_sms", "verify_twilio_request"]

CHANNEL = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")


def verify_twilio_request(
    auth_token: str, public_url: str, params: Mapping[str, object], signature: str | None
) -> bool:
    """Whether Twilio signed these form `params` for `public_url`, the URL it was told to call.

    `params` may be a multidict (aiohttp's `request.post()`): repeated fields count.
    """
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(public_url, params, signature))


def parse_twilio_sms(form: Mapping[str, str]) -> InboundUpdate:
    """The SMS in a (verified) webhook form; `BadWebhook` if it is not an inbound SMS."""
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not _SID.fullmatch(sid):
        raise BadWebhook(f"not an inbound SMS: MessageSid {sid!r}")
    sender = form.get("From") or ""
    if not _E164.fullmatch(sender):
        raise BadWebhook(f"not an inbound SMS: From is not an E.164 number ({sender!r})")
    text = clean_text(form.get("Body") or "")
    return InboundUpdate(
        key=f"twilio:{sid}",
        inbound=Inbound(channel=CHANNEL, address=sender, text=text),
    )
