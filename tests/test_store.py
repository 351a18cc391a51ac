from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.records import Due, Planned, Status
from bot.store import MIGRATIONS, Store
from tests.olddb import write_version_1

NOON = dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = Store(path)
    assert first.migrate() == len(MIGRATIONS)
    first.close()
    again = Store(path)  # opening again applies nothing twice
    version = again._db.execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS)
    assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_subscribe_updates_in_place(store: Store) -> None:
    store.subscribe(chat_id=1, send_time=dt.time(8, 0), next_due_at=NOON)
    store.set_chat(chat_id=1, timezone="Asia/Hong_Kong", script="zh-hant")
    updated = store.subscribe(
        chat_id=1, send_time=dt.time(9, 30, 5), topic="政策", thread_id=7, next_due_at=NOON
    )
    assert (updated.send_time, updated.topic, updated.thread_id) == (dt.time(9, 30, 5), "政策", 7)
    assert (updated.timezone, updated.script) == ("Asia/Hong_Kong", "zh-hant")
    assert [s.chat_id for s in store.subscriptions()] == [1]
    assert store.unsubscribe(chat_id=1)
    assert not store.unsubscribe(chat_id=1)
    assert store.timezone(chat_id=1) == "Asia/Hong_Kong"  # the chat's settings outlive it


def _planned(due: Due) -> Planned:
    """The plan the domain would make for a Shanghai chat due at NOON (its 12:00)."""
    return Planned(
        day=dt.date(2026, 11, 23),
        status=Status.PENDING,
        expires_at=NOON + dt.timedelta(hours=12),
        next_due_at=NOON + dt.timedelta(days=1),
    )


def test_a_day_is_enqueued_once(store: Store) -> None:
    day = dt.date(2026, 11, 23)
    store.subscribe(chat_id=1, send_time=dt.time(12, 0), next_due_at=NOON)
    assert store.dispatch(now=NOON - dt.timedelta(seconds=1), limit=10, plan=_planned) == 0
    assert store.dispatch(now=NOON, limit=10, plan=_planned) == 1
    store.reschedule(due=[(1, NOON)])  # due again the same day (a new /subscribe time)
    assert store.dispatch(now=NOON, limit=10, plan=_planned) == 1
    [job] = store.jobs()
    assert (job.chat_id, job.day, job.status) == (1, day, Status.PENDING)
    [claimed] = store.claim(instance="a", now=NOON, lease_until=NOON, limit=5)
    assert claimed.id == job.id
    assert (
        store.claim(instance="b", now=NOON - dt.timedelta(seconds=1), lease_until=NOON, limit=5)
        == []
    )
    store.sent(job_id=job.id, now=NOON, message_ids=[5, 6], fact_ids=["a", "b"])
    done = store.job(chat_id=1, day=day)
    assert done is not None
    assert (done.status, done.message_ids, done.attempts) == (Status.SENT, (5, 6), 1)
    assert set(store.seen(chat_id=1)) == {"a", "b"}  # recorded with the delivery


def test_migrate_chat_moves_everything(store: Store) -> None:
    day = dt.date(2026, 11, 23)
    store.subscribe(chat_id=-5, send_time=dt.time(8, 0), topic="双选会", next_due_at=NOON)
    store.set_chat(chat_id=-5, timezone="Asia/Macau")
    store.mark_seen(chat_id=-5, fact_ids=["a", "b"])
    store.dispatch(now=NOON, limit=10, plan=_planned)
    store.migrate_chat(old_chat_id=-5, new_chat_id=-1005)
    assert store.subscription(chat_id=-5) is None
    moved = store.subscription(chat_id=-1005)
    assert moved is not None
    assert (moved.topic, moved.timezone) == ("双选会", "Asia/Macau")
    assert set(store.seen(chat_id=-1005)) == {"a", "b"}
    assert store.job(chat_id=-1005, day=day) is not None
    store.reschedule(due=[(-1005, NOON)])
    store.dispatch(now=NOON, limit=10, plan=_planned)
    assert len(store.jobs(day=day)) == 1  # still one briefing that day


def test_migration_from_the_deliveries_table_keeps_everything(tmp_path: Path) -> None:
    """A database of the first schema: subscriptions survive; a briefing the old design left
    in `sending` (lost by a crash) becomes a retry; sent ones are never sent again."""
    path = tmp_path / "old.sqlite3"
    write_version_1(
        path,
        chats=[(1, None), (2, "Asia/Hong_Kong")],
        subscriptions=[(1, "08:00:00", None, None), (2, "09:30:00", "政策", 7)],
        deliveries=[
            (1, "2026-11-23", "sent", "2026-11-23T00:00:00+00:00", "2026-11-23T00:00:01+00:00",
             "[41]"),
            (2, "2026-11-23", "sending", "2026-11-23T01:30:00+00:00", None, None),
        ],
    )  # fmt: skip
    store = Store(path)
    try:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        subscriptions = store.subscriptions()
        assert [(s.chat_id, s.send_time, s.topic, s.thread_id) for s in subscriptions] == [
            (1, dt.time(8, 0), None, None),
            (2, dt.time(9, 30), "政策", 7),
        ]
        assert [s.chat_id for s in store.subscriptions(unscheduled=True)] == [1, 2]
        sent, stuck = store.jobs()
        assert (sent.status, sent.message_ids) == (Status.SENT, (41,))
        assert (stuck.status, stuck.expires_at) == (Status.RETRY, None)
        assert store.unexpiring(limit=10) == [
            (sent.id, dt.date(2026, 11, 23), None),
            (stuck.id, dt.date(2026, 11, 23), "Asia/Hong_Kong"),
        ]
    finally:
        store.close()


def test_new_facts_are_the_last_additions(store: Store) -> None:
    assert store.sync_facts(digests={"a": "1", "b": "1"}) == 0
    assert store.new_fact_ids() == set()  # a fresh install has nothing "new"
    assert store.sync_facts(digests={"a": "1", "b": "2", "c": "1"}) == 1
    assert store.new_fact_ids() == {"c"}
    assert store.sync_facts(digests={"a": "1", "c": "1"}) == 1  # a removal adds nothing
    assert store.new_fact_ids() == {"c"}
    assert store.sync_facts(digests={"a": "1", "c": "1", "d": "1"}) == 2
    assert store.new_fact_ids() == {"d"}


def test_a_failed_transaction_changes_nothing(store: Store) -> None:
    store.subscribe(chat_id=1, send_time=dt.time(8, 0), next_due_at=NOON)
    with pytest.raises(sqlite3.ProgrammingError):  # the second row cannot be bound
        store.mark_seen(chat_id=1, fact_ids=["ok", object()])  # type: ignore[list-item]
    assert store.seen(chat_id=1) == {}  # the first row was rolled back with it
