"""The outbox's sender: claims due messages and sends each through its channel, within limits.

A pass claims, for every channel with a sender, as many due messages as the
channel's limit lets start soon, and sends each in its own task: each waits
for its channel's and its chat's limit, sends, and settles its outcome. The
database keeps a resident's messages in order (a message is claimed only after
the one before it is settled), so tasks for different residents run side by
side and the limiters alone set the pace.

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

A process that dies mid-send leaves its messages `sending`; they are claimed
again when their lease runs out (see `pbbot.storage.outbound`).

Channels without a sender (the simulator, SMS without Twilio credentials) are
never claimed: their messages stay queued, out of the claim's way thanks to
the due index leading with the channel. The simulator shows replies from the
conversation service's return value, so its rows are only a record; an SMS
message queued while SMS was off goes out once it is configured.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import ChannelSender, OutboundEnvelope
from pbbot.domain.messages import Channel
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from pbbot.outbox.clock import Clock, SystemClock
from pbbot.outbox.limits import ChannelLimiter, ChannelLimits, default_limits
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.queue import OutboxQueue
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
        self._limiters = {
            channel: ChannelLimiter(limits[channel], self._clock) for channel in senders
        }
        self._queue = OutboxQueue(sessionmaker, clock=self._clock, policy=self._policy)
        self._in_flight: Counter[Channel] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting: set[asyncio.Task[None]] = set()
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Look for due messages now (call after queueing replies)."""
        self._woken.set()

    async def send_due(self) -> int:
        """One pass: claim what is due and send it; how many messages it took from the queue.

        That counts messages sent, retried, put back for a rate limit, and
        failed or skipped without sending; 0 means nothing was due.
        """
        taken, tasks = await self._start_pass()
        await asyncio.gather(*tasks)
        return taken

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set, sleeping until something is due or `wake()` is called.

        Survives a database that is briefly away: a failed pass is logged and
        tried again after the poll interval. On stop, messages still waiting
        for their limit go back to the queue, and sends in progress get
        `stop_grace` seconds to finish.
        """
        try:
            while not stop.is_set():
                self._woken.clear()
                try:
                    taken, _ = await self._start_pass()
                    timeout = await self._idle_timeout(taken)
                except Exception:
                    _log.exception("the outbox could not claim messages; trying again")
                    timeout = self._policy.poll_interval
                await self._wait(stop, timeout)
        finally:
            await self._stop_tasks()

    async def _start_pass(self) -> tuple[int, list[asyncio.Task[None]]]:
        taken = 0
        started: list[asyncio.Task[None]] = []
        for channel in self._senders:
            limiter = self._limiters[channel]
            room = (
                min(
                    self._policy.batch_size,
                    limiter.allowance(self._policy.claim_horizon),
                )
                - self._in_flight[channel]
            )
            claim = await self._queue.claim(channel, max(0, room))
            taken += claim.settled + len(claim.messages)
            for message in claim.messages:
                started.append(self._start(message))
        return taken, started

    def _start(self, message: ClaimedMessage) -> asyncio.Task[None]:
        self._in_flight[message.channel] += 1
        task = asyncio.create_task(self._deliver(message), name=f"outbox message {message.id}")
        self._tasks.add(task)
        self._waiting.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._waiting.discard(task)
        # Settling a message makes its resident's next one due: look again.
        self.wake()

    async def _deliver(self, message: ClaimedMessage) -> None:
        try:
            await self._deliver_once(message)
        except Exception:
            # The database failed while settling: the lease brings the message back.
            _log.exception("message %s: the outcome could not be recorded", message.id)
        finally:
            self._in_flight[message.channel] -= 1

    async def _deliver_once(self, message: ClaimedMessage) -> None:
        limiter = self._limiters[message.channel]
        try:
            ready = await limiter.acquire(message.address, max_wait=self._policy.max_limiter_wait)
        except asyncio.CancelledError:
            await self._queue.put_back(message)
            raise
        if not ready:
            await self._queue.put_back(message, delay=limiter.delay(message.address))
            return
        current = asyncio.current_task()
        if current is not None:
            self._waiting.discard(current)
        await self._send(message, limiter)

    async def _send(self, message: ClaimedMessage, limiter: ChannelLimiter) -> None:
        envelope = OutboundEnvelope(str(message.id), message.address, message.outbound)
        try:
            async with asyncio.timeout(self._policy.send_timeout):
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

    async def _idle_timeout(self, taken: int) -> float:
        """How long to sleep: until the next due message, at most the poll interval."""
        timeout = self._policy.poll_interval
        if self._tasks:
            return timeout  # the tasks wake the loop as they finish
        if taken:
            return 0.0  # settled without sending: more may be due at once
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
        for task in list(self._waiting):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self._policy.stop_grace)
        for task in list(self._tasks):
            task.cancel()  # still on the wire: the lease brings the message back
        await asyncio.gather(*self._tasks, return_exceptions=True)
