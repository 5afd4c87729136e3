"""How the outbox takes, holds and retries messages: one place for its timings and their reasons."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OutboxPolicy"]


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    """The outbox's timings (seconds) and sizes; the defaults suit one city's server.

    - `batch_size`: most messages of one channel claimed in one pass and in
      flight at once; keeps each claim a short, cheap transaction.
    - `lease`: how long a claimed message belongs to its sender. A sender that
      dies leaves its messages `sending`; once the lease runs out they are
      claimed again (at the risk of a duplicate, see `pbbot.storage.outbound`).
      It must outlast the longest a live sender holds one: the wait for the
      limiter plus the send itself, or a slow sender's message would be sent
      twice.
    - `max_limiter_wait`: a claimed message waits this long at most for its
      channel's or chat's limit; if it would wait longer (the provider asked
      for a pause), it goes back to the queue, not counted as an attempt.
    - `send_timeout`: a send with no answer by then is a failed attempt.
    - `claim_horizon`: a channel claims only what its limit lets it start
      within this many seconds, so that claimed messages do not queue in memory.
    - `poll_interval`: with nothing to do, the loop looks again this often
      (other processes queue messages without waking this one).
    - `max_attempts`, `backoff_base`, `backoff_cap`: a transient failure is
      retried after 2, 4, 8 ... seconds (at most `backoff_cap`), and the
      message fails for good after `max_attempts` attempts.
    - `stop_grace`: on stop, sends in progress get this long to finish.
    """

    batch_size: int = 50
    lease: float = 90.0
    max_limiter_wait: float = 10.0
    send_timeout: float = 60.0
    claim_horizon: float = 2.0
    poll_interval: float = 0.5
    max_attempts: int = 5
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    stop_grace: float = 10.0

    def __post_init__(self) -> None:
        if self.lease <= self.max_limiter_wait + self.send_timeout:
            raise ValueError(
                f"the lease ({self.lease:g}s) must outlast the limiter wait and the send "
                f"({self.max_limiter_wait:g}s + {self.send_timeout:g}s)"
            )
        if self.batch_size < 1 or self.max_attempts < 1:
            raise ValueError("batch_size and max_attempts must be at least 1")

    def backoff(self, attempts: int) -> float:
        """Seconds before the next attempt, after `attempts` failed ones."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1)))
