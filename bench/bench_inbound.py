"""Inbound benchmark: Telegram webhook requests through `pbbot serve`'s application,
next to a bare aiohttp handler that only answers 200, in one run.

Each server runs in its own process; this process is the load generator.
For pbbot the full path counts: check the secret, parse, store, engine step,
queue the reply, commit (the replies are queued, not sent: `send=False`, as
a receiving process of a scaled-out deployment runs). Two measurements:

- throughput: N requests with C in flight; for pbbot the clock stops when the
  last message is processed, not when the last 200 came back;
- latency: a fixed offered load (requests per second, open loop) for a few
  seconds; p50 and p99 of the webhook's answer time.

    .venv/bin/python bench/bench_inbound.py [--postgres URL] [--requests 6000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "7000000001:AAF4k3-T0k3n_for_benchmarks_0123456789"
SECRET = "bench-secret"
RESIDENTS = 500
TEXTS = ("hello", "3", "1", "2", "34", "2", "menu", "1", "x", "5")


def _update(number: int) -> bytes:
    chat = 100000 + number % RESIDENTS
    turn = number // RESIDENTS
    message = {
        "message_id": number,
        "from": {"id": chat, "is_bot": False, "first_name": "R", "language_code": "en"},
        "chat": {"id": chat, "type": "private", "first_name": "R"},
        "date": 1800000000,
        "text": TEXTS[turn % len(TEXTS)],
    }
    return json.dumps({"update_id": number, "message": message}).encode()


# -- the servers (child processes) ---------------------------------------------


def _serve(kind: str, port: int, database_url: str | None) -> None:
    from aiohttp import web

    from pbbot.server.app import run

    if kind == "bare":

        async def ok(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(status=200)

        app = web.Application()
        app.router.add_post("/telegram/webhook", ok)
        app.router.add_get("/healthz", ok)
    else:
        from pbbot.runtime import build_runtime
        from pbbot.server.app import create_app
        from pbbot.settings import load_settings
        from pbbot.storage.migrations import upgrade

        assert database_url is not None
        asyncio.run(upgrade(database_url))
        settings = load_settings(
            {
                "PBBOT_TELEGRAM_TOKEN": TOKEN,
                "PBBOT_TELEGRAM_SECRET": SECRET,
                # The load generator is one flooding resident per connection, by design.
                "PBBOT_INBOUND_PER_MINUTE": "1000000",
            }
        )
        runtime = build_runtime(
            ROOT / "examples" / "mechelen-2027.yaml", database_url, date(2027, 2, 20)
        )
        app = create_app(runtime, settings, send=False)
    run(app, host="127.0.0.1", port=port)  # as `pbbot serve` runs it, for both servers


# -- the load generator --------------------------------------------------------


@dataclass
class Result:
    name: str
    throughput: float
    p50_ms: float
    p99_ms: float
    offered: float


async def _wait_ready(session: aiohttp.ClientSession, base: str) -> None:
    for _ in range(200):
        try:
            async with session.get(base + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} did not start")


async def _post(session: aiohttp.ClientSession, url: str, number: int) -> float:
    start = time.perf_counter()
    async with session.post(
        url,
        data=_update(number),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
    ) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
    return time.perf_counter() - start


async def _all_processed(database_url: str | None, expected: int) -> None:
    if database_url is None:
        return
    from sqlalchemy import func, select

    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.storage.tables import InboundMessage

    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        while True:
            async with sessions() as session:
                done = await session.scalar(
                    select(func.count())
                    .select_from(InboundMessage)
                    .where(InboundMessage.processed_at.is_not(None))
                )
            if done is not None and done >= expected:
                return
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()


async def _measure(
    name: str, port: int, database_url: str | None, args: argparse.Namespace
) -> Result:
    base = f"http://127.0.0.1:{port}"
    url = base + "/telegram/webhook"
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await _wait_ready(session, base)
        numbers = iter(range(args.requests))
        start = time.perf_counter()

        async def worker() -> None:
            for number in numbers:
                await _post(session, url, number)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        await _all_processed(database_url, args.requests)
        throughput = args.requests / (time.perf_counter() - start)

        # Open loop: requests leave on schedule whether or not earlier ones returned.
        latencies: list[float] = []
        count = int(args.rate * args.seconds)
        first = args.requests
        begin = time.perf_counter()

        async def timed(index: int) -> None:
            delay = begin + index / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            latencies.append(await _post(session, url, first + index))

        await asyncio.gather(*(timed(index) for index in range(count)))
        await _all_processed(database_url, args.requests + count)
    quantiles = statistics.quantiles(latencies, n=100)
    return Result(name, throughput, quantiles[49] * 1000, quantiles[98] * 1000, args.rate)


@contextlib.asynccontextmanager
async def _fresh_database(server_url: str) -> AsyncIterator[str]:
    """An empty database on the server of `server_url`, dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"pbbot_bench_{os.getpid()}"
    dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _run_one(
    name: str, kind: str, database_url: str | None, args: argparse.Namespace
) -> Result:
    port = _free_port()
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    if database_url:
        command += ["--database", database_url]
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}
    )
    try:
        return await _measure(name, port, database_url, args)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=6000)
    # 100: the most connections Telegram opens to a webhook (`pbbot telegram
    # set-webhook` asks for that many).
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--rate", type=float, default=500.0, help="offered load for the latency run"
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this (empty) database")
    parser.add_argument("--serve", choices=("bare", "pbbot"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.port, args.database)
        return

    async def run_all() -> list[Result]:
        results = [await _run_one("bare aiohttp handler", "bare", None, args)]
        with tempfile.TemporaryDirectory() as folder:
            sqlite = f"sqlite+aiosqlite:///{folder}/bench.db"
            results.append(await _run_one("pbbot, SQLite", "pbbot", sqlite, args))
        if args.postgres:
            async with _fresh_database(args.postgres) as url:
                results.append(await _run_one("pbbot, PostgreSQL", "pbbot", url, args))
        return results

    results = asyncio.run(run_all())
    bare = results[0].throughput
    print(
        f"{args.requests} webhook requests, {args.concurrency} in flight, {RESIDENTS} residents; "
        f"latency at {args.rate:g} requests/s for {args.seconds:g} s"
    )
    print("| server | messages/s | ratio to bare | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.name} | {result.throughput:,.0f} | {result.throughput / bare:.2f} | "
            f"{result.p50_ms:.1f} | {result.p99_ms:.1f} |"
        )


if __name__ == "__main__":
    main()
