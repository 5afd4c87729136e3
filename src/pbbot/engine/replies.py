"""Matching what a resident typed against what was offered.

A reply is accepted, in this order, as: the button payload; the option's
number (any script's digits, "1️⃣", "①", after a direction mark); a name of
the option (its label in the resident's language first, then in the other
shipped languages, then the common words for yes, no or skip); a name's first
part ("Ja" of "Ja, akkoord") where no other option starts the same way; one
word of one option's name ("kurallar" for "Fikir kuralları"); and last a
near-miss ("Tijdlijm") when one option is clearly the closest. Between
two close options the engine never guesses: the match names both, and the
resident is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from pbbot.domain.payloads import resolve_payload
from pbbot.domain.text import bare, words

__all__ = ["Match", "match_choice", "parse_number", "parse_number_in_words"]

_FIRST_PART = re.compile(r"[,،;:(]")
_NUMBER_EDGES = re.compile(r"^[\s.,;:!?()\[\]'\"«»“”‘’#*]+|[\s.,;:!?()\[\]'\"«»“”‘’#*-]+$")
_NUMBER_TOKEN = re.compile(r"-?\d+")
# Near-misses: a typo in a word of at least this many characters, scoring at
# least `_CLOSE` (rapidfuzz's 0-100 ratio) and ahead of the next option by `_MARGIN`.
_FUZZY_MIN_LENGTH = 4
_CLOSE = 80.0
_MARGIN = 8.0
_MAX_WORDS_AROUND_NUMBER = 3


def parse_number(text: str) -> int | None:
    """A whole number written with any script's decimal digits ("٣" is 3), else None."""
    cleaned = _NUMBER_EDGES.sub("", bare(text).strip())  # a leading minus sign stays
    if not cleaned or len(cleaned) > 12:
        return None
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.removeprefix("-")
    if not digits.isdecimal():
        return None
    return sign * int(digits)  # int() reads every Unicode decimal digit


def parse_number_in_words(text: str) -> int | None:
    """A number said in a few words: "34 jaar", "ik ben 34", "34 yaşında", "34 سنة".

    Exactly one number and at most a few words without digits around it;
    "3 of 4" is not one number.
    """
    number = parse_number(text)
    if number is not None:
        return number
    plain = bare(text)
    numbers = _NUMBER_TOKEN.findall(plain)
    rest = _NUMBER_TOKEN.sub(" ", plain).split()
    if len(numbers) != 1 or len(rest) > _MAX_WORDS_AROUND_NUMBER or len(numbers[0]) > 12:
        return None
    if any(char.isdigit() for word in rest for char in word):
        return None
    return int(numbers[0])


@dataclass(frozen=True, slots=True)
class Match:
    """The chosen payload, or None; `close` names the options a near-miss could be."""

    payload: str | None = None
    close: tuple[str, ...] = ()


def match_choice(
    text: str,
    payload: str | None,
    offered: Sequence[str],
    names: Mapping[str, Sequence[str]] | Callable[[], Mapping[str, Sequence[str]]],
    *,
    guess: bool = True,
    numbered: bool = True,
) -> Match:
    """Which offered option the reply chooses.

    `offered` lists payloads in the order shown; `names` maps a payload to the
    words that name it, the label in the resident's language first (or makes
    that mapping when a reply is not a button or a number). `guess=False`
    takes no near-misses: where an option means yes or no, "onaylamıyorum" (I
    do not agree) is one letter from "onaylıyorum" and must not count as it.
    `numbered=False`: a number names no option by its place.
    """
    if payload is not None:
        payload = resolve_payload(payload, offered)  # a long payload's button carries a reference
        return Match(payload if payload in offered else None)
    number = parse_number(text)
    if number is not None:
        if not numbered:
            return Match()
        return Match(offered[number - 1] if 1 <= number <= len(offered) else None)
    given = names() if callable(names) else names
    names = {p: list(given.get(p, ())) for p in offered}
    symbol = text.strip()
    by_symbol = [p for p in offered if symbol and symbol in names[p]]  # "-", "👍": no letters
    if by_symbol:
        return Match(by_symbol[0])
    wanted = words(text)
    if not wanted:
        return Match()
    folded = {p: [words(name) for name in names[p]] for p in offered}
    for scope in (1, None):  # the label in the resident's language first, then every name
        exact = [p for p in offered if wanted in folded[p][:scope]]
        if exact:
            return Match(exact[0])
    for scope in (1, None):
        starts = [
            p
            for p in offered
            if any(words(_FIRST_PART.split(name)[0]) == wanted for name in names[p][:scope])
        ]
        if len(starts) == 1:
            return Match(starts[0])
    return _closest(wanted, offered, folded) if guess else Match()


def _one_word(wanted: str, offered: Sequence[str], folded: Mapping[str, list[str]]) -> list[str]:
    """Options with a word of a name close to what a resident typed as one word:
    "kurallar" for "Fikir kuralları", "regels" for "Spelregels" does not count."""
    if " " in wanted or len(wanted) < _FUZZY_MIN_LENGTH:
        return []
    return [
        p
        for p in offered
        if any(
            fuzz.ratio(wanted, word) >= _CLOSE + _MARGIN
            for name in folded[p]
            for word in name.split()
            if len(word) >= _FUZZY_MIN_LENGTH
        )
    ]


def _closest(wanted: str, offered: Sequence[str], folded: Mapping[str, list[str]]) -> Match:
    if len(wanted) < _FUZZY_MIN_LENGTH:
        return Match()
    by_word = _one_word(wanted, offered, folded)
    if len(by_word) == 1:
        return Match(by_word[0])
    scores = sorted(((_score(wanted, folded[p]), p) for p in offered), reverse=True)
    best_score, best = scores[0]
    if best_score < _CLOSE:
        return Match()
    rivals = [p for score, p in scores[1:] if score > best_score - _MARGIN]
    if rivals:
        return Match(close=(best, rivals[0]))
    return Match(best)


def _score(wanted: str, names: list[str]) -> float:
    ratios: list[float] = [fuzz.ratio(wanted, name) for name in names]
    return max(ratios, default=0.0)
