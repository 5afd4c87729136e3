"""SMS cost of a typical information session, per language and per message.

A new resident on SMS, on the sample edition (`examples/mechelen-2027.yaml`) on
2027-02-20 (its ideation phase), played on the pure engine step: the first
message, the language, consent, district and age, then from the main menu about
and, following the tour each screen offers, timeline, rules, what happens after
the vote, contact and back to the main menu. Every reply is rendered as the SMS channel sends it
(`render_sms`) and counted (`sms_segments`); the table shows each message the
bot sends, so the expensive ones stand out.

The first message is a wave: no letters, so no language can be read from it and
the bot asks. With `--first hallo` the bot may recognize the language, and the
language step is then left out. Answers pick an option by its id (the last part
of its payload), not by its position, so the session stays the same when a menu
gains an option.

    .venv/bin/python bench/bench_segments.py [--lang nl fr ...] [--first TEXT] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pbbot.channels.sms.render import render_sms
from pbbot.config.edition_file import load_edition
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.i18n.sms import sms_segments

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "examples" / "mechelen-2027.yaml"
TODAY = date(2027, 2, 20)
LANGUAGES = ("nl", "fr", "en", "tr", "ar")

# What the resident sends: a text as typed, or "#id" for the option of that id
# (sent as its number, as a resident on SMS does). "#{lang}" is the language.
FIRST = "\N{WAVING HAND SIGN}"
SESSION = (
    FIRST,
    "#{lang}",
    "#yes",
    "#d2",
    "34",
    "#about",
    "#timeline",
    "#rules",
    "#say",
    "#contact",
    "#menu",
)


@dataclass(frozen=True, slots=True)
class Sent:
    """One SMS the bot sent: the resident's move it answered, its body and its cost."""

    answer_to: str  # "first", "age", or the id of the option chosen ("lang", "yes", ...)
    body: str
    encoding: str
    characters: int
    segments: int


def _typed(answer: str, lang: str, offered: list[Outbound]) -> str | None:
    """What the resident types; None where the step is not asked (the language,
    when the bot recognized it from the first message)."""
    if not answer.startswith("#"):
        return answer
    wanted = answer[1:].format(lang=lang)
    choices = next((m.choices for m in reversed(offered) if m.choices), ())
    for number, choice in enumerate(choices, start=1):
        if choice.payload.rsplit(".", 1)[-1] == wanted:
            return str(number)
    if answer == "#{lang}":
        return None
    labels = ", ".join(choice.payload for choice in choices) or "no choices"
    raise SystemExit(f"[{lang}] no option {wanted!r} to answer {answer!r} (offered: {labels})")


def _move(index: int, answer: str) -> str:
    if index == 0:
        return "first"
    if answer.startswith("#"):
        return answer[1:].replace("{lang}", "lang")
    return "age" if answer.isdigit() else answer


def play(lang: str, context: StepContext, first: str = FIRST) -> tuple[int, list[Sent]]:
    """The session in one language: how many messages the resident sent, and
    every SMS the bot sent back, in order."""
    state = ConversationState()
    offered: list[Outbound] = []
    sent, moves = [], 0
    for index, answer in enumerate((first, *SESSION[1:])):
        text = _typed(answer, lang, offered)
        if text is None:
            continue
        moves += 1
        result = step(state, Inbound(channel="sms", address="+32470000001", text=text), context)
        state = result.state
        offered = result.messages or offered
        for message in result.messages:
            body = render_sms(message)
            size = sms_segments(body)
            move = _move(index, answer)
            sent.append(Sent(move, body, size.encoding, size.characters, size.segments))
    return moves, sent


def _first_line(body: str, width: int = 60) -> str:
    line = body.replace("\n", " / ")
    return line if len(line) <= width else line[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--first", default=FIRST, help="the first message (default: a wave)")
    parser.add_argument("--quiet", action="store_true", help="only the totals")
    args = parser.parse_args(argv)

    context = StepContext(load_edition(EDITION), load_engine_flows(), TODAY)
    totals = {}
    for lang in args.lang:
        moves, sent = play(lang, context, args.first)
        totals[lang] = (moves, len(sent), sum(s.segments for s in sent))
        if args.quiet:
            continue
        print(f"== {lang}: {totals[lang][2]} segments in {len(sent)} SMS")
        print(f"{'answer to':>9}  seg  enc    chars  text")
        for s in sent:
            flag = " <" if s.segments > 1 else ""
            print(
                f"{s.answer_to:>9}  {s.segments:>3}  {s.encoding:<5}  {s.characters:>5}  "
                f"{_first_line(s.body)}{flag}"
            )
        print()
    print("segments per language:")
    for lang, (moves, messages, segments) in totals.items():
        print(f"  {lang}  {segments:>3} segments in {messages} SMS, for {moves} resident messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
