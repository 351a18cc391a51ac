"""A clock the test moves: sleeping on it advances it, so hours of retries run in milliseconds."""

from __future__ import annotations

import asyncio
import datetime as dt


class FakeClock:
    def __init__(self, start: dt.datetime) -> None:
        self._start = start
        self.elapsed = 0.0

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        """Concurrent sleepers each wake at their own target, as on a real clock."""
        target = self.elapsed + max(seconds, 0.0)
        await asyncio.sleep(0)
        self.elapsed = max(self.elapsed, target)

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds

    def set(self, at: dt.datetime) -> None:
        """Move to `at` (never backwards)."""
        self.elapsed = max(self.elapsed, (at - self._start).total_seconds())
