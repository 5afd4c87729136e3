"""Plural-Forms headers, checked against CLDR rather than against Babel's own table.

A gettext header is a C expression that maps a count to a form index; CLDR names the
forms (zero, one, two, few, many, other). Babel 2.18's table gave Arabic a rule
without `n % 100`, so 103 fell into "other" instead of "few"; a wrong header breaks
plural texts silently. We keep our own headers and prove each one against CLDR by
evaluating both for a spread of counts.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable
from functools import cache

from babel import Locale

__all__ = [
    "PLURAL_FORMS",
    "SAMPLE_COUNTS",
    "cldr_plural_index",
    "parse_plural_forms",
    "plural_forms_mismatch",
    "plural_function",
    "single_count_forms",
]

# The headers our catalogs carry, one per supported language (see SUPPORTED_LOCALES).
# French follows CLDR 38+: 0 and 1 are "one", exact millions are "many"
# ("1 000 000 de votes"), everything else "other".
PLURAL_FORMS: dict[str, str] = {
    "nl": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
    "en": "nplurals=2; plural=(n != 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
    ),
}

# Counts that tell the rules of our languages apart: every residue mod 100 several
# times over, and the millions that French treats apart.
SAMPLE_COUNTS: tuple[int, ...] = (
    *range(0, 1201),
    1_000_000,
    1_000_001,
    2_000_000,
    2_500_000,
    10**9,
)

# gettext numbers the forms in CLDR's category order, skipping the ones a language lacks.
_CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")


@cache
def _categories(locale: str) -> tuple[str, ...]:
    tags = Locale.parse(locale).plural_form.tags | {"other"}
    return tuple(tag for tag in _CATEGORY_ORDER if tag in tags)


def cldr_plural_index(locale: str, n: int) -> int:
    """The gettext form index CLDR gives count `n` in `locale`."""
    category = Locale.parse(locale).plural_form(n)
    return _categories(locale).index(category)


def parse_plural_forms(header: str) -> tuple[int, str]:
    """`nplurals` and the C expression of a Plural-Forms header."""
    params = dict(part.strip().split("=", 1) for part in header.split(";") if "=" in part)
    try:
        return int(params["nplurals"]), params["plural"]
    except (KeyError, ValueError) as error:
        raise ValueError(f"malformed Plural-Forms header {header!r}") from error


def plural_function(header: str) -> tuple[int, Callable[[int], int]]:
    """The number of forms and the index function a Plural-Forms header describes."""
    nplurals, expression = parse_plural_forms(header)
    return nplurals, gettext.c2py(expression)


def plural_forms_mismatch(
    locale: str, header: str, counts: Iterable[int] = SAMPLE_COUNTS
) -> str | None:
    """Why `header` disagrees with CLDR for `locale`, or None when it agrees."""
    try:
        nplurals, index_of = plural_function(header)
    except ValueError as error:
        return str(error)
    expected = len(_categories(locale))
    if nplurals != expected:
        return (
            f"nplurals={nplurals}, but CLDR has {expected} forms for {locale} "
            f"({', '.join(_categories(locale))})"
        )
    for n in counts:
        got, want = index_of(n), cldr_plural_index(locale, n)
        if got != want:
            return (
                f"n={n} selects form {got}, but CLDR says "
                f"{_categories(locale)[want]!r} (form {want})"
            )
    return None


def single_count_forms(header: str, counts: Iterable[int] = SAMPLE_COUNTS) -> frozenset[int]:
    """The form indexes that only one count selects (Arabic's 0, 1 and 2; English's 1).

    A translation for such a form may spell the number out instead of using the
    count's placeholder ("one vote", "صوت واحد").
    """
    _, index_of = plural_function(header)
    seen: dict[int, int] = {}
    for n in counts:
        form = index_of(n)
        seen[form] = seen.get(form, 0) + 1
    return frozenset(form for form, times in seen.items() if times == 1)
