"""How long finding a broadcast's audience takes for 100,000 residents.

On a fresh PostgreSQL database (created and dropped here): 100,000 residents
on both channels in five languages (one in fifty sent STOP), each with a
conversation (district, a shared number on Telegram, a draft ballot for one
in seven), and a third of them voted. For each segment: `count_recipients`
(what the dry run does) and the recipients fetched chunk by chunk as a
fan-out does (1,000 at a time, one session each); then the whole dry run.

    .venv/bin/python bench/bench_audience.py postgresql+asyncpg://postgres@127.0.0.1:5432/pbbot_bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from pbbot.broadcasts.audience import count_recipients, parse_segment, recipients
from pbbot.broadcasts.content import catalog_content
from pbbot.broadcasts.planning import plan_broadcast, plan_lines
from pbbot.config.edition_file import load_edition
from pbbot.features import load_features
from pbbot.outbox.limits import default_limits
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.migrations import upgrade
from pbbot.storage.tables import Conversation, Resident
from pbbot.voting.casting import BallotChoices, ballot_row, store_ballots
from pbbot.voting.secret import ballot_key, voter_link
from pbbot.voting.tables import VoterLink

EDITION = load_edition(Path(__file__).resolve().parents[1] / "examples" / "mechelen-2027.yaml")
NOW = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
LOCALES = ("nl", "fr", "en", "tr", "ar")
SEGMENTS: tuple[list[str], ...] = (
    [],
    ["state=not_voted"],
    ["state=basket_draft"],
    ["district=Heffen", "language=tr,ar"],
)
CHUNK = 1000


def _phone(n: int) -> str:
    return f"+3247{n:07d}"


async def _fill(url: str, residents: int) -> None:
    sessions = create_sessionmaker(create_engine(url))
    people, conversations = [], []
    for n in range(residents):
        sms = n % 2 == 1
        people.append(
            {
                "channel": "sms" if sms else "telegram",
                "address": _phone(n) if sms else str(10**7 + n),
                "locale": LOCALES[n % 5],
                "created_at": NOW,
                "subscribed": n % 50 != 0,
                "unreachable": False,
            }
        )
        answers: dict[str, object] = {"consent": "2027-01-01", "district": "Heffen"}
        if not sms:
            answers["voter_phone"] = _phone(n)
        if n % 7 == 0:
            answers["ballot"] = [3, 7]
        conversations.append(
            {"resident_id": n + 1, "state": {"answers": answers}, "updated_at": NOW, "version": 1}
        )
    async with sessions.begin() as session:
        key = await ballot_key(session)
        for start in range(0, residents, 10_000):
            await session.execute(insert(Resident), people[start : start + 10_000])
            await session.execute(insert(Conversation), conversations[start : start + 10_000])
        ballots = [
            ballot_row(
                edition_id=EDITION.id,
                choices=BallotChoices("basket", projects=(3,)),
                day=date(2027, 4, 20),
            )
            for _ in range(0, residents, 3)
        ]
        await store_ballots(session, ballots)
        links = [
            {"edition_id": EDITION.id, "link": voter_link(key, EDITION.id, _phone(n)),
             "ballot_id": row["id"], "voided": False}
            for n, row in zip(range(0, residents, 3), ballots, strict=True)
        ]  # fmt: skip
        await session.execute(insert(VoterLink), links)


async def _measure(url: str) -> None:
    sessions = create_sessionmaker(create_engine(url))
    print(f"{'segment':36} {'recipients':>10} {'count':>8} {'chunks':>8}")
    for specs in SEGMENTS:
        segment = parse_segment(specs, EDITION)
        started = time.perf_counter()
        async with sessions() as session:
            counted = sum((await count_recipients(session, EDITION, segment)).values())
        counting = time.perf_counter() - started
        started, fetched, after = time.perf_counter(), 0, 0
        while True:
            async with sessions() as session:
                chunk = await recipients(session, EDITION, segment, after_id=after, limit=CHUNK)
            if not chunk:
                break
            fetched, after = fetched + len(chunk), chunk[-1].resident_id
        chunks = time.perf_counter() - started
        assert fetched == counted, (specs, fetched, counted)
        name = "; ".join(specs) or "everyone"
        print(f"{name:36} {counted:>10,} {counting:>7.2f}s {chunks:>7.2f}s")
    started = time.perf_counter()
    async with sessions() as session:
        plan = await plan_broadcast(
            session,
            EDITION,
            catalog_content("voting", EDITION),
            parse_segment([], EDITION),
            limits=default_limits(),
            segment_price=Decimal("0.08"),
            now=NOW,
        )
    print(f"dry run of --message voting to everyone: {time.perf_counter() - started:.2f}s\n")
    print("\n".join(plan_lines(plan, EDITION)))


async def _on_server(url: str, sql: str) -> None:
    server = make_url(url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="a PostgreSQL database to create (and drop afterwards)")
    parser.add_argument("--residents", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("PBBOT_BALLOT_KEY", "bench-key-0123456789abcdef0123456789")
    load_features()
    name = make_url(args.url).database
    await _on_server(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _on_server(args.url, f'CREATE DATABASE "{name}"')
    try:
        await upgrade(args.url)
        await _fill(args.url, args.residents)
        await _measure(args.url)
    finally:
        await _on_server(args.url, f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
