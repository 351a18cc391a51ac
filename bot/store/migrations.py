"""The schema, as one ordered list of migrations for SQLite and PostgreSQL alike.

Each step runs in its own transaction and is recorded (bot/store/dialects.py says where), so
an interrupted upgrade leaves the database at the last complete step. A new step is appended;
an applied one is never edited, except to write a type as a placeholder that renders to the
same SQLite type it always had: `{id}`, `{int}`, `{ts}` and `{day}` become each engine's own
(`Database.render`). The domain fills in what SQL cannot compute (due times from time zones)
after the migrations ran, as backfills.
"""

from __future__ import annotations

from typing import Final

MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE chats (
        chat_id   {int} PRIMARY KEY,
        timezone  TEXT,
        script    TEXT NOT NULL DEFAULT 'zh-hans'
    );
    CREATE TABLE subscriptions (
        chat_id     {int} PRIMARY KEY REFERENCES chats(chat_id) ON DELETE CASCADE,
        send_time   TEXT NOT NULL,
        topic       TEXT,
        thread_id   {int},
        created_at  {ts} NOT NULL,
        updated_at  {ts} NOT NULL
    );
    CREATE TABLE seen (
        chat_id     {int} NOT NULL,
        fact_id     TEXT NOT NULL,
        first_seen  {ts} NOT NULL,
        PRIMARY KEY (chat_id, fact_id)
    );
    CREATE TABLE deliveries (
        chat_id      {int} NOT NULL,
        day          {day} NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        started_at   {ts} NOT NULL,
        finished_at  {ts},
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
    ALTER TABLE subscriptions ADD COLUMN next_due_at {ts};
    CREATE INDEX subscriptions_next_due ON subscriptions (next_due_at);
    CREATE TABLE outbox (
        id             {id},
        chat_id        {int} NOT NULL,
        day            {day} NOT NULL,
        status         TEXT NOT NULL CHECK (status IN
                           ('pending', 'sending', 'retry', 'sent', 'failed', 'expired',
                            'cancelled')),
        due_at         {ts} NOT NULL,
        ready_at       {ts} NOT NULL,
        expires_at     {ts},
        attempts       INTEGER NOT NULL DEFAULT 0,
        unknown        INTEGER NOT NULL DEFAULT 0,
        claimed_by     TEXT,
        lease_until    {ts},
        migrated_from  {int},
        finished_at    {ts},
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
        chat_id     {int} NOT NULL,
        thread_id   {int} NOT NULL DEFAULT 0,
        context     TEXT NOT NULL,
        updated_at  {ts} NOT NULL,
        PRIMARY KEY (chat_id, thread_id)
    );
    """,
    # 4: which fact base the instances should serve. /reload on one instance bumps `version`;
    # every instance polls this one row and reloads when it moved (bot/reloading.py), so a
    # reload reaches all instances on one database without a message bus.
    """
    CREATE TABLE fact_base (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        version    INTEGER NOT NULL,
        digest     TEXT NOT NULL,
        loaded_at  {ts} NOT NULL
    );
    """,
    # 5: the instances sending as this bot, each seen within the last few seconds, so that
    # each paces itself to its share of Telegram's limits (bot/pacing.py: Pacer.share).
    """
    CREATE TABLE instances (
        name     TEXT PRIMARY KEY,
        seen_at  {ts} NOT NULL
    );
    """,
    # 6: the curation loop (issue 12). Questions the bot could not answer, and answers with
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
        asked_at    {ts} NOT NULL,
        rated_at    {ts}
    );
    CREATE INDEX questions_asked ON questions (asked_at);
    """,
)
