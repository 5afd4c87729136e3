"""Whatever reaches `pbbot serve`, it never answers 5xx.

Hypothesis draws requests for both channels' endpoints: genuine updates and
forms with a field changed to anything (a NaN, an id of 70 bits, a lone
surrogate, a text of 20,000 characters), bodies that are no JSON or no form at
all (bytes, a multipart form with a file, nesting thousands deep, a number of
thousands of digits), with the right credentials and without. Each request
must get an answer below 500 and, when refused, leave nothing stored; after
them all, a genuine message on each channel is still answered and everything
that was taken was processed without an error.

The examples are derandomized, so CI sends the same requests on every run; a
failure shrinks to a small request that reproduces it. The server runs on one
loop for all examples, as in production, so what one request leaves behind
(a stuck lane, a poisoned transaction) shows in the next.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from pbbot.storage.tables import InboundMessage
from tests.fakes import telegram_updates as tg
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN
from tests.server.harness import PUBLIC_URL, SECRET, SMS_FROM, City, running_city
from tests.server.raw_http import raw_post

# Per database: some 5 s on SQLite or PostgreSQL (two cores).
EXAMPLES = 400
SMS_PATH = "/sms/twilio"
STATUS_PATH = "/sms/twilio/status"
FUZZ_PHONE = "+32470555000"
# The residents of the last check: no drawn request comes from them.
FRESH_CHAT_ID = 987654321
FRESH_PHONE = "+32470999111"
T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    path: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def _mostly(usual: st.SearchStrategy[T], *odd: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """`usual` about three times in four, else one of `odd`: most requests must
    get past the first check, or the fuzz never reaches the parsers and the
    store. (Not `one_of(usual, usual, usual, ...)`: it drops repeated branches.)
    Shrinks towards `usual`."""
    return st.integers(0, 3).flatmap(lambda n: usual if n < 3 else st.one_of(*odd))


def _utf8(text: str) -> bool:
    return not any("\ud800" <= char <= "\udfff" for char in text)


# What a field may be changed to: every JSON type, and the values that broke
# pbbot before (huge and NaN numbers, numbers as strings, NUL, lone surrogates).
_ODD = ("\x00", "\ud800", "\udfff", "\u202e", "\r\n", "🎉", "STOP", "/start x", "%00", "NaN", "inf")
_FORM_TEXTS = st.one_of(  # a form's texts are UTF-8: no lone surrogates
    st.text(max_size=30),
    st.lists(st.sampled_from([text for text in _ODD if _utf8(text)]), max_size=5).map("".join),
    st.integers(0, 20_000).map(lambda n: "x" * n),
)
_TEXTS = st.one_of(
    _FORM_TEXTS,
    st.text(st.characters(exclude_categories=()), max_size=30),  # surrogates too
    st.lists(st.sampled_from(_ODD), max_size=5).map("".join),
    st.integers(1, 400).map(lambda n: "9" * n),
)
_NUMBERS = st.one_of(
    st.integers(-(2**80), 2**80),
    st.sampled_from([2**63, -(2**63) - 1, 10**300]),
    st.floats(),  # NaN and infinities: json.dumps writes NaN and Infinity
)
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), _NUMBERS, _TEXTS),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
# Fields pbbot reads, added to every object, so that a change lands where it matters.
_FIELDS = ("text", "caption", "data", "contact", "location", "photo", "language_code", "id")

_GENUINE_UPDATES: tuple[Callable[[int], dict[str, Any]], ...] = (
    lambda update_id: tg.text_message("hallo", update_id=update_id),
    lambda update_id: tg.text_message("/start wijk-7", update_id=update_id),
    lambda update_id: tg.callback_query("lang:nl", update_id=update_id),
    lambda update_id: tg.contact_message(update_id=update_id),
    lambda update_id: tg.location_message(update_id=update_id),
    lambda update_id: tg.photo_message("mijn idee", update_id=update_id),
)


def _places(value: object) -> Iterator[tuple[dict[str, Any] | list[Any], Any]]:
    """Every (container, key) in a JSON value, and a few keys to add to each object."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in sorted(set(node) | set(_FIELDS)):
                yield node, key
            stack.extend(node.values())
        elif isinstance(node, list):
            for index in range(len(node)):
                yield node, index
            stack.extend(node)


