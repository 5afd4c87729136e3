"""The outbox's sender: claims due messages and sends each through its channel, within limits.

A pass claims, for every channel with a sender, as many due messages as the
channel's limit lets start now, none to a chat whose own limit is used up, and
sends each in its own task at once: no claimed message waits in memory. The
database keeps a resident's messages in order (a message is claimed only after
the one before it is settled), so tasks for different residents run side by
side and the limiters alone set the pace; the loop looks again when the next
slot comes free. While messages are in flight, it claims again only once a
quarter of the batch is free: outcomes are committed in groups (see
`pbbot.outbox.queue`), and a broadcast then takes a few large claims instead
of one per outcome.

What a send's outcome does:

- sent: `sent`, with the provider's id and the segments it cost;
- `RateLimited(retry_after)`: the channel pauses for `retry_after` and the
  message goes back to the queue until then, not counted as an attempt;
- `RecipientBlocked`: `failed`, the resident is marked unreachable, and their
  other queued messages fail without being sent;
- `ChannelError` or no answer in time: retried after a backoff, then `failed`;
- any other exception (a bug in a sender): `failed` at once, not retried. The
  provider may have taken the message before the sender broke, and a message
  is never sent twice on purpose.

Each claimed message is leased to this outbox for `OutboxPolicy.lease`
seconds, and `run` renews the leases while the calls last. A process that
dies mid-send leaves its messages `sending`; once their leases run out (within
seconds) another outbox, or the restarted one, takes them over as uncertain:
a sender that is a `SentLog` (SMS) looks the message up at the provider before
sending it again, and other channels send it again (see
`pbbot.storage.outbound` and `pbbot.outbox.uncertain`). On a clean stop,
calls still running after `stop_grace` are cut off and their messages handed
back at once, uncertain.

Channels without a sender (the simulator, SMS without Twilio credentials) are
never claimed: their messages stay queued, out of the claim's way thanks to
the due index leading with the channel. The simulator shows replies from the
conversation service's return value, so its rows are only a record; an SMS
message queued while SMS was off goes out once it is configured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import ChannelSender, OutboundEnvelope, SendReceipt
from pbbot.domain.messages import Channel
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from pbbot.outbox.clock import Clock, SystemClock
from pbbot.outbox.limits import ChannelLimiter, ChannelLimits, default_limits
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.queue import OutboxQueue
from pbbot.outbox.uncertain import SentLog
from pbbot.storage.outbound import ClaimedMessage

__all__ = ["Outbox"]

_log = logging.getLogger(__name__)


class Outbox:
    """Sends what is queued in `outbound_messages` through `senders` (channel -> sender).

    `limits` defaults to `default_limits()`; every channel with a sender needs
    limits. The outbox does not own the senders: whoever made them closes them.
    Call `send_due()` for one pass, or `run(stop)` for the server's loop, and
    `wake()` after queueing messages so that they go out at once.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Mapping[Channel, ChannelSender],
        *,
        limits: Mapping[Channel, ChannelLimits] | None = None,
        clock: Clock | None = None,
        policy: OutboxPolicy | None = None,
    ):
        limits = default_limits() if limits is None else limits
        missing = sorted(set(senders) - set(limits))
        if missing:
            raise ValueError(f"no rate limits for channel(s) {', '.join(missing)}")
        self._clock = clock or SystemClock()
        self._policy = policy or OutboxPolicy()
        self._senders = dict(senders)
        self._logs = {ch: sender for ch, sender in senders.items() if isinstance(sender, SentLog)}
        self._limiters = {
            channel: ChannelLimiter(limits[channel], self._clock) for channel in senders
        }
        self._queue = OutboxQueue(
            sessionmaker, clock=self._clock, policy=self._policy, owner=uuid4().hex
        )
        # The messages of each channel whose calls are under way.
        self._in_flight: dict[Channel, set[int]] = {channel: set() for channel in senders}
        self._tasks: set[asyncio.Task[None]] = set()
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Look for due messages now (call after queueing replies)."""
        self._woken.set()

    async def send_due(self, *, max_wait: float = 10.0) -> int:
        """One pass: claim what is due and send it; how many messages it took from the queue.

        That counts messages sent, retried, put back for a rate limit, and
        failed or skipped without sending; 0 means nothing was due. When due
        messages wait only for a rate limit, the pass waits for it first (on
        the outbox's clock), unless that is more than `max_wait` seconds away.
        """
        taken, tasks, wait = await self._start_pass()
        while not taken and wait is not None and wait <= max_wait:
            await self._clock.sleep(wait)
            taken, tasks, wait = await self._start_pass()
        await asyncio.gather(*tasks)
        return taken

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set, sleeping until something is due or `wake()` is called.

        Survives a database that is briefly away: a failed pass is logged and
        tried again after the poll interval. Renews the leases of the messages
        being sent all along. On stop, sends in progress get `stop_grace`
        seconds to finish; what is still on the wire then goes back to the
        queue at once.
        """
        renewing = asyncio.create_task(self._renew_leases())
        try:
            while not stop.is_set():
                self._woken.clear()
                try:
                    _, _, wait = await self._start_pass()
                    timeout = await self._idle_timeout(wait)
                except Exception:
                    _log.exception("the outbox could not claim messages; trying again")
                    timeout = self._policy.poll_interval
                await self._wait(stop, timeout)
        finally:
            try:
                await self._stop_tasks()
            finally:
                renewing.cancel()
                await asyncio.gather(renewing, return_exceptions=True)

    async def _start_pass(self) -> tuple[int, list[asyncio.Task[None]], float | None]:
        """Claim and start what can start now, on every channel.

        Returns how many messages were taken, their tasks, and when to look
        again for due messages that a limit held back (None: none was).
        """
        taken = 0
        started: list[asyncio.Task[None]] = []
        wait: float | None = None
        for channel in self._senders:
            limiter = self._limiters[channel]
            in_flight = self._in_flight[channel]
            room = self._policy.batch_size - len(in_flight)
            if in_flight and room < self._policy.batch_size // 4:
                # The calls in flight wake the loop as they end: then claim a larger
                # share at once (each claim is a transaction, a disk sync on SQLite).
                continue
            slots = limiter.reserve(room)
            if not slots:
                if room > 0:  # else the tasks in flight wake the loop as they end
                    wait = _sooner(wait, limiter.delay())
                continue
            busy, busy_until = limiter.held()
            try:
                claim = await self._queue.claim(
                    channel, slots, verifiable=channel in self._logs, busy=busy, keep=in_flight
                )
            except BaseException:
                limiter.give_back(slots)
                raise
            limiter.give_back(slots - len(claim.messages))
            taken += claim.settled + len(claim.messages)
            for message in claim.messages:
                limiter.take_address(message.address)
                started.append(self._start(message))
            if claim.settled:
                wait = 0.0  # settling a message can make its resident's next one due
            if claim.more:
                wait = _sooner(wait, limiter.delay())
            if busy:  # one of them may have a message due, left for its slot
                wait = _sooner(wait, limiter.delay_until(busy_until))
        return taken, started, wait

    def _start(self, message: ClaimedMessage) -> asyncio.Task[None]:
        self._in_flight[message.channel].add(message.id)
        task = asyncio.create_task(self._deliver(message), name=f"outbox message {message.id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        # Settling a message makes its resident's next one due: look again.
        self.wake()

    async def _deliver(self, message: ClaimedMessage) -> None:
        try:
            await self._send(message)
        except Exception:
            # The database failed while settling: the lease, no longer renewed, runs out
            # and the message is taken over (uncertain: it may have gone out).
            _log.exception("message %s: the outcome could not be recorded", message.id)
        finally:
            self._in_flight[message.channel].discard(message.id)

    async def _send(self, message: ClaimedMessage) -> None:
        limiter = self._limiters[message.channel]
        envelope = OutboundEnvelope(
            str(message.id), message.address, message.outbound, edits=message.edits
        )
        log = self._logs.get(message.channel) if message.uncertain_since else None
        # Read before the calls: a database error here is none of the provider's.
        recorded = await self._queue.recorded(message.resident_id) if log else set()
        try:
            async with asyncio.timeout(self._policy.send_timeout):
                receipt = await self._already_sent(message, envelope, log, recorded)
                if receipt is None:
                    receipt = await self._senders[message.channel].send(envelope)
        except RateLimited as error:
            limiter.pause(error.retry_after)
            await self._queue.put_back(message, delay=error.retry_after)
        except RecipientBlocked as error:
            await self._queue.blocked(message, str(error))
        except ChannelError as error:
            await self._queue.failed_attempt(message, str(error))
        except TimeoutError:
            await self._queue.failed_attempt(
                message, f"no answer within {self._policy.send_timeout:g}s"
            )
        except Exception as error:
            _log.exception("message %s: the %s sender failed", message.id, message.channel)
            await self._queue.failed(message, f"not retried, the outcome is unknown: {error!r}")
        else:
            limiter.charge(message.address, receipt.segments - 1)
            await self._queue.sent(message, receipt)

    async def _already_sent(
        self,
        message: ClaimedMessage,
        envelope: OutboundEnvelope,
        log: SentLog | None,
        recorded: set[str],
    ) -> SendReceipt | None:
        """The provider's receipt if an earlier, uncertain attempt did reach it.

        The provider's `log` has every message like this one since that
        attempt began; one that no message of the resident was recorded with
        (`recorded`) is this one's.
        """
        if message.uncertain_since is None:
            return None
        if log is None:
            _log.warning(
                "message %s: an earlier attempt ended without an answer; sending it again, "
                "the resident may get it twice",
                message.id,
            )
            return None
        for receipt in await log.sent_since(envelope, message.uncertain_since):
            if receipt.provider_id not in recorded:
                _log.info(
                    "message %s: an earlier attempt did reach the provider (%s); not sent again",
                    message.id,
                    receipt.provider_id,
                )
                return receipt
        return None

    async def _renew_leases(self) -> None:
        """Keep the leases of the messages in flight alive, as long as the loop runs."""
        while True:
            await self._clock.sleep(self._policy.renew_every)
            ids = set().union(*self._in_flight.values())
            if ids:
                try:
                    await self._queue.renew(ids)
                except Exception:
                    # The next renewal may succeed within the lease; if none does,
                    # another outbox may take the messages over (and send them again).
                    _log.exception("the outbox could not renew its leases")

    async def _idle_timeout(self, wait: float | None) -> float:
        """How long to sleep: until a limit lets a held message start, or the next is due."""
        timeout = self._policy.poll_interval
        if wait is not None:
            return max(0.0, min(timeout, wait))
        if self._tasks:
            return timeout  # the tasks wake the loop as they finish
        due = await self._queue.next_due_at(self._senders)
        if due is not None:
            timeout = min(timeout, (due - self._clock.now()).total_seconds())
        return max(0.0, timeout)

    async def _wait(self, stop: asyncio.Event, timeout: float) -> None:
        waits = [
            asyncio.create_task(stop.wait()),
            asyncio.create_task(self._woken.wait()),
            asyncio.create_task(self._clock.sleep(timeout)),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def _stop_tasks(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self._policy.stop_grace)
        cut_off = list(self._tasks)
        for task in cut_off:
            task.cancel()
        await asyncio.gather(*cut_off, return_exceptions=True)
        try:
            # Outcomes that came in are recorded first, so that none is handed back.
            await self._queue.settled()
            for channel in self._senders:
                await self._queue.release(channel, verifiable=channel in self._logs)
        except Exception:
            # Their leases run out within seconds instead, and any outbox takes them over.
            _log.exception("the outbox could not hand back the messages it was sending")


def _sooner(wait: float | None, other: float) -> float:
    return other if wait is None else min(wait, other)
