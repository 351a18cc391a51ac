"""When a chat's daily briefing is due, in UTC, from its send time and time zone.

The store keeps one UTC instant per subscription (`next_due_at`, indexed), so the dispatcher
finds the chats due now with one range query instead of one timer per chat. Converting a local
wall time to UTC is where daylight saving bites, and it happens only here:

- a send time that does not exist that day (02:30 when clocks jump from 02:00 to 03:00) is sent
  at the same distance past the jump (03:30), as `zoneinfo` resolves a missing time with fold=0;
- a send time that exists twice (01:30 when clocks fall back) is sent at its first occurrence,
  and the next one is due the following day, so a day is never briefed twice.

A briefing belongs to the chat's local day of the moment it fell due, and may be caught up
until that local day ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo

UTC: Final = dt.UTC
_INSTANT: Final = dt.timedelta(microseconds=1)


def zone_of(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """A chat's own time zone, else the bot's default (BAYBRIEF_TZ)."""
    return ZoneInfo(name) if name else default


def local_day(at: dt.datetime, zone: ZoneInfo) -> dt.date:
    return at.astimezone(zone).date()


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


def day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant a local day begins (a midnight that does not exist resolves forward)."""
    return _at(day, dt.time(0), zone)


def day_end(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant a local day is over: a briefing for it may not be sent from then on."""
    return day_start(day + dt.timedelta(days=1), zone)


def next_due(send_time: dt.time, zone: ZoneInfo, *, after: dt.datetime) -> dt.datetime:
    """The first moment strictly after `after` (UTC) at which the local clock shows
    `send_time` (resolved as the module explains)."""
    first = local_day(after, zone)
    for offset in range(3):  # today, tomorrow, and once more for a day a transition ate
        due = _at(first + dt.timedelta(days=offset), send_time, zone)
        if due > after:
            return due
    raise AssertionError(f"no {send_time} within three days of {after} in {zone.key}")


def following(
    send_time: dt.time, zone: ZoneInfo, *, due: dt.datetime, now: dt.datetime
) -> dt.datetime:
    """The occurrence after `due` that may still be briefed at `now`: the next one, unless the
    bot was down for whole days, in which case the first one of the chat's current day (which
    may itself be due already, and is then caught up at once)."""
    today_began = day_start(local_day(now, zone), zone)
    return next_due(send_time, zone, after=max(due, today_began - _INSTANT))
