"""Broadcast benchmark: one message to many residents on Telegram, through the outbox,
next to a plain aiogram `send_message` loop and a bare aiohttp request loop, in one run.

The fake Bot API (`tests/fakes/telegram_api.py`) runs in its own process on
loopback, and so does each sender, one after the other against the same fake:

- pbbot: the "voting is open" broadcast to every resident (the sample
  edition's five languages in turn), created with `create_broadcast` and
  fanned out into one bulk copy per resident by `FanOut` (timed apart, not
  part of the sending rate), then sent by `Outbox.run` with the aiogram
  sender, as `pbbot serve` runs it; the clock stops when the database has
  every copy recorded `sent`, and the rows are checked afterwards (each copy
  sent once, with a Telegram message id of its own);
- aiogram: `Bot.send_message` to each resident, as many at once as the
  outbox's in-flight batch (`OutboxPolicy.batch_size`), nothing recorded;
- aiohttp: bare `POST /bot<token>/sendMessage` requests, as many at once.

The fake counts what it accepted (and for how many chats) and what it refused.
First with the rate limit lifted (the fake enforces none, pbbot's limits are
set out of the way); then at the default limit (`PBBOT_TELEGRAM_MESSAGES_PER_SECOND`,
25/s) against a fake that enforces Telegram's 30/s in any one second: the rate
the fake saw, and its 429s. Peak memory is each sender process's maximum
resident set size.

    .venv/bin/python bench/bench_broadcast.py [--residents 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Voting is open until 9 May: choose projects for €600,000. Send MENU to vote."
EDITION = ROOT / "examples" / "mechelen-2027.yaml"
FIRST_CHAT = 100_000_000
TELEGRAM_FLOOD_LIMIT = 30  # what Telegram itself allows a bot per second


def _use_uvloop() -> None:
    """Every process on uvloop, as `pbbot serve` runs."""
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the fake (its own process) ---------------------------------------------------


def _serve_fake(port: int, per_second: int | None) -> None:
    from tests.fakes.telegram_api import FakeTelegramAPI

    class BenchAPI(FakeTelegramAPI):
        """The fake, plus `benchStats`: what it accepted since the last such call."""

        async def _benchstats(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
            refused = {id(call) for call, _ in self.rate_limited}
            accepted = [
                call
                for call in self.calls
                if call.method.lower() == "sendmessage" and id(call) not in refused
            ]
            times = sorted(call.at for call in accepted)
            stats = {
                "accepted": len(accepted),
                "chats": len({call.params["chat_id"] for call in accepted}),
                "rate_limited": len(refused),
                "span": times[-1] - times[0] if len(times) > 1 else 0.0,
                "most_in_a_second": _most_in_a_second(times),
            }
            self.calls.clear()
            self.rate_limited.clear()
            self.shown.clear()
            return stats

    async def serve() -> None:
        async with BenchAPI(per_second=per_second, port=port):
            await asyncio.Event().wait()

    _use_uvloop()
    asyncio.run(serve())


def _most_in_a_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


@contextlib.contextmanager
def _fake(per_second: int | None) -> Iterator[str]:
    """The fake's base URL while it runs in a child process."""
    port = _free_port()
    command = [sys.executable, __file__, "--fake", "--port", str(port)]
    if per_second is not None:
        command += ["--per-second", str(per_second)]
    server = subprocess.Popen(command, cwd=ROOT, env=_child_env())
    try:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(_wait_ready(base))
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _wait_ready(base: str) -> None:
    import aiohttp
    from tests.fakes.telegram_api import TOKEN

    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(f"{base}/bot{TOKEN}/getMe") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"the fake at {base} did not start")


def _fake_stats(base: str) -> dict[str, Any]:
    import urllib.request

    from tests.fakes.telegram_api import TOKEN

    with urllib.request.urlopen(f"{base}/bot{TOKEN}/benchStats", data=b"") as response:
        stats: dict[str, Any] = json.load(response)["result"]
    return stats


# -- the database -----------------------------------------------------------------


