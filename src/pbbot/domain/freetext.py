"""Free text residents send (idea titles, descriptions, comments), made safe to keep and show.

`clean` removes what a person cannot see but a program trips over: control
characters, zero-width characters, the soft hyphen, direction marks and
bidi embeddings, overrides and isolates (a stray U+202E turns the rest of a
staff list backwards). What people write stays: emoji sequences keep their
zero width joiners (👨‍👩‍👧, 🏳️‍🌈) and flags their tag characters, letters keep a
zero width non-joiner between them, paragraphs keep one blank line.

`limit` measures text as a person sees it, in user-perceived characters
(grapheme clusters): "é" written as e + accent, "👍🏽" and "🇧🇪" are one each.
Python's standard library has no grapheme segmentation, so `_clusters`
approximates Unicode's extended grapheme clusters (UAX #29) with what
`unicodedata` knows; see there for what it leaves out.

`join_parts` joins an SMS that arrived in several messages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from pbbot.domain.gsm7 import PART_GSM7, PART_UCS2, SINGLE_GSM7, SINGLE_UCS2, is_gsm7, unit_widths

__all__ = ["Limited", "clean", "join_parts", "limit", "visible_length"]

_ZWNJ, _ZWJ = "\u200c", "\u200d"
_JOINERS = _ZWNJ + _ZWJ
_BLACK_FLAG = "\U0001f3f4"  # 🏴 starts a subdivision flag written with tag characters
_TAGS = range(0xE0020, 0xE0080)  # tag characters and CANCEL TAG
_LINE_BREAKS = re.compile("\r\n|[\r\u0085\u2028\u2029\v\f]")
_SPACE_RUN = re.compile(r"[^\S\n]{2,}")
_LINE_EDGE_SPACES = re.compile(r"[^\S\n]*\n[^\S\n]*")
_BLANK_LINES = re.compile(r"\n{3,}")
_JOINER_RUN = re.compile(f"([{_JOINERS}])[{_JOINERS}]+")


class Limited(NamedTuple):
    """The cleaned text and how many characters it has too many (None when it fits)."""

    text: str
    too_long_by: int | None


def _is_dropped(char: str) -> bool:
    # Controls (Cc) other than the newline, format characters (Cf: zero width
    # space, word joiner, BOM, soft hyphen, LRM/RLM/ALM, bidi embeddings,
    # overrides and isolates, and the rest of the category), and lone
    # surrogates (Cs), which a JSON body can carry and a UTF-8 database refuses.
    # Joiners and tag characters are decided by their neighbours (`_visible`, `_flag_tags`).
    category = unicodedata.category(char)
    if char == "\n" or char in _JOINERS or ord(char) in _TAGS:
        return False
    return category in {"Cc", "Cf", "Cs"}


def _is_visible(char: str) -> bool:
    return not char.isspace() and char not in _JOINERS


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _flag_tags(text: str) -> str:
    """`text` without tag characters outside a subdivision flag.

    🏴 + tags + cancel tag is a flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿); anywhere else tags are invisible.
    """
    kept: list[str] = []
    for char in text:
        if ord(char) not in _TAGS or (kept and (kept[-1] == _BLACK_FLAG or ord(kept[-1]) in _TAGS)):
            kept.append(char)
    return "".join(kept)


def _visible(text: str) -> str:
    """`text` without joiners that join nothing visible: at an end, next to a space, doubled.

    A run of joiners counts as its first one.
    """
    text = _JOINER_RUN.sub(r"\1", text)
    kept: list[str] = []
    for index, char in enumerate(text):
        if char in _JOINERS:
            before = kept[-1] if kept else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            if not (_is_visible(before) and _is_visible(after)):
                continue
            if char == _ZWNJ and not (_is_letter(before) and _is_letter(after)):
                continue  # a non-joiner means something only between letters
        kept.append(char)
    return "".join(kept)


def clean(text: str) -> str:
    """`text` as it is kept: visible characters, single spaces, at most one blank line.

    NFC before and after (removing an invisible character can leave a letter
    and its accent next to each other). Tabs become spaces, line breaks of any
    kind "\\n". A lone no-break space stays (it keeps "12 €" together); a run of
    spaces of any kind becomes one space. `clean(clean(t)) == clean(t)`.
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text)).replace("\t", " ")
    text = _visible(_flag_tags("".join(char for char in text if not _is_dropped(char))))
    text = _SPACE_RUN.sub(" ", text)
    text = _LINE_EDGE_SPACES.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return unicodedata.normalize("NFC", text.strip())


