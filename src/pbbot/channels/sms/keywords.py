"""The words that carriers and Twilio treat as commands when they are the whole SMS.

A resident who sends STOP is unsubscribed by the carrier (Twilio then refuses
to send, error 21610), so pbbot must know it too; START, UNSTOP and YES
resubscribe, as the carrier does. The localized words are those residents of
a Belgian city write in Dutch, French, Turkish and Arabic. Matching ignores
case, accents (ARRÊT = ARRET), Arabic vowel marks and surrounding
punctuation, and only ever looks at the whole message: "stop de werken" is a
sentence, not an opt-out.
"""

from __future__ import annotations

from pbbot.channels.base import Keyword
from pbbot.domain.text import fold

__all__ = ["HELP_WORDS", "OPT_IN_WORDS", "OPT_OUT_WORDS", "classify_keyword"]

OPT_OUT_WORDS: tuple[str, ...] = (
    # Twilio's and the US carriers' standard opt-out words.
    "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
    # Dutch
    "STOPPEN", "UITSCHRIJVEN", "AFMELDEN",
    # French
    "ARRÊT", "ARRÊTER", "DÉSABONNER", "DÉSINSCRIRE", "DÉSINSCRIPTION",
    # Turkish
    "DUR", "DURDUR", "İPTAL",
    # Arabic: "stop", "cancel", "unsubscribe"
    "توقف", "إلغاء", "إلغاء الاشتراك",
)  # fmt: skip

# Only the carrier's own words: Twilio lifts its block on these and no others,
# so a localized "start" word would tell pbbot the resident is back while
# every message to them still fails.
OPT_IN_WORDS: tuple[str, ...] = ("START", "UNSTOP", "YES")

HELP_WORDS: tuple[str, ...] = ("HELP", "INFO", "HULP", "AIDE", "YARDIM", "مساعدة")

_KEYWORDS: dict[str, Keyword] = {
    **{fold(word): "help" for word in HELP_WORDS},
    **{fold(word): "opt_in" for word in OPT_IN_WORDS},
    **{fold(word): "opt_out" for word in OPT_OUT_WORDS},
}


def classify_keyword(text: str) -> Keyword | None:
    """Which carrier keyword the whole `text` is, if any."""
    return _KEYWORDS.get(fold(text))
