"""One pacer for everything the bot sends, so a broadcast never crowds out a reader's answer.

Telegram allows about 30 messages a second in bulk and 20 a minute in one group, and answers
more with 429 and a flood wait for the whole bot. A leaky bucket (PTB's AIORateLimiter, via
aiolimiter) keeps the *average* under the limit but lets a full bucket go out at once after a
pause, so a single second can carry twice the limit. This pacer keeps a log of grants and
allows one only while the last second holds fewer than the limit: *every* sliding second,
not the average, stays under it.

Briefings ("bulk") may use the broadcast rate (28 a second by default), evenly spaced (1/28 s
apart): a burst of 28 at the start of each second would be just as legal in the log, but the
requests of a burst queue behind each other on the way, arrive spread out, and the burst of
the next second then lands in the same second at Telegram. Replies to readers may use the
whole limit (the broadcast rate plus a reserve of 2) without spacing. So while a broadcast
runs at full speed, every second still has room for readers' answers, and a question is
answered at once instead of queueing behind thousands of briefings. A 429 holds everything
for its retry_after.

Several instances of the bot are one bot to Telegram: `share(n)` gives each of n live
instances its n-th of every limit (bot/delivery.py counts them through the store), so the
instances together keep to the limits, and the survivors speed up when one goes away.

Single-threaded by design: every grant is decided between two awaits on the event loop.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from bot.clock import Clock

SECOND: Final = 1.0
MINUTE: Final = 60.0
TELEGRAM_PER_SECOND: Final = 30
TELEGRAM_PER_GROUP_MINUTE: Final = 20
RESERVE_PER_SECOND: Final = 2  # of every second's limit, kept for replies during a broadcast
_EPSILON: Final = 1e-3  # wake just after a grant leaves the window, not just before

ChatKey = int | str


def is_group(chat_id: ChatKey) -> bool:
    """Groups and channels have negative ids (or an @username); their limit is per minute."""
    return isinstance(chat_id, str) or chat_id < 0


class Pacer:
    def __init__(
        self,
        clock: Clock,
        *,
        bulk_per_second: int = TELEGRAM_PER_SECOND - RESERVE_PER_SECOND,
        reserve_per_second: int = RESERVE_PER_SECOND,
        group_per_minute: int = TELEGRAM_PER_GROUP_MINUTE,
    ) -> None:
        if bulk_per_second < 1 or reserve_per_second < 0 or group_per_minute < 1:
            raise ValueError("pacing limits must be positive")
        self._clock = clock
        self._whole = (bulk_per_second, bulk_per_second + reserve_per_second, group_per_minute)
        self.bulk_per_second = bulk_per_second
        self.per_second = bulk_per_second + reserve_per_second
        self.group_per_minute = group_per_minute
        self.instances = 1
        self._granted: deque[float] = deque()
        self._groups: dict[ChatKey, deque[float]] = {}
        self._held_until = 0.0
        self._last_bulk = float("-inf")

    def share(self, instances: int) -> None:
        """This process is one of `instances` sending as the same bot: take its share of each
        limit (at least one a second, and a reply above the broadcast's rate)."""
        self.instances = n = max(1, instances)
        bulk, every, group = self._whole
        self.bulk_per_second = max(1, bulk // n)
        self.per_second = max(self.bulk_per_second + 1, every // n)
        self.group_per_minute = max(1, group // n)

    def hold(self, seconds: float) -> None:
        """Telegram said 429: nothing is sent by anyone until `seconds` have passed."""
        self._held_until = max(self._held_until, self._clock.monotonic() + seconds)

    def group_wait(self, chat_id: ChatKey) -> float:
        """Seconds until this group may receive another message (0 for private chats)."""
        if not is_group(chat_id):
            return 0.0
        log = self._groups.get(chat_id)
        now = self._clock.monotonic()
        if log is None:
            return 0.0
        _expire(log, now - MINUTE)
        if len(log) < self.group_per_minute:
            return 0.0
        return log[0] + MINUTE - now + _EPSILON

    def wait(self, chat_id: ChatKey | None, *, bulk: bool) -> float:
        """Seconds until a message to `chat_id` may go out; 0 means now. A request that is
        no message (`chat_id` None: a read, an answer to a button) only waits out a 429."""
        now = self._clock.monotonic()
        if now < self._held_until:
            return self._held_until - now
        if chat_id is None:
            return 0.0
        _expire(self._granted, now - SECOND)
        limit = self.bulk_per_second if bulk else self.per_second
        second = 0.0
        if len(self._granted) >= limit:
            second = self._granted[len(self._granted) - limit] + SECOND - now + _EPSILON
        spacing = self._last_bulk + SECOND / self.bulk_per_second - now if bulk else 0.0
        return max(second, spacing, self.group_wait(chat_id))

    def take(self, chat_id: ChatKey | None, *, bulk: bool = False) -> None:
        if chat_id is None:
            return  # not a message: Telegram's message limits do not count it
        now = self._clock.monotonic()
        self._granted.append(now)
        if bulk:  # on a grid: a wake-up that came late does not push back every later one
            interval = SECOND / self.bulk_per_second
            self._last_bulk = max(self._last_bulk + interval, now - interval / 2)
        if is_group(chat_id):
            self._groups.setdefault(chat_id, deque()).append(now)
            if len(self._groups) > 1024:  # forget groups that sent nothing for a minute
                for key in [
                    k for k, log in self._groups.items() if not log or log[-1] <= now - MINUTE
                ]:
                    del self._groups[key]

    async def acquire(self, chat_id: ChatKey | None, *, bulk: bool) -> None:
        """Wait for a grant and take it: `bulk` for briefings, otherwise a reply."""
        while (delay := self.wait(chat_id, bulk=bulk)) > 0:
            await self._clock.sleep(delay)
        self.take(chat_id, bulk=bulk)


def _expire(log: deque[float], before: float) -> None:
    while log and log[0] <= before:
        log.popleft()
