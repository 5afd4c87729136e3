"""Server settings from the environment, or a settings file with the same names.

Validated at start with messages that name the setting. A channel whose
settings are missing is switched off with a warning; it never stops the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pbbot.errors import SettingsError

__all__ = [
    "DEFAULT_INBOUND_PER_MINUTE",
    "DEFAULT_SMS_REPLIES_PER_HOUR",
    "DEFAULT_TELEGRAM_MESSAGES_PER_SECOND",
    "MIN_BALLOT_KEY_CHARS",
    "SMS_KEYWORD_SETTINGS",
    "Settings",
    "TelegramSettings",
    "TwilioSettings",
    "load_ballot_key",
    "load_settings",
    "load_sms_keywords",
    "read_settings_file",
]

_TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
_SERVICE_SID = re.compile(r"MG[0-9a-f]{32}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_URL = re.compile(r"https?://[^\s/]+(/[^\s]*)?")
_TWILIO_NAMES = ("PBBOT_TWILIO_ACCOUNT_SID", "PBBOT_TWILIO_AUTH_TOKEN", "PBBOT_TWILIO_FROM")
# The start of the numbers SMS answers: a calling code (+32), or longer (+3247, the
# Belgian mobiles); a lone "+" is every number.
_PREFIX = re.compile(r"\+([1-9][0-9]{0,6})?")
# Telegram user ids are positive and fit in 52 bits (Telegram's own promise).
_USER_ID = re.compile(r"[1-9][0-9]{0,15}")
_MAX_USER_ID = 2**52
# A person types and taps a few messages a minute at most, even going fast
# through menus; 30 leaves them room and keeps a script from filling the lanes.
DEFAULT_INBOUND_PER_MINUTE = 30
# Onboarding and a look round the menus take about 15 replies; 30 an hour lets a
# resident explore and caps what a pumping loop or an answering machine on one
# number can cost (about 30 segments an hour).
DEFAULT_SMS_REPLIES_PER_HOUR = 30
# Telegram's own limit for a bot is about 30 messages a second; 25 stays under it.
# A bot with paid broadcasts enabled may set up to 1000.
DEFAULT_TELEGRAM_MESSAGES_PER_SECOND = 25.0
# The key of the voters' links to their ballots (`pbbot.voting.secret`): a guessable
# key would let anyone with the database and a list of numbers find their votes.
MIN_BALLOT_KEY_CHARS = 32


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    token: str = field(repr=False)  # never in a log line or a traceback
    secret: str | None = field(repr=False)  # needed for the webhook, not for polling
    api_url: str | None = None  # a self-hosted Bot API server (or the tests' fake)

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])


@dataclass(frozen=True, slots=True)
class TwilioSettings:
    account_sid: str
    auth_token: str = field(repr=False)
    sender: str  # a phone number or a messaging service SID ("MG...")
    segments_per_second: float
    # The prefixes of the numbers answered (PBBOT_SMS_COUNTRIES); None: the edition's country.
    countries: tuple[str, ...] | None = None
    replies_per_hour: int = DEFAULT_SMS_REPLIES_PER_HOUR


@dataclass(frozen=True, slots=True)
class Settings:
    public_url: str | None
    telegram: TelegramSettings | None
    twilio: TwilioSettings | None
    warnings: tuple[str, ...]
    inbound_per_minute: int = DEFAULT_INBOUND_PER_MINUTE  # processed per resident, any channel
    # The Telegram users allowed to use the staff chat (PBBOT_STAFF_TELEGRAM_IDS); none by default.
    staff_telegram_ids: frozenset[int] = frozenset()
    # PBBOT_BALLOT_KEY; None: the database keeps one of its own (`pbbot.voting.secret`).
    ballot_key: str | None = field(default=None, repr=False)
    # PBBOT_TELEGRAM_MESSAGES_PER_SECOND: what the bot may send in all, every process together.
    telegram_per_second: float = DEFAULT_TELEGRAM_MESSAGES_PER_SECOND
    # PBBOT_SENDING_PROCESSES: how many processes send at once (each takes its share of
    # the channels' rates).
    sending_processes: int = 1
    # PBBOT_SMS_SEGMENT_PRICE: what the SMS provider charges per segment, in the
    # edition's currency, for the cost of a broadcast; None: not known.
    sms_segment_price: Decimal | None = None


def read_settings_file(path: Path) -> dict[str, str]:
    """`NAME=value` lines; blank lines and `#` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SettingsError(
            f"cannot read settings file: {error.strerror}", source=str(path)
        ) from None
    values = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip().startswith("PBBOT_"):
            raise SettingsError("expected PBBOT_NAME=value", source=str(path), line=number)
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values