@st.composite
def _changed_update(draw: st.DrawFn) -> bytes:
    make = draw(st.sampled_from(_GENUINE_UPDATES))
    # A deep copy: the fakes share their user and chat objects between updates.
    update = copy.deepcopy(make(draw(st.integers(1, 2**31))))
    for _ in range(draw(st.integers(0, 3))):
        container, key = draw(st.sampled_from(list(_places(update))))
        container[key] = draw(_JSON)
    return json.dumps(update).encode()


def _deep(depth: int, opening: bytes, closing: bytes) -> bytes:
    return opening * depth + b"1" + closing * depth


# Where pbbot reads a genuine update, and what broke it there before: ids too
# long for their columns (as numbers or as digits in a string), NaN and
# infinities, NUL, half an emoji, texts far over the provider's limit.
_HUGE_IDS = st.sampled_from([2**63, -(2**63) - 1, 10**195, "9" * 195, 1e300])
_ODD_PLACES = st.sampled_from([float("nan"), float("inf"), "NaN", "-Infinity", 1000.0])
_ODD_STRINGS = st.sampled_from(["\x00", "\ud83d", "x" * 100_000, "9" * 195])
_READ: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("update_id",): _HUGE_IDS,
    ("message", "chat", "id"): _HUGE_IDS,
    ("message", "from", "id"): _HUGE_IDS,
    ("message", "from", "language_code"): _ODD_STRINGS,
    ("message", "text"): _ODD_STRINGS,
    ("message", "caption"): _ODD_STRINGS,
    ("message", "location", "latitude"): _ODD_PLACES,
    ("message", "location", "longitude"): _ODD_PLACES,
    ("message", "contact", "phone_number"): _ODD_STRINGS,
    ("message", "contact", "user_id"): _HUGE_IDS,
    ("callback_query", "data"): _ODD_STRINGS,
    ("callback_query", "from", "id"): _HUGE_IDS,
}


@st.composite
def _read_field_changed(draw: st.DrawFn) -> bytes:
    path = draw(st.sampled_from(sorted(_READ)))
    makes = [make for make in _GENUINE_UPDATES if _parent(make(1), path) is not None]
    update = copy.deepcopy(draw(st.sampled_from(makes))(draw(st.integers(1, 2**31))))
    parent = _parent(update, path)
    assert parent is not None
    parent[path[-1]] = draw(_mostly(_READ[path], _JSON))
    return json.dumps(update).encode()


