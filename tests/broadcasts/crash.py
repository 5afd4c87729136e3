"""A broadcast to a town of residents, sent by real pbbot processes, killed if asked.

The town (`Town`) is stored as residents on both channels: most subscribed,
some who sent STOP, and some Telegram chats that blocked the bot (the fake
Bot API answers them 403, as Telegram does; the database does not know it yet).
A staff text per language, marked so that its copies are told from anything
else the bot might send, goes to all of them through `create_broadcast`.

The sending runs in child processes against fakes on loopback in this process
(a Telegram Bot API and Twilio's Messages API, each answering after `latency`
seconds, so that calls are on the wire when a child dies):

- `Served`: `pbbot serve`'s application (`python -m tests.broadcasts.crash
  PORT TWILIO_URL`, settings from the environment, Twilio's client pointed at
  the fake, which no setting can do);
- `Worker`: the `pbbot worker` command itself, on Telegram only.

`crash_mid_broadcast` kills `pbbot serve` with SIGKILL while copies are on the
wire on both channels, starts it again on the same database, and returns what
every resident received and what the database recorded once the broadcast is
done; `two_workers` has two `pbbot worker` processes share one broadcast, and
kills one of them half-way if asked.
Used by `tests/broadcasts/test_crash.py` and `test_two_workers.py`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from pbbot.broadcasts.audience import Segment
from pbbot.broadcasts.content import staff_content
from pbbot.broadcasts.control import create_broadcast
from pbbot.broadcasts.progress import Progress
from pbbot.broadcasts.progress import progress as read_progress
from pbbot.config.edition_file import load_edition
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.tables import Resident
from tests.child_process import ChildProcess, ChildServer
from tests.fakes.telegram_api import TOKEN, FakeError, _Refused
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioServer
from tests.outbox.crash import SlowTelegramAPI

__all__ = ["Copy", "Outcome", "Town", "crash_mid_broadcast", "two_workers"]

ROOT = Path(__file__).resolve().parents[2]
EDITION = ROOT / "examples" / "mechelen-2027.yaml"
SECRET = "broadcast-crash-secret"
PUBLIC_URL = "https://pb.example.be"
SMS_FROM = "+3215000002"
# In every copy's text: a copy is a call whose text has it.
MARK = "[bc-test]"
TEXTS = {
    "nl": f"Stemmen kan tot 9 mei. Stuur MENU om te stemmen. {MARK}",
    "fr": f"Le vote est ouvert jusqu'au 9 mai. Envoyez MENU pour voter. {MARK}",
    "en": f"Voting is open until 9 May. Send MENU to vote. {MARK}",
    "tr": f"Oylama 9 Mayıs'a kadar açık. Oy vermek için MENÜ yazın. {MARK}",
    "ar": f"التصويت مفتوح حتى 9 مايو. أرسل قائمة للتصويت. {MARK}",
}
_LOCALES = tuple(TEXTS)
_FIRST_CHAT = 700000


@dataclass(frozen=True)
class Town:
    """Who lives there: subscribed residents per channel, and those the broadcast must miss.

    `stopped` residents of each channel sent STOP; `blocked` Telegram chats
    blocked the bot.
    """

    telegram: int = 300
    sms: int = 100
    stopped: int = 20
    blocked: int = 10

    def chats(self) -> list[str]:
        """The subscribed chats that can be reached."""
        return [str(_FIRST_CHAT + n) for n in range(self.telegram)]

    def stopped_chats(self) -> list[str]:
        return [str(_FIRST_CHAT + self.telegram + n) for n in range(self.stopped)]

    def blocked_chats(self) -> list[str]:
        first = _FIRST_CHAT + self.telegram + self.stopped
        return [str(first + n) for n in range(self.blocked)]

    def phones(self) -> list[str]:
        return [f"+32471{n:06d}" for n in range(self.sms)]

    def stopped_phones(self) -> list[str]:
        return [f"+32472{n:06d}" for n in range(self.stopped)]

    def residents(self) -> list[tuple[str, str, bool]]:
        """(channel, address, subscribed) of everyone, in the order they are stored."""
        return [
            *(("telegram", chat, True) for chat in self.chats()),
            *(("telegram", chat, False) for chat in self.stopped_chats()),
            *(("telegram", chat, True) for chat in self.blocked_chats()),
            *(("sms", phone, True) for phone in self.phones()),
            *(("sms", phone, False) for phone in self.stopped_phones()),
        ]


class BlockingTelegramAPI(SlowTelegramAPI):
    """The slow fake Bot API, answering 403 "blocked by the user" to the chats in `blocked`.

    `copies` counts, as they arrive, the calls that carried the broadcast to each chat
    (refused ones too).
    """

    def __init__(self, latency: float, blocked: set[str], marks: Collection[str] = (MARK,)):
        super().__init__(latency)
        self.blocked = {int(chat) for chat in blocked}
        self.marks = marks
        self.copies: Counter[str] = Counter()

    async def _sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if _marked(str(params.get("text", "")), self.marks):
            self.copies[str(params.get("chat_id"))] += 1
        if params.get("chat_id") in self.blocked:
            raise _Refused(FakeError.blocked())
        return await super()._sendmessage(params, files)


def _marked(text: str, marks: Collection[str]) -> bool:
    return any(mark in text for mark in marks)


def _sms_copies(twilio: FakeTwilioServer, marks: Collection[str] = (MARK,)) -> Counter[str]:
    return Counter(str(m["to"]) for m in twilio.messages.created if _marked(str(m["body"]), marks))


@dataclass(frozen=True)
class Copy:
    """One recipient's copy, as the database recorded it."""

    channel: str
    address: str
    status: str
    uncertain: bool
    error: str | None
    lease_owner: str | None


