"""What the bot must remember across restarts: subscriptions, chat settings, facts each chat has
seen, the briefing outbox, and which facts a reload added.

SQLite in WAL mode. Each Store is one connection used by one thread: the handlers' store on the
event loop (every call a few milliseconds at most), the delivery's store on its own thread, so
a broadcast's writes never hold up an update. Migrations are ordered and each runs in its own
transaction, recorded in `PRAGMA user_version`, so an interrupted upgrade leaves the database
at the last complete step; a new step is appended, an applied one never edited. Methods take
keyword arguments only, so a chat id is never passed where a thread id is.

All SQL lives here, written to carry over to PostgreSQL: timestamps are UTC ISO-8601 text of
one fixed width (so text order is time order), upserts are `ON CONFLICT`, and claiming the
outbox is one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`, which on PostgreSQL becomes
`SELECT … FOR UPDATE SKIP LOCKED` inside the same statement shape. Time-zone arithmetic is
not SQL's job: the domain computes it and hands in the results (`plan` callbacks, backfills).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

from bot.records import Asked, DayCounts, Due, Job, Planned, Status, Subscription, Verdict

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
    # 2: the briefing outbox replaces `deliveries`, and each subscription knows when it is due.
    # next_due_at and expires_at are computed from time zones by the domain after this runs
    # (a backfill of the NULLs), since SQL cannot. A row stuck in `sending` by the old design
    # (a crash mid-send) becomes `retry`: at-least-once from now on.
    """
    ALTER TABLE subscriptions ADD COLUMN next_due_at TEXT;
    CREATE INDEX subscriptions_next_due ON subscriptions (next_due_at);
    CREATE TABLE outbox (
        id             INTEGER PRIMARY KEY,
        chat_id        INTEGER NOT NULL,
        day            TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN
                           ('pending', 'sending', 'retry', 'sent', 'failed', 'expired',
                            'cancelled')),
        due_at         TEXT NOT NULL,
        ready_at       TEXT NOT NULL,
        expires_at     TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        unknown        INTEGER NOT NULL DEFAULT 0,
        claimed_by     TEXT,
        lease_until    TEXT,
        migrated_from  INTEGER,
        finished_at    TEXT,
        message_ids    TEXT,
        error          TEXT,
        UNIQUE (chat_id, day)
    );
    CREATE INDEX outbox_ready ON outbox (ready_at) WHERE status IN ('pending', 'sending', 'retry');
    CREATE INDEX outbox_day ON outbox (day);
    CREATE INDEX outbox_unexpiring ON outbox (id) WHERE expires_at IS NULL;
    INSERT INTO outbox (chat_id, day, status, due_at, ready_at, attempts, finished_at,
                        message_ids, error)
        SELECT chat_id, day, CASE status WHEN 'sending' THEN 'retry' ELSE status END,
               started_at, started_at, 1, finished_at, message_ids, error
        FROM deliveries;
    DROP TABLE deliveries;
    """,
    # 3: what a follow-up question leans on, per chat and forum topic (0: no topic), kept
    # so that a restart does not break a conversation (bot/dialogue.py's Context, as JSON).
    """
    CREATE TABLE conversations (
        chat_id     INTEGER NOT NULL,
        thread_id   INTEGER NOT NULL DEFAULT 0,
        context     TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (chat_id, thread_id)
    );
    """,
    # 4: the curation loop (issue 12). Questions the bot could not answer, and answers with
    # their 👍/👎, for the editors' to-do list (/gaps). No user or chat is recorded: a row is
    # the question as typed, its normalised words, the facts offered and when. An answered
    # question waits here briefly for a vote (its token is in the 👍/👎 buttons).
    """
    CREATE TABLE questions (
        token       TEXT PRIMARY KEY,
        question    TEXT NOT NULL,
        normalised  TEXT NOT NULL,
        fact_ids    TEXT NOT NULL,
        mode        TEXT NOT NULL,
        verdict     TEXT NOT NULL CHECK (verdict IN ('unanswered', 'answered', 'up', 'down')),
        reason      TEXT,
        asked_at    TEXT NOT NULL,
        rated_at    TEXT
    );
    CREATE INDEX questions_asked ON questions (asked_at);
    """,
)
_ACTIVE_SQL: Final = "('pending', 'sending', 'retry')"


def _ts(at: dt.datetime) -> str:
    """One fixed width, so that comparing the text compares the instants."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at!r}: the store records UTC instants")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _now() -> str:
    return _ts(dt.datetime.now(dt.UTC))


