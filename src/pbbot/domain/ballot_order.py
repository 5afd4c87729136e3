"""The order a resident sees the projects in: shuffled for them, the same every time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

__all__ = ["stable_order"]


def stable_order(project_numbers: Iterable[int], seed: bytes) -> list[int]:
    """`project_numbers` in an order of the resident's own, the same every time.

    Why: residents pick more often from the top of a list, and on SMS many read
    only the first page; one list order for everyone would hand the first
    projects votes for their position. Shuffling per resident spreads that
    effect evenly, and a stable order lets a resident find a project where they
    saw it yesterday. Each number is ranked by HMAC-SHA256(seed, number), so
    the order does not depend on the order given, and a project added later
    does not reshuffle the others. `seed` should itself be secret and per
    resident (e.g. derived from the keyed ballot key), so the order reveals
    nothing about who the resident is.
    """
    if not seed:
        raise ValueError("an empty seed would give every resident the same order")
    numbers = list(project_numbers)
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"a project number is given twice: {numbers}")

    def rank(number: int) -> bytes:
        return hmac.new(seed, str(number).encode("ascii"), hashlib.sha256).digest()

    return sorted(numbers, key=rank)
