"""Free text from residents: cleaned of what nobody sees, measured as people count,
and an SMS that arrived in parts joined where the phone cut it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbbot.domain.freetext import Limited, clean, join_parts, limit, visible_length

FAMILY = "👨\u200d👩\u200d👧"
RAINBOW_FLAG = "🏳\ufe0f\u200d🌈"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
PERSIAN = "می\u200cخواهم"  # "I want": the non-joiner keeps می from joining خواهم


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Een bank in het park", "Een bank in het park"),
        ("  Een   bank  ", "Een bank"),
        ("Een\tbank", "Een bank"),
        ("Een\t \tbank", "Een bank"),
        ("Een\r\nbank\rin het park", "Een\nbank\nin het park"),
        ("Eerste alinea\n\n\n\n\nTweede", "Eerste alinea\n\nTweede"),
        ("Eerste  \n  \n \n tweede", "Eerste\n\ntweede"),
        ("\n\nEen bank\n\n", "Een bank"),
        ("Een\u2028bank", "Een\nbank"),
        ("Een\x00 bank\x07\x1b[31m", "Een bank[31m"),
        ("Een\x85bank", "Een\nbank"),
        ("Een\u200bbank", "Eenbank"),
        ("\ufeffEen bank", "Een bank"),
        ("Een\u2060bank", "Eenbank"),
        ("speel\u00adtuin", "speeltuin"),
        ("Een \u202eknab\u202c", "Een knab"),
        ("\u202aabc\u202b\u202d\u202e", "abc"),
        ("\u2066abc\u2067def\u2068\u2069", "abcdef"),
        ("\u200eabc\u200f\u061c", "abc"),
        ("e\u0301", "é"),  # NFC
        ("e\u200b\u0301", "é"),  # NFC again once the invisible character is gone
        ("Café\u00a0!", "Café\u00a0!"),  # a lone no-break space keeps its meaning
        ("12\u00a0 €", "12 €"),  # in a run of spaces it is one of the spaces
        ("a\u3000\u2003b", "a b"),
        (FAMILY, FAMILY),
        (f"Voor het {FAMILY} gezin", f"Voor het {FAMILY} gezin"),
        (RAINBOW_FLAG, RAINBOW_FLAG),
        ("👍🏽", "👍🏽"),
        ("🇧🇪", "🇧🇪"),
        (SCOTLAND, SCOTLAND),
        ("a\U000e0067b", "ab"),  # tag characters outside a flag
        (PERSIAN, PERSIAN),
        ("\u200dabc\u200d", "abc"),  # a joiner at an end joins nothing
        ("\u200cabc\u200c", "abc"),
        ("a \u200d b", "a b"),  # next to spaces
        ("a\u200d b", "a b"),
        ("👨\u200d\u200d👩", "👨\u200d👩"),  # doubled
        ("👨\u200d\u200c👩", "👨\u200d👩"),
        ("می\u200c\u200cخواهم", PERSIAN),
        ("👍\u200c👍", "👍👍"),  # a non-joiner means something only between letters
        ("مرحبا بالعالم", "مرحبا بالعالم"),
        ("Yeşil alan İçin", "Yeşil alan İçin"),
        ("\ud83d Een bank", "Een bank"),  # a lone surrogate from a broken JSON body
        ("", ""),
        (" \n\t\u200b ", ""),
    ],
)
def test_clean(text: str, expected: str) -> None:
    assert clean(text) == expected


@given(st.text())
def test_clean_is_idempotent(text: str) -> None:
    assert clean(clean(text)) == clean(text)


@given(
    st.text(
        alphabet=st.sampled_from("ab 👨👩🌈\ufe0f\u200d\u200c\u200b\u202e\n\t\u00a0\U000e0067🏴")
    )
)
def test_clean_is_idempotent_where_joiners_and_spaces_meet(text: str) -> None:
    assert clean(clean(text)) == clean(text)


@given(st.text())
def test_clean_leaves_nothing_invisible_behind(text: str) -> None:
    cleaned = clean(text)
    assert cleaned == unicodedata.normalize("NFC", cleaned)
    assert cleaned == cleaned.strip()
    assert "\n\n\n" not in cleaned
    assert "  " not in cleaned
    assert "\t" not in cleaned and "\r" not in cleaned
    for char in cleaned:
        category = unicodedata.category(char)
        assert char == "\n" or category not in {"Cc", "Cs"}
        assert category != "Cf" or char in "\u200c\u200d" or 0xE0020 <= ord(char) <= 0xE007F
    for bad in "\u200b\u2060\ufeff\u00ad\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e":
        assert bad not in cleaned
    assert not cleaned.startswith(("\u200c", "\u200d")) and not cleaned.endswith(
        ("\u200c", "\u200d")
    )


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"])))
def test_clean_keeps_every_letter_digit_and_punctuation_mark(text: str) -> None:
    def visible(value: str) -> str:
        return "".join(unicodedata.normalize("NFC", value).split())

    assert visible(clean(text)) == visible(text)


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("bank", 4),
        ("e\u0301", 1),
        ("café", 4),
        ("مَرْحَبًا", 5),  # vowel marks belong to their letter
        (PERSIAN, 7),
        ("👍", 1),
        ("👍🏽", 1),
        (FAMILY, 1),
        (RAINBOW_FLAG, 1),
        ("🇧🇪", 1),
        ("🇧🇪🇳🇱", 2),
        ("🇧🇪🇳", 2),
        (SCOTLAND, 1),
        ("1\ufe0f\u20e3", 1),  # keycap
        ("a\nb", 3),
        ("a\r\nb", 3),
        ("a\u200d👩", 2),  # a joiner after a letter joins no emoji
    ],
)
def test_visible_length_counts_as_people_do(text: str, length: int) -> None:
    assert visible_length(text) == length


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\r")))
def test_without_marks_or_emoji_each_code_point_is_a_character(text: str) -> None:
    assert visible_length(text) == len(text)


def test_limit_says_by_how_much_a_text_is_too_long() -> None:
    title = "Een nieuwe speeltuin " * 4 + "met bank"  # 92 characters
    assert limit(title, 80) == Limited(title, 12)
    assert limit(title, 92) == Limited(title, None)
    assert limit(title, 91).too_long_by == 1


def test_limit_measures_the_cleaned_text() -> None:
    text, too_long_by = limit("  Een\u200b   bank\u202e  ", 8)
    assert (text, too_long_by) == ("Een bank", None)


def test_limit_counts_an_emoji_family_once() -> None:
    assert limit(FAMILY * 80, 80) == Limited(FAMILY * 80, None)
    assert limit(FAMILY * 81 + "e\u0301", 80).too_long_by == 2


@given(st.text(), st.integers(min_value=0, max_value=50))
def test_limit_is_consistent_with_the_length(text: str, most: int) -> None:
    cleaned, too_long_by = limit(text, most)
    length = visible_length(cleaned)
    assert cleaned == clean(text)
    assert too_long_by == (length - most if length > most else None)


# Joining SMS parts. A multipart SMS part holds 153 GSM-7 septets or 67 UCS-2 units.

GSM_PART = ("Wij willen een speeltuin " * 6) + "spe"  # 153 characters, ends mid-word
UCS2_PART = ("Yeşil alan için " * 5)[:67]  # "ş" needs UCS-2; ends mid-word


def test_parts_the_phone_cut_mid_word_are_joined_without_a_space() -> None:
    assert len(GSM_PART) == 153 and GSM_PART.endswith("spe")
    assert join_parts([GSM_PART, "eltuin."]) == GSM_PART + "eltuin."
    assert len(UCS2_PART) == 67 and not UCS2_PART.endswith(" ")
    assert join_parts([UCS2_PART, "n ağaç"]) == UCS2_PART + "n ağaç"


def test_a_phone_that_sends_separate_full_messages_is_cut_too() -> None:
    single = ("Wij willen een speeltuin " * 7)[:160]
    assert join_parts([single, "x"]) == single + "x"
    assert join_parts([UCS2_PART + "abc", "x"]) == UCS2_PART + "abcx"  # 70 UCS-2 units


def test_two_septet_characters_and_surrogate_pairs_count_as_the_phone_counts() -> None:
    euros = "€" * 76 + "a"  # 153 septets in 77 characters
    assert join_parts([euros, "b"]) == euros + "b"
    emoji = "👍" * 33 + "a"  # 67 UTF-16 units in 34 characters
    assert join_parts([emoji, "b"]) == emoji + "b"
    assert join_parts(["€" * 70, "b"]) == "€" * 70 + " b"  # 140 septets: not full


def test_parts_the_resident_sent_are_joined_with_a_space() -> None:
    assert join_parts(["Een bank", "in het park"]) == "Een bank in het park"
    assert join_parts(["Een bank", "in het park", "bij de vijver"]) == (
        "Een bank in het park bij de vijver"
    )
    short = GSM_PART[:-1]  # 152 characters of GSM-7: not a full part
    assert join_parts([short[:100], "b"]) == short[:100] + " b"


def test_a_full_part_cut_at_a_space_keeps_that_space() -> None:
    at_space = ("Wij willen een speeltuin " * 7)[:150] + "en "  # 153, ends with a space
    assert len(at_space) == 153
    assert clean(join_parts([at_space, "bank"])) == clean(at_space + "bank")
    starts_with_space = GSM_PART[:-3] + "een"
    assert clean(join_parts([starts_with_space, " bank"])) == clean(starts_with_space + " bank")


def test_no_parts_or_empty_parts() -> None:
    assert join_parts([]) == ""
    assert join_parts(["", "Een bank", ""]) == "Een bank"
    assert join_parts(["Een bank"]) == "Een bank"


@given(st.lists(st.text(alphabet="abc ", min_size=1, max_size=30), max_size=5))
def test_short_parts_keep_all_their_text_in_order(parts: list[str]) -> None:
    assert join_parts(parts) == " ".join(parts)


@given(st.text(alphabet=st.sampled_from("abcdefghij €ş👍"), min_size=200, max_size=400))
def test_a_long_text_cut_like_a_phone_joins_back(text: str) -> None:
    parts, rest = [], text
    while rest:
        gsm = all(char in "abcdefghij €" for char in text)
        part = _phone_part(rest, 153 if gsm else 67, gsm=gsm)
        parts.append(part)
        rest = rest[len(part) :]
    assert clean(join_parts(parts)) == clean(text)


def _phone_part(text: str, units: int, *, gsm: bool) -> str:
    # As a phone fills a part: as many characters as fit, never half a character.
    used = 0
    for index, char in enumerate(text):
        width = (2 if char == "€" else 1) if gsm else len(char.encode("utf-16-le")) // 2
        if used + width > units:
            return text[:index]
        used += width
    return text
