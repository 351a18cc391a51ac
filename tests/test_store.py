from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, DeliveryStatus, Store


@pytest.fixture
def store() -> Iterator[Store]:
    fresh = Store.in_memory()
    yield fresh
    fresh.close()


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
    store.subscribe(chat_id=1, send_time=dt.time(8, 0))
    store.set_chat(chat_id=1, timezone="Asia/Hong_Kong", script="zh-hant")
    updated = store.subscribe(chat_id=1, send_time=dt.time(9, 30, 5), topic="政策", thread_id=7)
    assert (updated.send_time, updated.topic, updated.thread_id) == (dt.time(9, 30, 5), "政策", 7)
    assert (updated.timezone, updated.script) == ("Asia/Hong_Kong", "zh-hant")
    assert [s.chat_id for s in store.subscriptions()] == [1]
    assert store.unsubscribe(chat_id=1)
    assert not store.unsubscribe(chat_id=1)
    assert store.timezone(chat_id=1) == "Asia/Hong_Kong"  # the chat's settings outlive it


def test_a_day_is_claimed_once(store: Store) -> None:
    day = dt.date(2026, 11, 23)
    assert store.claim_delivery(chat_id=1, day=day)
    assert not store.claim_delivery(chat_id=1, day=day)
    assert store.claim_delivery(chat_id=1, day=day + dt.timedelta(days=1))
    store.finish_delivery(chat_id=1, day=day, status=DeliveryStatus.SENT, message_ids=[5, 6])
    delivery = store.delivery(chat_id=1, day=day)
    assert delivery is not None
    assert (delivery.status, delivery.message_ids) == (DeliveryStatus.SENT, (5, 6))


def test_migrate_chat_moves_everything(store: Store) -> None:
    day = dt.date(2026, 11, 23)
    store.subscribe(chat_id=-5, send_time=dt.time(8, 0), topic="双选会")
    store.set_chat(chat_id=-5, timezone="Asia/Macau")
    store.mark_seen(chat_id=-5, fact_ids=["a", "b"])
    store.claim_delivery(chat_id=-5, day=day)
    store.migrate_chat(old_chat_id=-5, new_chat_id=-1005)
    assert store.subscription(chat_id=-5) is None
    moved = store.subscription(chat_id=-1005)
    assert moved is not None
    assert (moved.topic, moved.timezone) == ("双选会", "Asia/Macau")
    assert set(store.seen(chat_id=-1005)) == {"a", "b"}
    assert store.delivery(chat_id=-1005, day=day) is not None
    assert not store.claim_delivery(chat_id=-1005, day=day)  # still not sent twice


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
    store.subscribe(chat_id=1, send_time=dt.time(8, 0))
    with pytest.raises(sqlite3.ProgrammingError):  # the second row cannot be bound
        store.mark_seen(chat_id=1, fact_ids=["ok", object()])  # type: ignore[list-item]
    assert store.seen(chat_id=1) == {}  # the first row was rolled back with it
