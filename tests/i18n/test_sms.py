from __future__ import annotations

import pytest
from babel.numbers import format_currency, format_percent

from pbbot.i18n.sms import SmsSize, is_gsm7, normalize_for_sms, sms_segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsSize("GSM-7", 0, 0, 1)),
        ("a" * 160, SmsSize("GSM-7", 160, 160, 1)),
        ("a" * 161, SmsSize("GSM-7", 161, 161, 2)),
        ("a" * 306, SmsSize("GSM-7", 306, 306, 2)),
        ("a" * 307, SmsSize("GSM-7", 307, 307, 3)),
        ("€" * 80, SmsSize("GSM-7", 80, 160, 1)),
        ("a" * 159 + "€", SmsSize("GSM-7", 160, 161, 2)),
        ("{[~]}|\\^\f", SmsSize("GSM-7", 9, 18, 1)),
        ("Één café à Malmö, Ørsted, Straße, Ñoño, Çà", SmsSize("GSM-7", 42, 42, 1)),
        ("ب" * 70, SmsSize("UCS-2", 70, 70, 1)),
        ("ب" * 71, SmsSize("UCS-2", 71, 71, 2)),
        ("ب" * 134, SmsSize("UCS-2", 134, 134, 2)),
        ("ب" * 135, SmsSize("UCS-2", 135, 135, 3)),
        ("😀" * 35, SmsSize("UCS-2", 35, 70, 1)),
        ("😀" * 35 + "a", SmsSize("UCS-2", 36, 71, 2)),
        ("Oylamaya katılın: ş", SmsSize("UCS-2", 19, 19, 1)),
    ],
)
def test_sms_segments_counts_units_and_segments(text: str, expected: SmsSize) -> None:
    assert sms_segments(text) == expected


def test_escape_pair_is_not_split_across_segments() -> None:
    # 306 septets would fit two parts of 153, but the euro's escape pair would
    # straddle them: it moves whole to the second part, which then overflows.
    text = "a" * 152 + "€" + "a" * 152
    assert sms_segments(text) == SmsSize("GSM-7", 305, 306, 3)
    assert sms_segments("a" * 151 + "€" + "a" * 153).segments == 2


def test_surrogate_pair_is_not_split_across_parts() -> None:
    text = "ب" * 66 + "😀" + "ب" * 66  # 134 units; the emoji would straddle 67
    assert sms_segments(text) == SmsSize("UCS-2", 133, 134, 3)
    assert sms_segments("ب" * 65 + "😀" + "ب" * 67).segments == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "\u2018Stem\u2019 \u201enu\u201d \u201cnow\u201d \u201avan\u201b",
            "'Stem' \"nu\" \"now\" 'van'",
        ),
        ("Wacht\u2026", "Wacht..."),
        ("2026\u20132027 \u2014 fase \u2212 5", "2026-2027 - fase - 5"),
        ("1\u00a0234\u202f€\u2009!", "1 234 € !"),
        ("\u00ab\u202fVotez\u202f\u00bb", '"Votez"'),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("• groen", "- groen"),
        ("e\u0301te\u0301", "été"),  # combining accents composed into GSM-7 letters
    ],
)
def test_normalize_replaces_typography_with_gsm7(text: str, expected: str) -> None:
    assert normalize_for_sms(text) == expected
    assert is_gsm7(normalize_for_sms(text))


@pytest.mark.parametrize(
    "text",
    [
        "Oylamaya katılın, şimdi değil",  # Turkish letters force UCS-2: honest
        "صوّت الآن",  # Arabic stays as written
        "Stem nu 🗳️",  # emoji are content
        "être forêt garçon",  # French letters outside GSM-7 are not stripped
    ],
)
def test_normalize_keeps_letters_and_emoji(text: str) -> None:
    assert normalize_for_sms(text) == text


@pytest.mark.parametrize("locale", ["nl_BE", "fr_BE", "en_GB", "fr_FR"])
def test_babel_money_and_percent_stay_gsm7(locale: str) -> None:
    text = (
        f"{format_currency(1234567.5, 'EUR', locale=locale)} {format_percent(0.25, locale=locale)}"
    )
    assert not is_gsm7(text) or locale == "en_GB"
    assert sms_segments(normalize_for_sms(text)).encoding == "GSM-7"