# What `_clusters` attaches to the character before it (Unicode's Extend and
# SpacingMark): combining marks (accents, Arabic harakat, variation selectors,
# the keycap U+20E3), emoji skin tones and the zero width joiner.
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def _extends(char: str) -> bool:
    return (
        unicodedata.category(char) in {"Mn", "Me", "Mc"}
        or ord(char) in _SKIN_TONES
        or ord(char) in _TAGS
        or char in _JOINERS
    )


def _pictographic(char: str) -> bool:
    # Unicode's Extended_Pictographic, approximated: symbols, and the emoji
    # planes even where this Python's Unicode data does not know a new emoji yet.
    code = ord(char)
    return unicodedata.category(char) == "So" or 0x1F000 <= code <= 0x1FAFF or code == 0x2764


def _clusters(text: str) -> Iterator[str]:
    """Grapheme clusters of `text`, close to UAX #29.

    Covered: CR LF, combining marks, emoji with skin tones, keycaps, ZWJ
    sequences and flags (regional indicator pairs and tag sequences). Left out,
    each a rare case in residents' texts: Hangul jamo written unjoined (NFC
    joins the usual ones), Prepend characters and Indic conjuncts (each
    consonant counts once, one more than a reader sees).
    """
    cluster = ""
    pictographic = False  # the current cluster started with a pictograph
    regional = 0  # regional indicators in the current cluster
    for char in text:
        if cluster and _joins(cluster[-1], char, pictographic=pictographic, regional=regional):
            cluster += char
            regional += ord(char) in _REGIONAL_INDICATORS
            continue
        if cluster:
            yield cluster
        cluster = char
        pictographic = _pictographic(char)
        regional = int(ord(char) in _REGIONAL_INDICATORS)
    if cluster:
        yield cluster


def _joins(last: str, char: str, *, pictographic: bool, regional: int) -> bool:
    """Whether `char` continues the cluster that ends with `last` (UAX #29's GB3..GB13)."""
    if last == "\r" and char == "\n":
        return True
    if last in "\r\n" or char in "\r\n":
        return False
    if _extends(char):
        return True
    if last == _ZWJ and pictographic and _pictographic(char):
        return True  # 👨‍👩‍👧
    return ord(char) in _REGIONAL_INDICATORS and regional == 1  # 🇧🇪


def visible_length(text: str) -> int:
    """How many characters a person counts in `text` (grapheme clusters)."""
    return sum(1 for _ in _clusters(text))


def limit(text: str, most: int) -> Limited:
    """`text` cleaned, and by how many characters it is longer than `most`, if it is.

    For "Your title is 12 characters too long (at most 80)": the count is the
    one a person makes (`visible_length`), after `clean`.
    """
    cleaned = clean(text)
    length = visible_length(cleaned)
    return Limited(cleaned, length - most if length > most else None)


# A phone that sends a long text as separate messages fills each (160 or 70
# units), or the parts of a multipart SMS (153 or 67); it does not split a
# two-septet character (€, [ ...) or a surrogate pair, so a full part can be
# one unit shorter.
_FULL_GSM7 = frozenset({SINGLE_GSM7 - 1, SINGLE_GSM7, PART_GSM7 - 1, PART_GSM7})
_FULL_UCS2 = frozenset({SINGLE_UCS2 - 1, SINGLE_UCS2, PART_UCS2 - 1, PART_UCS2})


def _is_full(part: str) -> bool:
    """Whether `part` fills an SMS, so that the phone, not the resident, ended it."""
    full = _FULL_GSM7 if is_gsm7(part) else _FULL_UCS2
    return sum(unit_widths(part)) in full


def join_parts(parts: Sequence[str]) -> str:
    """The parts of one SMS description as one text, in the order received.

    A part that fills an SMS (`_is_full`) and ends in the middle of a word was
    cut by the phone: the next part continues the word, with no space. Any
    other boundary is the resident's: the parts are joined with a space. A
    full part cut at a space keeps that space, as the parts are joined as they
    came; run `clean` on the result, as on any other answer.
    """
    joined, previous = "", ""
    for part in filter(None, parts):
        cut_by_phone = _is_full(previous) and _is_visible(previous[-1]) and _is_visible(part[0])
        joined = f"{joined}{part}" if not joined or cut_by_phone else f"{joined} {part}"
        previous = part
    return joined