def load_settings(environ: Mapping[str, str], *, polling: bool = False) -> Settings:
    """The server's settings; `SettingsError` for a value that is present but wrong."""
    get = _Getter(environ)
    warnings: list[str] = []
    public_url = get.matching("PBBOT_PUBLIC_URL", _URL, "an http(s) URL")
    if public_url:
        public_url = public_url.rstrip("/")

    telegram = None
    token = get.matching("PBBOT_TELEGRAM_TOKEN", _TOKEN, "a bot token like 123456:ABC...")
    secret = get.matching("PBBOT_TELEGRAM_SECRET", _SECRET, "1-256 characters of A-Z a-z 0-9 _ -")
    api_url = get.matching("PBBOT_TELEGRAM_API_URL", _URL, "an http(s) URL")
    if token and not secret and not polling:
        raise SettingsError(
            "required for the Telegram webhook (or run `pbbot serve --polling`)",
            source="PBBOT_TELEGRAM_SECRET",
        )
    if token:
        telegram = TelegramSettings(token, secret, api_url.rstrip("/") if api_url else None)
    else:
        warnings.append("PBBOT_TELEGRAM_TOKEN is not set: Telegram is off")

    twilio = None
    missing = [name for name in (*_TWILIO_NAMES, "PBBOT_PUBLIC_URL") if not get.raw(name)]
    if missing:
        warnings.append(f"{', '.join(missing)} not set: SMS is off")
    else:
        get.matching("PBBOT_TWILIO_ACCOUNT_SID", _ACCOUNT_SID, "an account SID (AC + 32 hex)")
        sender = get.raw("PBBOT_TWILIO_FROM") or ""
        if not (_E164.fullmatch(sender) or _SERVICE_SID.fullmatch(sender)):
            raise SettingsError(
                f"expected an E.164 number (+32...) or a messaging service SID (MG...), "
                f"got {sender!r}",
                source="PBBOT_TWILIO_FROM",
            )
        twilio = TwilioSettings(
            account_sid=get.raw("PBBOT_TWILIO_ACCOUNT_SID") or "",
            auth_token=get.raw("PBBOT_TWILIO_AUTH_TOKEN") or "",
            sender=sender,
            segments_per_second=get.positive("PBBOT_SMS_SEGMENTS_PER_SECOND", default=1.0),
            countries=_sms_countries(get),
            replies_per_hour=get.whole(
                "PBBOT_SMS_REPLIES_PER_HOUR", default=DEFAULT_SMS_REPLIES_PER_HOUR
            ),
        )
    inbound_per_minute = get.whole("PBBOT_INBOUND_PER_MINUTE", default=DEFAULT_INBOUND_PER_MINUTE)
    return Settings(
        public_url,
        telegram,
        twilio,
        tuple(warnings),
        inbound_per_minute,
        _staff_ids(get),
        load_ballot_key(environ),
        telegram_per_second=get.positive(
            "PBBOT_TELEGRAM_MESSAGES_PER_SECOND", default=DEFAULT_TELEGRAM_MESSAGES_PER_SECOND
        ),
        sending_processes=get.whole("PBBOT_SENDING_PROCESSES", default=1),
        sms_segment_price=get.price("PBBOT_SMS_SEGMENT_PRICE"),
    )


