"""STOP, START, HELP and the other global words: every rule about them, in one place.

Two kinds of words:

- The bot's own words (MENU, HELP, LANGUAGE, STOP, START), with a translation
  per catalog. A resident may use the word of any shipped language, since they
  may not know which language the bot thinks they speak; Telegram commands
  ("/start", "/help") count too.
- The carrier's words on SMS (`CarrierWords`). Twilio and the carriers act on
  these themselves when they are the whole message: after STOP the carrier
  blocks every message to the number until an opt-in word lifts it. The lists
  mirror the messaging service's keyword settings (`PBBOT_SMS_OPT_OUT_WORDS`,
  ...), localized ones included where the city configured them at Twilio.

The rules (`global_word`):

- On SMS only a carrier opt-out word unsubscribes, and only as the whole
  message; the bot's localized STOP that the carrier does not know gets a
  hint naming the carrier's word instead (the carrier would keep sending).
- On SMS a stopped resident is back only with a carrier opt-in word (START,
  UNSTOP, YES, ...): the carrier lifts its block on those and no others. For a
  resident who did not stop, START opens the menu and YES or UNSTOP are
  ordinary answers.
- On Telegram the bot's own words in every language do what they say.
- A button tap is never a global word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from pbbot.domain.messages import Channel, Inbound
from pbbot.domain.text import fold
from pbbot.i18n.catalogs import N_, SUPPORTED_LOCALES, Translator, translator

__all__ = [
    "CARRIER_CHANNELS",
    "DEFAULT_CARRIER_WORDS",
    "KEYWORDS",
    "CarrierWords",
    "GlobalWord",
    "global_word",
    "keyword_of",
    "lifts_carrier_block",
    "shown_word",
]

# Channels whose carrier handles STOP itself and lifts its block only on its own words.
CARRIER_CHANNELS = frozenset({"sms"})

# keyword -> English word (the msgid; translators give the word in their language).
KEYWORDS: dict[str, str] = {
    "menu": N_("MENU"),
    "help": N_("HELP"),
    "language": N_("LANGUAGE"),
    "stop": N_("STOP"),
    "start": N_("START"),
}

# What a message means before any step sees it; "stop_hint": a STOP the carrier
# ignores, answered with the word it acts on.
GlobalWord = Literal["menu", "help", "language", "stop", "start", "stop_hint"]
CarrierKind = Literal["opt_out", "opt_in", "help"]


@cache  # the carrier's lists are fixed: fold them once, not on every SMS
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(word) for word in words if word.strip())


@dataclass(frozen=True, slots=True)
class CarrierWords:
    """The words the SMS carrier acts on, as configured at the messaging service.

    Defaults are Twilio's standard keywords. The first opt-out and opt-in
    words are those texts name when no localized one is configured.
    """

    opt_out: tuple[str, ...] = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")
    opt_in: tuple[str, ...] = ("START", "UNSTOP", "YES")
    help: tuple[str, ...] = ("HELP", "INFO")

    def __post_init__(self) -> None:
        for kind in ("opt_out", "opt_in"):
            if not getattr(self, kind):
                raise ValueError(f"the carrier's {kind} words cannot be empty")

    def kind_of(self, text: str) -> CarrierKind | None:
        """Which carrier keyword the whole `text` is, if any."""
        word = fold(text)
        for kind in ("opt_out", "opt_in", "help"):
            if word in _folded(getattr(self, kind)):
                return kind
        return None


DEFAULT_CARRIER_WORDS = CarrierWords()


@cache
def _words() -> dict[str, str]:
    """Folded word -> keyword, over English and every shipped catalog."""
    words = {}
    for keyword, english in KEYWORDS.items():
        words[fold(english)] = keyword
        for locale in SUPPORTED_LOCALES:
            words[fold(translator(locale).gettext(english))] = keyword
    return words


def keyword_of(text: str) -> str | None:
    """The bot's own keyword a whole message is, in any shipped language; else None."""
    if len(text) > 30:
        return None
    return _words().get(fold(text.lstrip("/")))


def global_word(inbound: Inbound, *, stopped: bool, carrier: CarrierWords) -> GlobalWord | None:
    """What the message means before any step sees it (the rules in the module's docstring)."""
    if inbound.payload is not None:
        return None
    if inbound.start_param is not None:
        return "start"
    own = keyword_of(inbound.text)
    if inbound.channel not in CARRIER_CHANNELS:
        return own  # type: ignore[return-value]
    kind = carrier.kind_of(inbound.text)
    if kind == "opt_out":
        return "stop"
    if kind == "opt_in":
        return "start" if stopped or own == "start" else None
    if stopped:
        return None  # the carrier still blocks: only its own words lift that
    if kind == "help":
        return "help"
    return "stop_hint" if own == "stop" else own  # type: ignore[return-value]


def lifts_carrier_block(inbound: Inbound, carrier: CarrierWords) -> bool:
    """Whether the carrier lifts a block of the number on this message (an SMS
    opt-in word, whatever the bot makes of it: YES may also answer a question)."""
    return (
        inbound.channel in CARRIER_CHANNELS
        and inbound.payload is None
        and carrier.kind_of(inbound.text) == "opt_in"
    )


def shown_word(keyword: str, channel: Channel, t: Translator, carrier: CarrierWords) -> str:
    """The word for `keyword` that texts name, in the translator's language.

    On SMS, STOP and START name a word the carrier acts on: the localized one
    if the city configured it at Twilio, else the carrier's first word.
    """
    localized = t.gettext(KEYWORDS[keyword])
    if channel not in CARRIER_CHANNELS or keyword not in ("stop", "start"):
        return localized
    words = carrier.opt_out if keyword == "stop" else carrier.opt_in
    return localized if fold(localized) in _folded(words) else words[0]
