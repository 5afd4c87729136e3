"""`pbbot chat`: talk to the bot in the terminal, with the real engine and database.

Each line goes through the same wire parsing as a live webhook (see
`pbbot.channels.sim.wire`), and each answer is shown as SMS (numbered list,
segment count) or Telegram (buttons) would render it. On Telegram, `#2` taps
the second button. When standard input is not a terminal, each line is one
resident message, so a conversation can be scripted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from pbbot.commands.options import (
    add_common_options,
    carrier_words,
    database_url,
    edition_path,
    today,
)

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="chat with the bot in the terminal (simulator)")
    parser.add_argument("--channel", choices=("sms", "telegram"), default="sms")
    parser.add_argument(
        "--lang",
        metavar="CODE",
        help="Telegram only: the phone's language, shipped or not (e.g. nl, ar, de); "
        "an SMS carries none",
    )
    parser.add_argument("--phone", default="+32470000001", help="the simulated resident")
    add_common_options(parser)
    parser.set_defaults(run=lambda args: asyncio.run(_chat(args)))


async def _chat(args: argparse.Namespace) -> int:
    from pbbot.channels.sim.terminal import show
    from pbbot.channels.sim.wire import SimulatedResident
    from pbbot.runtime import build_runtime
    from pbbot.storage.database import is_sqlite
    from pbbot.storage.migrations import upgrade

    if args.lang and args.channel == "sms":
        print("pbbot chat: --lang is for Telegram; an SMS carries no language", file=sys.stderr)
        return 2
    url = database_url()
    runtime = build_runtime(
        edition_path(args), url, today(args), carrier=carrier_words(), simulated=True
    )
    if is_sqlite(url):
        await upgrade(url)  # the embedded default needs no separate set-up step
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"pbbot simulator: {runtime.edition.name[runtime.edition.default_language]}")
        print(f"channel {args.channel}, resident {args.phone}; Ctrl-D to quit", end="")
        print(", #N taps button N" if args.channel == "telegram" else "")
    resident = SimulatedResident(args.channel, args.phone, args.lang)
    try:
        while True:
            line = await _read_line(interactive)
            if line is None:
                return 0
            line = line.rstrip("\n")
            if not interactive:
                print(f">>> {line}")
            update = resident.update(line)
            for message in await runtime.service.handle(update.inbound, key=update.key):
                print(show(message, args.channel))
                resident.saw([choice.payload for choice in message.choices])
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
