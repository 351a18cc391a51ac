"""The delivery rules on a clock the test moves, with a real store: each test that takes
`world` runs on SQLite and on PostgreSQL.

Only Telegram is replaced: `FakeTelegram` answers each send as the test scripts it, in the
domain's own terms (bot/delivery.py's SendError kinds), so 403, migration, 429, 5xx, timeouts,
crashes, catch-up and the end of a chat's day are checked in milliseconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answers import Renderer
from bot.briefing import Content
from bot.delivery import Delivery
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.outcomes import (
    Blocked,
    DeliveryConfig,
    Migrated,
    RateLimited,
    Rejected,
    SendError,
    Transient,
    Unknown,
)
from bot.pacing import Pacer
from bot.records import Status
from bot.schedule import next_due
from bot.store import Store
from bot.store.dialects import instant
from tests.clock import FakeClock
from tests.olddb import write_version_1

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DAY = dt.date(2026, 11, 23)
MORNING = dt.time(8, 0)
AT_EIGHT = dt.datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


@dataclass
class Sent:
    chat_id: int
    thread_id: int | None
    text: str
    at: float


@dataclass
class FakeTelegram:
    """Delivers unless the test queued errors for the chat; `stall` makes sends wait."""

    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    errors: defaultdict[int, list[SendError]] = field(default_factory=lambda: defaultdict(list))
    stall: asyncio.Event | None = None
    entered: int = 0  # sends that reached Telegram, answered or not
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat_id: int, thread_id: int | None, text: str) -> list[int]:
        self.entered += 1
        self.arrived.set()
        if self.stall is not None:
            await self.stall.wait()
        if self.errors[chat_id]:
            raise self.errors[chat_id].pop(0)
        self.sent.append(Sent(chat_id, thread_id, text, self.clock.monotonic()))
        return [len(self.sent)]

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


@dataclass
class World:
    clock: FakeClock
    telegram: FakeTelegram
    store: Store  # the test's own connection to the same file
    delivery: Delivery
    path: Path | str

    def subscribe(self, chat_id: int, at: dt.time = MORNING, zone: str | None = None) -> None:
        if zone:
            self.store.set_chat(chat_id=chat_id, timezone=zone)
        due = next_due(at, ZoneInfo(zone) if zone else SHANGHAI, after=self.clock.now())
        self.store.subscribe(chat_id=chat_id, send_time=at, next_due_at=due)

    async def run(self) -> None:
        """Everything that is ready now, until nothing is."""
        while await self.delivery.step():
            await self.delivery.settle()
        await self.delivery.settle()

    def status(self, chat_id: int, day: dt.date = DAY) -> Status | None:
        job = self.store.job(chat_id=chat_id, day=day)
        return job.status if job else None


def make_delivery(
    path: Path | str,
    clock: FakeClock,
    telegram: FakeTelegram,
    factbase: FactBase,
    matcher: Matcher,
    **config: float,
) -> Delivery:
    return Delivery(
        db_path=path,
        sender=telegram,
        pacer=Pacer(clock),
        content=lambda: Content(factbase, matcher.index, frozenset()),
        renderer=Renderer(html_output=True),
        default_zone=SHANGHAI,
        clock=clock,
        config=DeliveryConfig(drain=0.2, **config),  # type: ignore[arg-type]
    )


@asynccontextmanager
async def world_at(
    start: dt.datetime, path: Path | str, factbase: FactBase, matcher: Matcher
) -> AsyncIterator[World]:
    """`path`: a SQLite file or a postgresql:// URL."""
    clock = FakeClock(start)
    telegram = FakeTelegram(clock)
    store = Store(path)
    delivery = make_delivery(path, clock, telegram, factbase, matcher)
    await delivery.start(run=False)
    try:
        yield World(clock, telegram, store, delivery, path)
    finally:
        await delivery.stop()
        store.close()


@pytest.fixture
async def world(db_target: str, factbase: FactBase, matcher: Matcher) -> AsyncIterator[World]:
    async with world_at(AT_EIGHT - dt.timedelta(hours=1), db_target, factbase, matcher) as it:
        yield it


async def test_each_due_chat_gets_one_briefing_a_day(world: World) -> None:
    chats = range(1, 61)
    for chat in chats:
        world.subscribe(chat)
    world.clock.set(AT_EIGHT - dt.timedelta(seconds=1))
    await world.run()
    assert world.telegram.sent == []
    world.clock.set(AT_EIGHT)
    await world.run()
    assert sorted(s.chat_id for s in world.telegram.sent) == list(chats)
    assert "湾区AI简报 · 2026年11月23日" in world.telegram.sent[0].text
    world.clock.advance(3600)
    await world.run()
    assert len(world.telegram.sent) == 60  # once a day, however often the dispatcher looks
    subscription = world.store.subscription(chat_id=1)
    assert subscription is not None
    assert subscription.next_due_at == AT_EIGHT + dt.timedelta(days=1)
    assert len(world.store.seen(chat_id=1)) >= 5
    world.clock.set(AT_EIGHT + dt.timedelta(days=1))
    await world.run()
    assert len(world.telegram.sent) == 120
    assert "2026年11月24日" in world.telegram.sent[-1].text


