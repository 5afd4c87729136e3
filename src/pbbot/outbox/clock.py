"""Time for the outbox: wall-clock times for the database, a monotonic clock and sleep for limits.

One object gives all three so that tests can inject a fake one and check rate
limits and backoff without sleeping.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC (stored with messages)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (rate limits measure with it)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
