"""How fast each channel may send: token buckets per channel and per address.

Telegram lets a bot send about 30 messages per second in all and about one per
second to any one chat; beyond that it answers 429 with a `retry_after`. pbbot
stays under with 25/s and 1/s. An SMS sender (a Twilio number or messaging
service) sends a fixed number of segments per second; Twilio queues what comes
faster, but a message in Twilio's queue can no longer be overtaken by a reply,
so a broadcast handed over all at once would delay every reply behind it. The
outbox keeps the backlog itself, at the sender's pace, and replies go first.

A message is charged one unit as it starts, and it is taken from the queue
only then: the outbox claims no more messages than the channel has free
slots, and none for an address whose own limit is used up, so that no claimed
message waits in memory (where a crash would strand it). What a message cost
beyond that (an SMS of three segments, a long Telegram text sent in two
parts) is charged from the provider's receipt, as debt the next messages wait
for: the rate holds over time, and the segments of one message leave
together, as they must.

The limits live in one process. Several processes sending for the same bot or
number each take a share (`ChannelLimits.share`, e.g. from a setting per
process). The per-address limit is not divided: a resident's messages are
claimed one at a time whichever process sends them, so at worst two processes
send one chat two messages within a second, a burst Telegram tolerates (and
if not, its `retry_after` is honored).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, replace

from pbbot.domain.messages import Channel
from pbbot.outbox.clock import Clock

__all__ = [
    "DEFAULT_SMS_SEGMENTS_PER_SECOND",
    "TELEGRAM_LIMITS",
    "ChannelLimiter",
    "ChannelLimits",
    "TokenBucket",
    "default_limits",
]

# Below this, a wait is rounding error: sleeping it would only loop.
_EPSILON = 1e-9
# Idle per-address buckets are forgotten once there are more than this many.
_MAX_ADDRESS_BUCKETS = 1024


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """One channel's limits.

    `per_second` units (messages on Telegram, segments by SMS) in all, with
    up to `burst` at once after a quiet spell; `per_address_per_second` to any
    one address (None: no such limit), with up to `per_address_burst` at once.
    A burst of 1 spaces the messages evenly, so no one-second window holds more
    than the rate.
    """

    per_second: float
    burst: float = 1.0
    per_address_per_second: float | None = None
    per_address_burst: float = 1.0

    def __post_init__(self) -> None:
        rates = (self.per_second, self.per_address_per_second or 1.0)
        if min(rates) <= 0 or min(self.burst, self.per_address_burst) < 1:
            raise ValueError(f"rates must be positive and bursts at least 1: {self}")

    def share(self, processes: int) -> ChannelLimits:
        """This channel's limits for one of `processes` processes sending together."""
        return replace(self, per_second=self.per_second / processes)


TELEGRAM_LIMITS = ChannelLimits(per_second=25.0, per_address_per_second=1.0)

# A Twilio long code sends one segment per second in many countries; a city
# with a messaging service or a short code sets its own figure.
DEFAULT_SMS_SEGMENTS_PER_SECOND = 1.0


def default_limits(
    sms_segments_per_second: float = DEFAULT_SMS_SEGMENTS_PER_SECOND,
    *,
    telegram_per_second: float = TELEGRAM_LIMITS.per_second,
    processes: int = 1,
) -> dict[Channel, ChannelLimits]:
    """The limits of the channels pbbot has, for one of `processes` processes sending
    together (each takes its share of the channel's rate)."""
    return {
        "telegram": replace(TELEGRAM_LIMITS, per_second=telegram_per_second).share(processes),
        "sms": ChannelLimits(per_second=sms_segments_per_second).share(processes),
    }


class TokenBucket:
    """`rate` tokens per second, holding at most `capacity`; may go into debt.

    Pure arithmetic on the times it is given, so that it can be tested exactly.
    """

    def __init__(self, rate: float, capacity: float, now: float):
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def tokens_at(self, now: float) -> float:
        return min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)

    def wait(self, now: float) -> float:
        """Seconds from `now` until one token is there."""
        missing = 1.0 - self.tokens_at(now)
        return missing / self.rate if missing > _EPSILON else 0.0

    def take(self, now: float, tokens: float = 1.0) -> None:
        self.tokens = self.tokens_at(now) - tokens
        self.stamp = max(self.stamp, now)

    def give(self, now: float, tokens: float) -> None:
        """Return tokens taken and not used, up to the capacity."""
        self.tokens = min(self.capacity, self.tokens_at(now) + tokens)
        self.stamp = max(self.stamp, now)

    def is_full(self, now: float) -> bool:
        return self.tokens_at(now) >= self.capacity