async def test_a_broadcast_is_paced_in_every_second(world: World) -> None:
    for chat in range(1, 101):
        world.subscribe(chat)
    world.clock.set(AT_EIGHT)
    await world.run()
    times = sorted(s.at for s in world.telegram.sent)
    assert len(times) == 100
    assert max(sum(1 for u in times if t <= u < t + 1) for t in times) <= 28


async def test_blocked_chat_is_unsubscribed_and_not_retried(world: World) -> None:
    world.subscribe(7)
    world.telegram.errors[7].append(Blocked("Forbidden: bot was blocked by the user"))
    world.clock.set(AT_EIGHT)
    await world.run()
    assert world.status(7) is Status.FAILED
    assert world.store.subscription(chat_id=7) is None
    world.clock.advance(6 * 3600)
    await world.run()
    assert world.telegram.to(7) == []


async def test_rejected_request_is_failed_not_retried(world: World) -> None:
    world.subscribe(7)
    world.telegram.errors[7].append(Rejected("Bad Request: chat not found"))
    world.clock.set(AT_EIGHT)
    await world.run()
    world.clock.advance(6 * 3600)
    await world.run()
    job = world.store.job(chat_id=7, day=DAY)
    assert job is not None
    assert (job.status, job.attempts, job.error) == (
        Status.FAILED,
        1,
        "Rejected: Bad Request: chat not found",
    )
    assert world.store.subscription(chat_id=7) is not None  # a 400 is ours, not the chat's


async def test_429_waits_for_retry_after(world: World) -> None:
    world.subscribe(7)
    world.telegram.errors[7].append(RateLimited(30))
    world.clock.set(AT_EIGHT)
    started = world.clock.monotonic()
    await world.run()
    job = world.store.job(chat_id=7, day=DAY)
    assert job is not None
    assert job.status is Status.RETRY
    world.clock.advance(29)
    await world.run()
    assert world.telegram.to(7) == []
    world.clock.advance(2)
    await world.run()
    assert [s.at - started for s in world.telegram.to(7)] == [pytest.approx(31, abs=0.01)]
    [counts] = world.store.counts(since=DAY, now=world.clock.now())
    assert (counts.due, counts.sent, counts.retried, counts.lost) == (1, 1, 1, 0)


async def test_network_errors_are_retried_with_backoff_until_the_day_ends(world: World) -> None:
    world.subscribe(7)
    world.telegram.errors[7].extend(Transient("Bad Gateway") for _ in range(1000))
    world.clock.set(AT_EIGHT)
    attempts = []
    while world.status(7) in (Status.PENDING, Status.RETRY, None):
        await world.run()
        job = world.store.job(chat_id=7, day=DAY)
        assert job is not None
        attempts.append(world.clock.now())
        if job.status is Status.RETRY:
            assert job.expires_at is not None
            world.clock.set(min(ready_at(world, job.id), job.expires_at))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert 1.5 <= gaps[0] <= 2.5  # about 2 s, then doubling
    assert 3 <= gaps[1] <= 5
    assert max(gaps) <= 300 * 1.25  # capped at five minutes
    assert world.status(7) is Status.EXPIRED  # its day (Shanghai) ended: lost, not sent late
    [counts] = world.store.counts(since=DAY, now=world.clock.now())
    assert (counts.due, counts.sent, counts.failed, counts.lost) == (1, 0, 0, 1)
    assert world.telegram.to(7) == []


def ready_at(world: World, job_id: int) -> dt.datetime:
    row = world.store._db.execute("SELECT ready_at FROM outbox WHERE id = ?", (job_id,)).fetchone()
    assert row is not None
    found = instant(row["ready_at"])  # ISO text from SQLite, a datetime from PostgreSQL
    assert found is not None
    return found


async def test_a_timeout_is_unknown_and_retried(world: World) -> None:
    world.subscribe(7)
    world.telegram.errors[7].append(Unknown("Timed out"))
    world.clock.set(AT_EIGHT)
    await world.run()
    job = world.store.job(chat_id=7, day=DAY)
    assert job is not None
    assert (job.status, job.unknown) == (Status.RETRY, 1)  # not failed: it may have arrived
    world.clock.advance(3)
    await world.run()
    [counts] = world.store.counts(since=DAY, now=world.clock.now())
    assert (counts.sent, counts.unknown, counts.failed) == (1, 1, 0)


