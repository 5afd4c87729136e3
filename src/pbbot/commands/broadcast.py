"""`pbbot broadcast`: one message to many residents, and staff's hand on it while it runs.

    pbbot broadcast --message voting --dry-run           what it would cost, and take
    pbbot broadcast --message voting --yes [--at TIME]   queue it (or schedule it)
    pbbot broadcast status 3 [--follow]                  how far it got
    pbbot broadcast pause|resume|cancel 3
    pbbot broadcast list

Both `--dry-run` and `--yes` print the plan first; `--yes` then queues the
broadcast and returns: `pbbot serve` (or a `pbbot worker`) sends it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from pbbot.commands.options import add_common_options, database_url, edition_path
from pbbot.commands.serve import add_settings_option, server_settings
from pbbot.domain.broadcasting import MESSAGE_NAMES
from pbbot.errors import ConfigurationError
from pbbot.settings import Settings

if TYPE_CHECKING:  # the database loads only once a command runs
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from pbbot.broadcasts.progress import Progress
    from pbbot.domain.edition import Edition
    from pbbot.storage.tables import Broadcast

__all__ = ["register"]

# `--at` may be this far in the past (a command typed at 09:00 sharp).
_AT_SLACK = timedelta(minutes=5)
_BAR_WIDTH = 30


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "broadcast",
        help="send a message to many residents; status, pause, resume, cancel, list",
        description="Without an action: plan a broadcast (--dry-run) or queue it (--yes). "
        "Residents who sent STOP or blocked the bot are never included.",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--message",
        choices=MESSAGE_NAMES,
        metavar="NAME",
        help="a catalog message: " + ", ".join(MESSAGE_NAMES),
    )
    what.add_argument(
        "--text-file",
        action="append",
        default=[],
        metavar="LANG=FILE",
        help="staff's text in one language (UTF-8); once per language, the others "
        "get the edition's default language",
    )
    parser.add_argument(
        "--segment",
        action="append",
        default=[],
        metavar="KEY=VALUE[,VALUE]",
        help="language, channel, district, intermediary or state; all must hold "
        "(default: every subscriber)",
    )
    go = parser.add_mutually_exclusive_group()
    go.add_argument("--dry-run", action="store_true", help="show the plan; queue nothing")
    go.add_argument("--yes", action="store_true", help="show the plan and queue the broadcast")
    parser.add_argument(
        "--at",
        metavar="TIME",
        help='send then: "2027-04-12 09:00" in the edition\'s time zone, or ISO 8601 '
        "with an offset (default: now)",
    )
    _add_by(parser)
    _add_common(parser)
    parser.set_defaults(broadcast_command=None)

    actions = parser.add_subparsers(dest="broadcast_command", metavar="ACTION")
    status = actions.add_parser("status", help="a broadcast's progress")
    status.add_argument("id", type=int, metavar="ID")
    status.add_argument("--follow", action="store_true", help="redraw until it is over")
    status.add_argument(
        "--every", type=float, default=2.0, metavar="SECONDS", help="with --follow (default 2)"
    )
    changes = {
        "pause": "hold a broadcast: nothing more is sent until resume",
        "resume": "send a paused broadcast on",
        "cancel": "stop a broadcast for good: its unsent messages are not sent",
    }
    subcommands = [status]
    for name, description in changes.items():
        change = actions.add_parser(name, help=description)
        change.add_argument("id", type=int, metavar="ID")
        _add_by(change)
        subcommands.append(change)
    subcommands.append(actions.add_parser("list", help="the latest broadcasts"))
    for subcommand in subcommands:
        _add_common(subcommand)


def _add_common(parser: argparse.ArgumentParser) -> None:
    """Settings (the file may name the database), edition and clock, on each action:
    argparse keeps an action's own defaults over its parent's values."""
    add_settings_option(parser)
    add_common_options(parser)
    parser.set_defaults(run=_run_sync)


def _add_by(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by", default=os.environ.get("USER") or "staff", metavar="NAME", help="default: $USER"
    )


def _run_sync(args: argparse.Namespace) -> int:
    if args.broadcast_command is None:
        if not (args.message or args.text_file):
            raise ConfigurationError("say what: --message NAME or --text-file LANG=FILE")
        if not (args.dry_run or args.yes):
            raise ConfigurationError("add --dry-run to see the plan, or --yes to queue it")
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:  # --follow stops with Ctrl-C
        print()
        return 130


async def _run(args: argparse.Namespace) -> int:
    from pbbot.broadcasts.control import BroadcastNotChanged
    from pbbot.config.edition_file import load_edition
    from pbbot.features import load_features
    from pbbot.storage.database import create_engine, create_sessionmaker

    # Polling settings: this command receives nothing, so it needs no webhook secret.
    settings = server_settings(args, polling=True)
    edition = load_edition(edition_path(args))
    load_features()  # the resident states a segment may name
    engine = create_engine(database_url())
    sessions = create_sessionmaker(engine)
    try:
        command = args.broadcast_command
        if command is None:
            return await _create(args, edition, sessions, settings)
        if command == "list":
            return await _list(edition, sessions)
        if command == "status":
            return await _status(args, edition, sessions)
        return await _change(args, sessions)
    except BroadcastNotChanged as error:
        print(f"pbbot: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()


async def _create(
    args: argparse.Namespace,
    edition: Edition,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> int:
    from pbbot.broadcasts.audience import parse_segment
    from pbbot.broadcasts.content import catalog_content, read_text_files
    from pbbot.broadcasts.control import create_broadcast
    from pbbot.broadcasts.planning import plan_broadcast, plan_lines
    from pbbot.outbox.limits import default_limits

    now = datetime.now(UTC)
    send_at = _send_at(args.at, edition, now=now)
    segment = parse_segment(args.segment, edition, message=args.message)
    content = (
        catalog_content(args.message, edition)
        if args.message
        else read_text_files(args.text_file, edition)
    )
    # The whole rate of each channel: the plan is for all processes sending together.
    segments_per_second = settings.twilio.segments_per_second if settings.twilio else 1.0
    limits = default_limits(segments_per_second, telegram_per_second=settings.telegram_per_second)
    async with sessions() as session:
        plan = await plan_broadcast(
            session,
            edition,
            content,
            segment,
            limits=limits,
            segment_price=settings.sms_segment_price,
            now=now,
        )
    for line in plan_lines(plan, edition):
        print(line)
    if args.dry_run:
        print("dry run: nothing queued")
        return 0
    async with sessions.begin() as session:
        broadcast_id = await create_broadcast(
            session, edition, content, segment, by=args.by, send_at=send_at, now=now
        )
    when = "queued" if send_at <= now else f"scheduled for {_local(send_at, edition)}"
    print(
        f"broadcast {broadcast_id} {when} for {plan.residents:,} "
        + ("resident" if plan.residents == 1 else "residents")
        + f"; follow it with `pbbot broadcast status {broadcast_id}`"
    )
    return 0


def _send_at(text: str | None, edition: Edition, *, now: datetime) -> datetime:
    """`--at` as an aware time: a local time is the edition's."""
    if text is None:
        return now
    zone = _zone(edition)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigurationError(
            f'expected "2027-04-12 09:00" ({zone}) or ISO 8601 with an offset, got {text!r}',
            source="--at",
        ) from None
    if moment.tzinfo is None:
        local = moment
        moment = moment.replace(tzinfo=zone)
        # A time the clocks skip (02:30 as summer time begins) names no moment at all.
        if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
            raise ConfigurationError(
                f"{text.strip()} does not exist in {zone}: the clocks skip it", source="--at"
            )
    if moment < now - _AT_SLACK:
        raise ConfigurationError(f"{_local(moment, edition)} is in the past", source="--at")
    return moment.astimezone(UTC)