@dataclass(frozen=True)
class Outcome:
    """What the residents received and what the database says, once the broadcast is done."""

    # Per channel, how many calls carried the broadcast to each address.
    received: dict[str, Counter[str]]
    copies: list[Copy]
    # Addresses (both channels) the database marks unreachable.
    unreachable: set[str]
    broadcast_status: str
    # Provider calls that had arrived and were not answered yet when the child died.
    in_flight_at_kill: dict[str, int]
    # Copies `sending` at the kill whose call the provider had: it may have gone out.
    unrecorded_at_kill: dict[str, int]
    # Copies each child process sent (the lease owner of each sent copy).
    sent_by: Counter[str]
    # What `pbbot broadcast status` shows.
    progress: Progress

    def copy(self, address: str) -> Copy:
        return next(copy for copy in self.copies if copy.address == address)

    def doubles(self, channel: str) -> dict[str, int]:
        """Addresses of `channel` that received the broadcast more than once, and how often."""
        return {address: n for address, n in self.received[channel].items() if n > 1}


# -- the database, read and written from this process ---------------------------------


async def _add_residents(database_url: str, town: Town) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "channel": channel,
            "address": address,
            "locale": _LOCALES[n % len(_LOCALES)],
            "created_at": now,
            "unreachable": False,
            "subscribed": subscribed,
        }
        for n, (channel, address, subscribed) in enumerate(town.residents())
    ]
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Resident), rows)
    finally:
        await engine.dispose()


async def _queue_broadcast(database_url: str) -> int:
    """The staff text in every language, to everyone, now: the broadcast's id."""
    edition = load_edition(EDITION)
    now = datetime.now(UTC)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            return await create_broadcast(
                session,
                edition,
                staff_content(TEXTS, edition),
                Segment(),
                by="crash test",
                send_at=now,
                now=now,
            )
    finally:
        await engine.dispose()


class _Records:
    """The broadcast's record in the database, read from this process while children write.

    A plain engine, not pbbot's: pbbot begins every SQLite transaction with
    BEGIN IMMEDIATE, and these reads must not take the children's lock.
    """

    def __init__(self, database_url: str):
        self.engine = create_async_engine(database_url)

    async def __aenter__(self) -> _Records:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.engine.dispose()

    async def copies(self, broadcast: int) -> list[Copy]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT channel, address, status, uncertain_since, error, lease_owner"
                    " FROM outbound_messages WHERE broadcast_id = :id"
                ),
                {"id": broadcast},
            )
            return [Copy(str(c), str(a), str(s), u is not None, e, o) for c, a, s, u, e, o in rows]

    async def status(self, broadcast: int) -> str:
        """The broadcast's status, and "waiting" while any of its copies is unsent."""
        async with self.engine.connect() as connection:
            status = await connection.scalar(
                text("SELECT status FROM broadcasts WHERE id = :id"), {"id": broadcast}
            )
            unsent = await connection.scalar(
                text(
                    "SELECT count(*) FROM outbound_messages"
                    " WHERE broadcast_id = :id AND status IN ('queued', 'sending', 'held')"
                ),
                {"id": broadcast},
            )
        return "waiting" if unsent else str(status)

    async def progress(self, broadcast: int) -> Progress:
        async with AsyncSession(self.engine) as session:
            return await read_progress(session, broadcast)

    async def unreachable(self) -> set[str]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(text("SELECT address FROM residents WHERE unreachable"))
            return {str(address) for (address,) in rows}

    async def wait_until_both_send(
        self, broadcast: int, workers: Sequence[ChildProcess], *, timeout: float = 60.0
    ) -> None:
        """Until two processes each have a copy of the broadcast on the wire (`sending`)."""
        deadline = time.monotonic() + timeout
        while True:
            async with self.engine.connect() as connection:
                senders = await connection.scalar(
                    text(
                        "SELECT count(DISTINCT lease_owner) FROM outbound_messages"
                        " WHERE broadcast_id = :id AND status = 'sending'"
                    ),
                    {"id": broadcast},
                )
            if senders == 2:
                return
            for worker in workers:
                worker.check()
            if time.monotonic() > deadline:
                raise RuntimeError("the two workers were never sending at once")
            await asyncio.sleep(0.01)

    async def wait_until_done(
        self, broadcast: int, children: Sequence[ChildProcess], *, timeout: float = 60.0
    ) -> None:
        """Until the broadcast is done and none of its copies waits; an error at the deadline."""
        deadline = time.monotonic() + timeout
        while (status := await self.status(broadcast)) != "done":
            for child in children:
                child.check()
            if time.monotonic() > deadline:
                waiting = Counter(copy.status for copy in await self.copies(broadcast))
                raise RuntimeError(f"the broadcast is {status} at the deadline: {dict(waiting)}")
            await asyncio.sleep(0.25)

    async def outcome(
        self,
        broadcast: int,
        received: dict[str, Counter[str]],
        *,
        in_flight: Mapping[str, int],
        unrecorded: Mapping[str, int],
    ) -> Outcome:
        copies = await self.copies(broadcast)
        sent = Counter(str(c.lease_owner) for c in copies if c.status in ("sent", "delivered"))
        return Outcome(
            received=received,
            copies=copies,
            unreachable=await self.unreachable(),
            broadcast_status=await self.status(broadcast),
            in_flight_at_kill=dict(in_flight),
            unrecorded_at_kill=dict(unrecorded),
            sent_by=sent,
            progress=await self.progress(broadcast),
        )