async def test_a_migrated_group_gets_its_briefing_at_the_new_id_once(world: World) -> None:
    world.subscribe(-5)
    world.store.mark_seen(chat_id=-5, fact_ids=["techschools-count"])
    world.telegram.errors[-5].append(Migrated(-1005))
    world.clock.set(AT_EIGHT)
    await world.run()
    assert [s.chat_id for s in world.telegram.sent] == [-1005]
    assert world.store.subscription(chat_id=-5) is None
    assert world.store.subscription(chat_id=-1005) is not None
    assert "techschools-count" in world.store.seen(chat_id=-1005)
    job = world.store.job(chat_id=-1005, day=DAY)
    assert job is not None
    assert (job.status, job.migrated_from) == (Status.SENT, -5)


async def test_a_second_migration_of_one_briefing_is_not_followed(world: World) -> None:
    world.subscribe(-5)
    world.telegram.errors[-5].append(Migrated(-1005))
    world.telegram.errors[-1005].append(Migrated(-5))  # a loop: Telegram would never, but
    world.clock.set(AT_EIGHT)
    await world.run()
    job = world.store.job(chat_id=-1005, day=DAY)
    assert job is not None
    assert job.status is Status.FAILED
    assert world.telegram.sent == []


async def test_migrating_into_a_chat_that_already_had_today_sends_nothing(world: World) -> None:
    world.subscribe(-1005)
    world.clock.set(AT_EIGHT)
    await world.run()
    assert [s.chat_id for s in world.telegram.sent] == [-1005]
    world.subscribe(-5, at=dt.time(9, 0))
    world.telegram.errors[-5].append(Migrated(-1005))
    world.clock.set(AT_EIGHT + dt.timedelta(hours=1))
    await world.run()
    assert [s.chat_id for s in world.telegram.sent] == [-1005]
    assert world.status(-5) is None


async def test_a_dead_senders_lease_is_taken_over_when_it_expires(world: World) -> None:
    world.subscribe(7)
    world.clock.set(AT_EIGHT)
    await world.delivery.dispatch()
    lease = dt.timedelta(seconds=world.delivery.config.lease)
    [claimed] = world.store.claim(
        instance="dead:1", now=world.clock.now(), lease_until=world.clock.now() + lease, limit=10
    )  # and then the process holding it was killed
    world.clock.advance(lease.total_seconds() - 1)
    await world.run()
    assert world.telegram.sent == []
    world.clock.advance(2)
    await world.run()
    assert [s.chat_id for s in world.telegram.sent] == [7]
    assert world.status(7) is Status.SENT
    assert (
        world.store.finish(
            job_id=claimed.id,
            instance="dead:1",
            status=Status.FAILED,
            now=world.clock.now(),
            error="late",
        )
        is False
    )  # a holder whose lease was taken over can no longer change the row


