"""The common words for yes, no, skip and thanks, in every shipped language.

People answer "ok", "akkoord", "tamam", "أوافق" or "👍" rather than the label
they were shown; a localized "cancel" ("annuleren", "iptal", "إلغاء") at a
confirmation means "no". An option whose id is `yes` or `no`, and the skip of
an optional question, accept these words in every shipped language (a
resident may not write in the language the bot thinks they speak). Each
catalog lists its words separated by "|"; the first is the one texts name
("Send NO"), written as texts show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pbbot.i18n.catalogs import N_, Translator

__all__ = ["ANSWER_WORDS", "answer_word", "answer_words"]

ANSWER_WORDS: dict[str, str] = {
    # Translators: words that mean "yes, I agree", separated by |; the first is shown in texts.
    "yes": N_("YES|ok|okay|agree|sure|yep"),
    # Translators: words that mean "no" or "cancel", separated by |; the first is shown in
    # texts. Never use STOP, STOPALL, END, QUIT or UNSUBSCRIBE: on SMS the carrier blocks
    # the number for those (and for CANCEL, which therefore only means "no" on Telegram).
    "no": N_("NO|cancel|nope|not now"),
    # Translators: words that skip an optional question, separated by |.
    "skip": N_("SKIP|prefer not to say|rather not say|pass"),
    # Translators: ways to say "I don't know" to a question (an idea's cost), separated
    # by |; the first is shown in texts ("Send DON'T KNOW if you do not know").
    "dont_know": N_("DON'T KNOW|I don't know|do not know|dont know|no idea|not sure"),
    # Translators: words for going back one question, separated by |; the first is shown
    # in texts ("Send BACK").
    "back": N_("BACK|previous|go back"),
    # Translators: ways to say thank you, separated by |; the bot takes them politely.
    "thanks": N_("thanks|thank you|thx|cheers"),
}
_SYMBOLS: dict[str, tuple[str, ...]] = {
    "yes": ("👍", "✅", "👌", "✔", "☑"),
    "no": ("👎", "❌", "✖", "🚫"),
    "skip": ("-", "…", "..."),
    "back": ("⬅", "⬅️", "🔙", "<"),
    "dont_know": ("🤷", "🤷‍♀️", "🤷‍♂️", "?"),
    "thanks": ("🙏", "🙂", "😊", "❤", "❤️"),
}


def answer_words(
    meaning: str, locales: Iterable[str], translators: Callable[[str], Translator]
) -> tuple[str, ...]:
    """Every word for `meaning` ("yes", "no", "skip", "back") in these languages, symbols too."""
    found: dict[str, None] = {}
    for locale in locales:
        for word in translators(locale).gettext(ANSWER_WORDS[meaning]).split("|"):
            if word.strip():
                found[word.strip()] = None
    return (*found, *_SYMBOLS[meaning])


def answer_word(meaning: str, translator: Translator) -> str:
    """The word a text names for `meaning`: "NEE", "HAYIR", "لا"."""
    return translator.gettext(ANSWER_WORDS[meaning]).split("|")[0].strip()
