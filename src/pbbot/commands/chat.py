"""`pbbot chat`: talk to the bot in the terminal, with the real engine and database.

It shows how SMS (numbered list, segment count) or Telegram (buttons) would
render each answer. On Telegram, `#2` taps the second button. When standard
input is not a terminal, each line is one resident message, so a conversation
can be scripted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from pbbot.channels.sim.terminal import show
from pbbot.channels.sms.keywords import classify_keyword
from pbbot.commands.options import add_common_options, database_url, edition_path, today
from pbbot.domain.messages import Inbound
from pbbot.i18n.catalogs import SUPPORTED_LOCALES
from pbbot.runtime import build_runtime
from pbbot.storage.database import is_sqlite
from pbbot.storage.migrations import upgrade

__all__ = ["register"]

_TAP_PREFIX = "#"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="chat with the bot in the terminal (simulator)")
    parser.add_argument("--channel", choices=("sms", "telegram"), default="sms")
    parser.add_argument("--lang", choices=SUPPORTED_LOCALES, help="the phone's language (a hint)")
    parser.add_argument("--phone", default="+32470000001", help="the simulated resident")
    add_common_options(parser)
    parser.set_defaults(run=lambda args: asyncio.run(_chat(args)))


async def _chat(args: argparse.Namespace) -> int:
    url = database_url()
    runtime = build_runtime(edition_path(args), url, today(args))
    if is_sqlite(url):
        await upgrade(url)  # the embedded default needs no separate set-up step
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"pbbot simulator: {runtime.edition.name[runtime.edition.default_language]}")
        print(f"channel {args.channel}, resident {args.phone}; Ctrl-D to quit", end="")
        print(", #N taps button N" if args.channel == "telegram" else "")
    buttons: list[str] = []
    try:
        while True:
            line = await _read_line(interactive)
            if line is None:
                return 0
            line = line.rstrip("\n")
            if not interactive:
                print(f">>> {line}")
            inbound = _inbound(line, args, buttons)
            for message in await runtime.service.handle(inbound):
                print(show(message, args.channel))
                buttons = [choice.payload for choice in message.choices] or buttons
            print()
    finally:
        await runtime.close()


async def _read_line(interactive: bool) -> str | None:
    if not interactive:
        line = sys.stdin.readline()
        return line if line else None
    try:
        return await asyncio.to_thread(input, "you> ")
    except EOFError:
        print()
        return None


def _inbound(line: str, args: argparse.Namespace, buttons: list[str]) -> Inbound:
    text = line.strip()
    payload = None
    if args.channel == "telegram" and text.startswith(_TAP_PREFIX) and text[1:].isdigit():
        number = int(text[1:])
        if 1 <= number <= len(buttons):
            payload, text = buttons[number - 1], ""
    return Inbound(
        channel="sim",
        address=f"{args.channel}:{args.phone}",
        text=text,
        payload=payload,
        language_hint=args.lang,
        # As on the wire: SMS carrier words (STOPPEN, ARRÊT, UNSTOP) are the channel's.
        keyword=classify_keyword(text) if args.channel == "sms" else None,
    )