class Store:
    def __init__(self, path: Path | str, *, busy_timeout: float = 5.0) -> None:
        in_memory = str(path) == ":memory:"
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)  # we manage transactions
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
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
        next_due_at: dt.datetime,
        topic: str | None = None,
        thread_id: int | None = None,
    ) -> Subscription:
        now = _now()
        with self._transaction():
            self._ensure_chat(chat_id)
            self._db.execute(
                """
                INSERT INTO subscriptions
                    (chat_id, send_time, topic, thread_id, created_at, updated_at, next_due_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (chat_id) DO UPDATE SET send_time = excluded.send_time,
                    topic = excluded.topic, thread_id = excluded.thread_id,
                    updated_at = excluded.updated_at, next_due_at = excluded.next_due_at
                """,
                (chat_id, send_time.isoformat(), topic, thread_id, now, now, _ts(next_due_at)),
            )
        subscription = self.subscription(chat_id=chat_id)
        assert subscription is not None
        return subscription

    def reschedule(self, *, due: Iterable[tuple[int, dt.datetime]]) -> None:
        """Chats whose next briefing is due at a new time (a time zone changed, a backfill)."""
        with self._transaction():
            self._db.executemany(
                "UPDATE subscriptions SET next_due_at = ? WHERE chat_id = ?",
                [(_ts(at), chat_id) for chat_id, at in due],
            )

    def unsubscribe(self, *, chat_id: int) -> bool:
        with self._transaction():
            cursor = self._db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return cursor.rowcount > 0

    _SUBSCRIPTION = """
        SELECT s.chat_id, s.send_time, s.topic, s.thread_id, s.updated_at, s.next_due_at,
               c.timezone, c.script
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
            next_due_at=_time(row["next_due_at"]),
        )

    def subscription(self, *, chat_id: int) -> Subscription | None:
        row = self._db.execute(f"{self._SUBSCRIPTION} WHERE chat_id = ?", (chat_id,)).fetchone()
        return self._subscription(row) if row else None

    def subscriptions(self, *, unscheduled: bool = False, limit: int = -1) -> list[Subscription]:
        """All subscriptions, or (`unscheduled`) those whose next due time is not known yet."""
        where = "WHERE s.next_due_at IS NULL" if unscheduled else ""
        rows = self._db.execute(
            f"{self._SUBSCRIPTION} {where} ORDER BY chat_id LIMIT ?", (limit,)
        ).fetchall()
        return [self._subscription(row) for row in rows]

    def subscription_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0])

    def migrate_chat(self, *, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: everything about it now belongs to the new id."""
        with self._transaction():
            self._move_chat(old_chat_id, new_chat_id)

    def _move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        self._ensure_chat(new_chat_id)
        self._db.execute(
            """UPDATE chats SET timezone = (SELECT timezone FROM chats WHERE chat_id = ?),
               script = (SELECT script FROM chats WHERE chat_id = ?) WHERE chat_id = ?""",
            (old_chat_id, old_chat_id, new_chat_id),
        )
        for table in ("subscriptions", "seen", "conversations"):
            self._db.execute(
                f"UPDATE OR REPLACE {table} SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        # A day the new id already has a briefing for keeps that one: never a second.
        self._db.execute(
            """DELETE FROM outbox WHERE chat_id = ?
               AND day IN (SELECT day FROM outbox WHERE chat_id = ?)""",
            (old_chat_id, new_chat_id),
        )
        self._db.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
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

    # -- the briefing outbox -----------------------------------------------------------------

    def dispatch(self, *, now: dt.datetime, limit: int, plan: Callable[[Due], Planned]) -> int:
        """Enqueue up to `limit` subscriptions due at `now`, one outbox row per chat and local
        day, and advance each one's next due time, in one transaction: a subscription is never
        advanced without its row. Returns how many were due (0: none left).

        PostgreSQL: `… ORDER BY next_due_at LIMIT n FOR UPDATE SKIP LOCKED`, so instances
        dispatch disjoint batches.
        """
        with self._transaction():
            rows = self._db.execute(
                """SELECT s.chat_id, s.send_time, s.next_due_at, c.timezone
                   FROM subscriptions s JOIN chats c USING (chat_id)
                   WHERE s.next_due_at <= ? ORDER BY s.next_due_at LIMIT ?""",
                (_ts(now), limit),
            ).fetchall()
            enqueue, advance = [], []
            for row in rows:
                due = Due(
                    chat_id=row["chat_id"],
                    send_time=dt.time.fromisoformat(row["send_time"]),
                    timezone=row["timezone"],
                    next_due_at=dt.datetime.fromisoformat(row["next_due_at"]),
                )
                planned = plan(due)
                at, expires = _ts(due.next_due_at), _ts(planned.expires_at)
                enqueue.append(
                    (due.chat_id, planned.day.isoformat(), planned.status.value, at, at, expires)
                )
                advance.append((_ts(planned.next_due_at), due.chat_id))
            self._db.executemany(
                """INSERT INTO outbox (chat_id, day, status, due_at, ready_at, expires_at)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, day) DO NOTHING""",
                enqueue,
            )
            self._db.executemany(
                "UPDATE subscriptions SET next_due_at = ? WHERE chat_id = ?", advance
            )
        return len(rows)

    _JOB = """id, chat_id, day, status, due_at, expires_at, attempts, unknown, claimed_by,
              lease_until, migrated_from, message_ids, error"""

    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        return Job(
            id=row["id"],
            chat_id=row["chat_id"],
            day=dt.date.fromisoformat(row["day"]),
            status=Status(row["status"]),
            due_at=dt.datetime.fromisoformat(row["due_at"]),
            expires_at=_time(row["expires_at"]),
            attempts=row["attempts"],
            unknown=row["unknown"],
            claimed_by=row["claimed_by"],
            lease_until=_time(row["lease_until"]),
            migrated_from=row["migrated_from"],
            message_ids=tuple(json.loads(row["message_ids"] or "[]")),
            error=row["error"],
        )

    def claim(
        self, *, instance: str, now: dt.datetime, lease_until: dt.datetime, limit: int
    ) -> list[Job]:
        """Lease up to `limit` briefings ready at `now`: pending ones, retries whose time came,
        and those whose previous holder's lease ran out (it died or hung). Rows whose chat's
        day is over are expired first instead: a day's briefing is never sent the next day.

        PostgreSQL: the inner SELECT takes `FOR UPDATE SKIP LOCKED`, so two instances never
        lease the same row; a dead instance's rows come back when their lease expires.
        """
        stamp = _ts(now)
        with self._transaction():
            self._db.execute(
                f"""UPDATE outbox SET status = 'expired', finished_at = ?, claimed_by = NULL,
                        lease_until = NULL, error = COALESCE(error, 'the day ended')
                    WHERE status IN {_ACTIVE_SQL} AND ready_at <= ? AND expires_at <= ?""",
                (stamp, stamp, stamp),
            )
            rows = self._db.execute(
                f"""UPDATE outbox SET status = 'sending', claimed_by = ?, lease_until = ?,
                        ready_at = ?
                    WHERE id IN (SELECT id FROM outbox
                                 WHERE status IN {_ACTIVE_SQL} AND ready_at <= ?
                                 ORDER BY ready_at LIMIT ?)
                    RETURNING {self._JOB}""",
                (instance, _ts(lease_until), _ts(lease_until), stamp, limit),
            ).fetchall()
        return sorted((self._job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    def _held(self, job_id: int, instance: str, assignments: str, *values: object) -> bool:
        """Change a row this instance still holds (its lease may have been taken over)."""
        cursor = self._db.execute(
            f"""UPDATE outbox SET {assignments}
                WHERE id = ? AND claimed_by = ? AND status = 'sending'""",
            (*values, job_id, instance),
        )
        return cursor.rowcount == 1

    def renew(self, *, job_id: int, instance: str, lease_until: dt.datetime) -> bool:
        """Extend a lease before a send that might outlast it; False: it is no longer ours."""
        stamp = _ts(lease_until)
        with self._transaction():
            return self._held(job_id, instance, "lease_until = ?, ready_at = ?", stamp, stamp)

    def sent(
        self,
        *,
        job_id: int,
        now: dt.datetime,
        message_ids: Sequence[int],
        fact_ids: Iterable[str],
    ) -> None:
        """Delivered: recorded whoever holds the row now (a message that went out is a fact),
        with the facts the chat has now seen, in one transaction."""
        stamp = _ts(now)
        with self._transaction():
            row = self._db.execute(
                """UPDATE outbox SET status = 'sent', attempts = attempts + 1, finished_at = ?,
                       message_ids = ?, error = NULL, claimed_by = NULL, lease_until = NULL
                   WHERE id = ? AND status != 'sent' RETURNING chat_id""",
                (stamp, json.dumps(list(message_ids)), job_id),
            ).fetchone()
            if row is not None:
                self._db.executemany(
                    """INSERT INTO seen (chat_id, fact_id, first_seen) VALUES (?, ?, ?)
                       ON CONFLICT (chat_id, fact_id) DO NOTHING""",
                    [(row["chat_id"], fact_id, stamp) for fact_id in fact_ids],
                )

    def finish(
        self,
        *,
        job_id: int,
        instance: str,
        status: Status,
        now: dt.datetime,
        error: str,
        ready_at: dt.datetime | None = None,
        attempted: bool = True,
        unknown: bool = False,
    ) -> bool:
        """End an attempt that did not deliver: `retry` (at `ready_at`), `failed`, `expired`
        or `cancelled`; `pending` hands the row back untried (a stop). False when the row
        is no longer this instance's."""
        if status is Status.SENT or status is Status.SENDING:
            raise ValueError(f"finish() does not record {status}")
        if (status in (Status.RETRY, Status.PENDING)) != (ready_at is not None):
            raise ValueError("a retry (or hand-back) needs ready_at, and only it")
        stamp = _ts(now)
        with self._transaction():
            return self._held(
                job_id,
                instance,
                """status = ?, ready_at = COALESCE(?, ready_at), error = ?,
                   attempts = attempts + ?, unknown = unknown + ?, claimed_by = NULL,
                   lease_until = NULL, finished_at = CASE WHEN ? THEN finished_at ELSE ? END""",
                status.value,
                _ts(ready_at) if ready_at else None,
                error,
                int(attempted),
                int(unknown),
                int(status in (Status.RETRY, Status.PENDING)),
                stamp,
            )

    def move_job(
        self, *, job_id: int, instance: str, new_chat_id: int, now: dt.datetime
    ) -> Job | None:
        """The chat became a supergroup mid-send: move the chat and everything it has, and
        make this briefing a retry for the new id, ready now. None when the new id already
        had this day's briefing (the moved row was dropped: no second one)."""
        with self._transaction():
            row = self._db.execute(
                "SELECT chat_id FROM outbox WHERE id = ? AND claimed_by = ? AND status = ?",
                (job_id, instance, Status.SENDING.value),
            ).fetchone()
            if row is None:
                return None
            old_chat_id = row["chat_id"]
            self._move_chat(old_chat_id, new_chat_id)
            if not self._held(
                job_id,
                instance,
                """status = 'retry', ready_at = ?, attempts = attempts + 1, migrated_from = ?,
                   error = 'chat migrated', claimed_by = NULL, lease_until = NULL""",
                _ts(now),
                old_chat_id,
            ):
                return None
            found = self._db.execute(
                f"SELECT {self._JOB} FROM outbox WHERE id = ?", (job_id,)
            ).fetchone()
        return self._job(found)

    def job(self, *, chat_id: int, day: dt.date) -> Job | None:
        row = self._db.execute(
            f"SELECT {self._JOB} FROM outbox WHERE chat_id = ? AND day = ?",
            (chat_id, day.isoformat()),
        ).fetchone()
        return self._job(row) if row else None

    def jobs(self, *, day: dt.date | None = None) -> list[Job]:
        where, values = ("WHERE day = ?", (day.isoformat(),)) if day else ("", ())
        rows = self._db.execute(f"SELECT {self._JOB} FROM outbox {where} ORDER BY id", values)
        return [self._job(row) for row in rows]

    def unexpiring(self, *, limit: int) -> list[tuple[int, dt.date, str | None]]:
        """Rows whose day end is not known yet (from migration 2): id, day, chat time zone."""
        rows = self._db.execute(
            """SELECT o.id, o.day, c.timezone FROM outbox o LEFT JOIN chats c USING (chat_id)
               WHERE o.expires_at IS NULL ORDER BY o.id LIMIT ?""",
            (limit,),
        ).fetchall()
        return [(r["id"], dt.date.fromisoformat(r["day"]), r["timezone"]) for r in rows]

    def set_expiry(self, *, expiries: Iterable[tuple[int, dt.datetime]]) -> None:
        with self._transaction():
            self._db.executemany(
                "UPDATE outbox SET expires_at = ? WHERE id = ?",
                [(_ts(at), job_id) for job_id, at in expiries],
            )

    def next_ready(self) -> dt.datetime | None:
        """When the next outbox row becomes ready (a retry, a lease running out)."""
        row = self._db.execute(
            f"SELECT MIN(ready_at) FROM outbox WHERE status IN {_ACTIVE_SQL}"
        ).fetchone()
        return _time(row[0])

    def next_due(self) -> dt.datetime | None:
        row = self._db.execute("SELECT MIN(next_due_at) FROM subscriptions").fetchone()
        return _time(row[0])

    def counts(self, *, since: dt.date, now: dt.datetime) -> list[DayCounts]:
        """Per local day from `since`: due, sent, retried, failed, lost, pending, …"""
        stamp = _ts(now)

        def share(condition: str) -> str:
            return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

        unsent = f"status IN {_ACTIVE_SQL}"
        rows = self._db.execute(
            f"""SELECT day, COUNT(*) AS due, {share("status = 'sent'")} AS sent,
                    {share("attempts > 1")} AS retried, {share("status = 'failed'")} AS failed,
                    {share(f"status = 'expired' OR ({unsent} AND expires_at <= ?)")} AS lost,
                    {share(f"{unsent} AND (expires_at IS NULL OR expires_at > ?)")} AS pending,
                    {share("status = 'cancelled'")} AS cancelled,
                    {share("unknown > 0")} AS unknown
                FROM outbox WHERE day >= ? GROUP BY day ORDER BY day""",
            (stamp, stamp, since.isoformat()),
        ).fetchall()
        return [
            DayCounts(day=dt.date.fromisoformat(row["day"]), **{k: row[k] for k in _COUNTS})
            for row in rows
        ]

    def prune(self, *, before: dt.date) -> int:
        """Forget finished briefings of days before `before` (the outbox is not an archive)."""
        with self._transaction():
            cursor = self._db.execute(
                f"DELETE FROM outbox WHERE day < ? AND status NOT IN {_ACTIVE_SQL}",
                (before.isoformat(),),
            )
        return cursor.rowcount

    # -- conversations -----------------------------------------------------------------------

    def conversation(self, *, chat_id: int, thread_id: int | None) -> str | None:
        """The chat's (or forum topic's) saved conversation context, as its JSON."""
        row = self._db.execute(
            "SELECT context FROM conversations WHERE chat_id = ? AND thread_id = ?",
            (chat_id, thread_id or 0),
        ).fetchone()
        return str(row["context"]) if row else None

    def save_conversation(
        self, *, chat_id: int, thread_id: int | None, context: str | None
    ) -> None:
        """Keep the context for the next message; None forgets it."""
        with self._transaction():
            if context is None:
                self._db.execute(
                    "DELETE FROM conversations WHERE chat_id = ? AND thread_id = ?",
                    (chat_id, thread_id or 0),
                )
                return
            self._db.execute(
                """INSERT INTO conversations (chat_id, thread_id, context, updated_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (chat_id, thread_id) DO UPDATE SET context = excluded.context,
                       updated_at = excluded.updated_at""",
                (chat_id, thread_id or 0, context, _now()),
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

    # -- the curation loop and what an operator reads (issue 12) ---------------------------
    # Questions without a good answer, the votes on answers, and the counts of /status. Plain
    # SQL that PostgreSQL accepts as it is; nothing here knows who asked.

    def record_question(
        self,
        *,
        token: str,
        question: str,
        normalised: str,
        fact_ids: Sequence[str],
        mode: str,
        verdict: Verdict,
        at: dt.datetime,
    ) -> None:
        with self._transaction():
            self._db.execute(
                """INSERT INTO questions
                       (token, question, normalised, fact_ids, mode, verdict, asked_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO NOTHING""",
                (token, question, normalised, json.dumps(list(fact_ids)), mode, verdict,
                 _ts(at)),
            )  # fmt: skip

    def rate(self, *, token: str, up: bool, at: dt.datetime) -> bool:
        """A reader's 👍 or 👎 on an answer (the last vote counts); False when the answer is
        no longer kept, or was no answer."""
        with self._transaction():
            cursor = self._db.execute(
                """UPDATE questions SET verdict = ?, rated_at = ?,
                       reason = CASE WHEN ? = 'down' THEN reason END
                   WHERE token = ? AND verdict IN ('answered', 'up', 'down')""",
                ("up" if up else "down", _ts(at), "up" if up else "down", token),
            )
        return cursor.rowcount == 1

    def give_reason(self, *, token: str, reason: str) -> bool:
        """What was wrong with an answer voted 👎; False when there is no such vote."""
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE questions SET reason = ? WHERE token = ? AND verdict = 'down'",
                (reason, token),
            )
        return cursor.rowcount == 1

    def asked(self, *, since: dt.datetime, verdicts: Iterable[Verdict]) -> list[Asked]:
        """The questions asked since `since` with one of these verdicts, newest first."""
        wanted = sorted(set(verdicts))
        marks = ", ".join("?" for _ in wanted)
        rows = self._db.execute(
            f"""SELECT token, question, normalised, fact_ids, mode, verdict, reason, asked_at
                FROM questions WHERE asked_at >= ? AND verdict IN ({marks})
                ORDER BY asked_at DESC""",
            (_ts(since), *wanted),
        ).fetchall()
        return [
            Asked(
                token=row["token"],
                question=row["question"],
                normalised=row["normalised"],
                fact_ids=tuple(json.loads(row["fact_ids"])),
                mode=row["mode"],
                verdict=row["verdict"],
                reason=row["reason"],
                asked_at=dt.datetime.fromisoformat(row["asked_at"]),
            )
            for row in rows
        ]

    def verdict_counts(self, *, since: dt.datetime) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT verdict, COUNT(*) AS n FROM questions WHERE asked_at >= ? GROUP BY verdict",
            (_ts(since),),
        ).fetchall()
        return {row["verdict"]: int(row["n"]) for row in rows}

    def prune_questions(self, *, kept_after: dt.datetime, votes_after: dt.datetime) -> int:
        """Forget what the retention period is over for: unanswered and 👎 questions asked
        before `kept_after`; answers nobody voted down (their question waited for a vote)
        asked before `votes_after`."""
        with self._transaction():
            cursor = self._db.execute(
                """DELETE FROM questions
                   WHERE asked_at < ?
                      OR (verdict IN ('answered', 'up') AND asked_at < ?)""",
                (_ts(kept_after), _ts(votes_after)),
            )
        return cursor.rowcount

    def chat_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chats").fetchone()[0])

    def fact_generation(self) -> tuple[int, int, int]:
        """(facts recorded, the latest generation, how many facts it added)."""
        latest = self._latest_generation()
        row = self._db.execute(
            """SELECT COUNT(*) AS facts,
                      SUM(CASE WHEN generation = ? THEN 1 ELSE 0 END) AS latest
               FROM facts""",
            (latest,),
        ).fetchone()
        added = int(row["latest"] or 0) if latest else 0
        return int(row["facts"]), latest, added

    def day_statuses(self, *, day: dt.date) -> dict[Status, int]:
        """How one local day's briefings stand now, by status."""
        rows = self._db.execute(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE day = ? GROUP BY status",
            (day.isoformat(),),
        ).fetchall()
        return {Status(row["status"]): int(row["n"]) for row in rows}

    def claim_chat(
        self, *, chat_id: int, instance: str, now: dt.datetime, lease_until: dt.datetime
    ) -> list[Job]:
        """`claim`, for one chat only: the console's delivery shares the bot's store and
        must never take (and print) a Telegram chat's briefing."""
        stamp = _ts(now)
        with self._transaction():
            self._db.execute(
                f"""UPDATE outbox SET status = 'expired', finished_at = ?, claimed_by = NULL,
                        lease_until = NULL, error = COALESCE(error, 'the day ended')
                    WHERE chat_id = ? AND status IN {_ACTIVE_SQL} AND expires_at <= ?""",
                (stamp, chat_id, stamp),
            )
            rows = self._db.execute(
                f"""UPDATE outbox SET status = 'sending', claimed_by = ?, lease_until = ?,
                        ready_at = ?
                    WHERE chat_id = ? AND status IN {_ACTIVE_SQL} AND ready_at <= ?
                    RETURNING {self._JOB}""",
                (instance, _ts(lease_until), _ts(lease_until), chat_id, stamp),
            ).fetchall()
        return sorted((self._job(row) for row in rows), key=lambda job: job.due_at)


_COUNTS: Final = ("due", "sent", "retried", "failed", "lost", "pending", "cancelled", "unknown")


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")