async def test_a_briefing_missed_while_down_is_caught_up_that_day_only(world: World) -> None:
    world.subscribe(7)
    world.subscribe(8, at=dt.time(23, 0))
    world.clock.set(AT_EIGHT + dt.timedelta(hours=3))  # the bot was down at 08:00
    await world.run()
    assert [s.chat_id for s in world.telegram.sent] == [7]
    # Down from before 23:00 until after midnight: chat 8's day ended unsent.
    world.clock.set(dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 00:30 the next day
    await world.run()
    assert world.status(8) is Status.EXPIRED
    assert world.telegram.to(8) == []
    [today] = world.store.counts(since=DAY, now=world.clock.now())
    assert (today.due, today.sent, today.lost) == (2, 1, 1)
    subscription = world.store.subscription(chat_id=8)
    assert subscription is not None
    assert subscription.next_due_at == dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


async def test_days_of_downtime_skip_to_today(world: World) -> None:
    world.subscribe(7)
    world.clock.set(AT_EIGHT + dt.timedelta(days=3, hours=2))
    await world.run()
    assert [s.chat_id for s in world.telegram.sent] == [7]
    assert "2026年11月26日" in world.telegram.sent[0].text
    assert world.status(7, DAY) is Status.EXPIRED  # the first missed day is counted lost
    assert world.status(7, DAY + dt.timedelta(days=1)) is None  # later ones are not recorded


async def test_daylight_saving_days_are_briefed_once_at_local_time(
    tmp_path: Path, factbase: FactBase, matcher: Matcher
) -> None:
    start = dt.datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    async with world_at(start, tmp_path / "baybrief.sqlite3", factbase, matcher) as world:
        world.subscribe(7, at=dt.time(1, 30), zone="America/New_York")
        for _ in range(3 * 48):  # every half hour for three days around the fall-back
            world.clock.advance(1800)
            await world.run()
        sent = [start + dt.timedelta(seconds=s.at) for s in world.telegram.sent]
    assert [at.astimezone(new_york).strftime("%d %H:%M %Z") for at in sent] == [
        "01 01:30 EDT",  # the first 01:30 of the day that has two; not again at 01:30 EST
        "02 01:30 EST",
        "03 01:30 EST",
    ]


async def test_unsubscribed_before_sending_is_cancelled(world: World) -> None:
    world.subscribe(7)
    world.clock.set(AT_EIGHT)
    await world.delivery.dispatch()
    world.store.unsubscribe(chat_id=7)
    await world.run()
    assert world.telegram.sent == []
    assert world.status(7) is Status.CANCELLED


async def test_stop_finishes_what_is_in_flight_and_leaves_the_rest_pending(
    tmp_path: Path, factbase: FactBase, matcher: Matcher
) -> None:
    clock = FakeClock(AT_EIGHT)
    telegram = FakeTelegram(clock, stall=asyncio.Event())
    path = tmp_path / "baybrief.sqlite3"
    store = Store(path)
    for chat in range(1, 41):
        store.subscribe(chat_id=chat, send_time=MORNING, next_due_at=AT_EIGHT)
    delivery = make_delivery(path, clock, telegram, factbase, matcher)
    await delivery.start(run=False)
    await delivery.step()
    async with asyncio.timeout(10):
        while telegram.entered < 16:  # the claimed sends reach Telegram, which stalls
            telegram.arrived.clear()
            await telegram.arrived.wait()
    claimed = [j for j in store.jobs(day=DAY) if j.status is Status.SENDING]
    assert len(claimed) == 16  # max_in_flight: the duplicate bound of a crash at this moment
    await delivery.stop()  # Telegram never answers: the drain period ends, sends are abandoned
    jobs = store.jobs(day=DAY)
    assert {j.status for j in jobs} == {Status.PENDING, Status.RETRY}
    retried = [j for j in jobs if j.status is Status.RETRY]
    assert all(j.unknown == 1 for j in retried)  # were with Telegram: maybe delivered
    assert len(retried) <= 16
    store.close()

    telegram.stall = None  # restarted: everything goes out, nothing twice
    again = make_delivery(path, clock, telegram, factbase, matcher)
    await again.start(run=False)
    clock.advance(10)
    while await again.step():
        await again.settle()
    await again.stop()
    assert sorted(s.chat_id for s in telegram.sent) == list(range(1, 41))


async def test_counts_for_the_operator(world: World) -> None:
    for chat in (1, 2, 3, 4):
        world.subscribe(chat)
    world.telegram.errors[2].append(Blocked("blocked"))
    world.telegram.errors[3].append(Transient("reset"))
    world.clock.set(AT_EIGHT)
    await world.run()
    [counts] = await world.delivery.counts()
    assert (counts.day, counts.due, counts.sent, counts.failed, counts.pending) == (
        DAY,
        4,
        2,
        1,
        1,
    )
    assert (counts.retried, counts.lost) == (0, 0)
    world.clock.advance(5)
    await world.run()
    [counts] = await world.delivery.counts()
    assert (counts.sent, counts.retried, counts.pending) == (3, 1, 0)


async def test_an_upgraded_database_briefs_as_before(
    tmp_path: Path, factbase: FactBase, matcher: Matcher
) -> None:
    """The first schema's subscriptions get due times, and its stuck `sending` row (a crash
    lost it) is sent; the one it had sent is not sent again."""
    write_version_1(
        tmp_path / "baybrief.sqlite3",
        chats=[(1, None), (2, "Asia/Hong_Kong"), (3, None)],
        subscriptions=[(1, "08:00:00", None, None), (2, "09:30:00", None, 7),
                       (3, "20:00:00", None, None)],
        deliveries=[
            (1, "2026-11-23", "sent", "2026-11-23T00:00:00+00:00", "2026-11-23T00:00:01+00:00",
             "[41]"),
            (2, "2026-11-23", "sending", "2026-11-23T01:30:00+00:00", None, None),
        ],
    )  # fmt: skip
    start = AT_EIGHT + dt.timedelta(hours=3)  # 11:00 in Shanghai and Hong Kong
    async with world_at(start, tmp_path / "baybrief.sqlite3", factbase, matcher) as world:
        await world.run()
        assert [(s.chat_id, s.thread_id) for s in world.telegram.sent] == [(2, 7)]
        [one, two, three] = world.store.subscriptions()
        assert one.next_due_at == AT_EIGHT + dt.timedelta(days=1)
        assert two.next_due_at == dt.datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
        assert three.next_due_at == dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
        job = world.store.job(chat_id=2, day=DAY)
        assert job is not None
        assert job.expires_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