@contextlib.asynccontextmanager
async def _fresh_database(server_url: str | None, folder: Path) -> AsyncIterator[str]:
    """A new SQLite file in `folder`, or a new database beside the one `server_url`
    names (its name with a suffix), dropped afterwards."""
    if server_url is None:
        yield f"sqlite+aiosqlite:///{folder}/broadcast.db"
        return
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"{url.database}_broadcast_{os.getpid()}"
    dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def _queue_broadcast(url: str, residents: int) -> float:
    """Residents on Telegram in the edition's languages, and the "voting is open"
    broadcast to all of them: created and fanned out as `pbbot serve`'s worker does
    (`create_broadcast`, then `FanOut` a chunk per transaction); the fan-out's seconds."""
    from sqlalchemy import insert

    from pbbot.broadcasts.audience import Segment
    from pbbot.broadcasts.content import catalog_content
    from pbbot.broadcasts.control import create_broadcast
    from pbbot.broadcasts.fanout import FanOut
    from pbbot.config.edition_file import load_edition
    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.storage.migrations import upgrade
    from pbbot.storage.tables import Resident

    await upgrade(url)
    edition = load_edition(EDITION)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC)
    languages = edition.languages
    try:
        async with sessions.begin() as session:
            await session.execute(
                insert(Resident),
                [
                    {
                        "channel": "telegram",
                        "address": str(FIRST_CHAT + n),
                        "locale": languages[n % len(languages)],
                        "created_at": now,
                    }
                    for n in range(residents)
                ],
            )
            await create_broadcast(
                session,
                edition,
                catalog_content("voting", edition),
                Segment(),
                by="bench",
                send_at=now,
                now=now,
            )
        fan_out = FanOut(edition)
        started = time.perf_counter()
        while True:
            async with sessions.begin() as session:
                chunk = await fan_out.chunk(session, now=now)
            if chunk is None or chunk.last:
                break
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def _check_rows(url: str, residents: int) -> str:
    """ "each copy sent once" if the rows say so (one attempt, a message id of its
    own, every resident), else what they say."""
    from sqlalchemy import func, select

    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.storage.tables import OutboundMessage

    counts = select(
        OutboundMessage.status,
        OutboundMessage.attempts,
        func.count(),
        func.count(func.distinct(OutboundMessage.provider_id)),
        func.count(func.distinct(OutboundMessage.resident_id)),
    ).group_by(OutboundMessage.status, OutboundMessage.attempts)
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            found = {
                (status, attempts): (n, ids, people)
                for status, attempts, n, ids, people in await session.execute(counts)
            }
    finally:
        await engine.dispose()
    if found == {("sent", 1): (residents, residents, residents)}:
        return "each copy sent once"
    return f"rows: {found}"


# -- the senders (each in its own process) ----------------------------------------


async def _send_pbbot(base: str, url: str, residents: int, limited: bool) -> dict[str, Any]:
    from sqlalchemy import select
    from tests.fakes.telegram_api import TOKEN

    from pbbot.channels.telegram.bot import aiogram_sender
    from pbbot.outbox.limits import ChannelLimits, default_limits
    from pbbot.outbox.policy import OutboxPolicy
    from pbbot.outbox.sender import Outbox
    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.storage.tables import OutboundMessage

    policy = OutboxPolicy()
    if limited:
        limits = default_limits()["telegram"]
    else:  # lifted: as many at once as the in-flight batch, one per resident at a time
        limits = ChannelLimits(per_second=1e9, burst=policy.batch_size, per_address_per_second=1.0)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    sender = aiogram_sender(TOKEN, api_url=base)
    outbox = Outbox(sessions, {"telegram": sender}, limits={"telegram": limits}, policy=policy)
    stop = asyncio.Event()
    # Any copy left to send? (The first row the status index finds, not a count of
    # them all: the check runs in the outbox's process, 20 times a second.)
    unsent = select(OutboundMessage.id).where(OutboundMessage.status.in_(("queued", "sending")))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        running = asyncio.create_task(outbox.run(stop))
        while True:
            await asyncio.sleep(0.05)
            async with sessions() as session:
                if await session.scalar(unsent.limit(1)) is None:
                    break
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        stop.set()
        await running
    finally:
        await sender.close()
        await engine.dispose()
    return {"seconds": seconds, "cpu_seconds": cpu}


async def _send_aiogram(base: str, residents: int, concurrency: int) -> dict[str, Any]:
    from tests.fakes.telegram_api import TOKEN

    from pbbot.channels.telegram.bot import make_bot

    bot = make_bot(TOKEN, api_url=base)
    chats = iter(range(FIRST_CHAT, FIRST_CHAT + residents))

    async def worker() -> None:
        for chat in chats:
            await bot.send_message(chat, TEXT)

    try:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await bot.session.close()
    return {"seconds": seconds, "cpu_seconds": cpu}


async def _send_aiohttp(base: str, residents: int, concurrency: int) -> dict[str, Any]:
    import aiohttp
    from tests.fakes.telegram_api import TOKEN

    chats = iter(range(FIRST_CHAT, FIRST_CHAT + residents))
    url = f"{base}/bot{TOKEN}/sendMessage"

    async def worker(session: aiohttp.ClientSession) -> None:
        for chat in chats:
            async with session.post(url, json={"chat_id": chat, "text": TEXT}) as response:
                if not (await response.json())["ok"]:
                    raise RuntimeError(f"refused: {response.status}")

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu}


def _send(args: argparse.Namespace) -> None:
    """One sender, in this (child) process; prints its figures as JSON."""
    _use_uvloop()
    if args.send == "pbbot":
        work = _send_pbbot(args.base, args.database, args.residents, args.limited)
    elif args.send == "aiogram":
        work = _send_aiogram(args.base, args.residents, args.concurrency)
    else:
        work = _send_aiohttp(args.base, args.residents, args.concurrency)
    if args.profile:
        import cProfile

        with cProfile.Profile() as profile:
            figures = asyncio.run(work)
        profile.dump_stats(args.profile)
    else:
        figures = asyncio.run(work)
    print(json.dumps({**figures, "peak_mib": _peak_mib()}))


# -- the run ----------------------------------------------------------------------


