"""Databases as the first schema (before the outbox) wrote them, to test the upgrade."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from bot.store import MIGRATIONS
from bot.store.dialects import SQLite

CREATED = "2026-11-01T00:00:00+00:00"


def write_version_1(
    path: Path,
    *,
    chats: Iterable[tuple[int, str | None]],
    subscriptions: Iterable[tuple[int, str, str | None, int | None]],
    deliveries: Iterable[tuple[int, str, str, str, str | None, str | None]] = (),
) -> None:
    """chats: (id, time zone); subscriptions: (chat, HH:MM:SS, topic, thread);
    deliveries: (chat, day, status, started_at, finished_at, message_ids)."""
    db = sqlite3.connect(path)
    try:
        db.executescript(MIGRATIONS[0].format(**SQLite.types) + "PRAGMA user_version = 1;")
        db.executemany("INSERT INTO chats (chat_id, timezone) VALUES (?, ?)", chats)
        db.executemany(
            "INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?)",
            [(*row, CREATED, CREATED) for row in subscriptions],
        )
        db.executemany("INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, NULL)", deliveries)
        db.commit()
    finally:
        db.close()
