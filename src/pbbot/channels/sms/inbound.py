"""Twilio's inbound SMS webhook: is it genuine, and what did the resident write.

Twilio signs each request with the account's auth token over the URL it
called and the form fields. Behind a TLS proxy the server sees another URL
(http, an internal host), so the signature is checked against the configured
public URL, never the request's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from multidict import MultiDict
from twilio.request_validator import RequestValidator

from pbbot.channels.base import InboundUpdate
from pbbot.channels.text import clean_text
from pbbot.domain.messages import Inbound
from pbbot.errors import BadWebhook

__all__ = [
    "CHANNEL",
    "MAX_BODY_CHARS",
    "MESSAGE_SID",
    "SIGNATURE_HEADER",
    "parse_twilio_form",
    "parse_twilio_sms",
    "verify_twilio_request",
]

CHANNEL = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio takes messages of up to 1,600 characters (ten concatenated segments).
MAX_BODY_CHARS = 1600
# A message's SID: SM (MM for MMS) and 32 lowercase hex digits.
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# An inbound SMS has some 20 fields, an MMS 20 more for its media; the cap
# keeps a forged body of "a&a&a..." from costing a signature check over
# hundreds of thousands of fields.
_MAX_FIELDS = 200
_FORM_TYPE = "application/x-www-form-urlencoded"


def parse_twilio_form(body: bytes, *, content_type: str, charset: str | None) -> MultiDict[str]:
    """The fields of a webhook request's body, repeated ones kept, for the signature check.

    Twilio posts a URL-encoded form in UTF-8 (its signature is over the UTF-8
    values); anything else is refused here, before its signature is checked,
    with `BadWebhook`: 415 for another content type (a multipart form's file
    fields never reach the validator) or charset, 400 for bytes that are not
    UTF-8, raw or percent-encoded, or too many fields.
    """
    if content_type.lower() != _FORM_TYPE:
        raise BadWebhook(f"Twilio posts {_FORM_TYPE}", status=415)
    if (charset or "utf-8").lower() not in ("utf-8", "utf8"):
        raise BadWebhook("Twilio posts UTF-8", status=415)
    try:
        fields = parse_qsl(
            body.decode().rstrip(),  # as aiohttp's own form reader
            keep_blank_values=True,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except ValueError as error:  # UnicodeDecodeError included
        raise BadWebhook(f"not a Twilio form: {error}") from None
    return MultiDict(fields)


def verify_twilio_request(
    auth_token: str, public_url: str, params: Mapping[str, object], signature: str | None
) -> bool:
    """Whether Twilio signed these form `params` for `public_url`, the URL it was told to call.

    `params` may be a multidict (`parse_twilio_form`'s): repeated fields count.
    """
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(public_url, params, signature))


def parse_twilio_sms(form: Mapping[str, str]) -> InboundUpdate:
    """The SMS in a (verified) webhook form; `BadWebhook` if it is not an inbound SMS.

    The SID and the number are checked whole, so the key and the address
    always fit their columns whatever a forged form holds.
    """
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not MESSAGE_SID.fullmatch(sid):
        raise BadWebhook(f"not an inbound SMS: MessageSid {sid[:40]!r}")
    sender = form.get("From") or ""
    if not _E164.fullmatch(sender):
        raise BadWebhook(f"not an inbound SMS: From is not an E.164 number ({sender[:40]!r})")
    text = clean_text(form.get("Body") or "", max_chars=MAX_BODY_CHARS)
    return InboundUpdate(
        key=f"twilio:{sid}",
        inbound=Inbound(channel=CHANNEL, address=sender, text=text),
    )