# -- the child processes --------------------------------------------------------------


def _environment(database_url: str, telegram: str, settings: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: pbbot's settings from here only, none from the caller's."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("PBBOT")}
    return {
        **inherited,
        "PBBOT_DATABASE_URL": database_url,
        "PBBOT_EDITION": str(EDITION),
        "PBBOT_TELEGRAM_TOKEN": TOKEN,
        "PBBOT_TELEGRAM_SECRET": SECRET,
        "PBBOT_TELEGRAM_API_URL": telegram,
        **settings,
    }


class Served(ChildServer):
    """`pbbot serve`'s application, with Twilio's API at `twilio` (see `serve`)."""

    def __init__(self, environment: Mapping[str, str], twilio: str, log: Path):
        super().__init__("tests.broadcasts.crash", [twilio], log, environment)


class Worker(ChildProcess):
    """`pbbot worker`, as an operator starts it."""

    def __init__(self, environment: Mapping[str, str], log: Path):
        self.log = log
        super().__init__([str(Path(sys.executable).parent / "pbbot"), "worker"], log, environment)

    async def ready(self, timeout: float = 90.0) -> None:
        """Until it says it sends (what an operator sees too)."""
        deadline = time.monotonic() + timeout
        while "worker started" not in self.log.read_text():
            self.check()
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
            await asyncio.sleep(0.05)


# -- the runs -------------------------------------------------------------------------


async def crash_mid_broadcast(
    database_url: str,
    workdir: Path,
    town: Town,
    *,
    latency: float = 0.15,
    queue: Callable[[str], Awaitable[int]] = _queue_broadcast,
    marks: Collection[str] = (MARK,),
) -> Outcome:
    """Broadcast to `town` (on `database_url`, migrated and empty), SIGKILL `pbbot serve`
    while copies are on the wire on both channels, restart it, and wait until it is done.

    `queue` queues the broadcast on the database (default: the staff text, marked);
    a message that has any of `marks` in it is a copy of it."""
    await _add_residents(database_url, town)
    log = workdir / "server.log"
    telegram = BlockingTelegramAPI(latency, set(town.blocked_chats()), marks)
    async with (
        telegram,
        FakeTwilioServer(latency=latency) as twilio,
        aiohttp.ClientSession() as session,
        _Records(database_url) as records,
    ):
        # Fast enough to finish within seconds, slow enough to be killed early on both
        # channels (SMS slower, so that it is not over before Telegram is well under way).
        settings = {
            "PBBOT_TELEGRAM_MESSAGES_PER_SECOND": "60",
            "PBBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "PBBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PBBOT_TWILIO_FROM": SMS_FROM,
            "PBBOT_PUBLIC_URL": PUBLIC_URL,
            "PBBOT_SMS_SEGMENTS_PER_SECOND": "15",
        }
        environment = _environment(database_url, telegram.base_url, settings)
        server = Served(environment, twilio.base_url, log)
        try:
            await server.ready(session)
            broadcast = await queue(database_url)
            under_way = time.monotonic() + 60
            while not (
                telegram.pending
                and twilio.pending
                and telegram.copies.total() >= town.telegram // 5
                and len(twilio.messages.created) >= town.sms // 5
            ):
                if time.monotonic() > under_way:
                    sent = (telegram.copies.total(), len(twilio.messages.created))
                    raise RuntimeError(f"no moment with calls on both channels: {sent} sent")
                await asyncio.sleep(0.002)
            in_flight = {"telegram": telegram.pending, "sms": twilio.pending}
            server.kill()
        finally:
            server.stop()
        await asyncio.sleep(0.2)  # requests already on the loopback still arrive
        received = {"telegram": Counter(telegram.copies), "sms": _sms_copies(twilio, marks)}
        unrecorded = Counter(
            copy.channel
            for copy in await records.copies(broadcast)
            if copy.status == "sending" and received[copy.channel][copy.address]
        )

        restarted = Served(environment, twilio.base_url, log)
        try:
            await restarted.ready(session)
            await records.wait_until_done(broadcast, [restarted])
        finally:
            restarted.stop()
        return await records.outcome(
            broadcast,
            {"telegram": telegram.copies, "sms": _sms_copies(twilio, marks)},
            in_flight=in_flight,
            unrecorded={channel: unrecorded[channel] for channel in received},
        )


async def two_workers(
    database_url: str, workdir: Path, town: Town, *, kill_one: bool = False, latency: float = 0.1
) -> Outcome:
    """Two `pbbot worker` processes on `database_url` (PostgreSQL) send one broadcast to
    `town`'s Telegram residents; what they received once it is done.

    `kill_one`: SIGKILL the first worker while both have copies on the wire; the other
    finishes the broadcast alone, the dead one's copies taken over once their leases
    have run out.
    """
    await _add_residents(database_url, town)
    telegram = BlockingTelegramAPI(latency, set(town.blocked_chats()))
    async with telegram, _Records(database_url) as records:
        # Each process takes half of the bot's rate, so that one alone would take twice as long.
        settings = {"PBBOT_TELEGRAM_MESSAGES_PER_SECOND": "100", "PBBOT_SENDING_PROCESSES": "2"}
        environment = _environment(database_url, telegram.base_url, settings)
        workers = [Worker(environment, workdir / f"worker-{n}.log") for n in (1, 2)]
        in_flight = {"telegram": 0}
        try:
            await asyncio.gather(*(worker.ready() for worker in workers))
            broadcast = await _queue_broadcast(database_url)
            survivors = workers
            if kill_one:
                under_way = time.monotonic() + 60
                while telegram.copies.total() < town.telegram // 4:
                    if time.monotonic() > under_way:
                        raise RuntimeError(f"{telegram.copies.total()} sent after 60 s")
                    await asyncio.sleep(0.01)
                await records.wait_until_both_send(broadcast, workers)
                in_flight["telegram"] = telegram.pending
                workers[0].kill()
                survivors = workers[1:]
                await asyncio.sleep(0.2)  # requests already on the loopback still arrive
            received_at_kill = Counter(telegram.copies)
            await records.wait_until_done(broadcast, survivors)
        finally:
            for worker in workers:
                worker.stop()
        # The copies taken over were the dead worker's calls: those the fake had by then
        # may have gone out.
        taken_over = [copy for copy in await records.copies(broadcast) if copy.uncertain]
        unrecorded = sum(received_at_kill[copy.address] > 0 for copy in taken_over)
        return await records.outcome(
            broadcast,
            {"telegram": telegram.copies, "sms": Counter()},
            in_flight=in_flight,
            unrecorded={"telegram": unrecorded},
        )


# -- the child ------------------------------------------------------------------------


def serve(port: int, twilio: str) -> None:
    """`pbbot serve`'s application and loop, settings from the environment, with
    Twilio's API at `twilio`."""
    import logging

    from pbbot.channels.sms.sender import TwilioSender
    from pbbot.runtime import build_runtime
    from pbbot.server.app import SenderFactories, create_app, run
    from pbbot.settings import load_settings
    from tests.fakes.twilio_http import LoopbackTwilioHttpClient

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("pbbot").setLevel(logging.INFO)
    settings = load_settings(os.environ)

    clients: list[LoopbackTwilioHttpClient] = []

    def sms(settings: Any) -> TwilioSender:
        clients.append(LoopbackTwilioHttpClient(twilio, timeout=30))
        return TwilioSender(
            ACCOUNT_SID, AUTH_TOKEN, sender=SMS_FROM, public_url=PUBLIC_URL, http_client=clients[-1]
        )

    async def close_clients(app: Any) -> None:
        for client in clients:  # a sender closes only the client it made itself
            await client.close()

    runtime = build_runtime(EDITION, os.environ["PBBOT_DATABASE_URL"], None)
    app = create_app(runtime, settings, factories=SenderFactories(sms=sms))
    app.on_cleanup.append(close_clients)
    run(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
