"""Crash benchmark: kill -9 during a burst of replies, restart; doubles and time until all answered.

40 residents on Telegram and 40 by SMS write at once; `pbbot serve`'s
application (a child process) answers them through fakes on loopback that take
150 ms per call; once both channels have calls on the wire, the child gets
SIGKILL and is started again on the same database (see `tests/outbox/crash.py`).
Figures: the calls the database had no outcome for at the kill, the replies a
resident got twice, and the seconds from the restart until every resident had
every reply.

`--before SRC` measures another checkout's `src` (e.g. a `git worktree` of the
commit before a change) in the same run, with the same fakes and bench; each
measurement runs in its own process with that `src` first on the path, and
migrates its own fresh database with that version's migrations.

    .venv/bin/python bench/bench_crash.py [--before /tmp/pbbot-head/src] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.asynccontextmanager
async def _fresh_database(server_url: str | None, folder: Path) -> AsyncIterator[str]:
    """A new SQLite file in `folder`, or a new database on the PostgreSQL server of
    `server_url`, dropped afterwards."""
    if server_url is None:
        yield f"sqlite+aiosqlite:///{folder}/crash.db"
        return
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"pbbot_crash_{os.getpid()}"
    dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def _measure(postgres: str | None, deadline: float) -> dict[str, object]:
    """One crash and restart, in this process, with whichever pbbot is first on the path."""
    from tests.outbox.crash import crash_and_restart

    from pbbot.storage.migrations import upgrade

    with tempfile.TemporaryDirectory() as folder:
        async with _fresh_database(postgres, Path(folder)) as url:
            await upgrade(url)
            figures = await crash_and_restart(url, Path(folder), deadline=deadline)
    return dataclasses.asdict(figures)


def _run(src: Path, postgres: str | None, deadline: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--measure", "--deadline", str(deadline)]
    if postgres:
        command += ["--postgres", postgres]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"measurement failed:\n{done.stderr[-3000:]}")
    figures: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return figures


def _row(name: str, database: str, runs: list[dict[str, object]]) -> str:
    def spread(values: list[float]) -> str:
        low, high = min(values), max(values)
        return f"{low:g}" if low == high else f"{low:g}–{high:g}"

    def per_channel(key: str, channel: str) -> list[float]:
        return [float(run[key][channel]) for run in runs]  # type: ignore[index]

    def seconds(key: str) -> str:
        answered = [run[key] for run in runs]
        if all(isinstance(a, float) for a in answered):
            return spread([round(float(a), 1) for a in answered])  # type: ignore[arg-type]
        return f"not within {runs[0]['deadline']:g} s"

    cells = [
        name,
        database,
        str(runs[0]["replies"]),
        spread(per_channel("unrecorded_at_kill", "telegram")),
        spread(per_channel("doubles", "telegram")),
        spread(per_channel("unrecorded_at_kill", "sms")),
        spread(per_channel("doubles", "sms")),
        seconds("answered_after_restart"),
        seconds("others_answered_after_restart"),
        spread([round(float(run["startup"]), 1) for run in runs]),  # type: ignore[arg-type]
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, metavar="SRC", help="also measure this src")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this server")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--deadline", type=float, default=150.0, help="seconds to wait after the restart"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        figures = asyncio.run(_measure(args.postgres, args.deadline))
        print(json.dumps({**figures, "deadline": args.deadline}))
        return

    variants = [("after", ROOT / "src")]
    if args.before:
        variants.insert(0, ("before", args.before))
    databases = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    rows = []
    for database, postgres in databases:
        for name, src in variants:
            runs = [_run(src, postgres, args.deadline) for _ in range(args.repeat)]
            rows.append(_row(name, database, runs))
            print(rows[-1], file=sys.stderr, flush=True)
    print(
        f"{args.repeat} runs each; figures are the lowest and highest of the runs; seconds "
        "from the restart; the others: residents with no reply on its way at the kill"
    )
    print(
        "| code | database | replies | Telegram unrecorded | Telegram doubles "
        "| SMS unrecorded | SMS doubles | s until all answered | s until the others are "
        "| start-up s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
