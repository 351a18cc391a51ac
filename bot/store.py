"""What the bot must remember across restarts: subscriptions, chat settings, facts each chat has
seen, each day's delivery, and which facts a reload added.

SQLite in WAL mode, one connection owned by the event loop's thread (every call is a few
milliseconds at most). Migrations are ordered and each runs in its own transaction, recorded
in `PRAGMA user_version`, so an interrupted upgrade leaves the database at the last complete
step. Methods take keyword arguments only, so a chat id is never passed where a thread id is.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE chats (
        chat_id   INTEGER PRIMARY KEY,
        timezone  TEXT,
        script    TEXT NOT NULL DEFAULT 'zh-hans'
    );
    CREATE TABLE subscriptions (
        chat_id     INTEGER PRIMARY KEY REFERENCES chats(chat_id) ON DELETE CASCADE,
        send_time   TEXT NOT NULL,
        topic       TEXT,
        thread_id   INTEGER,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE seen (
        chat_id     INTEGER NOT NULL,
        fact_id     TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        PRIMARY KEY (chat_id, fact_id)
    );
    CREATE TABLE deliveries (
        chat_id      INTEGER NOT NULL,
        day          TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        message_ids  TEXT,
        error        TEXT,
        PRIMARY KEY (chat_id, day)
    );
    CREATE TABLE facts (
        fact_id     TEXT PRIMARY KEY,
        digest      TEXT NOT NULL,
        generation  INTEGER NOT NULL
    );
    """,
)


class DeliveryStatus(enum.StrEnum):
    SENDING = "sending"  # claimed; if the bot dies now, the briefing is not sent again
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    send_time: dt.time
    timezone: str | None  # None: the bot's default time zone
    topic: str | None
    thread_id: int | None
    script: str
    updated_at: (
        dt.datetime
    )  # UTC; a briefing due before this was not missed, it was not yet asked for


