"""Time, passed in: the delivery rules (catch-up, retries, leases, day ends, pacing) are
tested on a clock the test moves, and run on the system clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware UTC (what the store records)."""
        ...

    def monotonic(self) -> float:
        """Seconds that never jump back (what pacing measures)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
