"""`/status` and `baybrief status`: what an administrator needs to know at a glance.

The store knows the facts it recorded and their generation, the chats, the subscriptions,
how today's briefings stand and the questions of the last days; the running bot adds the fact
base it serves, its reloads and its uptime. `baybrief status` without a running bot shows what
the store knows and says what only the bot could tell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from bot.answers import Renderer
from bot.factbase import FactBase
from bot.messages import message
from bot.records import Status
from bot.schedule import local_day
from bot.store import Store
from bot.text import Script

QUESTION_DAYS: Final = 7  # the questions /status counts


@dataclass(frozen=True)
class Stored:
    """What the store says, read in one go on the store's thread."""

    facts: int
    generation: int
    added: int  # facts the latest generation added
    chats: int
    subscriptions: int
    day: dt.date  # today, in the bot's default time zone
    statuses: dict[Status, int]  # today's briefings
    next_due: dt.datetime | None
    verdicts: dict[str, int]  # questions of the last QUESTION_DAYS days


def read_store(store: Store, *, now: dt.datetime, zone: ZoneInfo) -> Stored:
    facts, generation, added = store.fact_generation()
    day = local_day(now, zone)
    return Stored(
        facts=facts,
        generation=generation,
        added=added,
        chats=store.chat_count(),
        subscriptions=store.subscription_count(),
        day=day,
        statuses=store.day_statuses(day=day),
        next_due=store.next_due(),
        verdicts=store.verdict_counts(since=now - dt.timedelta(days=QUESTION_DAYS)),
    )


@dataclass(frozen=True)
class Reload:
    at: dt.datetime
    ok: bool
    added: int = 0
    removed: int = 0
    changed: int = 0
    problems: int = 0


@dataclass(frozen=True)
class Running:
    """What only the running bot knows."""

    base: FactBase
    started_at: dt.datetime
    now: dt.datetime
    reloads: int
    last_reload: Reload | None


def duration(seconds: float, script: Script) -> str:
    whole = int(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds_left = divmod(rest, 60)
    if days:
        return message("duration_days", script, days=days, hours=hours)
    if hours:
        return message("duration_hours", script, hours=hours, minutes=minutes)
    return message("duration_minutes", script, minutes=minutes, seconds=seconds_left)


def render(
    stored: Stored,
    renderer: Renderer,
    script: Script,
    *,
    zone: ZoneInfo,
    running: Running | None = None,
) -> str:
    def at(moment: dt.datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    lines = [renderer.bold(message("status_heading", script))]
    if running is not None:
        base = running.base
        lines.append(
            renderer.message(
                "status_facts", script, facts=len(base.facts),
                kinds=renderer.kind_counts(base, script), generation=stored.generation,
                new=stored.added, digest=base.digest(),
            )
        )  # fmt: skip
    else:
        lines.append(
            renderer.message(
                "status_stored_facts", script, facts=stored.facts,
                generation=stored.generation, new=stored.added,
            )
        )  # fmt: skip
    lines.append(
        renderer.message(
            "status_chats", script, chats=stored.chats, subscriptions=stored.subscriptions
        )
    )
    counts = stored.statuses
    lines.append(
        renderer.message(
            "status_briefings", script, day=stored.day.isoformat(),
            due=sum(counts.values()), sent=counts.get(Status.SENT, 0),
            retrying=counts.get(Status.RETRY, 0), failed=counts.get(Status.FAILED, 0),
            lost=counts.get(Status.EXPIRED, 0),
            pending=counts.get(Status.PENDING, 0) + counts.get(Status.SENDING, 0),
        )
    )  # fmt: skip
    if stored.next_due is not None:
        lines.append(renderer.message("status_next_due", script, at=f"{at(stored.next_due)}"))
    verdicts = stored.verdicts
    lines.append(
        renderer.message(
            "status_questions", script, days=QUESTION_DAYS, up=verdicts.get("up", 0),
            down=verdicts.get("down", 0), unanswered=verdicts.get("unanswered", 0),
            pending=verdicts.get("answered", 0),
        )
    )  # fmt: skip
    if running is None:
        lines.append(renderer.message("status_offline", script))
        return "\n".join(lines)
    last = running.last_reload
    if last is None:
        lines.append(renderer.message("status_reloads", script, count=running.reloads))
    else:
        outcome = (
            message("status_reload_ok", script, added=last.added, removed=last.removed,
                    changed=last.changed)
            if last.ok
            else message("status_reload_failed", script, count=last.problems)
        )  # fmt: skip
        lines.append(
            renderer.message(
                "status_reloads_last", script, count=running.reloads, at=at(last.at),
                outcome=outcome,
            )
        )  # fmt: skip
    uptime = duration((running.now - running.started_at).total_seconds(), script)
    lines.append(
        renderer.message("status_uptime", script, uptime=uptime, since=at(running.started_at))
    )
    return "\n".join(lines)
