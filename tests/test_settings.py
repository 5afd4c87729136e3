"""Server settings: a missing channel is switched off with a warning, a wrong
value stops start-up with a message that names the setting."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pbbot.errors import SettingsError
from pbbot.settings import load_settings, load_sms_keywords, read_settings_file

TOKEN = "7000000001:AAF4k3-T0k3n_for_tests_only_0123456789"
TWILIO = {
    "PBBOT_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "PBBOT_TWILIO_AUTH_TOKEN": "f" * 32,
    "PBBOT_TWILIO_FROM": "+3215000001",
    "PBBOT_PUBLIC_URL": "https://pb.example.be/",
}


def test_both_channels() -> None:
    settings = load_settings(
        {"PBBOT_TELEGRAM_TOKEN": TOKEN, "PBBOT_TELEGRAM_SECRET": "s", **TWILIO}
    )
    assert settings.telegram is not None and settings.telegram.bot_id == 7000000001
    assert settings.twilio is not None and settings.twilio.segments_per_second == 1.0
    assert settings.public_url == "https://pb.example.be"
    assert settings.warnings == ()


def test_missing_twilio_settings_switch_sms_off_but_not_telegram() -> None:
    settings = load_settings({"PBBOT_TELEGRAM_TOKEN": TOKEN, "PBBOT_TELEGRAM_SECRET": "s"})
    assert settings.telegram is not None and settings.twilio is None
    assert settings.warnings == (
        "PBBOT_TWILIO_ACCOUNT_SID, PBBOT_TWILIO_AUTH_TOKEN, PBBOT_TWILIO_FROM, "
        "PBBOT_PUBLIC_URL not set: SMS is off",
    )


def test_missing_telegram_token_switches_telegram_off_but_not_sms() -> None:
    settings = load_settings(TWILIO)
    assert settings.telegram is None and settings.twilio is not None
    assert settings.warnings == ("PBBOT_TELEGRAM_TOKEN is not set: Telegram is off",)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"PBBOT_TELEGRAM_TOKEN": "not-a-token"},
            "PBBOT_TELEGRAM_TOKEN: expected a bot token like 123456:ABC..., got '(hidden)'",
        ),
        (
            {"PBBOT_TELEGRAM_TOKEN": TOKEN},
            "PBBOT_TELEGRAM_SECRET: required for the Telegram webhook "
            "(or run `pbbot serve --polling`)",
        ),
        (
            {**TWILIO, "PBBOT_TWILIO_FROM": "0470 12 34 56"},
            "PBBOT_TWILIO_FROM: expected an E.164 number (+32...) or a messaging service SID "
            "(MG...), got '0470 12 34 56'",
        ),
        (
            {**TWILIO, "PBBOT_TWILIO_ACCOUNT_SID": "SK123"},
            "PBBOT_TWILIO_ACCOUNT_SID: expected an account SID (AC + 32 hex), got 'SK123'",
        ),
        (
            {**TWILIO, "PBBOT_PUBLIC_URL": "pb.example.be"},
            "PBBOT_PUBLIC_URL: expected an http(s) URL, got 'pb.example.be'",
        ),
        (
            {**TWILIO, "PBBOT_SMS_SEGMENTS_PER_SECOND": "-1"},
            "PBBOT_SMS_SEGMENTS_PER_SECOND: expected a positive number, got '-1'",
        ),
    ],
    ids=["token", "secret", "from", "sid", "url", "rate"],
)
def test_wrong_values_are_named(values: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(values)
    assert str(raised.value) == message


def test_polling_needs_no_secret() -> None:
    settings = load_settings({"PBBOT_TELEGRAM_TOKEN": TOKEN}, polling=True)
    assert settings.telegram is not None and settings.telegram.secret is None


def test_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "pbbot.env"
    path.write_text("# the city's settings\nPBBOT_TELEGRAM_SECRET='abc'\n\nPBBOT_PORT=1\n")
    assert read_settings_file(path) == {"PBBOT_TELEGRAM_SECRET": "abc", "PBBOT_PORT": "1"}
    path.write_text("TELEGRAM_SECRET=abc\n")
    with pytest.raises(SettingsError, match=r"pbbot.env:1: expected PBBOT_NAME=value"):
        read_settings_file(path)


def test_sms_keywords_mirror_the_messaging_services_lists() -> None:
    assert load_sms_keywords({}) == {}
    found = load_sms_keywords(
        {"PBBOT_SMS_OPT_OUT_WORDS": "STOP, STOPALL,ARRÊT", "PBBOT_SMS_OPT_IN_WORDS": "START,BAŞLA"}
    )
    assert found == {"opt_out": ("STOP", "STOPALL", "ARRÊT"), "opt_in": ("START", "BAŞLA")}


@pytest.mark.parametrize("value", [",", " , ", "STOP," + "A" * 31])
def test_a_wrong_sms_keyword_list_names_the_setting(value: str) -> None:
    with pytest.raises(SettingsError, match="PBBOT_SMS_HELP_WORDS"):
        load_sms_keywords({"PBBOT_SMS_HELP_WORDS": value})


def test_the_guards_on_cost_and_load_have_defaults() -> None:
    settings = load_settings(TWILIO)
    assert settings.twilio is not None
    assert (settings.twilio.countries, settings.twilio.replies_per_hour) == (None, 30)
    assert settings.inbound_per_minute == 30


def test_the_guards_on_cost_and_load_are_set() -> None:
    settings = load_settings(
        {
            **TWILIO,
            "PBBOT_SMS_COUNTRIES": " +32, +3161 ,+",
            "PBBOT_SMS_REPLIES_PER_HOUR": "12",
            "PBBOT_INBOUND_PER_MINUTE": "5",
        }
    )
    assert settings.twilio is not None
    assert settings.twilio.countries == ("+32", "+3161", "+")
    assert (settings.twilio.replies_per_hour, settings.inbound_per_minute) == (12, 5)


def test_the_broadcast_settings_have_defaults() -> None:
    settings = load_settings(TWILIO)
    assert (settings.telegram_per_second, settings.sending_processes) == (25.0, 1)
    assert settings.sms_segment_price is None  # a broadcast's cost is then not known


def test_the_broadcast_settings_are_set() -> None:
    settings = load_settings(
        {
            **TWILIO,
            "PBBOT_TELEGRAM_MESSAGES_PER_SECOND": "1000",
            "PBBOT_SENDING_PROCESSES": "2",
            "PBBOT_SMS_SEGMENT_PRICE": "0.0786",
        }
    )
    assert (settings.telegram_per_second, settings.sending_processes) == (1000.0, 2)
    assert settings.sms_segment_price == Decimal("0.0786")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PBBOT_SMS_SEGMENT_PRICE", "0,08", "expected a price per segment like 0.0786"),
        ("PBBOT_SMS_SEGMENT_PRICE", "-1", "expected a price per segment like 0.0786"),
        ("PBBOT_SMS_SEGMENT_PRICE", "NaN", "expected a price per segment like 0.0786"),
        ("PBBOT_TELEGRAM_MESSAGES_PER_SECOND", "0", "expected a positive number"),
        ("PBBOT_SENDING_PROCESSES", "0", "expected a whole number above 0"),
        ("PBBOT_SMS_COUNTRIES", "BE,NL", "expected comma-separated calling codes like +32,+31"),
        ("PBBOT_SMS_COUNTRIES", "+32,0032", "expected comma-separated calling codes like +32,+31"),
        ("PBBOT_SMS_COUNTRIES", ",", "expected comma-separated calling codes like +32,+31"),
        ("PBBOT_SMS_REPLIES_PER_HOUR", "0", "expected a whole number above 0, got '0'"),
        ("PBBOT_SMS_REPLIES_PER_HOUR", "2.5", "expected a whole number above 0, got '2.5'"),
        ("PBBOT_INBOUND_PER_MINUTE", "many", "expected a whole number above 0, got 'many'"),
    ],
)
def test_a_wrong_guard_setting_is_named(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**TWILIO, name: value})
    assert str(raised.value).startswith(f"{name}: {message}")


def test_no_secret_is_in_the_settings_repr() -> None:
    """Settings end up in tracebacks and debug logs: the credentials must not."""
    settings = load_settings(
        {
            "PBBOT_TELEGRAM_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "PBBOT_TELEGRAM_SECRET": "webhook-secret",
            "PBBOT_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "PBBOT_TWILIO_AUTH_TOKEN": "twilio-auth-token",
            "PBBOT_TWILIO_FROM": "+3215000000",
            "PBBOT_PUBLIC_URL": "https://pb.example.be",
        }
    )
    shown = repr(settings)
    for secret in ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "webhook-secret", "twilio-auth-token"):
        assert secret not in shown


def test_staff_are_telegram_user_ids() -> None:
    assert load_settings(TWILIO).staff_telegram_ids == frozenset()
    settings = load_settings({**TWILIO, "PBBOT_STAFF_TELEGRAM_IDS": " 412345678, 98765432 ,"})
    assert settings.staff_telegram_ids == frozenset({412345678, 98765432})


@pytest.mark.parametrize(
    "value",
    ["@an_peeters", "412345678;98765432", ",", "-412345678", "0", "4123.5", "٤١٢", "9" * 17],
)
def test_a_wrong_staff_id_names_the_setting(value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**TWILIO, "PBBOT_STAFF_TELEGRAM_IDS": value})
    assert str(raised.value) == (
        "PBBOT_STAFF_TELEGRAM_IDS: expected comma-separated numeric Telegram user ids "
        f"like 412345678,98765432, got {value!r}"
    )
