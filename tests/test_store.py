"""The store's behaviour, the same on both engines: every test that takes `store` (or
`db_target`) runs once on a SQLite file and once on a real PostgreSQL (tests/pg.py)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.records import Due, Planned, Status
from bot.store import MIGRATIONS, Store
from tests.olddb import write_version_1

NOON = dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)


@pytest.fixture
def store(db_target: str) -> Iterator[Store]:
    fresh = Store(db_target)
    yield fresh
    fresh.close()


def test_migrations_are_recorded_and_idempotent(db_target: str) -> None:
    first = Store(db_target)
    assert first.migrate() == len(MIGRATIONS)
    first.close()
    again = Store(db_target)  # opening again applies nothing twice
    assert again.schema_version() == len(MIGRATIONS)
    assert again.engine == ("postgresql" if db_target.startswith("postgresql:") else "sqlite")
    again.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    try:
        mode = store._db.execute("PRAGMA journal_mode").fetchone()
        assert mode is not None
        assert mode["journal_mode"] == "wal"
    finally:
        store.close()


def test_processes_starting_at_once_migrate_once(db_target: str) -> None:
    """Instances started together each run the migrations; every step is applied once."""
    barrier, errors, versions = threading.Barrier(4), [], []

    def start() -> None:
        barrier.wait()
        try:
            opened = Store(db_target, busy_timeout=30)
            versions.append(opened.schema_version())
            opened.close()
        except Exception as error:  # recorded: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert versions == [len(MIGRATIONS)] * 4


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
        assert store.schema_version() == len(MIGRATIONS)
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
    with pytest.raises(store.errors):  # the second row cannot be bound
        store.mark_seen(chat_id=1, fact_ids=["ok", object()])  # type: ignore[list-item]
    assert store.seen(chat_id=1) == {}  # the first row was rolled back with it
    store.mark_seen(chat_id=1, fact_ids=["ok"])  # and the connection is still usable
    assert list(store.seen(chat_id=1)) == ["ok"]


def test_a_dead_holders_lease_is_taken_over(store: Store) -> None:
    """A row whose holder died comes back when its lease ends, and the dead holder's late
    outcome is refused (the row is no longer its own)."""
    store.subscribe(chat_id=1, send_time=dt.time(12, 0), next_due_at=NOON)
    store.dispatch(now=NOON, limit=10, plan=_planned)
    lease = NOON + LEASE
    [first] = store.claim(instance="a", now=NOON, lease_until=lease, limit=5)
    early = lease - dt.timedelta(seconds=1)
    assert store.claim(instance="b", now=early, lease_until=lease, limit=5) == []
    [taken] = store.claim(instance="b", now=lease, lease_until=lease + LEASE, limit=5)
    assert (taken.id, taken.claimed_by) == (first.id, "b")
    late = store.finish(job_id=first.id, instance="a", status=Status.FAILED, now=lease, error="x")
    assert not late
    assert store.renew(job_id=taken.id, instance="b", lease_until=lease + 2 * LEASE)


def test_instances_dispatch_and_claim_disjoint_rows(db_target: str) -> None:
    """Four instances dispatching and claiming at once: every subscription becomes exactly one
    outbox row, and every row is claimed by exactly one instance."""
    setup = Store(db_target)
    chats = range(1, 401)
    for chat_id in chats:
        setup.subscribe(chat_id=chat_id, send_time=dt.time(12, 0), next_due_at=NOON)
    barrier, errors = threading.Barrier(4), []
    claimed: list[tuple[str, int]] = []

    def instance(name: str) -> None:
        mine = Store(db_target, busy_timeout=30)

        def claim() -> int:
            found = mine.claim(instance=name, now=NOON, lease_until=NOON + LEASE, limit=7)
            claimed.extend((name, job.chat_id) for job in found)
            return len(found)

        try:
            barrier.wait()
            while mine.dispatch(now=NOON, limit=25, plan=_planned):
                claim()
            while claim():
                pass
        except Exception as error:  # recorded: the assertion below names it
            errors.append(error)
        finally:
            mine.close()

    threads = [threading.Thread(target=instance, args=(f"i{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(chat for _, chat in claimed) == list(chats)  # each exactly once
    assert len(setup.jobs()) == len(chats)
    assert {job.status for job in setup.jobs()} == {Status.SENDING}
    setup.close()


def test_postgresql_claims_skip_rows_another_instance_holds(pg_url: str) -> None:
    """While another transaction holds a row (an instance mid-claim), a claim takes the others
    at once instead of waiting for it: FOR UPDATE SKIP LOCKED."""
    store = Store(pg_url, busy_timeout=0.5)  # a wait would fail after 0.5 s: lock_timeout
    for chat_id in (1, 2, 3):
        store.subscribe(chat_id=chat_id, send_time=dt.time(12, 0), next_due_at=NOON)
    store.dispatch(now=NOON, limit=10, plan=_planned)
    with psycopg.connect(pg_url) as other:  # a transaction, open until the block ends
        other.execute("SELECT id FROM outbox WHERE chat_id = 2 FOR UPDATE")
        found = store.claim(instance="a", now=NOON, lease_until=NOON + LEASE, limit=10)
        assert sorted(job.chat_id for job in found) == [1, 3]
        store.subscribe(chat_id=4, send_time=dt.time(12, 0), next_due_at=NOON)
        other.execute("SELECT chat_id FROM subscriptions WHERE chat_id = 4 FOR UPDATE")
        assert store.dispatch(now=NOON, limit=10, plan=_planned) == 0  # held: not waited for
    assert store.dispatch(now=NOON, limit=10, plan=_planned) == 1
    found = store.claim(instance="a", now=NOON, lease_until=NOON + LEASE, limit=10)
    assert sorted(job.chat_id for job in found) == [2, 4]
    store.close()


def test_postgresql_reconnects_after_the_server_dropped_it(pg_url: str) -> None:
    store = Store(pg_url)
    store.set_chat(chat_id=1, timezone="Asia/Macau")
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'baybrief' AND pid <> pg_backend_pid()"
        )
    with pytest.raises(psycopg.OperationalError):
        store.timezone(chat_id=1)  # the call that finds the connection gone fails...
    assert store.timezone(chat_id=1) == "Asia/Macau"  # ...and the next one reconnects
    store.close()


def test_moving_a_chat_replaces_what_the_new_id_had(store: Store) -> None:
    store.mark_seen(chat_id=-5, fact_ids=["a", "b"])
    store.mark_seen(chat_id=-1005, fact_ids=["b", "c"])
    store.save_conversation(chat_id=-5, thread_id=None, context='{"old": 1}')
    store.save_conversation(chat_id=-1005, thread_id=None, context='{"new": 1}')
    store.subscribe(chat_id=-5, send_time=dt.time(8, 0), topic="政策", next_due_at=NOON)
    store.subscribe(chat_id=-1005, send_time=dt.time(9, 0), next_due_at=NOON)
    store.migrate_chat(old_chat_id=-5, new_chat_id=-1005)
    assert set(store.seen(chat_id=-1005)) == {"a", "b", "c"}
    assert store.conversation(chat_id=-1005, thread_id=None) == '{"old": 1}'
    moved = store.subscription(chat_id=-1005)
    assert moved is not None
    assert (moved.send_time, moved.topic) == (dt.time(8, 0), "政策")
    assert store.subscription_count() == 1


def test_the_fact_base_version_moves_only_when_the_facts_do(store: Store) -> None:
    assert store.fact_version() is None
    store.sync_facts(digests={"a": "1"})
    first = store.fact_version()
    assert first is not None
    assert first.version == 1
    store.sync_facts(digests={"a": "1"})  # another instance starting with the same facts
    assert store.fact_version() == first
    store.sync_facts(digests={"a": "2"})  # a reload that changed a fact
    second = store.fact_version()
    assert second is not None
    assert (second.version, second.digest != first.digest) == (2, True)


def test_instants_and_days_read_back_the_same_on_both_engines(store: Store) -> None:
    due = dt.datetime(2026, 11, 23, 4, 0, 0, 123456, tzinfo=dt.UTC)
    store.subscribe(chat_id=7, send_time=dt.time(12, 0, 5), next_due_at=due)
    subscription = store.subscription(chat_id=7)
    assert subscription is not None
    assert subscription.next_due_at == due
    assert subscription.next_due_at.utcoffset() == dt.timedelta(0)
    store.dispatch(now=due, limit=1, plan=_planned)
    [job] = store.jobs(day=dt.date(2026, 11, 23))
    assert (job.day, job.due_at, job.expires_at) == (
        dt.date(2026, 11, 23),
        due,
        NOON + dt.timedelta(hours=12),
    )
    store.mark_seen(chat_id=7, fact_ids=["x"])
    [first_seen] = store.seen(chat_id=7).values()
    assert dt.datetime.fromisoformat(first_seen).utcoffset() == dt.timedelta(0)
    [day] = store.counts(since=dt.date(2026, 11, 1), now=due)
    assert (day.day, day.due, day.pending) == (dt.date(2026, 11, 23), 1, 1)


def test_instances_are_counted_while_their_heartbeat_lasts(store: Store) -> None:
    alive = dt.timedelta(seconds=15)
    assert store.heartbeat(instance="a", now=NOON, alive=alive) == 1
    assert store.heartbeat(instance="b", now=NOON + dt.timedelta(seconds=5), alive=alive) == 2
    later = NOON + dt.timedelta(seconds=17)  # a's last mark is 17 s old: it died
    assert store.heartbeat(instance="b", now=later, alive=alive) == 1
    assert store.heartbeat(instance="a", now=later, alive=alive) == 2  # it came back
    store.leave(instance="a")  # a clean stop
    assert store.heartbeat(instance="b", now=later, alive=alive) == 1
