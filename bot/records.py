"""What the store hands out and takes in: frozen rows, no SQL (that is bot/store.py's).

Kept apart so the domain (bot/delivery.py, bot/outcomes.py) speaks of subscriptions and outbox
rows without importing the store, and the store stays the one place SQL is written.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Literal


class Status(enum.StrEnum):
    """Where a briefing is: pending → sending (leased) → sent | failed | retry → sending …

    `expired` is a briefing its chat's day ended on before it could be sent (lost), `cancelled`
    one whose chat unsubscribed (or moved to a chat that already had it) before it was sent.
    """

    PENDING = "pending"
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    send_time: dt.time
    timezone: str | None  # None: the bot's default time zone
    topic: str | None
    thread_id: int | None
    script: str
    updated_at: dt.datetime
    next_due_at: dt.datetime | None  # UTC; None only until the backfill after migration 2


@dataclass(frozen=True)
class Due:
    """A subscription the dispatcher found due, with what it needs to plan the briefing."""

    chat_id: int
    send_time: dt.time
    timezone: str | None
    next_due_at: dt.datetime


@dataclass(frozen=True)
class Planned:
    """What the domain decided for a due subscription: the outbox row and the next due time."""

    day: dt.date
    status: Status  # PENDING, or EXPIRED when the chat's day already ended
    expires_at: dt.datetime
    next_due_at: dt.datetime


@dataclass(frozen=True)
class Job:
    """One outbox row: a chat's briefing for one of its local days."""

    id: int
    chat_id: int
    day: dt.date
    status: Status
    due_at: dt.datetime
    expires_at: dt.datetime | None
    attempts: int  # send attempts that ended (sent, failed, retry), not claims
    unknown: int  # attempts whose outcome was unknown (a timeout): maybe delivered
    claimed_by: str | None
    lease_until: dt.datetime | None
    migrated_from: int | None
    message_ids: tuple[int, ...]
    error: str | None


@dataclass(frozen=True)
class DayCounts:
    """One local day's briefings, for `baybrief status` and the logs."""

    day: dt.date
    due: int
    sent: int
    retried: int  # needed more than one attempt (sent or not)
    failed: int  # refused by the chat: blocked the bot, or a request Telegram rejects
    lost: int  # expired, or still unsent after its day ended
    pending: int  # not yet sent, day not over
    cancelled: int
    unknown: int  # had an attempt whose outcome was unknown (maybe a duplicate)


# What became of a question: `unanswered` (a refusal or a choice of facts), `answered` (an
# answer or a digest, no vote yet), `up` and `down` (the reader's 👍 or 👎).
Verdict = Literal["unanswered", "answered", "up", "down"]


@dataclass(frozen=True)
class Asked:
    """A question as the curation loop keeps it: what was asked, never who asked it."""

    token: str  # the random key its 👍/👎 buttons carry
    question: str  # as typed (shortened)
    normalised: str  # its content words, sorted: what variants of a question share
    fact_ids: tuple[str, ...]  # the facts offered (choices, suggestions) or shown
    mode: str  # the reply's mode: answer, overview, choices, refusal
    verdict: Verdict
    reason: str | None  # what was wrong, for a 👎 that said
    asked_at: dt.datetime
