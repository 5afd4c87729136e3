from __future__ import annotations

import pytest

from pbbot.channels.telegram.render import (
    MAX_TEXT_UNITS,
    InlineButton,
    InlineKeyboard,
    ReplyKeyboard,
    TelegramMessage,
    render_telegram,
    split_text,
)
from pbbot.domain.messages import Choice, Outbound
from pbbot.domain.payloads import (
    MAX_CALLBACK_BYTES,
    callback_data_for,
    resolve_payload,
)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_choices_become_one_inline_button_per_row() -> None:
    outbound = Outbound(
        text="Kies een taal",
        locale="nl",
        choices=(Choice("lang:nl", "Nederlands"), Choice("lang:fr", "Français")),
    )
    assert render_telegram(outbound) == [
        TelegramMessage(
            text="Kies een taal",
            keyboard=InlineKeyboard(
                rows=(
                    (InlineButton("Nederlands", "lang:nl"),),
                    (InlineButton("Français", "lang:fr"),),
                )
            ),
        )
    ]


def test_plain_text_has_no_keyboard() -> None:
    assert render_telegram(Outbound(text="Hallo", locale="nl")) == [TelegramMessage(text="Hallo")]


def test_long_text_splits_at_paragraphs_and_keyboard_goes_last() -> None:
    paragraph = ("Een zin over de burgerbegroting. " * 40).strip()  # ~1300 characters
    text = "\n\n".join([paragraph] * 7)
    outbound = Outbound(text=text, locale="nl", choices=(Choice("menu", "Menu"),))
    messages = render_telegram(outbound)
    assert len(messages) == 3
    assert all(_units(m.text) <= MAX_TEXT_UNITS for m in messages)
    assert all(
        m.text.startswith("Een zin") and m.text.endswith("burgerbegroting.") for m in messages
    )
    assert "\n\n".join(m.text for m in messages) == text
    assert [m.keyboard is None for m in messages] == [True, True, False]


def test_split_falls_back_to_lines_spaces_and_hard_cuts() -> None:
    lines = "\n".join(["regel " * 100] * 20)
    assert all(_units(chunk) <= 4096 for chunk in split_text(lines))
    assert all(not chunk.startswith(" ") for chunk in split_text(lines))
    assert split_text("x" * 10_000) == ["x" * 4096, "x" * 4096, "x" * 1808]


def test_split_counts_utf16_units_and_keeps_emoji_whole() -> None:
    text = "a" + "😀" * 3000  # 6001 units; the cut may not halve an emoji
    chunks = split_text(text)
    assert chunks == ["a" + "😀" * 2047, "😀" * 953]
    assert [_units(c) for c in chunks] == [4095, 1906]


def test_long_payload_travels_as_a_stable_reference_and_resolves_back() -> None:
    long_payload = "idea:" + "x" * 100
    data = callback_data_for(long_payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert data == callback_data_for(long_payload)
    assert resolve_payload(data, ["menu", long_payload]) == long_payload
    # A tap on an old keyboard whose payload is no longer offered stays unresolved.
    assert resolve_payload(data, ["menu"]) == data
    assert resolve_payload("menu", ["menu"]) == "menu"


@pytest.mark.parametrize(
    "payload",
    ["p" * 64, "é" * 32, "~looks-like-a-reference", "é" * 33, "vote:" + "ş" * 40],
)
def test_callback_data_fits_64_bytes_and_round_trips(payload: str) -> None:
    data = callback_data_for(payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert resolve_payload(data, ["other", payload]) == payload


def test_short_payloads_travel_verbatim() -> None:
    assert callback_data_for("p" * 64) == "p" * 64
    assert callback_data_for("é" * 33) != "é" * 33  # 66 bytes


def test_contact_request_becomes_a_one_time_reply_keyboard() -> None:
    outbound = Outbound(
        text="Mag ik je nummer?", locale="en", choices=(Choice("skip", "Skip"),), request="contact"
    )
    assert render_telegram(outbound) == [
        TelegramMessage(
            text="Mag ik je nummer?",
            keyboard=ReplyKeyboard(
                request="contact", request_label="Share my phone number", labels=("Skip",)
            ),
        )
    ]


def test_location_request_and_image() -> None:
    outbound = Outbound(text="Waar?", locale="en", request="location", image=b"\x89PNG")
    messages = render_telegram(outbound)
    assert messages[0] == TelegramMessage(photo=b"\x89PNG")
    assert messages[1].keyboard == ReplyKeyboard(
        request="location", request_label="Share my location"
    )


def test_unknown_request_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown request"):
        render_telegram(Outbound(text="?", locale="en", request="selfie"))
