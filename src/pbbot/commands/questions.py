"""`pbbot questions list|answer`: residents' questions for the city team ("Talk to a person").

The list shows each open question with its channel and language, never the
resident's number or chat id: staff answer through the bot, and the answer
reaches the resident in the chat they asked from, introduced in their language.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os

from pbbot.commands.options import add_common_options, database_url, edition_path

__all__ = ["ANSWER_INTRO", "register"]


def N_(message: str) -> str:
    """gettext's marker (extracted into the catalogs), without loading Babel at start."""
    return message


ANSWER_INTRO = N_("The city team answers your question:")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("questions", help="residents' questions: list or answer")
    actions = parser.add_subparsers(dest="questions_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the questions waiting for an answer")
    listing.add_argument("--all", action="store_true", help="answered ones too")
    listing.set_defaults(run=lambda args: asyncio.run(_list(args)))
    answer = actions.add_parser("answer", help="answer a question in the resident's chat")
    answer.add_argument("id", type=int)
    answer.add_argument("text", help="the answer, as it will be sent")
    answer.add_argument(
        "--by", default=os.environ.get("USER") or getpass.getuser(), help="who answers (recorded)"
    )
    add_common_options(answer)
    answer.set_defaults(run=lambda args: asyncio.run(_answer(args)))


async def _list(args: argparse.Namespace) -> int:
    from pbbot.storage import questions
    from pbbot.storage.database import create_engine, create_sessionmaker

    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await questions.list_questions(session, open_only=not args.all)
    finally:
        await engine.dispose()
    if not rows:
        print("no questions waiting" if not args.all else "no questions")
    for row in rows:
        status = "answered" if row.answered_at else "open"
        asked = row.asked_at.strftime("%Y-%m-%d %H:%M")
        print(f"#{row.id} {asked} UTC {row.channel} {row.locale or '-'} {status}")
        print(f"  {row.text}")
        if row.answer:
            print(f"  -> {row.answer}")
    return 0


async def _answer(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pbbot.config.edition_file import load_edition
    from pbbot.domain.messages import Outbound
    from pbbot.i18n.catalogs import translator
    from pbbot.storage import outbound, questions, repositories
    from pbbot.storage.database import create_engine, create_sessionmaker

    text = args.text.strip()
    if not text:
        print("pbbot: the answer is empty")
        return 2
    default_language = load_edition(edition_path(args)).default_language
    now = datetime.now(UTC)
    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine).begin() as session:
            row = await questions.find_question(session, args.id)
            if row is None:
                print(f"pbbot: no question #{args.id}")
                return 1
            if not await questions.answer_question(session, args.id, text, by=args.by, now=now):
                print(f"pbbot: question #{args.id} was answered already")
                return 1
            if row.channel.startswith("sim-") or not row.subscribed:
                # A simulator resident has no channel to reach; one who sent STOP
                # asked for no more messages. The answer is kept, not sent.
                why = "asked in the simulator" if row.subscribed else "the resident sent STOP"
                print(f"question #{args.id} answered; not sent: {why}")
                return 0
            locale = row.locale or default_language
            message = Outbound(f"{translator(locale).gettext(ANSWER_INTRO)}\n{text}", locale)
            rows = outbound.outbound_rows(
                [message],
                resident_id=row.resident_id,
                channel=row.channel,
                address=row.address,
                now=now,
            )
            await repositories.insert_rows(session, repositories.OUTBOUND, rows)
    finally:
        await engine.dispose()
    print(f"question #{args.id} answered; the answer is queued for the resident")
    return 0
