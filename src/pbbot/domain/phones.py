"""Country calling codes (ITU-T E.164): which phone numbers belong to which country.

A fact about the world that changes with numbering plans, so it comes from
libphonenumber's metadata rather than a table of our own.
"""

from __future__ import annotations

import phonenumbers

__all__ = ["calling_code", "calling_code_of"]


def calling_code(country: str) -> int | None:
    """The calling code of an ISO 3166-1 alpha-2 country (`BE` -> 32); None if unknown."""
    return phonenumbers.country_code_for_region(country) or None


def calling_code_of(number: str) -> int | None:
    """The calling code an E.164 number starts with (`+3247...` -> 32); None if none fits."""
    try:
        return phonenumbers.parse(number, None).country_code
    except phonenumbers.NumberParseException:
        return None