@dataclass
class Result:
    name: str
    messages: int
    seconds: float
    peak_mib: float
    fake: dict[str, Any]
    cpu_seconds: float = 0.0  # the sender process's, while it sent
    rows: str = ""
    fan_out: float | None = None  # seconds

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds


def _run_sender(
    name: str,
    kind: str,
    base: str,
    args: argparse.Namespace,
    *,
    residents: int,
    database: str | None = None,
    limited: bool = False,
) -> Result:
    command = [
        sys.executable,
        __file__,
        "--send",
        kind,
        "--base",
        base,
        "--residents",
        str(residents),
        "--concurrency",
        str(args.concurrency),
    ]
    if database:
        command += ["--database", database]
    if limited:
        command.append("--limited")
    if args.profile:
        command += ["--profile", f"{args.profile}.{name.replace(' ', '_').replace(',', '')}"]
    done = subprocess.run(
        command, cwd=ROOT, env=_child_env(), capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.splitlines()[-1])
    return Result(
        name,
        residents,
        figures["seconds"],
        figures["peak_mib"],
        _fake_stats(base),
        cpu_seconds=figures["cpu_seconds"],
    )


def _pbbot(
    name: str,
    base: str,
    postgres: str | None,
    args: argparse.Namespace,
    *,
    residents: int,
    limited: bool = False,
) -> Result:
    """pbbot's run on a fresh database: the broadcast fanned out here, sent by a child."""

    async def measure(folder: Path) -> Result:
        async with _fresh_database(postgres, folder) as url:
            fan_out = await _queue_broadcast(url, residents)
            result = await asyncio.to_thread(
                _run_sender,
                name,
                "pbbot",
                base,
                args,
                residents=residents,
                database=url,
                limited=limited,
            )
            result.fan_out = fan_out
            result.rows = await _check_rows(url, residents)
            return result

    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(measure(Path(folder)))


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument(
        "--limited-residents", type=int, default=1_500, help="residents at the default limit"
    )
    parser.add_argument("--postgres", metavar="URL", help="also measure on this server")
    parser.add_argument("--only", choices=("lifted", "limited"), help="only one of the runs")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="write cProfile stats of each sender's run (FILE.<sender>)",
    )
    parser.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--per-second", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--send", choices=("pbbot", "aiogram", "aiohttp"), help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--limited", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        _serve_fake(args.port, args.per_second)
        return
    if args.send:
        _send(args)
        return

    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from pbbot.outbox.policy import OutboxPolicy

    args.concurrency = OutboxPolicy().batch_size
    databases = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    if args.only != "limited":
        with _fake(None) as base:
            n = args.residents
            lifted = [
                _run_sender("bare aiohttp loop", "aiohttp", base, args, residents=n),
                _run_sender("aiogram send_message loop", "aiogram", base, args, residents=n),
            ]
            for database, postgres in databases:
                lifted.append(_pbbot(f"pbbot, {database}", base, postgres, args, residents=n))
        _print_lifted(lifted, args)
    if args.only != "lifted":
        with _fake(TELEGRAM_FLOOD_LIMIT) as base:
            limited = [
                _pbbot(
                    f"pbbot, {database}",
                    base,
                    postgres,
                    args,
                    residents=args.limited_residents,
                    limited=True,
                )
                for database, postgres in databases
            ]
        _print_limited(limited, args)


def _print_lifted(results: list[Result], args: argparse.Namespace) -> None:
    aiohttp_rate, aiogram_rate = results[0].per_second, results[1].per_second
    print(f"\n{args.residents:,} residents, rate limit lifted, {args.concurrency} calls at once")
    print(
        "| sender | messages/s | ratio to aiogram | ratio to aiohttp | CPU µs/message "
        "| peak MiB | fake accepted | chats | rows | fan-out s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in results:
        fan_out = "-" if r.fan_out is None else f"{r.fan_out:.1f}"
        print(
            f"| {r.name} | {r.per_second:,.0f} | {r.per_second / aiogram_rate:.2f} "
            f"| {r.per_second / aiohttp_rate:.2f} | {r.cpu_seconds / r.messages * 1e6:.0f} "
            f"| {r.peak_mib:.0f} | {r.fake['accepted']:,} "
            f"| {r.fake['chats']:,} | {r.rows or '-'} | {fan_out} |"
        )


def _print_limited(results: list[Result], args: argparse.Namespace) -> None:
    from pbbot.outbox.limits import default_limits

    limit = default_limits()["telegram"].per_second
    print(
        f"\n{args.limited_residents:,} residents at the default limit ({limit:g}/s), "
        f"the fake enforcing Telegram's {TELEGRAM_FLOOD_LIMIT}/s"
    )
    print("| sender | rate at the fake | of the limit | most in 1 s | 429s | rows |")
    print("|---|---:|---:|---:|---:|---|")
    for r in results:
        rate = (r.fake["accepted"] - 1) / r.fake["span"]
        print(
            f"| {r.name} | {rate:.2f}/s | {rate / limit:.1%} | {r.fake['most_in_a_second']} "
            f"| {r.fake['rate_limited']} | {r.rows} |"
        )


if __name__ == "__main__":
    main()
