"""Daily briefings that are never lost: one dispatcher, an at-least-once outbox, retries.

The dispatcher finds the subscriptions due now from their indexed `next_due_at` (UTC, see
bot/schedule.py) and writes one outbox row per chat and local day (unique), advancing each
subscription in the same transaction. Senders lease ready rows (`pending`, `retry` whose time
came, `sending` whose lease ran out), compose each briefing just before sending it, pace it
(bot/pacing.py), send it, and record the outcome:

    pending ─claim─▶ sending (lease) ─▶ sent
                        │   ├─▶ failed    403 (the chat is unsubscribed), other 400s
                        │   └─▶ retry ──(retry_at)──▶ sending …   429, 5xx, network, timeout
                        └─ lease runs out (the process died) ─▶ claimed again
    any unsent row ─(the chat's local day ends)─▶ expired: counted as lost

At least once: a row leaves `sending` only by a recorded outcome or by its lease running out,
so a crash at any moment loses nothing. At most once more per crash and per unknown outcome:
the only briefings that can arrive twice are those whose request was in flight when the
process died (at most `max_in_flight`, as rows are claimed only for free slots), and those
whose request timed out (a timeout is "unknown": Telegram may have delivered it, and a
briefing is retried rather than lost).

Catch-up after downtime is the same path: due subscriptions and ready rows are simply found
later, and are sent until the chat's day ends. Store calls run on the delivery's own thread
and connection, so a broadcast never holds up the event loop. What each outcome leads to is
bot/outcomes.py's (pure rules); this module runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import secrets
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot import metrics
from bot.answers import Renderer
from bot.briefing import Content, compose
from bot.clock import Clock
from bot.outcomes import (
    Decision,
    DeliveryConfig,
    Migrated,
    Sender,
    SendError,
    Transient,
    Unknown,
    decide,
    plan,
)
from bot.pacing import Pacer
from bot.records import DayCounts, Job, Status
from bot.schedule import day_end, day_start, local_day, next_due, zone_of
from bot.store import Store

log = logging.getLogger("baybrief.delivery")
T = TypeVar("T")
_OUTCOMES = {Status.RETRY: "retried"}  # the metric's label for an outcome; else its status


def counts_line(counts: DayCounts) -> str:
    return (
        f"briefings {counts.day}: due {counts.due}, sent {counts.sent}, "
        f"retried {counts.retried}, failed {counts.failed}, lost {counts.lost}, "
        f"pending {counts.pending}, cancelled {counts.cancelled}, unknown {counts.unknown}"
    )


# -- the engine ------------------------------------------------------------------------------


class StoreThread:
    """The delivery's own store connection, used only from its own thread, in call order."""

    def __init__(self, path: Path | str) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="baybrief-delivery")
        self._store: Store | None = None

    async def open(self) -> None:
        self._store = await asyncio.get_running_loop().run_in_executor(
            self._executor, Store, self._path
        )

    async def run(self, call: Callable[[Store], T]) -> T:
        store = self._store
        if store is None:
            raise RuntimeError("the delivery store is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, store)

    async def close(self) -> None:
        if self._store is not None:
            await self.run(Store.close)
            self._store = None
        self._executor.shutdown(wait=True)


def instance_name() -> str:
    """Who holds a lease: host, process and a random part (a restarted pid is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Delivery:
    """The dispatcher and the outbox senders of one process.

    `start()` fills in what migrations could not compute, then runs one loop: dispatch the due
    subscriptions, claim ready rows for free slots, and send each in its own task. `stop()`
    sends no new briefing, waits up to `config.drain` for those in flight, and hands the rest
    back as pending. `step()` and `settle()` run the same loop body for tests.
    """

    def __init__(
        self,
        *,
        db_path: Path | str,
        sender: Sender,
        pacer: Pacer,
        content: Callable[[], Content],
        renderer: Renderer,
        default_zone: ZoneInfo,
        clock: Clock,
        config: DeliveryConfig | None = None,
        instance: str | None = None,
        only_chat: int | None = None,
    ) -> None:
        self.db = StoreThread(db_path)
        self.config = config or DeliveryConfig()
        self.instance = instance or instance_name()
        self._sender, self._pacer, self._content = sender, pacer, content
        self._renderer, self._zone, self._clock = renderer, default_zone, clock
        # The console's delivery sends only its own chat's briefings: it shares the bot's
        # store, and must never take a Telegram chat's (it dispatches every due one, as the
        # bot would: the outbox is unique per chat and day, so that changes nothing).
        self._only_chat = only_chat
        self._tasks: dict[asyncio.Task[None], Job] = {}
        self._in_request: set[int] = set()  # rows whose request is with Telegram right now
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_report: tuple[DayCounts, ...] = ()
        self._reported_at = float("-inf")
        self._pruned_on: dt.date | None = None
        self._beat_at = float("-inf")

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, *, run: bool = True) -> None:
        await self.db.open()
        await self._heartbeat()  # the pacer's share is known before the first send
        await self.backfill()
        if run:
            self._loop = asyncio.create_task(self._run(), name="baybrief-delivery")

    async def stop(self) -> None:
        """Within `config.drain` (+ a moment): in-flight sends finish, the rest stay pending."""
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            await self._loop  # ends after its current store call: a claim is never half-taken
        for task, job in list(self._tasks.items()):
            if job.id not in self._in_request:
                task.cancel()  # composing or waiting for the pacer: handed back untried
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.config.drain)
        for task in self._tasks:
            task.cancel()  # still waiting for Telegram: retried, outcome unknown
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._report(force=True)
        with contextlib.suppress(Exception):  # a lost store: the heartbeat lapses instead
            await self.db.run(lambda store: store.leave(instance=self.instance))
        await self.db.close()

    async def _run(self) -> None:
        next_dispatch = float("-inf")
        while not self._stopping:
            self._wake.clear()  # before looking, so a send finishing meanwhile wakes us
            try:
                if self._clock.monotonic() >= next_dispatch:
                    await self.dispatch()
                    await self._housekeeping()
                    next_dispatch = self._clock.monotonic() + self.config.tick
                await self.fill()
            except Exception:  # the store or a bug: log, and try again next tick
                log.exception("delivery pass failed; trying again")
            if not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.config.tick)

    async def step(self) -> int:
        """One pass: dispatch, then claim and start sends; returns the rows claimed."""
        await self.dispatch()
        return await self.fill()

    async def settle(self) -> None:
        """Wait for every send started so far (tests: after `step`)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- the dispatcher ----------------------------------------------------------------------

    async def backfill(self, chunk: int = 5000) -> None:
        """Next due times and day ends that migration 2 left empty, from time zones: O(rows
        left empty), once; nothing at an ordinary start."""

        now = self._clock.now()

        @functools.cache
        def began(zone: ZoneInfo) -> dt.datetime:  # just before the chat's today began
            return day_start(local_day(now, zone), zone) - dt.timedelta(microseconds=1)

        @functools.cache  # a few send times and zones serve most chats
        def due(send_time: dt.time, zone: ZoneInfo, after: dt.datetime) -> dt.datetime:
            return next_due(send_time, zone, after=after)

        def schedule(store: Store) -> int:
            found = store.subscriptions(unscheduled=True, limit=chunk)
            rows = []
            for sub in found:
                zone = zone_of(sub.timezone, self._zone)
                rows.append(
                    (sub.chat_id, due(sub.send_time, zone, max(sub.updated_at, began(zone))))
                )
            store.reschedule(due=rows)
            return len(found)

        def expiries(store: Store) -> int:
            found = store.unexpiring(limit=chunk)
            ends = [(i, day_end(day, zone_of(tz, self._zone))) for i, day, tz in found]
            store.set_expiry(expiries=ends)
            return len(found)

        while await self.db.run(schedule) or await self.db.run(expiries):
            pass

    async def dispatch(self) -> int:
        """Enqueue every subscription due now, in batches; returns how many."""
        total = 0
        while not self._stopping and (found := await self.db.run(self._dispatch_batch)):
            total += found  # (and a catch-up may be due at once: look again until none)
        if total:
            metrics.BRIEFINGS.labels("due").inc(total)
        return total

    def _dispatch_batch(self, store: Store) -> int:
        now = self._clock.now()
        return store.dispatch(
            now=now,
            limit=self.config.batch,
            plan=lambda due: plan(due, now=now, default_zone=self._zone),
        )

    # -- the senders -------------------------------------------------------------------------

    async def fill(self) -> int:
        """Claim ready rows for the free slots and start a send for each."""
        free = self.config.max_in_flight - len(self._tasks)
        if free <= 0 or self._stopping:
            return 0
        now = self._clock.now()
        until = now + dt.timedelta(seconds=self.config.lease)

        def claim(store: Store) -> list[Job]:
            if self._only_chat is not None:
                return store.claim_chat(
                    chat_id=self._only_chat, instance=self.instance, now=now, lease_until=until
                )
            return store.claim(instance=self.instance, now=now, lease_until=until, limit=free)

        jobs = await self.db.run(claim)
        for job in jobs:
            task = asyncio.create_task(self._deliver(job), name=f"briefing:{job.chat_id}")
            self._tasks[task] = job
            task.add_done_callback(self._done)
        return len(jobs)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._wake.set()

    async def _record(self, call: Callable[[Store], object]) -> None:
        """Outcomes are written even if the task is cancelled meanwhile (a stop)."""
        await asyncio.shield(self.db.run(call))

    async def _deliver(self, job: Job) -> None:
        try:
            await self._attempt(job)
        except asyncio.CancelledError:
            unknown = job.id in self._in_request
            self._in_request.discard(job.id)
            await self._hand_back(job, unknown=unknown)
            raise
        except Exception as error:  # a bug composing or recording: retried, never lost
            log.exception("briefing for chat %s failed unexpectedly", job.chat_id)
            await self._apply(job, self._decide(job, Transient(repr(error))))

    def _decide(self, job: Job, error: SendError) -> Decision:
        return decide(job, error, now=self._clock.now(), config=self.config)

    async def _attempt(self, job: Job) -> None:
        content = self._content()
        composed = await self.db.run(
            lambda store: compose(store, content, self._renderer, chat_id=job.chat_id, day=job.day)
        )
        if not composed.subscribed:
            await self._finish(job, Status.CANCELLED, "unsubscribed", attempted=False)
            return
        if (wait := self._pacer.group_wait(job.chat_id)) > self.config.tick:
            # A group at its 20 a minute: hand the row back for later instead of a slot.
            await self._finish(job, Status.PENDING, "group limit", attempted=False, after=wait)
            return
        await self._pacer.acquire(job.chat_id, bulk=True)
        if not await self._still_ours(job):
            return
        self._in_request.add(job.id)
        started = self._clock.monotonic()
        try:
            ids = await self._sender.send(job.chat_id, composed.thread_id, composed.text)
        except Migrated as moved:
            self._in_request.discard(job.id)
            await self._migrated(job, moved)
            return
        except SendError as error:
            self._in_request.discard(job.id)
            await self._apply(job, self._decide(job, error))
            return
        self._in_request.discard(job.id)
        metrics.BRIEFING_SEND_SECONDS.observe(self._clock.monotonic() - started)
        metrics.BRIEFINGS.labels("sent").inc()
        now = self._clock.now()
        await self._record(
            lambda store: store.sent(
                job_id=job.id, now=now, message_ids=ids, fact_ids=composed.fact_ids
            )
        )

    async def _still_ours(self, job: Job) -> bool:
        """Renew the lease if the send could outlast it (a long pacer hold after a 429)."""
        assert job.lease_until is not None
        left = (job.lease_until - self._clock.now()).total_seconds()
        if left > 2 * self.config.send_timeout:
            return True
        until = self._clock.now() + dt.timedelta(seconds=self.config.lease)
        renewed = await self.db.run(
            lambda store: store.renew(job_id=job.id, instance=self.instance, lease_until=until)
        )
        if not renewed:
            log.warning("lease on chat %s's briefing was taken over; not sending", job.chat_id)
        return renewed

    async def _migrated(self, job: Job, moved: Migrated) -> None:
        if job.migrated_from is not None:  # guarded: a briefing follows one migration only
            await self._apply(job, self._decide(job, moved))
            return
        log.info("chat %s is now supergroup %s: moving it", job.chat_id, moved.new_chat_id)
        now = self._clock.now()
        await self._record(
            lambda store: store.move_job(
                job_id=job.id, instance=self.instance, new_chat_id=moved.new_chat_id, now=now
            )
        )
        self._wake.set()

    async def _apply(self, job: Job, decision: Decision) -> None:
        if decision.hold:
            self._pacer.hold(decision.hold)
        level = logging.INFO if decision.status is Status.RETRY else logging.WARNING
        log.log(
            level, "briefing for chat %s: %s (%s)", job.chat_id, decision.status, decision.error
        )
        if decision.unsubscribe:
            log.info("chat %s blocked the bot or removed it: unsubscribing", job.chat_id)
        metrics.BRIEFINGS.labels(_OUTCOMES.get(decision.status, decision.status.value)).inc()
        if decision.unknown:
            metrics.BRIEFINGS.labels("unknown").inc()

        def record(store: Store) -> None:
            if decision.unsubscribe:
                store.unsubscribe(chat_id=job.chat_id)
            store.finish(
                job_id=job.id,
                instance=self.instance,
                status=decision.status,
                now=self._clock.now(),
                error=decision.error,
                ready_at=decision.ready_at,
                unknown=decision.unknown,
            )

        await self._record(record)

    async def _finish(
        self, job: Job, status: Status, error: str, *, attempted: bool, after: float = 0.0
    ) -> None:
        if status is Status.CANCELLED:
            metrics.BRIEFINGS.labels("cancelled").inc()
        now = self._clock.now()
        ready_at = now + dt.timedelta(seconds=after) if status is Status.PENDING else None
        await self._record(
            lambda store: store.finish(
                job_id=job.id,
                instance=self.instance,
                status=status,
                now=now,
                error=error,
                ready_at=ready_at,
                attempted=attempted,
            )
        )

    async def _hand_back(self, job: Job, *, unknown: bool) -> None:
        if unknown:  # interrupted while Telegram had it: maybe delivered
            await self._apply(job, self._decide(job, Unknown("stopped mid-send")))
        else:
            await self._finish(job, Status.PENDING, "stopped before sending", attempted=False)

    # -- what an operator reads --------------------------------------------------------------

    async def counts(self, *, days: int = 2) -> list[DayCounts]:
        now = self._clock.now()
        since = now.date() - dt.timedelta(days=days - 1)
        return await self.db.run(lambda store: store.counts(since=since, now=now))

    async def _report(self, *, force: bool = False) -> None:
        """A count line per recent day, every `report_every` seconds when something changed."""
        if not force and self._clock.monotonic() - self._reported_at < self.config.report_every:
            return
        self._reported_at = self._clock.monotonic()
        counts = tuple(await self.counts())
        if counts != self._last_report or force:
            for day in counts:
                log.info("%s", counts_line(day))
        self._last_report = counts

    async def _heartbeat(self) -> None:
        """Mark this instance alive and pace to its share of the bot's limits (bot/pacing.py):
        n instances sending as one bot keep to Telegram's limits together."""
        self._beat_at = self._clock.monotonic()
        now, alive = self._clock.now(), dt.timedelta(seconds=self.config.alive)
        live = await self.db.run(
            lambda store: store.heartbeat(instance=self.instance, now=now, alive=alive)
        )
        if live != self._pacer.instances:
            self._pacer.share(live)
            log.info("%d instance(s) sending as this bot: %d briefings a second here", live,
                     self._pacer.bulk_per_second)  # fmt: skip

    async def _housekeeping(self) -> None:
        if self._clock.monotonic() - self._beat_at >= self.config.heartbeat:
            await self._heartbeat()
        today = self._clock.now().date()
        if self._pruned_on != today:
            before = today - dt.timedelta(days=self.config.keep_days)
            pruned = await self.db.run(lambda store: store.prune(before=before))
            if pruned:
                log.info("forgot %d finished briefings before %s", pruned, before)
            self._pruned_on = today
        await self._report()
