from __future__ import annotations

from pbbot.channels.text import clean_text


def test_control_characters_go_line_breaks_stay() -> None:
    assert clean_text(" a\x00b\x1b[31m\r\nc\td\r", max_chars=100) == "ab[31m\nc d"


def test_joiners_and_right_to_left_marks_stay() -> None:
    family = "👩\u200d👩\u200d👧"
    assert clean_text(f"{family} \u200fمرحبا", max_chars=100) == f"{family} \u200fمرحبا"


def test_lone_surrogates_go() -> None:
    # JSON may escape half an emoji ("\ud83d"); no UTF-8 encoder takes it, so
    # kept, it would fail the transaction that writes it to a text column (a
    # question for the city team, on PostgreSQL).
    assert clean_text("ok\ud83d \udc4d", max_chars=100) == "ok"


def test_a_text_is_cut_at_max_chars() -> None:
    assert clean_text("x" * 10_000, max_chars=4096) == "x" * 4096
    assert clean_text("ab" * 10, max_chars=3) == "aba"
