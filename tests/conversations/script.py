"""Scripted conversations: readable files of what a resident sends and what the
bot must answer, played in every shipped language and both renderings.

    > text               the resident types this
    > @N                 picks option N: types "N" on SMS, taps button N on Telegram
    > @lang              picks the language under test in the language menu
    > @label:Main menu   types the option's label in the language under test
    > @keyword:help      types the global word in the language under test (SMS
                         carrier words such as STOPPEN are recognized as on the wire;
                         START on SMS is the carrier's own word)
    < !silence           the bot sends nothing in this turn
    < msgid              the bot's answer in this turn contains this catalog text,
                         translated (placeholders such as {count} match anything;
                         \n stands for a line break)
    < [sms] msgid        ... only in the SMS rendering (likewise [telegram]; and
    > [telegram] text    for what only a Telegram resident sends)
    < !not msgid         the bot's answer does not contain this text
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pbbot.channels.sms.render import render_sms
from pbbot.channels.telegram.render import InlineKeyboard, render_telegram
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.answers import answer_word
from pbbot.engine.keywords import DEFAULT_CARRIER_WORDS, shown_word
from pbbot.i18n.catalogs import translator
from pbbot.i18n.sms import normalize_for_sms

SCRIPTS = sorted(Path(__file__).parent.glob("*.chat"))
LANGUAGES = ("nl", "fr", "en", "tr", "ar")  # the sample edition's order
RENDERINGS = ("sms", "telegram")

Send = Callable[[Inbound], Awaitable[list[Outbound]]]


@dataclass(frozen=True)
class Line:
    number: int
    kind: str  # ">" or "<"
    text: str


def parse(path: Path) -> list[Line]:
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        kind, _, text = raw.partition(" ")
        if kind not in (">", "<"):
            raise ValueError(f"{path}:{number}: a line starts with '>' or '<'")
        lines.append(Line(number, kind, text.strip()))
    return lines


def _shown(messages: list[Outbound], rendering: str) -> str:
    if rendering == "sms":
        return "\n".join(render_sms(message) for message in messages)
    parts = []
    for message in messages:
        for rendered in render_telegram(message):
            parts.append(rendered.text)
            if isinstance(rendered.keyboard, InlineKeyboard):
                parts.extend(button.label for row in rendered.keyboard.rows for button in row)
    return "\n".join(parts)


def _fragments(msgid: str, locale: str) -> list[str]:
    msgid = msgid.replace("\\n", "\n")
    # A typo in a script must not pass silently as an untranslated English text.
    assert translator("nl").gettext(msgid) != msgid, f"not a catalog text: {msgid!r}"
    translated = translator(locale).gettext(msgid)
    return [part.strip() for part in re.split(r"\{[^}]*\}", translated) if part.strip()]


async def play(path: Path, locale: str, rendering: str, send: Send, address: str) -> None:
    choices: list[str] = []  # payloads of the last message with choices
    shown = ""
    for line in parse(path):
        where = f"{path.name}:{line.number} [{locale}, {rendering}]"
        if line.kind == "<":
            text = _expected(line.text, rendering)
            if text is None:
                continue
            if text == "!silence":
                assert shown == "", f"{where}: expected silence, got:\n{shown}"
                continue
            if text.startswith("!not "):
                for fragment in _fragments(text.removeprefix("!not "), locale):
                    unexpected = normalize_for_sms(fragment) if rendering == "sms" else fragment
                    assert unexpected not in shown, f"{where}: {unexpected!r} in:\n{shown}"
                continue
            for fragment in _fragments(text, locale):
                expected = normalize_for_sms(fragment) if rendering == "sms" else fragment
                assert expected in shown, f"{where}: expected {expected!r} in:\n{shown}"
            continue
        sent = _expected(line.text, rendering)
        if sent is None:
            continue
        text, payload = typed(sent, locale, rendering), None
        if rendering == "telegram" and text.startswith("#") and text[1:].isdigit():
            payload, text = choices[int(text[1:]) - 1], ""
        messages = await send(
            Inbound(channel=rendering, address=address, text=text, payload=payload)
        )
        assert messages or _expects_silence(path, line, rendering), f"{where}: the bot said nothing"
        shown = _shown(messages, rendering)
        choices = next(
            ([c.payload for c in m.choices] for m in reversed(messages) if m.choices), choices
        )


def typed(command: str, locale: str, rendering: str) -> str:
    """What the resident types for a `>` line; "#N" taps button N on Telegram."""
    t = translator(locale)
    if command == "@lang":
        command = f"@{LANGUAGES.index(locale) + 1}"
    if command.startswith("@label:"):
        return t.gettext(command.removeprefix("@label:"))
    if command.startswith("@word:"):
        return answer_word(command.removeprefix("@word:"), t)
    if command.startswith("@keyword:"):
        keyword = command.removeprefix("@keyword:")
        return shown_word(keyword, rendering, t, DEFAULT_CARRIER_WORDS)
    if command.startswith("@") and command[1:].isdigit():
        return f"#{command[1:]}" if rendering == "telegram" else command[1:]
    return command


def _expected(text: str, rendering: str) -> str | None:
    """An expectation line without its rendering prefix; None if it is for the other."""
    only = re.match(r"\[(sms|telegram)\] ", text)
    if only is None:
        return text
    return text[only.end() :] if only.group(1) == rendering else None


def _expects_silence(path: Path, sent: Line, rendering: str) -> bool:
    lines = parse(path)
    following = [
        line.text
        for line in lines[lines.index(sent) + 1 :]
        if line.kind == ">" or _expected(line.text, rendering) is not None
    ]
    return bool(following) and _expected(following[0], rendering) == "!silence"