def _zone(edition: Edition) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(edition.timezone)


def _local(moment: datetime, edition: Edition) -> str:
    return moment.astimezone(_zone(edition)).strftime("%Y-%m-%d %H:%M %Z")


async def _status(
    args: argparse.Namespace, edition: Edition, sessions: async_sessionmaker[AsyncSession]
) -> int:
    from pbbot.broadcasts.progress import progress
    from pbbot.storage.broadcasts import find_broadcast

    async with sessions() as session:
        broadcast = await find_broadcast(session, args.id)
        now = await progress(session, args.id)  # NoSuchBroadcast when there is none
    assert broadcast is not None
    print(_header(broadcast, edition))
    lines = _progress_lines(now)
    print("\n".join(lines))
    redraw = sys.stdout.isatty()
    while args.follow and not now.over:
        await asyncio.sleep(args.every)
        async with sessions() as session:
            later = await progress(session, args.id)
        if later == now:
            continue
        now = later
        if redraw:  # back over the last drawing, each line cleared
            print(f"\x1b[{len(lines)}F", end="")
            lines = [f"{line}\x1b[K" for line in _progress_lines(now)]
        else:
            lines = _progress_lines(now)
        print("\n".join(lines), flush=True)
    return 0


def _header(broadcast: Broadcast, edition: Edition) -> str:
    from pbbot.broadcasts.audience import Segment

    audience = Segment.from_json(broadcast.audience).describe()
    return (
        f"broadcast {broadcast.id}: {_what(broadcast)} to {audience}, "
        f"at {_local(broadcast.send_at, edition)}, by {broadcast.created_by}"
    )


