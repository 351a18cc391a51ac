"""What a briefing's send can come to, and what each outcome leads to: the delivery's rules.

A Sender (Telegram in handlers/sender.py, a console, a test's fake) reports an outcome as one
of the SendError kinds below; `decide` turns it into the outbox row's next state, and `plan`
turns a due subscription into its outbox row. Pure functions of their arguments and the time
they are given, so every rule is a fast test:

- 403 (Blocked): failed, and the chat is unsubscribed;
- other 400s (Rejected): failed, not retried (the same request would fail the same way);
- ChatMigrated (Migrated): the chat moves and the briefing follows once (bot/delivery.py);
  a second migration of the same briefing fails;
- 429 (RateLimited): retried after retry_after, and every send pauses meanwhile;
- 5xx and network errors (Transient), timeouts (Unknown: maybe delivered): retried with a
  doubling backoff, until the chat's local day ends; then expired, which counts as lost.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.records import Due, Job, Planned, Status
from bot.schedule import day_end, following, local_day, zone_of

# -- what a sender may answer ----------------------------------------------------------------


class SendError(Exception):
    """A send that did not (knowingly) deliver; the subclass decides what happens next."""


class Blocked(SendError):
    """403: the chat blocked or removed the bot. It is unsubscribed."""


class Rejected(SendError):
    """400: Telegram refuses this request; sending it again would fail the same way."""


class Migrated(SendError):
    """The group became a supergroup with a new id; the briefing goes there (once)."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class RateLimited(SendError):
    """429: nothing may be sent for `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:g} s")
        self.retry_after = retry_after


class Transient(SendError):
    """Not delivered, for a reason that passes: 5xx, a reset connection, no connection."""


class Unknown(SendError):
    """Maybe delivered: the request timed out after it was sent. Retried (at least once)."""


class Sender(Protocol):
    """Where briefings go: Telegram (handlers/sender.py), or a console, or a test's fake."""

    async def send(self, chat_id: int, thread_id: int | None, text: str) -> list[int]:
        """Send one message; return its message ids, or raise a SendError."""
        ...


# -- settings and rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryConfig:
    lease: float = 60.0  # seconds a claimed row is ours; must outlast a send (send_timeout)
    send_timeout: float = 15.0  # longest wait for Telegram's answer (a 10 s stall is answered)
    max_in_flight: int = 16  # rows claimed at once: the bound on duplicates after a crash
    tick: float = 1.0  # how often due subscriptions and ready rows are looked for
    batch: int = 500  # subscriptions per dispatch transaction
    backoff: float = 2.0  # first retry after about this long, doubling
    backoff_cap: float = 300.0
    drain: float = 5.0  # seconds a stop waits for sends in flight (of a 10 s grace period)
    keep_days: int = 35  # finished outbox rows older than this are deleted
    report_every: float = 60.0  # seconds between count lines in the log
    heartbeat: float = 5.0  # seconds between "alive" marks in the store (instances sharing it)
    alive: float = 15.0  # an instance not marked for this long is gone: the others speed up

    def __post_init__(self) -> None:
        if self.lease < 2 * self.send_timeout:
            raise ValueError(f"lease {self.lease} s must be at least twice the send timeout")


@dataclass(frozen=True)
class Decision:
    """What an attempt that did not deliver leads to."""

    status: Status
    error: str
    ready_at: dt.datetime | None = None
    unknown: bool = False
    unsubscribe: bool = False
    hold: float = 0.0  # seconds every send pauses (a 429)


def backoff(job: Job, config: DeliveryConfig) -> float:
    """Doubling from `config.backoff`, capped, with ±25% jitter that is the same for the same
    row and attempt (so tests can predict it and retries of many chats spread out)."""
    jitter = random.Random(f"{job.id}:{job.attempts}").uniform(0.75, 1.25)
    return min(config.backoff * 2.0**job.attempts, config.backoff_cap) * jitter


def decide(job: Job, error: SendError, *, now: dt.datetime, config: DeliveryConfig) -> Decision:
    """The rules for a failed attempt (migration is handled by moving the row, not here)."""
    reason = f"{type(error).__name__}: {error}"
    if isinstance(error, Blocked):
        return Decision(Status.FAILED, reason, unsubscribe=True)
    if isinstance(error, Rejected | Migrated):  # a second migration of one briefing, too
        return Decision(Status.FAILED, reason)
    if isinstance(error, RateLimited):
        wait = error.retry_after
        decision = Decision(Status.RETRY, reason, hold=wait)
    else:
        wait = backoff(job, config)
        decision = Decision(Status.RETRY, reason, unknown=isinstance(error, Unknown))
    ready_at = now + dt.timedelta(seconds=wait)
    if job.expires_at is not None and ready_at >= job.expires_at:
        return Decision(Status.EXPIRED, f"the day ended ({reason})", unknown=decision.unknown)
    return Decision(decision.status, reason, ready_at, decision.unknown, hold=decision.hold)


def plan(due: Due, *, now: dt.datetime, default_zone: ZoneInfo) -> Planned:
    """A due subscription's briefing belongs to the local day it fell due on; once that day
    is over it is recorded as expired (lost to downtime) rather than sent late."""
    zone = zone_of(due.timezone, default_zone)
    day = local_day(due.next_due_at, zone)
    expires = day_end(day, zone)
    status = Status.PENDING if now < expires else Status.EXPIRED
    upcoming = following(due.send_time, zone, due=due.next_due_at, now=now)
    return Planned(day=day, status=status, expires_at=expires, next_due_at=upcoming)
