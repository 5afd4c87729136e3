"""Options shared by several subcommands: edition file, database URL, clock."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pbbot.errors import SettingsError
from pbbot.settings import load_sms_keywords

if TYPE_CHECKING:  # the engine loads only for the commands that run conversations
    from pbbot.engine.keywords import CarrierWords

__all__ = [
    "DEFAULT_DATABASE_URL",
    "add_common_options",
    "carrier_words",
    "database_url",
    "edition_path",
    "today",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///pbbot.db"
DEFAULT_EDITION = Path("examples/mechelen-2027.yaml")


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--edition", metavar="FILE", help="edition file (default: $PBBOT_EDITION)")
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="pretend today is this date (default: $PBBOT_TODAY)"
    )


def edition_path(args: argparse.Namespace) -> Path:
    value = getattr(args, "edition", None) or os.environ.get("PBBOT_EDITION")
    return Path(value) if value else DEFAULT_EDITION


def database_url() -> str:
    return os.environ.get("PBBOT_DATABASE_URL") or DEFAULT_DATABASE_URL


def today(args: argparse.Namespace) -> date | None:
    """The clock override, or None for the real date."""
    value = getattr(args, "today", None) or os.environ.get("PBBOT_TODAY")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(
            f"expected YYYY-MM-DD, got {value!r}", source="PBBOT_TODAY / --today"
        ) from None


def carrier_words() -> CarrierWords:
    """The SMS carrier's keywords as configured ($PBBOT_SMS_OPT_OUT_WORDS, ...):
    the simulator and the live SMS channel recognize the same ones."""
    from pbbot.engine.keywords import CarrierWords

    return CarrierWords(**load_sms_keywords(os.environ))