def load_ballot_key(environ: Mapping[str, str]) -> str | None:
    """PBBOT_BALLOT_KEY, or None when unset; `SettingsError` when too short to be secret."""
    value = _Getter(environ).raw("PBBOT_BALLOT_KEY")
    if value is not None and len(value) < MIN_BALLOT_KEY_CHARS:
        raise SettingsError(
            f"expected a random secret of at least {MIN_BALLOT_KEY_CHARS} characters, got "
            f"{len(value)} (make one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')",
            source="PBBOT_BALLOT_KEY",
        )
    return value


def _staff_ids(get: _Getter) -> frozenset[int]:
    """Numeric ids only: a @username can be given to someone else, an id cannot."""
    value = get.raw("PBBOT_STAFF_TELEGRAM_IDS")
    if value is None:
        return frozenset()
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids or not all(_USER_ID.fullmatch(i) and int(i) < _MAX_USER_ID for i in ids):
        raise SettingsError(
            f"expected comma-separated numeric Telegram user ids like 412345678,98765432, "
            f"got {value!r}",
            source="PBBOT_STAFF_TELEGRAM_IDS",
        )
    return frozenset(int(i) for i in ids)


def _sms_countries(get: _Getter) -> tuple[str, ...] | None:
    value = get.raw("PBBOT_SMS_COUNTRIES")
    if value is None:
        return None
    prefixes = tuple(prefix.strip() for prefix in value.split(",") if prefix.strip())
    if not prefixes or not all(_PREFIX.fullmatch(prefix) for prefix in prefixes):
        raise SettingsError(
            f"expected comma-separated calling codes like +32,+31, got {value!r}",
            source="PBBOT_SMS_COUNTRIES",
        )
    return prefixes


# The keywords the Twilio messaging service acts on (its Advanced Opt-Out
# settings), comma-separated; pbbot must know the same list, localized words
# included, to say the right thing after them. Unset: Twilio's defaults.
SMS_KEYWORD_SETTINGS = {
    "opt_out": "PBBOT_SMS_OPT_OUT_WORDS",
    "opt_in": "PBBOT_SMS_OPT_IN_WORDS",
    "help": "PBBOT_SMS_HELP_WORDS",
}
_KEYWORD = re.compile(r"[^\s,][^,]{0,29}")


def load_sms_keywords(environ: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The configured SMS carrier keyword lists, by kind; a kind left unset is absent."""
    found = {}
    for kind, name in SMS_KEYWORD_SETTINGS.items():
        value = _Getter(environ).raw(name)
        if value is None:
            continue
        words = tuple(word.strip() for word in value.split(",") if word.strip())
        bad = [word for word in words if not _KEYWORD.fullmatch(word)]
        if not words or bad:
            raise SettingsError(
                "expected comma-separated words of at most 30 characters, "
                f"like STOP,STOPALL,ARRET, got {value!r}",
                source=name,
            )
        found[kind] = words
    return found


class _Getter:
    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name, "").strip()
        return value or None

    def matching(self, name: str, pattern: re.Pattern[str], expected: str) -> str | None:
        value = self.raw(name)
        if value is not None and not pattern.fullmatch(value):
            shown = value if "TOKEN" not in name and "SECRET" not in name else "(hidden)"
            raise SettingsError(f"expected {expected}, got {shown!r}", source=name)
        return value

    def whole(self, name: str, *, default: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        if not (value.isascii() and value.isdigit() and int(value) > 0):
            raise SettingsError(f"expected a whole number above 0, got {value!r}", source=name)
        return int(value)

    def price(self, name: str) -> Decimal | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            price = Decimal(value)
        except InvalidOperation:
            price = Decimal(-1)
        if not price.is_finite() or price <= 0:
            raise SettingsError(
                f"expected a price per segment like 0.0786, got {value!r}", source=name
            )
        return price

    def positive(self, name: str, *, default: float) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = 0.0
        if not number > 0:
            raise SettingsError(f"expected a positive number, got {value!r}", source=name)
        return number
