"""How the outbox takes, holds and retries messages: one place for its timings and their reasons."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OutboxPolicy"]


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    """The outbox's timings (seconds) and sizes; the defaults suit one city's server.

    - `batch_size`: most messages of one channel in flight at once (a message
      is in flight from its claim until its outcome is committed); keeps a
      slow provider from piling up calls, each claim a short transaction, and
      bounds what a crash leaves uncertain. 200: a broadcast at Telegram's paid
      1,000 messages a second, with calls of 100-150 ms and outcomes committed
      in groups, needs about that many at once; at the default 25 a second
      only a few are.
    - `lease`: how long a claimed message belongs to its sender without news
      from it. The sender renews the leases of the messages it is sending every
      `renew_every` seconds, however long the provider takes; a sender that
      dies stops renewing, and once the lease has run out another process (or
      the same one restarted) takes the message over (see
      `pbbot.storage.outbound`). Short, because a resident waits that long
      after a crash; several renewals long, so that one late renewal (a busy
      database) does not lose it.
    - `take_over_every`: how often a claim also looks for messages whose lease
      ran out (three statements on every claim otherwise, and a broadcast
      claims many times a second); such a message waits at most this much
      longer than its lease.
    - `send_timeout`: a send with no answer by then is a failed attempt.
    - `poll_interval`: with nothing to do, the loop looks again this often
      (other processes queue messages without waking this one).
    - `max_attempts`, `backoff_base`, `backoff_cap`: a transient failure is
      retried after 2, 4, 8 ... seconds (at most `backoff_cap`), and the
      message fails for good after `max_attempts` attempts.
    - `stop_grace`: on stop, sends in progress get this long to finish.
    """

    batch_size: int = 200
    lease: float = 10.0
    renew_every: float = 3.0
    take_over_every: float = 1.0
    send_timeout: float = 60.0
    poll_interval: float = 0.5
    max_attempts: int = 5
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    stop_grace: float = 10.0

    def __post_init__(self) -> None:
        if self.lease < 2 * self.renew_every or self.renew_every <= 0:
            raise ValueError(
                f"the lease ({self.lease:g}s) must last at least two renewals "
                f"(every {self.renew_every:g}s)"
            )
        if self.batch_size < 1 or self.max_attempts < 1:
            raise ValueError("batch_size and max_attempts must be at least 1")

    def backoff(self, attempts: int) -> float:
        """Seconds before the next attempt, after `attempts` failed ones."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1)))
