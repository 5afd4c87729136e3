"""What a complete basket vote costs by SMS on the sample edition's 24 projects:
from the first message to the receipt, at most 12 GSM-7 segments in Dutch and
24 UCS-2 segments in Arabic, in 6 resident messages (`bench/bench_ballot_sms.py`
prints the figures per message; BENCHMARKS.md records them)."""

from __future__ import annotations

import pytest

from pbbot.i18n.catalogs import translator
from pbbot.i18n.sms import sms_segments
from pbbot.voting.handlers import receipt_text
from tests.voting.ballot_chat import Voter, word

GREETING = {"nl": "hallo", "ar": "مرحبا"}


@pytest.mark.parametrize(("locale", "most"), [("nl", 12), ("ar", 24)])
def test_a_basket_vote_by_sms_fits_the_budget_of_segments(locale: str, most: int) -> None:
    voter = Voter(locale)
    spent, moves = 0, 0

    def send(text: str) -> str:
        nonlocal spent, moves
        moves += 1
        shown = voter.send(text)
        spent += voter.segments()
        return shown

    send(GREETING[locale])
    first = send("1")
    second = send("+")
    numbers = [_numbers(first)[0], _numbers(first)[1], _numbers(second)[0], _numbers(second)[1]]
    send(" ".join(map(str, numbers)))
    send("0")
    send(word(locale, "yes"))
    [cast] = voter.cast()
    assert sorted(cast.projects) == sorted(numbers)
    receipt = receipt_text(cast, translator(locale), replaced=False)
    spent += sms_segments(receipt).segments
    assert (moves, spent <= most) == (6, True), spent


def _numbers(page: str) -> list[int]:
    return [
        int(line.split()[0].strip("\u200f\u200e"))
        for line in page.splitlines()
        if "€" in line and line.split()[0].strip("\u200f\u200e").isdigit()
    ]
