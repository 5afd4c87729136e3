"""SMS cost of a complete basket vote, per language and per message.

A resident who joined during ideation (language, consent, age and district
known) votes by SMS on the sample edition (`examples/mechelen-2027.yaml`,
with the 24 projects of `examples/mechelen-2027-projects.csv`) on 2027-04-20,
its voting phase, through the real service, flows and ballot store on a fresh
SQLite file: from the first message to the receipt. The resident greets the
bot, picks Vote, reads the second page of projects ("+"), sends the numbers
of four projects seen on the two pages, reviews ("0") and casts with the word
for YES. Every reply is rendered as the SMS channel sends it (`render_sms`)
and counted (`sms_segments`).

    .venv/bin/python bench/bench_ballot_sms.py [--lang nl ar ...] [--quiet]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from pbbot.channels.sms.render import render_sms
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.answers import answer_word
from pbbot.engine.state import ConversationState
from pbbot.i18n.catalogs import translator
from pbbot.i18n.sms import sms_segments
from pbbot.runtime import build_runtime
from pbbot.storage.migrations import upgrade
from pbbot.storage.tables import Conversation, Resident
from pbbot.voting.projects import import_projects

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "examples" / "mechelen-2027.yaml"
PROJECTS = ROOT / "examples" / "mechelen-2027-projects.csv"
VOTING = date(2027, 4, 20)
LANGUAGES = ("nl", "fr", "en", "tr", "ar")
GREETING = {"nl": "hallo", "fr": "bonjour", "en": "hello", "tr": "merhaba", "ar": "مرحبا"}


async def play(lang: str, url: str, phone: str) -> tuple[int, list[tuple[str, str, int]]]:
    """The vote in one language: resident messages, and every SMS back (move, body, segments)."""
    at_ten = datetime(2027, 4, 20, 10, tzinfo=UTC)
    runtime = build_runtime(EDITION, url, VOTING, clock=lambda: at_ten)
    try:
        await _joined_in_ideation(runtime, phone, lang)
        sent: list[tuple[str, str, int]] = []
        shown: list[Outbound] = []
        moves = 0

        async def send(move: str, text: str) -> None:
            nonlocal shown, moves
            moves += 1
            shown = await runtime.service.handle(Inbound("sms", phone, text=text))
            for message in shown:
                body = render_sms(message)
                sent.append((move, body, sms_segments(body).segments))

        await send("first", GREETING[lang])
        await send("vote", _number_of(shown, "vote"))
        first_page = _projects_on(shown)
        await send("more", "+")
        second_page = _projects_on(shown)
        await send("numbers", " ".join(map(str, first_page[:2] + second_page[:2])))
        await send("review", "0")
        await send("yes", answer_word("yes", translator(lang)))
        return moves, sent
    finally:
        await runtime.close()


async def _joined_in_ideation(runtime: object, phone: str, lang: str) -> None:
    """The resident as ideation left them: language, consent, age and district."""
    state = ConversationState(
        locale=lang, answers={"consent": "2027-02-20", "age": 34, "district": "Centrum"}
    )
    async with runtime.sessionmaker.begin() as session:  # type: ignore[attr-defined]
        resident = Resident(channel="sms", address=phone, locale=lang, created_at=datetime.now(UTC))
        session.add(resident)
        await session.flush()
        session.add(
            Conversation(
                resident_id=resident.id, state=state.to_json(), updated_at=datetime.now(UTC)
            )
        )


def _number_of(messages: list[Outbound], option: str) -> str:
    choices = next(m.choices for m in reversed(messages) if m.choices)
    ids = [choice.payload.rsplit(".", 1)[-1] for choice in choices]
    return str(ids.index(option) + 1)


def _projects_on(messages: list[Outbound]) -> list[int]:
    """The project numbers a page lists, in its order ("3 Speeltuin … € 45.000")."""
    numbers = []
    for line in render_sms(messages[-1]).splitlines():
        first = line.split(" ", 1)[0].lstrip("\u200f\u200e")
        if first.isdigit() and ("€" in line):
            numbers.append(int(first))
    return numbers


async def main_async(langs: list[str], quiet: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade(url)
        setup = build_runtime(EDITION, url, VOTING)
        async with setup.sessionmaker.begin() as session:
            await import_projects(session, setup.edition, PROJECTS, datetime.now(UTC))
        await setup.close()
        totals = {}
        for index, lang in enumerate(langs):
            moves, sent = await play(lang, url, f"+3247000{index:04d}")
            totals[lang] = (moves, len(sent), sum(segments for _, _, segments in sent))
            if quiet:
                continue
            print(f"== {lang}: {totals[lang][2]} segments in {len(sent)} SMS")
            for move, body, segments in sent:
                line = body.replace("\n", " / ")
                print(f"{move:>8}  {segments:>3}  {line[:70]}")
            print()
    print("a complete basket vote by SMS:")
    for lang, (moves, messages, segments) in totals.items():
        print(f"  {lang}  {segments:>3} segments in {messages} SMS, for {moves} resident messages")


def main(argv: list[str] | None = None) -> int:
    # A fixed key: the residents' project orders, and so the pages, are the same every run.
    os.environ.setdefault("PBBOT_BALLOT_KEY", "bench-ballot-key-0123456789abcdefghijklmnop")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--quiet", action="store_true", help="only the totals")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.lang, args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
