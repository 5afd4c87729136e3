"""Rate limits on a fake clock: the times messages may start, checked exactly, without sleeping."""

from __future__ import annotations

import itertools

import pytest

from pbbot.outbox.limits import (
    TELEGRAM_LIMITS,
    ChannelLimiter,
    ChannelLimits,
    TokenBucket,
    default_limits,
)
from tests.outbox.support import FakeClock

# Float arithmetic on times: a gap of 1 s may come out as 0.9999999999.
TOLERANCE = 1e-6


def most_in_any_second(times: list[float]) -> int:
    """The most starts in any window [t, t + 1)."""
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1 - TOLERANCE) for start in times)


async def start_all(
    limiter: ChannelLimiter, clock: FakeClock, addresses: list[str]
) -> list[tuple[str, float]]:
    """Start a message to every address, in order, as the outbox's passes do: on the
    slots free now, none to a busy address (nor two to one address at once), and
    otherwise sleeping until the soonest may start. Who started when."""
    waiting = list(addresses)
    starts: list[tuple[str, float]] = []
    while waiting:
        slots = limiter.reserve(len(waiting))
        busy = set(limiter.busy())
        ready: list[str] = []
        for address in waiting:
            if len(ready) < slots and address not in busy and address not in ready:
                ready.append(address)
        limiter.give_back(slots - len(ready))
        for address in ready:
            limiter.take_address(address)
            waiting.remove(address)
            starts.append((address, clock.monotonic()))
        if not ready:
            await clock.sleep(min(limiter.delay(address) for address in waiting))
    return starts


def test_a_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    bucket = TokenBucket(rate=2.0, capacity=3.0, now=0.0)
    for _ in range(3):
        assert bucket.wait(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.wait(0.0) == pytest.approx(0.5)
    assert bucket.tokens_at(100.0) == 3.0


def test_a_bucket_in_debt_waits_it_off() -> None:
    bucket = TokenBucket(rate=2.0, capacity=1.0, now=0.0)
    bucket.take(0.0, 3.0)  # an SMS of three segments
    assert bucket.wait(0.0) == pytest.approx(1.5)
    assert bucket.wait(1.5) == 0.0


async def test_telegram_sends_at_most_25_a_second_to_100_chats() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(TELEGRAM_LIMITS, clock)

    starts = [at for _, at in await start_all(limiter, clock, [str(c) for c in range(100)])]

    assert len(starts) == 100
    assert most_in_any_second(starts) == 25
    assert max(starts) - min(starts) == pytest.approx(99 / 25)


async def test_telegram_messages_to_one_chat_are_a_second_apart() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(TELEGRAM_LIMITS, clock)

    starts = await start_all(limiter, clock, ["42", "7", "42", "42"])

    chat_42 = [at for address, at in starts if address == "42"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(chat_42)]
    assert len(gaps) == 2
    assert min(gaps) >= 1 - TOLERANCE
    assert chat_42[-1] == pytest.approx(2.0)  # and no slower than that
    assert [at for address, at in starts if address == "7"] == [pytest.approx(0.04)]


async def test_sms_respects_segments_per_second() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(ChannelLimits(per_second=2.0), clock)
    starts = []
    for segments in (3, 1, 2, 1):
        [(_, at)] = await start_all(limiter, clock, ["+32470000001"])
        starts.append(at)
        limiter.charge("+32470000001", segments - 1)  # from the provider's receipt

    # Each message waits until the previous one's segments are paid at 2 a second.
    assert starts == pytest.approx([0.0, 1.5, 2.0, 3.0])


def test_a_pause_holds_every_address_and_charges_nothing() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(TELEGRAM_LIMITS, clock)
    limiter.pause(3.0)

    assert limiter.delay("1") == pytest.approx(3.0)
    assert limiter.delay() == pytest.approx(3.0)
    assert limiter.reserve(5) == 0
    clock.advance(3.0)
    assert limiter.delay() == 0.0
    assert limiter.reserve(5) == 1


def test_only_the_free_slots_are_reserved_and_the_unused_come_back() -> None:
    clock = FakeClock()
    telegram = ChannelLimiter(TELEGRAM_LIMITS, clock)
    sms = ChannelLimiter(ChannelLimits(per_second=1.0, burst=3.0), clock)

    assert telegram.reserve(50) == 1  # one now, then one every 40 ms
    assert telegram.reserve(50) == 0
    assert telegram.delay() == pytest.approx(0.04)
    telegram.give_back(1)  # the claim found nothing to send
    assert telegram.delay() == 0.0
    assert sms.reserve(2) == 2
    sms.give_back(5)
    assert sms.reserve(50) == 3  # never more than the burst
    sms.charge("+32470000001", 2)  # one long SMS just went
    clock.advance(4.0)
    assert sms.reserve(50) == 2


def test_an_address_is_busy_until_its_own_limit_lets_it_start() -> None:
    clock = FakeClock()
    telegram = ChannelLimiter(TELEGRAM_LIMITS, clock)
    sms = ChannelLimiter(ChannelLimits(per_second=1.0), clock)

    telegram.take_address("42")
    sms.take_address("+32470000001")  # SMS has no limit per address
    assert telegram.busy() == ["42"]
    assert sms.busy() == []
    clock.advance(0.99)
    assert telegram.busy() == ["42"]
    clock.advance(0.01)
    assert telegram.busy() == []


def test_idle_chats_are_forgotten_so_memory_stays_bounded() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(ChannelLimits(per_second=1e6, per_address_per_second=1.0), clock)
    for chat in range(5000):
        limiter.take_address(str(chat))
        clock.advance(0.01)

    assert len(limiter._addresses) <= 1024
    assert limiter.delay("4999") == pytest.approx(0.99)  # recent chats are remembered


def test_processes_share_a_channel_by_dividing_its_rate() -> None:
    shared = TELEGRAM_LIMITS.share(2)
    assert (shared.per_second, shared.per_address_per_second) == (12.5, 1.0)
    assert default_limits(sms_segments_per_second=10)["sms"] == ChannelLimits(per_second=10)
    two = default_limits(10, telegram_per_second=1000, processes=2)
    assert (two["telegram"].per_second, two["sms"].per_second) == (500, 5)


@pytest.mark.parametrize(
    "options",
    [
        {"per_second": 0},
        {"per_second": 5, "burst": 0.5},
        {"per_second": 5, "per_address_per_second": -1},
    ],
)
def test_impossible_limits_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="rates must be positive"):
        ChannelLimits(**options)
