"""The pacer on a moved clock: every sliding second, not the average, stays under the limit."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

import pytest

from bot.pacing import Pacer
from tests.clock import FakeClock


def busiest(times: list[float], window: float = 1.0) -> int:
    """The most grants in any window [t, t + window) starting at a grant."""
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 11, 23, tzinfo=dt.UTC))


async def test_bulk_stays_under_its_rate_in_every_second() -> None:
    time = clock()
    pacer = Pacer(time)
    granted = []
    for chat in range(1, 301):
        await pacer.acquire(chat, bulk=True)
        granted.append(time.monotonic())
    assert busiest(granted) == 28
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= 0.5 / 28 - 1e-9  # spaced on a grid: no burst at the start of a second
    assert statistics.median(gaps) == pytest.approx(1 / 28)
    assert granted[-1] - granted[0] <= 300 / 28  # and it keeps up the rate, without idling


async def test_a_reply_goes_out_at_once_while_a_broadcast_fills_the_second() -> None:
    time = clock()
    pacer = Pacer(time)
    for chat in range(1, 29):
        pacer.take(chat)  # 28 messages in one instant (replies may come that fast)
    assert pacer.wait(999, bulk=True) > 0.9  # the broadcast's share of this second is used up
    assert pacer.wait(4242, bulk=False) == 0  # a reply still has the reserve
    pacer.take(4242)
    pacer.take(4243)
    assert pacer.wait(4244, bulk=False) > 0.9  # 30 in the second: Telegram's limit, no more
    assert pacer.wait(None, bulk=False) == 0  # a request that is no message is not held


async def test_a_group_gets_twenty_a_minute() -> None:
    time = clock()
    pacer = Pacer(time)
    for _ in range(20):
        await pacer.acquire(-100, bulk=False)
    assert 59 < pacer.group_wait(-100) <= 60.01
    assert pacer.wait(-100, bulk=False) > 59
    assert pacer.wait(-200, bulk=False) == 0  # other groups and private chats are not held
    assert pacer.group_wait(7) == 0
    await pacer.acquire(-100, bulk=False)
    assert time.monotonic() >= 60


async def test_a_429_holds_everything() -> None:
    time = clock()
    pacer = Pacer(time)
    pacer.hold(5)
    assert pacer.wait(1, bulk=True) == 5
    assert pacer.wait(2, bulk=False) == 5
    await pacer.acquire(2, bulk=False)
    assert time.monotonic() == 5


async def test_a_faster_test_rate_still_keeps_the_reserve() -> None:
    pacer = Pacer(clock(), bulk_per_second=200)
    assert (pacer.bulk_per_second, pacer.per_second) == (200, 202)


async def test_instances_share_the_limits_and_the_survivor_takes_them_back() -> None:
    time = clock()
    pacer = Pacer(time)
    pacer.share(2)  # two instances send as this bot: each its half
    assert (pacer.bulk_per_second, pacer.per_second, pacer.group_per_minute) == (14, 15, 10)
    granted = []
    for chat in range(1, 101):
        await pacer.acquire(chat, bulk=True)
        granted.append(time.monotonic())
    assert busiest(granted) == 14
    pacer.share(1)  # the other one is gone
    assert (pacer.bulk_per_second, pacer.per_second, pacer.group_per_minute) == (28, 30, 20)
    pacer.share(100)  # more instances than messages a second: still one each
    assert (pacer.bulk_per_second, pacer.per_second) == (1, 2)
