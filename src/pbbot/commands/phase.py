"""`pbbot phase show|set|auto`: which phase runs, and staff's hand on it.

    pbbot phase show                 the phase now, who decided it, what comes next
    pbbot phase set voting [--by N]  move to voting now (until the file's next change)
    pbbot phase auto [--by N]        back to the edition file's timeline

A move is recorded with who and when (`phase_moves`, `staff_actions`); a
running `pbbot serve` follows it within a second, without a restart.
With --today (or $PBBOT_TODAY), the command acts on that day at the real time
of day, as the server given the same day does.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from pbbot.commands.options import add_common_options, database_url, edition_path, today
from pbbot.domain.edition import PHASE_KINDS

if TYPE_CHECKING:  # the database loads only once a command runs
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from pbbot.domain.edition import Edition, Phase
    from pbbot.domain.timeline import Move

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("phase", help="the current phase: show it, move it by hand")
    actions = parser.add_subparsers(dest="phase_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the phase now, and what decided it")
    add_common_options(show)
    show.set_defaults(run=lambda args: asyncio.run(_show(args)))
    move = actions.add_parser("set", help="move to a phase now, by hand")
    move.add_argument("kind", choices=PHASE_KINDS)
    _add_by(move)
    move.set_defaults(run=lambda args: asyncio.run(_move(args, args.kind)))
    auto = actions.add_parser("auto", help="back to the edition file's timeline")
    _add_by(auto)
    auto.set_defaults(run=lambda args: asyncio.run(_move(args, None)))


def _add_by(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by", default=os.environ.get("USER") or getpass.getuser(), help="who moves it (recorded)"
    )
    add_common_options(parser)


async def _show(args: argparse.Namespace) -> int:
    from pbbot.config.edition_file import load_edition
    from pbbot.domain.timeline import edition_now
    from pbbot.storage.phases import latest_moves

    edition = load_edition(edition_path(args))
    now = edition_now(edition, today(args))()
    async with _session() as session:
        moves = await latest_moves(session, edition.id)
    for line in _status(edition, now, moves):
        print(line)
    return 0


async def _move(args: argparse.Namespace, kind: str | None) -> int:
    from pbbot.config.edition_file import load_edition
    from pbbot.domain.timeline import edition_now
    from pbbot.storage.phases import UnknownPhase, latest_moves, move_phase

    edition = load_edition(edition_path(args))
    now = edition_now(edition, today(args))()
    async with _session() as session, session.begin():
        try:
            await move_phase(session, edition, kind, by=args.by, now=now)
        except UnknownPhase as error:
            print(f"pbbot: {error}")
            return 2
        moves = await latest_moves(session, edition.id)
    print(f"moved by {args.by} at {_local(now, edition)}")
    if today(args) is not None:
        # A move is stored at the pretended day: a server on the real clock follows it then.
        print(
            f"note: --today (or PBBOT_TODAY) dates this move {_local(now, edition)}; "
            "a server on the real clock will follow it from that moment",
            file=sys.stderr,
        )
    for line in _status(edition, now, moves):
        print(line)
    return 0


@asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    """A session on the database, upgraded first if it is the embedded SQLite file."""
    from pbbot.storage.database import create_engine, create_sessionmaker, is_sqlite
    from pbbot.storage.migrations import upgrade

    url = database_url()
    if is_sqlite(url):
        await upgrade(url)  # the embedded default needs no separate step
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def _status(edition: Edition, now: datetime, moves: tuple[Move, ...]) -> list[str]:
    """What `show` prints: the phase now, by hand or by the file, and the next change."""
    from pbbot.domain.timeline import deciding_move, next_boundary, phase_at

    phase = phase_at(edition, now, moves)
    move = deciding_move(edition, now, moves)
    if move is not None:
        source = f"set by hand by {move.by} at {_local(move.at, edition)}"
    else:
        source = "from the edition file"
    lines = [f"phase now: {_name(phase)} ({source})"]
    upcoming = next_boundary(edition, now)
    if upcoming is not None:
        lines.append(
            f"next in the file: {_name(upcoming.phase)} from {_local(upcoming.at, edition)}"
        )
    lines.append(f"timeline ({edition.timezone}):")
    zone = edition.zone
    for each in edition.phases:
        marker = ">" if each == phase else " "
        opens = each.starts_at(zone).strftime("%Y-%m-%d %H:%M")
        closes = each.ends_at(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(f" {marker} {each.kind:<15} {opens} until {closes}")
    return lines


def _name(phase: Phase | None) -> str:
    return phase.kind if phase else "none (between phases)"


def _local(moment: datetime, edition: Edition) -> str:
    return moment.astimezone(edition.zone).strftime("%Y-%m-%d %H:%M %Z")
