"""Reply matching as residents really write: numbers in any script and form,
button payloads (long ones by reference), labels in any case, language,
Turkish or Arabic spelling, near-misses only when one option is clearly closest."""

from __future__ import annotations

import pytest

from pbbot.domain.payloads import callback_data_for
from pbbot.domain.text import fold, words
from pbbot.engine.replies import Match, match_choice, parse_number, parse_number_in_words

OFFERED = ["menu.main.about", "menu.main.vote", "ideas.list." + "idea-" * 20]
NAMES = {
    OFFERED[0]: ["Over de burgerbegroting", "About the citizens' budget"],
    OFFERED[1]: ["Stemmen", "Vote"],
    OFFERED[2]: ["Één idee"],
}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3", 3),
        (" 3. ", 3),
        ("٣", 3),
        ("۳", 3),  # Persian digits
        ("-30", -30),
        ("(2)", 2),
        ("1️⃣", 1),  # a keycap emoji
        ("①", 1),
        ("\u200f2", 2),  # the right-to-left mark pbbot puts before Arabic option numbers
        ("three", None),
        ("", None),
    ],
)
def test_numbers(text: str, number: int | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("34 jaar", 34),
        ("34 ans", 34),
        ("34 yaşında", 34),
        ("34 سنة", 34),
        ("ik ben 34", 34),
        ("٣٤ سنة", 34),
        ("3 of 4", None),
        ("34 jaar en 3 maanden", None),
        ("ik ben vierendertig jaar", None),
    ],
)
def test_a_number_in_a_few_words(text: str, number: int | None) -> None:
    assert parse_number_in_words(text) == number


@pytest.mark.parametrize(
    ("text", "payload", "chosen"),
    [
        ("2", None, OFFERED[1]),
        ("٢", None, OFFERED[1]),
        ("2️⃣", None, OFFERED[1]),
        ("4", None, None),
        ("STEMMEN!", None, OFFERED[1]),
        ("een idee", None, OFFERED[2]),
        ("vote", None, OFFERED[1]),  # the label of another shipped language
        ("Stemen", None, OFFERED[1]),  # a typo
        ("ja", None, None),  # no label starts with it
        ("", OFFERED[0], OFFERED[0]),
        ("", "menu.main.gone", None),
        ("", callback_data_for(OFFERED[2]), OFFERED[2]),  # a button of a long payload
        ("", callback_data_for("ideas.list." + "other-" * 20), None),  # an old keyboard
    ],
)
def test_choice(text: str, payload: str | None, chosen: str | None) -> None:
    assert match_choice(text, payload, OFFERED, NAMES).payload == chosen


def test_fold_ignores_case_accents_and_arabic_marks() -> None:
    assert fold("  DİL ") == "dil"
    assert fold("Français") == "francais"
    assert fold("لُغَة") == fold("لغة")


@pytest.mark.parametrize("text", ["yardım", "Yardım", "YARDIM", "yardim", "YARDİM"])
def test_turkish_dotted_and_dotless_i_fold_alike(text: str) -> None:
    assert fold(text) == fold("YARDIM")


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("مساعده", "مساعدة"),  # ه for ة
        ("المساعدة", "مساعدة"),  # with the article
        ("القائمة", "قائمة"),
        ("إلغاء", "الغاء"),  # hamza below, none
        ("آخر", "اخر"),
        ("على", "علي"),  # alif maqsura, ya
        ("قـــائمة", "قائمة"),  # tatweel
    ],
)
def test_arabic_spelling_variants_fold_alike(text: str, same_as: str) -> None:
    assert fold(text) == fold(same_as)


def test_words_ignore_inner_punctuation_but_keep_symbols() -> None:
    assert words("Ja, akkoord") == words("ja akkoord")
    assert words("👍") == "👍"


@pytest.mark.parametrize(("text", "chosen"), [("ja", "c.yes"), ("JA!", "c.yes"), ("nee", "c.no")])
def test_the_first_part_of_a_label_is_enough_when_unambiguous(text: str, chosen: str) -> None:
    names = {"c.yes": ["Ja, akkoord"], "c.no": ["Nee"]}
    assert match_choice(text, None, ["c.yes", "c.no"], names).payload == chosen


def test_an_ambiguous_first_part_is_not_a_choice() -> None:
    names = {"a.one": ["Ja, graag"], "a.two": ["Ja, maar later"]}
    assert match_choice("ja", None, ["a.one", "a.two"], names) == Match()


def test_arabic_first_part() -> None:
    names = {"c.yes": ["نعم، أوافق"], "c.no": ["لا"]}
    assert match_choice("نعم", None, ["c.yes", "c.no"], names).payload == "c.yes"


@pytest.mark.parametrize("typo", ["Tijdlijm", "tydlijn", "tijdlijnn"])
def test_a_near_miss_picks_the_clearly_closest_option(typo: str) -> None:
    names = {"i.timeline": ["Tijdlijn"], "i.rules": ["Regels voor ideeën"], "i.menu": ["Menu"]}
    offered = list(names)
    assert match_choice(typo, None, offered, names).payload == "i.timeline"


def test_between_two_close_options_the_resident_is_asked() -> None:
    names = {"d.one": ["Heffen"], "d.two": ["Hoffen"]}
    match = match_choice("Haffen", None, ["d.one", "d.two"], names)
    assert match.payload is None
    assert set(match.close) == {"d.one", "d.two"}


def test_short_words_are_never_guessed() -> None:
    names = {"c.yes": ["Ja"], "c.no": ["Nee"]}
    assert match_choice("je", None, ["c.yes", "c.no"], names) == Match()


@pytest.mark.parametrize(("text", "chosen"), [("kurallar", "m.rules"), ("takvim", "m.timeline"),
                                              ("verilerim", "m.mydata")])  # fmt: skip
def test_one_word_of_one_options_name(text: str, chosen: str) -> None:
    names = {
        "m.about": ["Katılımcı bütçe nedir?"],
        "m.timeline": ["Takvim"],
        "m.rules": ["Fikir kuralları"],
        "m.mydata": ["Verilerim"],
    }
    assert match_choice(text, None, list(names), names).payload == chosen


def test_a_word_two_options_share_is_not_a_choice() -> None:
    names = {"i.rules": ["Rules for ideas"], "i.send": ["Send ideas"]}
    assert match_choice("ideas", None, list(names), names) == Match()