def _what(broadcast: Broadcast) -> str:
    from pbbot.broadcasts.content import Content

    return Content(broadcast.message, broadcast.texts).describe()


def _progress_lines(progress: Progress) -> list[str]:
    from pbbot.broadcasts.progress import progress_bar

    counts = (
        ("queued", progress.queued),
        ("held", progress.held),
        ("sent", progress.sent),
        ("delivered", progress.delivered),
        ("failed", progress.failed),
        ("blocked", progress.blocked),
        ("skipped", progress.skipped),
    )
    return [
        f"{progress.status}: {progress_bar(progress, _BAR_WIDTH)}  "
        f"{progress.finished:,} of {progress.recipients:,}",
        "   ".join(f"{name} {count:,}" for name, count in counts),
    ]


async def _change(args: argparse.Namespace, sessions: async_sessionmaker[AsyncSession]) -> int:
    from pbbot.broadcasts.control import cancel, pause, resume

    change = {"pause": pause, "resume": resume, "cancel": cancel}[args.broadcast_command]
    async with sessions.begin() as session:
        moved = await change(session, args.id, by=args.by, now=datetime.now(UTC))
    done = {
        "pause": f"broadcast {args.id} paused: {moved:,} messages held",
        "resume": f"broadcast {args.id} resumed: {moved:,} held messages queued again",
        "cancel": f"broadcast {args.id} cancelled: {moved:,} messages will not be sent",
    }
    print(done[args.broadcast_command])
    return 0


async def _list(edition: Edition, sessions: async_sessionmaker[AsyncSession]) -> int:
    from pbbot.broadcasts.progress import progress
    from pbbot.storage.broadcasts import list_broadcasts

    async with sessions() as session:
        broadcasts = await list_broadcasts(session, edition.id)
        progresses = [await progress(session, broadcast.id) for broadcast in broadcasts]
    if not broadcasts:
        print("no broadcasts yet")
        return 0
    for broadcast, done in zip(broadcasts, progresses, strict=True):
        print(
            f"{broadcast.id:>4}  {done.status:<9}  {_local(broadcast.send_at, edition)}  "
            f"{done.finished:>9,} of {done.recipients:<9,}  {_what(broadcast)}, "
            f"by {broadcast.created_by}"
        )
    return 0
