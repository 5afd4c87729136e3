"""Guards on cost and load: the updates the pipeline does not take on.

The pipeline asks before an update takes a place in a lane, so what a guard
turns away costs no more than the check; the webhook still answers 200, so
the channel does not send it again.

- An SMS from a number outside the allowed prefixes (`PBBOT_SMS_COUNTRIES`,
  by default the edition's country). Every SMS answered costs a paid reply,
  and SMS pumping sends messages from premium-rate numbers abroad so that a
  service pays to answer them. Not stored: nothing of it is needed later.
  Counted in the log by calling code, never with the number.
- More than `inbound_per_minute` messages from one resident in a minute
  (a burst of that many, then that many a minute): the others are neither
  stored nor processed, so one sender cannot fill the lanes that every other
  resident's first reply waits in. Logged once a minute for that resident.
- An SMS from a number that was sent `sms_replies_per_hour` replies in the
  last hour (a pumping loop, an answering machine that answers every reply):
  not stored or processed, so no reply is queued, until the hour has passed.
  The conversation stays where it was, so the resident's next message
  answers what they last saw. Counted in the outbox, so it holds across
  restarts and processes; logged once an hour per number, masked.

The per-resident limit counts in this process's memory: processes sharing a
database each allow a resident their own share.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Hashable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.sms.inbound import CHANNEL as SMS
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Inbound
from pbbot.domain.phones import calling_code, calling_code_of
from pbbot.outbox.limits import TokenBucket
from pbbot.settings import DEFAULT_INBOUND_PER_MINUTE, DEFAULT_SMS_REPLIES_PER_HOUR, Settings
from pbbot.storage.limits import replies_since

__all__ = ["Guards", "guards_for", "masked"]

_log = logging.getLogger(__name__)
_MINUTE = 60.0
_HOUR = 3600.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Guards:
    def __init__(
        self,
        *,
        sms_prefixes: Collection[str] = (),
        inbound_per_minute: int = DEFAULT_INBOUND_PER_MINUTE,
        sms_replies_per_hour: int = DEFAULT_SMS_REPLIES_PER_HOUR,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
    ):
        """`sms_prefixes`: the starts of the numbers answered ("+32"; "+" for
        all); none, the default, answers no SMS. The hourly reply limit counts
        in the database of `sessionmaker`, which SMS therefore needs."""
        if sms_prefixes and sessionmaker is None:
            raise ValueError("answering SMS needs the database the reply limit counts in")
        self._prefixes = tuple(sms_prefixes)
        self._per_minute = inbound_per_minute
        self._per_hour = sms_replies_per_hour
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._now = now
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._swept_at = clock()
        self._said_busy = _OncePer(_MINUTE, clock)
        self._said_silenced = _OncePer(_HOUR, clock)
        self._foreign: Counter[str] = Counter()  # by calling code, this hour
        self._foreign_since: float | None = None

    def admit(self, inbound: Inbound) -> bool:
        """Whether the pipeline takes the message on; False: answer it, do nothing."""
        if inbound.channel == SMS and not inbound.address.startswith(self._prefixes):
            self._count_foreign(inbound.address)
            return False
        resident = (inbound.channel, inbound.address)
        now = self._clock()
        self._sweep(now)
        bucket = self._buckets.get(resident)
        if bucket is None:
            bucket = self._buckets[resident] = TokenBucket(
                self._per_minute / _MINUTE, self._per_minute, now
            )
        if bucket.tokens_at(now) < 1:
            if self._said_busy.due(resident):
                _log.warning(
                    "%s resident %s sent more than %d messages in a minute: "
                    "the others are not processed",
                    inbound.channel,
                    masked(inbound.address),
                    self._per_minute,
                )
            return False
        bucket.take(now)
        return True

    async def silenced(self, inbounds: Collection[Inbound]) -> set[tuple[str, str]]:
        """The residents (channel, address) among the senders of `inbounds` whose
        SMS number had its replies for the hour."""
        numbers = {inbound.address for inbound in inbounds if inbound.channel == SMS}
        if not numbers or self._sessionmaker is None:
            return set()
        async with self._sessionmaker() as session:
            counts = await replies_since(
                session, SMS, numbers, since=self._now() - timedelta(seconds=_HOUR)
            )
        over = {number for number, count in counts.items() if count >= self._per_hour}
        for number in sorted(over):
            if self._said_silenced.due(number):
                _log.warning(
                    "SMS number %s was sent %d replies in the last hour: its messages get "
                    "no reply until the hour has passed",
                    masked(number),
                    self._per_hour,
                )
        return {(SMS, number) for number in over}

    def _sweep(self, now: float) -> None:
        # A bucket full again is the same as none: forget those, once a minute,
        # so a flood of new residents costs memory for a minute only.
        if now - self._swept_at >= _MINUTE:
            self._buckets = {
                key: bucket for key, bucket in self._buckets.items() if not bucket.is_full(now)
            }
            self._swept_at = now

    def _count_foreign(self, number: str) -> None:
        # A pumping attack sends thousands: a line at the 1st, 10th, 100th, ...
        # of each hour, so the log shows how many without one line for each.
        now = self._clock()
        if self._foreign_since is None or now - self._foreign_since >= _HOUR:
            self._foreign.clear()
            self._foreign_since = now
        code = calling_code_of(number)
        self._foreign[f"+{code}" if code else "unknown"] += 1
        total = self._foreign.total()
        if total == 10 ** (len(str(total)) - 1):
            _log.warning(
                "not answered: %d SMS this hour from outside PBBOT_SMS_COUNTRIES (%s), "
                "by calling code: %s",
                total,
                ",".join(self._prefixes) or "none allowed",
                ", ".join(f"{code} {n}" for code, n in self._foreign.most_common()),
            )


class _OncePer:
    """Whether something is due to be said again about a key: once per `seconds`."""

    def __init__(self, seconds: float, clock: Callable[[], float]):
        self._seconds = seconds
        self._clock = clock
        self._said: dict[Hashable, float] = {}

    def due(self, key: Hashable) -> bool:
        now = self._clock()
        if len(self._said) > 1024:  # forget what is due again anyway
            self._said = {k: t for k, t in self._said.items() if now - t < self._seconds}
        said = self._said.get(key)
        if said is not None and now - said < self._seconds:
            return False
        self._said[key] = now
        return True


def masked(address: str) -> str:
    """A phone number or chat id for a log line: enough to tell two apart, not to call one."""
    return f"{address[:3]}…{address[-2:]}" if len(address) > 6 else "…"


def guards_for(
    settings: Settings, edition: Edition, sessionmaker: async_sessionmaker[AsyncSession]
) -> Guards:
    """The server's guards: SMS prefixes from `PBBOT_SMS_COUNTRIES`, else the
    edition's country; with neither, no SMS is answered (a warning says so)."""
    twilio = settings.twilio
    prefixes: tuple[str, ...] = ()
    if twilio is not None and twilio.countries is not None:
        prefixes = twilio.countries
    elif twilio is not None and edition.country and (code := calling_code(edition.country)):
        prefixes = (f"+{code}",)
    elif twilio is not None:
        _log.warning(
            "no SMS is answered: set PBBOT_SMS_COUNTRIES or the edition's country (%s)",
            edition.source,
        )
    return Guards(
        sms_prefixes=prefixes,
        inbound_per_minute=settings.inbound_per_minute,
        sms_replies_per_hour=twilio.replies_per_hour if twilio else DEFAULT_SMS_REPLIES_PER_HOUR,
        sessionmaker=sessionmaker,
    )
