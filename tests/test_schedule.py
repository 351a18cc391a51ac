"""Due times in UTC from a local send time: the daylight-saving days are the ones that break."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import day_end, following, local_day, next_due

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")  # 2026: clocks jump 8 March 02:00, fall 1 November
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_today_if_still_ahead_else_tomorrow() -> None:
    morning = dt.time(8, 0)
    assert next_due(morning, SHANGHAI, after=utc(2026, 11, 22, 23, 0)) == utc(2026, 11, 23, 0, 0)
    assert next_due(morning, SHANGHAI, after=utc(2026, 11, 23, 0, 0)) == utc(2026, 11, 24, 0, 0)


def test_a_time_the_spring_jump_skips_is_sent_just_after_it() -> None:
    due = next_due(dt.time(2, 30), NEW_YORK, after=utc(2026, 3, 8, 5, 0))  # 00:00 EST
    assert due == utc(2026, 3, 8, 7, 30)  # 03:30 EDT: 02:30 never happens that day
    assert local_day(due, NEW_YORK) == dt.date(2026, 3, 8)
    assert next_due(dt.time(2, 30), NEW_YORK, after=due) == utc(2026, 3, 9, 6, 30)


def test_a_time_that_happens_twice_is_sent_once() -> None:
    first = next_due(dt.time(1, 30), NEW_YORK, after=utc(2026, 11, 1, 4, 0))  # 00:00 EDT
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first of the two
    again = next_due(dt.time(1, 30), NEW_YORK, after=first)
    assert again == utc(2026, 11, 2, 6, 30)  # the next day (EST), not 01:30 EST an hour later


def test_ordinary_days_keep_the_wall_time_across_a_transition() -> None:
    before = next_due(dt.time(8, 0), NEW_YORK, after=utc(2026, 3, 7, 12, 0))
    after = next_due(dt.time(8, 0), NEW_YORK, after=before)
    assert (before, after) == (utc(2026, 3, 7, 13, 0), utc(2026, 3, 8, 12, 0))
    assert after - before == dt.timedelta(hours=23)  # the short day


@pytest.mark.parametrize(
    ("day", "hours"),
    [(dt.date(2026, 3, 8), 23), (dt.date(2026, 11, 1), 25), (dt.date(2026, 6, 1), 24)],
)
def test_a_local_day_ends_after_its_own_length(day: dt.date, hours: int) -> None:
    began = day_end(day - dt.timedelta(days=1), NEW_YORK)
    assert day_end(day, NEW_YORK) - began == dt.timedelta(hours=hours)


def test_after_downtime_the_next_one_is_todays() -> None:
    morning = dt.time(8, 0)
    due = utc(2026, 11, 20, 0, 0)  # three days ago, 08:00 in Shanghai
    now = utc(2026, 11, 23, 3, 0)  # 11:00 in Shanghai
    assert following(morning, SHANGHAI, due=due, now=now) == utc(2026, 11, 23, 0, 0)
    yesterday = utc(2026, 11, 22, 0, 0)
    assert following(morning, SHANGHAI, due=yesterday, now=now) == utc(2026, 11, 23, 0, 0)
    today = utc(2026, 11, 23, 0, 0)
    assert following(morning, SHANGHAI, due=today, now=now) == utc(2026, 11, 24, 0, 0)