def _parent(update: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = update
    for name in path[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


_TELEGRAM_BODIES = _mostly(
    st.one_of(_changed_update(), _read_field_changed()),
    st.binary(max_size=200),
    # Around the parser's recursion limit and Python's 4,300 digits for int().
    st.sampled_from([2, 900, 5000, 100_000]).map(lambda n: _deep(n, b"[", b"]")),
    st.sampled_from([2, 900, 5000]).map(
        lambda n: b'{"update_id": 1, "message": ' + _deep(n, b'{"a": ', b"}") + b"}"
    ),
    st.sampled_from([19, 400, 4301, 10_000]).map(lambda n: b'{"update_id": ' + b"7" * n + b"}"),
    st.tuples(_changed_update(), st.integers(0, 300)).map(lambda cut: cut[0][: cut[1]]),
)
# Header values as bytes: anything but the line breaks that end a header.
_HEADER_BYTES = st.binary(max_size=40).map(
    lambda value: value.replace(b"\r", b"").replace(b"\n", b"")
)


@st.composite
def _telegram_requests(draw: st.DrawFn) -> Request:
    secret = draw(
        _mostly(st.just(SECRET.encode()), st.just(SECRET.encode() + b"\xff"), _HEADER_BYTES)
    )
    headers = ((b"Content-Type", b"application/json"), (b"X-Telegram-Bot-Api-Secret-Token", secret))
    return Request("/telegram/webhook", headers, draw(_TELEGRAM_BODIES))


_FORM_TYPE = b"application/x-www-form-urlencoded"
_CONTENT_TYPES = _mostly(
    st.sampled_from([_FORM_TYPE, _FORM_TYPE + b"; charset=UTF-8"]),
    st.sampled_from(
        [
            _FORM_TYPE + b"; charset=klingon",
            _FORM_TYPE + b"; charset=latin-1",
            b"multipart/form-data; boundary=b",
            b"text/plain",
        ]
    ),
    _HEADER_BYTES,
)
_STATUSES = st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed"])
_ERROR_CODES = st.sampled_from(["", "30003", "21610"])
# What int() refuses ("²" is a digit to str.isdigit) or no INTEGER column holds.
_ODD_ERROR_CODES = st.sampled_from(["²", "3" * 20, "3" * 5000])


def _multipart(form: dict[str, str]) -> bytes:
    parts = [
        b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(errors="replace"), value.encode(errors="replace"))
        for name, value in form.items()
    ]
    upload = (
        b'--b\r\nContent-Disposition: form-data; name="Media"; filename="a.jpg"\r\n\r\nJPEG\r\n'
    )
    return b"".join(parts) + upload + b"--b--\r\n"


@st.composite
def _twilio_requests(draw: st.DrawFn) -> Request:
    path = draw(st.sampled_from([SMS_PATH, STATUS_PATH]))
    if path == SMS_PATH:
        form = {
            "MessageSid": draw(_mostly(st.integers(0, 2**128 - 1).map(_sid), _FORM_TEXTS)),
            "AccountSid": ACCOUNT_SID,
            "From": draw(_mostly(st.just(FUZZ_PHONE), _FORM_TEXTS)),
            "To": SMS_FROM,
            "Body": draw(_FORM_TEXTS),
            "NumMedia": "0",
        }
    else:
        form = {
            # The fake Twilio numbers its messages 1, 2, ...: these are pbbot's replies.
            "MessageSid": draw(_mostly(st.integers(1, 40).map(_sid), _FORM_TEXTS)),
            "MessageStatus": draw(_mostly(_STATUSES, _FORM_TEXTS)),
            "ErrorCode": draw(_mostly(_ERROR_CODES, _ODD_ERROR_CODES, _FORM_TEXTS)),
        }
    form.update(draw(st.dictionaries(st.text(max_size=8), _FORM_TEXTS, max_size=2)))
    body = draw(
        _mostly(
            st.just(urlencode(form).encode()),
            st.just(urlencode(form, encoding="latin-1", errors="replace").encode()),
            st.just(urlencode(form).encode().replace(b"%", b"%f")),  # escapes of no UTF-8
            st.just(_multipart(form)),
            st.binary(max_size=200),
        )
    )
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, form)
    headers = (
        (b"Content-Type", draw(_CONTENT_TYPES)),
        (b"X-Twilio-Signature", draw(_mostly(st.just(signature.encode()), _HEADER_BYTES))),
    )
    return Request(path, headers, body)


def _sid(number: int) -> str:
    return f"SM{number:032x}"


async def _send(city: City, request: Request) -> None:
    stored = await city.inbound_count()
    status = await raw_post(city.client, request.path, request.headers, request.body)
    assert status < 500, status
    if status >= 400:
        assert await city.inbound_count() == stored, "a refused request left something stored"


async def _genuine_messages_are_still_answered(city: City) -> None:
    update = tg.text_message("hallo", update_id=2**31 + 1)
    for part in ("chat", "from"):
        update["message"][part] = {**update["message"][part], "id": FRESH_CHAT_ID}
    assert (await city.telegram(update)).status == 200
    assert (await city.sms("hallo", sid="SM" + "f" * 32, sender=FRESH_PHONE)).status == 200
    await city.settle()
    chats = {str(call.params["chat_id"]) for call in city.telegram_api.calls_to("sendMessage")}
    assert str(FRESH_CHAT_ID) in chats
    assert FRESH_PHONE in {request.data.get("To") for request in city.twilio_http.requests}
    async with city.runtime.sessionmaker() as session:
        taken = (await session.scalars(select(InboundMessage))).all()
    assert [(row.key, row.error) for row in taken if row.error or not row.processed_at] == []


def test_no_request_gets_a_5xx(database_url: str) -> None:
    # A loop of the test's own: hypothesis calls each example synchronously,
    # and the server must outlive the examples to show what they left behind.
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        server = AsyncExitStack()
        city = runner.run(server.enter_async_context(running_city(database_url)))
        try:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(request=st.one_of(_telegram_requests(), _twilio_requests()))
            def example(request: Request) -> None:
                runner.run(_send(city, request))

            example()
            runner.run(_genuine_messages_are_still_answered(city))
        finally:
            runner.run(server.aclose())