@dataclass(frozen=True)
class Delivery:
    chat_id: int
    day: dt.date
    status: DeliveryStatus
    message_ids: tuple[int, ...]
    error: str | None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path | str) -> None:
        in_memory = str(path) == ":memory:"
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)  # we manage transactions
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA busy_timeout = 5000")
        if not in_memory:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self.migrate()

    @classmethod
    def in_memory(cls) -> Store:
        return cls(":memory:")

    def close(self) -> None:
        self._db.close()

    def migrate(self) -> int:
        """Apply the migrations this database has not seen yet; returns the schema version."""
        version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, script.split(";")):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return len(MIGRATIONS)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- chats and subscriptions -----------------------------------------------------------

    def _ensure_chat(self, chat_id: int) -> None:
        self._db.execute("INSERT OR IGNORE INTO chats (chat_id) VALUES (?)", (chat_id,))

    def set_chat(
        self, *, chat_id: int, timezone: str | None = None, script: str | None = None
    ) -> None:
        with self._transaction():
            self._ensure_chat(chat_id)
            if timezone is not None:
                self._db.execute(
                    "UPDATE chats SET timezone = ? WHERE chat_id = ?", (timezone, chat_id)
                )
            if script is not None:
                self._db.execute("UPDATE chats SET script = ? WHERE chat_id = ?", (script, chat_id))

    def script(self, *, chat_id: int) -> str | None:
        row = self._db.execute("SELECT script FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return row["script"] if row else None

    def timezone(self, *, chat_id: int) -> str | None:
        row = self._db.execute(
            "SELECT timezone FROM chats WHERE chat_id = ?", (chat_id,)
        ).fetchone()
        return row["timezone"] if row else None

    def subscribe(
        self,
        *,
        chat_id: int,
        send_time: dt.time,
        topic: str | None = None,
        thread_id: int | None = None,
    ) -> Subscription:
        now = _now()
        with self._transaction():
            self._ensure_chat(chat_id)
            self._db.execute(
                """
                INSERT INTO subscriptions
                    (chat_id, send_time, topic, thread_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (chat_id) DO UPDATE SET send_time = excluded.send_time,
                    topic = excluded.topic, thread_id = excluded.thread_id,
                    updated_at = excluded.updated_at
                """,
                (chat_id, send_time.isoformat(), topic, thread_id, now, now),
            )
        subscription = self.subscription(chat_id=chat_id)
        assert subscription is not None
        return subscription

    def unsubscribe(self, *, chat_id: int) -> bool:
        with self._transaction():
            cursor = self._db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return cursor.rowcount > 0

    _SUBSCRIPTION = """
        SELECT s.chat_id, s.send_time, s.topic, s.thread_id, s.updated_at, c.timezone, c.script
        FROM subscriptions s JOIN chats c USING (chat_id)
    """

    @staticmethod
    def _subscription(row: sqlite3.Row) -> Subscription:
        return Subscription(
            chat_id=row["chat_id"],
            send_time=dt.time.fromisoformat(row["send_time"]),
            timezone=row["timezone"],
            topic=row["topic"],
            thread_id=row["thread_id"],
            script=row["script"],
            updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        )

    def subscription(self, *, chat_id: int) -> Subscription | None:
        row = self._db.execute(f"{self._SUBSCRIPTION} WHERE chat_id = ?", (chat_id,)).fetchone()
        return self._subscription(row) if row else None

    def subscriptions(self) -> list[Subscription]:
        rows = self._db.execute(f"{self._SUBSCRIPTION} ORDER BY chat_id").fetchall()
        return [self._subscription(row) for row in rows]

    def migrate_chat(self, *, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: everything about it now belongs to the new id."""
        with self._transaction():
            self._ensure_chat(new_chat_id)
            self._db.execute(
                """UPDATE chats SET timezone = (SELECT timezone FROM chats WHERE chat_id = ?),
                   script = (SELECT script FROM chats WHERE chat_id = ?) WHERE chat_id = ?""",
                (old_chat_id, old_chat_id, new_chat_id),
            )
            for table in ("subscriptions", "seen", "deliveries"):
                self._db.execute(
                    f"UPDATE OR REPLACE {table} SET chat_id = ? WHERE chat_id = ?",
                    (new_chat_id, old_chat_id),
                )
            self._db.execute("DELETE FROM chats WHERE chat_id = ?", (old_chat_id,))

    # -- what each chat has seen ------------------------------------------------------------

    def mark_seen(self, *, chat_id: int, fact_ids: Iterable[str]) -> None:
        now = _now()
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO seen (chat_id, fact_id, first_seen) VALUES (?, ?, ?)",
                [(chat_id, fact_id, now) for fact_id in fact_ids],
            )

    def seen(self, *, chat_id: int) -> dict[str, str]:
        """Fact ids this chat was sent in a briefing, with when it first saw each."""
        rows = self._db.execute(
            "SELECT fact_id, first_seen FROM seen WHERE chat_id = ?", (chat_id,)
        ).fetchall()
        return {row["fact_id"]: row["first_seen"] for row in rows}

    # -- deliveries ------------------------------------------------------------------------

    def claim_delivery(self, *, chat_id: int, day: dt.date) -> bool:
        """Record that today's briefing is being sent; False when it already was (or is)."""
        with self._transaction():
            cursor = self._db.execute(
                """INSERT OR IGNORE INTO deliveries (chat_id, day, status, started_at)
                   VALUES (?, ?, 'sending', ?)""",
                (chat_id, day.isoformat(), _now()),
            )
        return cursor.rowcount == 1

    def finish_delivery(
        self,
        *,
        chat_id: int,
        day: dt.date,
        status: DeliveryStatus,
        message_ids: Iterable[int] = (),
        error: str | None = None,
    ) -> None:
        with self._transaction():
            self._db.execute(
                """UPDATE deliveries SET status = ?, finished_at = ?, message_ids = ?, error = ?
                   WHERE chat_id = ? AND day = ?""",
                (
                    status.value,
                    _now(),
                    json.dumps(list(message_ids)),
                    error,
                    chat_id,
                    day.isoformat(),
                ),
            )

    def delivery(self, *, chat_id: int, day: dt.date) -> Delivery | None:
        row = self._db.execute(
            "SELECT * FROM deliveries WHERE chat_id = ? AND day = ?", (chat_id, day.isoformat())
        ).fetchone()
        if row is None:
            return None
        return Delivery(
            chat_id=row["chat_id"],
            day=dt.date.fromisoformat(row["day"]),
            status=DeliveryStatus(row["status"]),
            message_ids=tuple(json.loads(row["message_ids"] or "[]")),
            error=row["error"],
        )

    # -- which facts are new ---------------------------------------------------------------

    def sync_facts(self, *, digests: Mapping[str, str]) -> int:
        """Record the fact base now served; facts it adds join a new generation.

        The first fact base ever recorded is generation 0, so nothing is "new" on a fresh
        install; each later load that adds facts starts generation n + 1. Returns the latest
        generation that added facts.
        """
        with self._transaction():
            known = {
                row["fact_id"]: row["digest"]
                for row in self._db.execute("SELECT fact_id, digest FROM facts")
            }
            latest = self._latest_generation()
            added = [i for i in digests if i not in known]
            generation = latest + 1 if known and added else latest
            self._db.executemany(
                "INSERT INTO facts (fact_id, digest, generation) VALUES (?, ?, ?)",
                [(i, digests[i], generation) for i in added],
            )
            self._db.executemany(
                "UPDATE facts SET digest = ? WHERE fact_id = ?",
                [(digests[i], i) for i in digests if i in known and known[i] != digests[i]],
            )
            self._db.executemany(
                "DELETE FROM facts WHERE fact_id = ?", [(i,) for i in known if i not in digests]
            )
        return generation

    def _latest_generation(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(generation), 0) FROM facts").fetchone()[0])

    def new_fact_ids(self) -> set[str]:
        """Facts the last reload that added any brought in (none on a fresh install)."""
        latest = self._latest_generation()
        if latest == 0:
            return set()
        rows = self._db.execute("SELECT fact_id FROM facts WHERE generation = ?", (latest,))
        return {row["fact_id"] for row in rows}


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")
