"""What the bot must remember across restarts: subscriptions, chat settings, facts each chat has
seen, the briefing outbox, conversations, and which fact base the instances serve.

All the SQL, once, for SQLite and PostgreSQL (bot/store/dialects.py holds the few places they
differ). Each Store is one connection used by one thread: the handlers' store on their worker
thread, the delivery's store on its own, so a broadcast's writes never hold up an update.
Methods take keyword arguments only, so a chat id is never passed where a thread id is.

Several processes may share one PostgreSQL database: the dispatcher and the outbox claim rows
with `FOR UPDATE SKIP LOCKED`, so two instances never take the same subscription or briefing,
and a row whose holder died comes back when its lease runs out. With SQLite, the one writer at
a time (`BEGIN IMMEDIATE`) gives the same guarantees to the processes of one machine.
Time-zone arithmetic is not SQL's job: the domain computes it and hands in the results (`plan`
callbacks, backfills).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.records import Asked, DayCounts, Due, Job, Planned, Status, Subscription, Verdict
from bot.store.dialects import Database, Row, connect, day, instant, stamp, statements
from bot.store.migrations import MIGRATIONS

_ACTIVE_SQL: Final = "('pending', 'sending', 'retry')"
_COUNTS: Final = ("due", "sent", "retried", "failed", "lost", "pending", "cancelled", "unknown")


def _now() -> str:
    return stamp(dt.datetime.now(dt.UTC))


def fact_base_digest(digests: Mapping[str, str]) -> str:
    """One digest for a whole fact base (from each fact's), the same on every instance."""
    text = json.dumps(sorted(digests.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FactVersion:
    """The fact base the instances should serve: bumped when a load brought other facts."""

    version: int
    digest: str


class Store:
    def __init__(self, target: Path | str, *, busy_timeout: float = 5.0) -> None:
        """`target` is a SQLite file (or ":memory:") or a `postgresql://` URL."""
        self._db: Database = connect(target, busy_timeout=busy_timeout)
        try:
            self.migrate()
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def in_memory(cls) -> Store:
        return cls(":memory:")

    @property
    def engine(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._db.name

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What this engine's driver raises."""
        return self._db.errors

    def close(self) -> None:
        self._db.close()

    def schema_version(self) -> int:
        return self._db.schema_version()

    def migrate(self) -> int:
        """Apply the migrations this database has not seen yet; returns the schema version.

        The version is read again inside each step's transaction, under the engine's lock, so
        two processes starting at once apply each step once.
        """
        if self._db.schema_version() >= len(MIGRATIONS):
            return len(MIGRATIONS)
        for number, script in enumerate(MIGRATIONS, start=1):
            with self._transaction():
                self._db.lock_schema()
                if self._db.schema_version() >= number:
                    continue
                for statement in statements(self._db.render(script)):
                    self._db.execute(statement)
                self._db.set_schema_version(number)
        return len(MIGRATIONS)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def probe_write(self) -> None:
        """Prove a write would be accepted now: rewrite the schema version, then roll back."""
        self._db.execute(self._db.begin)
        try:
            self._db.set_schema_version(self._db.schema_version())
        finally:
            self._db.execute("ROLLBACK")

    # -- chats and subscriptions -----------------------------------------------------------

    def _ensure_chat(self, chat_id: int) -> None:
        self._db.execute(
            "INSERT INTO chats (chat_id) VALUES (?) ON CONFLICT (chat_id) DO NOTHING", (chat_id,)
        )

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
                (chat_id, send_time.isoformat(), topic, thread_id, now, now, stamp(next_due_at)),
            )
        subscription = self.subscription(chat_id=chat_id)
        assert subscription is not None
        return subscription

    def reschedule(self, *, due: Iterable[tuple[int, dt.datetime]]) -> None:
        """Chats whose next briefing is due at a new time (a time zone changed, a backfill)."""
        with self._transaction():
            self._db.executemany(
                "UPDATE subscriptions SET next_due_at = ? WHERE chat_id = ?",
                [(stamp(at), chat_id) for chat_id, at in due],
            )

    def unsubscribe(self, *, chat_id: int) -> bool:
        with self._transaction():
            result = self._db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return result.rowcount > 0

    _SUBSCRIPTION = """
        SELECT s.chat_id, s.send_time, s.topic, s.thread_id, s.updated_at, s.next_due_at,
               c.timezone, c.script
        FROM subscriptions s JOIN chats c USING (chat_id)
    """

    @staticmethod
    def _subscription(row: Row) -> Subscription:
        updated_at = instant(row["updated_at"])
        assert updated_at is not None
        return Subscription(
            chat_id=row["chat_id"],
            send_time=dt.time.fromisoformat(row["send_time"]),
            timezone=row["timezone"],
            topic=row["topic"],
            thread_id=row["thread_id"],
            script=row["script"],
            updated_at=updated_at,
            next_due_at=instant(row["next_due_at"]),
        )

    def subscription(self, *, chat_id: int) -> Subscription | None:
        row = self._db.execute(f"{self._SUBSCRIPTION} WHERE chat_id = ?", (chat_id,)).fetchone()
        return self._subscription(row) if row else None

    def subscriptions(self, *, unscheduled: bool = False, limit: int = -1) -> list[Subscription]:
        """All subscriptions, or (`unscheduled`) those whose next due time is not known yet."""
        where = "WHERE s.next_due_at IS NULL" if unscheduled else ""
        bounded = f"LIMIT {int(limit)}" if limit >= 0 else ""
        rows = self._db.execute(f"{self._SUBSCRIPTION} {where} ORDER BY chat_id {bounded}")
        return [self._subscription(row) for row in rows.fetchall()]

    def subscription_count(self) -> int:
        row = self._db.execute("SELECT COUNT(*) AS n FROM subscriptions").fetchone()
        return int(row["n"]) if row else 0

    def migrate_chat(self, *, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: everything about it now belongs to the new id."""
        with self._transaction():
            self._move_chat(old_chat_id, new_chat_id)

    def _move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        self._ensure_chat(new_chat_id)
        old, new = old_chat_id, new_chat_id
        self._db.execute(
            """UPDATE chats SET timezone = (SELECT timezone FROM chats WHERE chat_id = ?),
               script = (SELECT script FROM chats WHERE chat_id = ?) WHERE chat_id = ?""",
            (old, old, new),
        )
        # What the old id has replaces what the new id has (the old chat is the one in use).
        self._db.execute(
            """DELETE FROM subscriptions WHERE chat_id = ?
               AND EXISTS (SELECT 1 FROM subscriptions WHERE chat_id = ?)""",
            (new, old),
        )
        for table, key in (("seen", "fact_id"), ("conversations", "thread_id")):
            self._db.execute(
                f"""DELETE FROM {table} WHERE chat_id = ?
                    AND {key} IN (SELECT {key} FROM {table} WHERE chat_id = ?)""",
                (new, old),
            )
        for table in ("subscriptions", "seen", "conversations"):
            self._db.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new, old))
        # A day the new id already has a briefing for keeps that one: never a second.
        self._db.execute(
            """DELETE FROM outbox WHERE chat_id = ?
               AND day IN (SELECT day FROM outbox WHERE chat_id = ?)""",
            (old, new),
        )
        self._db.execute("UPDATE outbox SET chat_id = ? WHERE chat_id = ?", (new, old))
        self._db.execute("DELETE FROM chats WHERE chat_id = ?", (old,))

    # -- what each chat has seen ------------------------------------------------------------

    def mark_seen(self, *, chat_id: int, fact_ids: Iterable[str]) -> None:
        now = _now()
        with self._transaction():
            self._db.executemany(
                """INSERT INTO seen (chat_id, fact_id, first_seen) VALUES (?, ?, ?)
                   ON CONFLICT (chat_id, fact_id) DO NOTHING""",
                [(chat_id, fact_id, now) for fact_id in fact_ids],
            )

    def seen(self, *, chat_id: int) -> dict[str, str]:
        """Fact ids this chat was sent in a briefing, with when it first saw each (ISO)."""
        rows = self._db.execute(
            "SELECT fact_id, first_seen FROM seen WHERE chat_id = ?", (chat_id,)
        ).fetchall()
        return {row["fact_id"]: stamp(_instant(row["first_seen"])) for row in rows}

    # -- the briefing outbox -----------------------------------------------------------------

    def dispatch(self, *, now: dt.datetime, limit: int, plan: Callable[[Due], Planned]) -> int:
        """Enqueue up to `limit` subscriptions due at `now`, one outbox row per chat and local
        day, and advance each one's next due time, in one transaction: a subscription is never
        advanced without its row. Returns how many were due (0: none left).

        The subscriptions are locked as they are read (PostgreSQL: `SKIP LOCKED`), so
        instances dispatching at once take disjoint batches.
        """
        with self._transaction():
            rows = self._db.execute(
                f"""SELECT s.chat_id, s.send_time, s.next_due_at, c.timezone
                    FROM subscriptions s JOIN chats c USING (chat_id)
                    WHERE s.next_due_at <= ? ORDER BY s.next_due_at LIMIT ?
                    {self._db.skip_locked(of="s")}""",
                (stamp(now), limit),
            ).fetchall()
            enqueue, advance = [], []
            for row in rows:
                due = Due(
                    chat_id=row["chat_id"],
                    send_time=dt.time.fromisoformat(row["send_time"]),
                    timezone=row["timezone"],
                    next_due_at=_instant(row["next_due_at"]),
                )
                planned = plan(due)
                at, expires = stamp(due.next_due_at), stamp(planned.expires_at)
                enqueue.append(
                    (due.chat_id, planned.day.isoformat(), planned.status.value, at, at, expires)
                )
                advance.append((stamp(planned.next_due_at), due.chat_id))
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
    def _job(row: Row) -> Job:
        return Job(
            id=row["id"],
            chat_id=row["chat_id"],
            day=day(row["day"]),
            status=Status(row["status"]),
            due_at=_instant(row["due_at"]),
            expires_at=instant(row["expires_at"]),
            attempts=row["attempts"],
            unknown=row["unknown"],
            claimed_by=row["claimed_by"],
            lease_until=instant(row["lease_until"]),
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

        Both statements pick their rows with the engine's `skip_locked` (PostgreSQL: `FOR
        UPDATE SKIP LOCKED`), so two instances never lease the same row, nor wait for each
        other, nor deadlock over the rows each is expiring.
        """
        now_text, skip = stamp(now), self._db.skip_locked()
        with self._transaction():
            self._db.execute(
                f"""UPDATE outbox SET status = 'expired', finished_at = ?, claimed_by = NULL,
                        lease_until = NULL, error = COALESCE(error, 'the day ended')
                    WHERE id IN (SELECT id FROM outbox
                                 WHERE status IN {_ACTIVE_SQL} AND ready_at <= ?
                                   AND expires_at <= ? {skip})""",
                (now_text, now_text, now_text),
            )
            rows = self._db.execute(
                f"""UPDATE outbox SET status = 'sending', claimed_by = ?, lease_until = ?,
                        ready_at = ?
                    WHERE id IN (SELECT id FROM outbox
                                 WHERE status IN {_ACTIVE_SQL} AND ready_at <= ?
                                 ORDER BY ready_at LIMIT ? {skip})
                    RETURNING {self._JOB}""",
                (instance, stamp(lease_until), stamp(lease_until), now_text, limit),
            ).fetchall()
        return sorted((self._job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    def _held(self, job_id: int, instance: str, assignments: str, *values: object) -> bool:
        """Change a row this instance still holds (its lease may have been taken over)."""
        result = self._db.execute(
            f"""UPDATE outbox SET {assignments}
                WHERE id = ? AND claimed_by = ? AND status = 'sending'""",
            (*values, job_id, instance),
        )
        return result.rowcount == 1

    def renew(self, *, job_id: int, instance: str, lease_until: dt.datetime) -> bool:
        """Extend a lease before a send that might outlast it; False: it is no longer ours."""
        until = stamp(lease_until)
        with self._transaction():
            return self._held(job_id, instance, "lease_until = ?, ready_at = ?", until, until)

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
        now_text = stamp(now)
        with self._transaction():
            row = self._db.execute(
                """UPDATE outbox SET status = 'sent', attempts = attempts + 1, finished_at = ?,
                       message_ids = ?, error = NULL, claimed_by = NULL, lease_until = NULL
                   WHERE id = ? AND status != 'sent' RETURNING chat_id""",
                (now_text, json.dumps(list(message_ids)), job_id),
            ).fetchone()
            if row is not None:
                self._db.executemany(
                    """INSERT INTO seen (chat_id, fact_id, first_seen) VALUES (?, ?, ?)
                       ON CONFLICT (chat_id, fact_id) DO NOTHING""",
                    [(row["chat_id"], fact_id, now_text) for fact_id in fact_ids],
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
        with self._transaction():
            return self._held(
                job_id,
                instance,
                """status = ?, ready_at = COALESCE(?, ready_at), error = ?,
                   attempts = attempts + ?, unknown = unknown + ?, claimed_by = NULL,
                   lease_until = NULL,
                   finished_at = CASE WHEN ? = 1 THEN finished_at ELSE ? END""",
                status.value,
                stamp(ready_at) if ready_at else None,
                error,
                int(attempted),
                int(unknown),
                int(status in (Status.RETRY, Status.PENDING)),
                stamp(now),
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
                stamp(now),
                old_chat_id,
            ):
                return None
            found = self._db.execute(
                f"SELECT {self._JOB} FROM outbox WHERE id = ?", (job_id,)
            ).fetchone()
        assert found is not None
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
        return [self._job(row) for row in rows.fetchall()]

    def unexpiring(self, *, limit: int) -> list[tuple[int, dt.date, str | None]]:
        """Rows whose day end is not known yet (from migration 2): id, day, chat time zone."""
        rows = self._db.execute(
            """SELECT o.id, o.day, c.timezone FROM outbox o LEFT JOIN chats c USING (chat_id)
               WHERE o.expires_at IS NULL ORDER BY o.id LIMIT ?""",
            (limit,),
        ).fetchall()
        return [(r["id"], day(r["day"]), r["timezone"]) for r in rows]

    def set_expiry(self, *, expiries: Iterable[tuple[int, dt.datetime]]) -> None:
        with self._transaction():
            self._db.executemany(
                "UPDATE outbox SET expires_at = ? WHERE id = ?",
                [(stamp(at), job_id) for job_id, at in expiries],
            )

    def next_ready(self) -> dt.datetime | None:
        """When the next outbox row becomes ready (a retry, a lease running out)."""
        row = self._db.execute(
            f"SELECT MIN(ready_at) AS at FROM outbox WHERE status IN {_ACTIVE_SQL}"
        ).fetchone()
        return instant(row["at"]) if row else None

    def next_due(self) -> dt.datetime | None:
        row = self._db.execute("SELECT MIN(next_due_at) AS at FROM subscriptions").fetchone()
        return instant(row["at"]) if row else None

    def counts(self, *, since: dt.date, now: dt.datetime) -> list[DayCounts]:
        """Per local day from `since`: due, sent, retried, failed, lost, pending, …"""
        now_text = stamp(now)

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
            (now_text, now_text, since.isoformat()),
        ).fetchall()
        return [DayCounts(day=day(row["day"]), **{k: int(row[k]) for k in _COUNTS}) for row in rows]

    def prune(self, *, before: dt.date) -> int:
        """Forget finished briefings of days before `before` (the outbox is not an archive)."""
        with self._transaction():
            result = self._db.execute(
                f"DELETE FROM outbox WHERE day < ? AND status NOT IN {_ACTIVE_SQL}",
                (before.isoformat(),),
            )
        return result.rowcount

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

    # -- the instances sharing this store -----------------------------------------------------

    def heartbeat(self, *, instance: str, now: dt.datetime, alive: dt.timedelta) -> int:
        """This instance is alive at `now`; forget those not seen within `alive`. Returns how
        many instances are alive, this one included."""
        with self._transaction():
            self._db.execute(
                """INSERT INTO instances (name, seen_at) VALUES (?, ?)
                   ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at""",
                (instance, stamp(now)),
            )
            self._db.execute("DELETE FROM instances WHERE seen_at < ?", (stamp(now - alive),))
            row = self._db.execute("SELECT COUNT(*) AS n FROM instances").fetchone()
        return int(row["n"]) if row else 1

    def leave(self, *, instance: str) -> None:
        """A clean stop: the others need not wait for this instance's heartbeat to lapse."""
        with self._transaction():
            self._db.execute("DELETE FROM instances WHERE name = ?", (instance,))

    # -- which facts are new, and which fact base to serve -----------------------------------

    def sync_facts(self, *, digests: Mapping[str, str]) -> int:
        """Record the fact base now served; facts it adds join a new generation.

        The first fact base ever recorded is generation 0, so nothing is "new" on a fresh
        install; each later load that adds facts starts generation n + 1. Returns the latest
        generation that added facts. A load whose facts differ from the recorded fact base
        also bumps its version (`fact_version`), which the other instances poll. The table is
        locked for the transaction, so instances recording at once do it one after another.
        """
        with self._transaction():
            self._db.lock("facts")
            known = {
                row["fact_id"]: row["digest"]
                for row in self._db.execute("SELECT fact_id, digest FROM facts").fetchall()
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
            self._record_fact_base(fact_base_digest(digests))
        return generation

    def _record_fact_base(self, digest: str) -> None:
        row = self._db.execute("SELECT version, digest FROM fact_base WHERE id = 1").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO fact_base (id, version, digest, loaded_at) VALUES (1, 1, ?, ?)",
                (digest, _now()),
            )
        elif row["digest"] != digest:
            self._db.execute(
                """UPDATE fact_base SET version = version + 1, digest = ?, loaded_at = ?
                   WHERE id = 1""",
                (digest, _now()),
            )

    def fact_version(self) -> FactVersion | None:
        """The fact base the last load recorded (None before the first): cheap, polled."""
        row = self._db.execute("SELECT version, digest FROM fact_base WHERE id = 1").fetchone()
        return FactVersion(int(row["version"]), str(row["digest"])) if row else None

    def _latest_generation(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(generation), 0) AS g FROM facts").fetchone()
        return int(row["g"]) if row else 0

    def new_fact_ids(self) -> set[str]:
        """Facts the last reload that added any brought in (none on a fresh install)."""
        latest = self._latest_generation()
        if latest == 0:
            return set()
        rows = self._db.execute("SELECT fact_id FROM facts WHERE generation = ?", (latest,))
        return {row["fact_id"] for row in rows.fetchall()}

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
                 stamp(at)),
            )  # fmt: skip

    def rate(self, *, token: str, up: bool, at: dt.datetime) -> bool:
        """A reader's 👍 or 👎 on an answer (the last vote counts); False when the answer is
        no longer kept, or was no answer."""
        with self._transaction():
            cursor = self._db.execute(
                """UPDATE questions SET verdict = ?, rated_at = ?,
                       reason = CASE WHEN ? = 'down' THEN reason END
                   WHERE token = ? AND verdict IN ('answered', 'up', 'down')""",
                ("up" if up else "down", stamp(at), "up" if up else "down", token),
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
            (stamp(since), *wanted),
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
                asked_at=_instant(row["asked_at"]),
            )
            for row in rows
        ]

    def verdict_counts(self, *, since: dt.datetime) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT verdict, COUNT(*) AS n FROM questions WHERE asked_at >= ? GROUP BY verdict",
            (stamp(since),),
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
                (stamp(kept_after), stamp(votes_after)),
            )
        return cursor.rowcount

    def chat_count(self) -> int:
        row = self._db.execute("SELECT COUNT(*) AS n FROM chats").fetchone()
        return int(row["n"]) if row else 0

    def fact_generation(self) -> tuple[int, int, int]:
        """(facts recorded, the latest generation, how many facts it added)."""
        latest = self._latest_generation()
        row = self._db.execute(
            """SELECT COUNT(*) AS facts,
                      SUM(CASE WHEN generation = ? THEN 1 ELSE 0 END) AS latest
               FROM facts""",
            (latest,),
        ).fetchone()
        if row is None:
            return 0, latest, 0
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
        now_text = stamp(now)
        with self._transaction():
            self._db.execute(
                f"""UPDATE outbox SET status = 'expired', finished_at = ?, claimed_by = NULL,
                        lease_until = NULL, error = COALESCE(error, 'the day ended')
                    WHERE chat_id = ? AND status IN {_ACTIVE_SQL} AND expires_at <= ?""",
                (now_text, chat_id, now_text),
            )
            rows = self._db.execute(
                f"""UPDATE outbox SET status = 'sending', claimed_by = ?, lease_until = ?,
                        ready_at = ?
                    WHERE chat_id = ? AND status IN {_ACTIVE_SQL} AND ready_at <= ?
                    RETURNING {self._JOB}""",
                (instance, stamp(lease_until), stamp(lease_until), chat_id, now_text),
            ).fetchall()
        return sorted((self._job(row) for row in rows), key=lambda job: job.due_at)


def _instant(value: object) -> dt.datetime:
    """An instant of a NOT NULL column."""
    found = instant(value)
    if found is None:
        raise ValueError("an instant of a NOT NULL column is missing")
    return found


class _Transaction:
    def __init__(self, db: Database) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute(self._db.begin)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self._db.execute("COMMIT")
            return
        with contextlib.suppress(*self._db.errors):  # a broken connection took it along
            self._db.execute("ROLLBACK")