class ChannelLimiter:
    """The buckets of one channel in this process: one for the channel, one per address."""

    def __init__(self, limits: ChannelLimits, clock: Clock):
        self.limits = limits
        self._clock = clock
        self._bucket = TokenBucket(limits.per_second, limits.burst, clock.monotonic())
        self._addresses: OrderedDict[str, TokenBucket] = OrderedDict()
        self._paused_until = clock.monotonic()

    def delay(self, address: str | None = None) -> float:
        """Seconds until a message (to `address`, if given) may start (0: now)."""
        now = self._clock.monotonic()
        waits = [self._paused_until - now, self._bucket.wait(now)]
        bucket = self._addresses.get(address) if address is not None else None
        if bucket is not None:
            waits.append(bucket.wait(now))
        longest = max(waits)
        return longest if longest > _EPSILON else 0.0

    def reserve(self, most: int) -> int:
        """Take up to `most` of the channel's slots that are free now (none while paused).

        The outbox reserves before it claims, so that the slots are charged at
        the time they came free, not after the claim's transaction; it gives
        back (`give_back`) those it found no message for.
        """
        now = self._clock.monotonic()
        if most <= 0 or self._paused_until - now > _EPSILON:
            return 0
        slots = max(0, min(most, math.floor(self._bucket.tokens_at(now) + _EPSILON)))
        if slots:
            self._bucket.take(now, slots)
        return slots

    def give_back(self, slots: int) -> None:
        if slots > 0:
            self._bucket.give(self._clock.monotonic(), slots)

    def busy(self) -> list[str]:
        """The addresses that no message may start to now (their own limit is used up)."""
        return self.held()[0]

    def held(self) -> tuple[list[str], float]:
        """`busy()`, and when (on the clock's monotonic time) the first of them frees.

        One pass over the buckets for both, instead of `busy()` then a `delay` each:
        a broadcast keeps a thousand and more busy, and the outbox asks at every
        claim. Pass the time to `delay_until` for the wait (the channel's own too).
        """
        now = self._clock.monotonic()
        busy: list[str] = []
        first = math.inf
        for address, bucket in self._addresses.items():
            wait = bucket.wait(now)
            if wait > _EPSILON:
                busy.append(address)
                first = min(first, wait)
        return busy, now + first

    def delay_until(self, free_at: float) -> float:
        """Seconds until a message may start to an address that frees at `free_at`
        (monotonic, from `held`): that, or the channel's own wait if longer (0: now)."""
        now = self._clock.monotonic()
        longest = max(self._paused_until - now, self._bucket.wait(now), free_at - now)
        return longest if longest > _EPSILON else 0.0

    def take_address(self, address: str) -> None:
        """Charge `address` for a message that starts now on a reserved slot."""
        if self.limits.per_address_per_second is not None:
            now = self._clock.monotonic()
            self._address_bucket(address, now).take(now)

    def charge(self, address: str, units: float) -> None:
        """Charge `units` more to the channel and to `address` (a receipt's extra segments)."""
        if units <= 0:
            return
        now = self._clock.monotonic()
        self._bucket.take(now, units)
        if self.limits.per_address_per_second is not None:
            self._address_bucket(address, now).take(now, units)

    def pause(self, seconds: float) -> None:
        """Send nothing on this channel for `seconds` (the provider's `retry_after`)."""
        self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    def _address_bucket(self, address: str, now: float) -> TokenBucket:
        """The address's bucket, moved to the end: the buckets stay in the order they
        were last charged, so the ones that refilled first come first."""
        bucket = self._addresses.get(address)
        if bucket is not None:
            self._addresses.move_to_end(address)
            return bucket
        if len(self._addresses) >= _MAX_ADDRESS_BUCKETS:
            self._forget_idle(now)
        assert self.limits.per_address_per_second is not None
        bucket = TokenBucket(self.limits.per_address_per_second, self.limits.per_address_burst, now)
        self._addresses[address] = bucket
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Drop full buckets from the front, least recently charged first: a full bucket
        is what a new one would be. Stops at the first that is not full, so that a
        broadcast's thousands of chats a second cost a step each, not a sweep."""
        while self._addresses:
            address = next(iter(self._addresses))
            if not self._addresses[address].is_full(now):
                return
            del self._addresses[address]
