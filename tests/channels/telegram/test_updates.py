from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import parse_update
from pbbot.domain.messages import Inbound, Location
from tests.channels.telegram.conftest import Driver
from tests.fakes import telegram_updates as tg

BOT_ID = 7000000001
SARA = str(tg.RESIDENT_ID)
SENT_AT = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _parse(driver: Driver, data: dict[str, object]) -> InboundUpdate | None:
    return parse_update(driver.read_update(data), BOT_ID)


async def test_text_message(driver: Driver) -> None:
    parsed = _parse(driver, tg.text_message("Hallo 👋 ممتاز", update_id=815000123))
    assert parsed == InboundUpdate(
        key="telegram:7000000001:815000123",
        inbound=Inbound(
            channel="telegram",
            address=SARA,
            text="Hallo 👋 ممتاز",
            language_hint="nl",
            received_at=SENT_AT,
        ),
    )


@pytest.mark.parametrize(
    ("text", "start_param"),
    [
        ("/start wijk-7_MECHELEN", "wijk-7_MECHELEN"),
        ("/start@pb_test_bot abc123", "abc123"),
        ("/start " + "a" * 64, "a" * 64),
        ("/start " + "a" * 65, None),  # too long: a plain /start
        ("/start wijk 7", None),  # a space is not allowed
        ("/start <script>", None),
        ("/start", None),
    ],
)
async def test_start_payload_is_validated(
    driver: Driver, text: str, start_param: str | None
) -> None:
    parsed = _parse(driver, tg.text_message(text))
    assert parsed is not None
    assert (parsed.inbound.text, parsed.inbound.start_param) == ("/start", start_param)


async def test_callback_query_carries_payload_and_id_to_answer(driver: Driver) -> None:
    parsed = _parse(driver, tg.callback_query("lang:fr", update_id=815000200, language_code="fr"))
    assert parsed == InboundUpdate(
        key="telegram:7000000001:815000200",
        inbound=Inbound(
            channel="telegram",
            address=SARA,
            payload="lang:fr",
            language_hint="fr",
            message_ref="57",  # the message the button was under, to edit in its place
        ),
        callback_query_id="1771265243981963719",
    )


async def test_own_contact_gives_phone_in_e164(driver: Driver) -> None:
    parsed = _parse(driver, tg.contact_message("32470123456"))
    assert parsed is not None
    assert parsed.inbound.contact_phone == "+32470123456"


async def test_someone_elses_contact_is_not_the_residents_phone(driver: Driver) -> None:
    for card in (tg.contact_message(user_id=999), tg.contact_message(user_id=None)):
        parsed = _parse(driver, card)
        assert parsed is not None
        assert parsed.inbound.contact_phone is None


async def test_location(driver: Driver) -> None:
    parsed = _parse(driver, tg.location_message())
    assert parsed is not None
    assert parsed.inbound.location == Location(51.027931, 4.478321)


async def test_photo_takes_the_largest_size_and_the_caption(driver: Driver) -> None:
    parsed = _parse(driver, tg.photo_message("Kapotte bank in het park"))
    assert parsed is not None
    assert (parsed.inbound.photo_id, parsed.inbound.text) == (
        "AgACAgQAAxkBAAIBsmT1_y",
        "Kapotte bank in het park",
    )


async def test_unsupported_content_is_an_empty_message_naming_its_kind(driver: Driver) -> None:
    parsed = _parse(driver, tg.sticker_message())
    assert parsed is not None
    assert parsed.inbound == Inbound(
        channel="telegram", address=SARA, language_hint="nl", received_at=SENT_AT, media="sticker"
    )


async def test_a_voice_note_is_named(driver: Driver) -> None:
    parsed = _parse(driver, tg.voice_message())
    assert parsed is not None
    inbound = parsed.inbound
    assert (inbound.text, inbound.media, inbound.media_id) == ("", "voice", "AwACAgQAAxkBAAIBt2T1")


async def test_missing_language_code_gives_no_hint(driver: Driver) -> None:
    parsed = _parse(driver, tg.text_message("hi", language_code=None))
    assert parsed is not None
    assert parsed.inbound.language_hint is None


async def test_control_characters_are_dropped_line_breaks_kept(driver: Driver) -> None:
    parsed = _parse(driver, tg.text_message("ja\x00\x1b[31m\r\nnee\u200f"))
    assert parsed is not None
    assert parsed.inbound.text == "ja[31m\nnee\u200f"


@pytest.mark.parametrize(
    "update",
    [tg.group_message(), tg.edited_message(), tg.my_chat_member_blocked()],
    ids=["group", "edited", "my_chat_member"],
)
async def test_updates_pbbot_does_not_handle_are_ignored(
    driver: Driver, update: dict[str, object]
) -> None:
    assert _parse(driver, update) is None


async def test_texts_are_cut_at_what_telegram_takes(driver: Driver) -> None:
    parsed = _parse(driver, tg.text_message("é" * 4096 + "x" * 10_000))
    assert parsed is not None
    assert parsed.inbound.text == "é" * 4096


async def test_what_telegram_never_sends_is_not_kept(driver: Driver) -> None:
    # Button data is at most 64 bytes: a longer payload is not a tap on pbbot's buttons.
    assert _parse(driver, tg.callback_query("x" * 64)) is not None
    assert _parse(driver, tg.callback_query("x" * 65)) is None
    # A language code is an IETF tag; a longer one is no hint.
    parsed = _parse(driver, tg.text_message("hallo", language_code="nl-" + "x" * 100))
    assert parsed is not None
    assert parsed.inbound.language_hint is None
    # A number has at most 15 digits.
    parsed = _parse(driver, tg.contact_message("3" * 16))
    assert parsed is not None
    assert parsed.inbound.contact_phone is None
