"""What goes into a chat's briefing today, and how a subscription is asked for.

A briefing is a short digest in one message: upcoming dated events first (highlighted), then
headline figures, events and policies. Facts the chat has not been sent yet come first, facts
the last reload added are marked new, and once a chat has seen everything the choice rotates
by day, so no two days repeat. A subscription may narrow the briefing to a kind (政策) or a
topic (双选会).

A briefing knows its day (the chat's local date): an event is upcoming only until its dates
are over, and an event whose dates are over is marked as past, since its sentence may still
say 将于 (an article of 2025 announcing December is not news of December 2026).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.factbase import Fact, FactBase
from bot.factindex import FactIndex
from bot.kinds import BRIEFING_ORDER, CATEGORIES, Category, category_of
from bot.messages import Verbatim, message
from bot.text import Script

if TYPE_CHECKING:  # answers renders selections, so it imports this module
    from bot.answers import Renderer
    from bot.store import Store

DEFAULT_TIME: Final = dt.time(8, 0)
SIZE: Final = 7  # facts in a briefing, before it is shortened to fit one message
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")


class SubscriptionError(ValueError):
    """A /subscribe argument we cannot use; the message (bot/data/messages.yaml `key`) says
    what would work instead, in the reader's language."""

    def __init__(self, key: str, **typed: str) -> None:
        self.key, self.typed = key, {name: Verbatim(v) for name, v in typed.items()}
        super().__init__(self.text(Script.SIMPLIFIED))

    def text(self, script: Script) -> str:
        """What was wrong, in the reader's language; what they typed as they typed it."""
        return message(self.key, script, **self.typed)


@dataclass(frozen=True)
class Request:
    send_time: dt.time
    topic: str | None


def parse_request(argument: str) -> Request:
    """`[HH:MM[:SS]] [topic]` in either order; seconds allow a briefing at a precise moment."""
    send_time: dt.time | None = None
    words = []
    for word in unicodedata.normalize("NFKC", argument).split():
        found = _TIME.match(word)
        if found is None:
            words.append(word)
            continue
        hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
        if send_time is not None or hours > 23 or minutes > 59 or seconds > 59:
            raise SubscriptionError("bad_time", word=word)
        send_time = dt.time(hours, minutes, seconds)
    topic = " ".join(words)[:40] or None
    return Request(send_time or DEFAULT_TIME, topic)


def topic_filter(index: FactIndex, topic: str | None) -> Callable[[Fact], bool]:
    """A kind (政策, events...) or a phrase the facts must contain; unknown ones are refused."""
    if topic is None:
        return lambda fact: True
    wanted = index.canonical(topic)
    for category in CATEGORIES.values():
        if wanted in index.canonical(" ".join(category.topic)).split():
            kinds = category.kinds
            return lambda fact: fact.kind in kinds
    about = {
        fact.id: " ".join(t for texts in index.fact(n).fields.values() for t in texts)
        for n, fact in enumerate(index.base.facts)
    }
    if not any(wanted in text for text in about.values()):
        raise SubscriptionError("unknown_topic", topic=topic)
    return lambda fact: wanted in about.get(fact.id, "")


@dataclass(frozen=True)
class Selection:
    day: dt.date
    upcoming: tuple[Fact, ...]
    sections: tuple[tuple[Category, tuple[Fact, ...]], ...]  # in the briefing's order
    new: frozenset[str]
    unseen: int  # facts (of the chat's topic) it had not been sent before this briefing
    fresh: int = 0  # of those, how many this briefing shows: when equal, it has seen all
    past: frozenset[str] = frozenset()  # events chosen whose dates are over on `day`

    @property
    def facts(self) -> tuple[Fact, ...]:
        return (*self.upcoming, *(f for _, facts in self.sections for f in facts))


def _rotation(day: dt.date, fact_id: str) -> str:
    return hashlib.sha256(f"{day.isoformat()}:{fact_id}".encode()).hexdigest()


def select(
    base: FactBase,
    *,
    day: dt.date,
    seen: Mapping[str, str],
    new: frozenset[str],
    wanted: Callable[[Fact], bool],
    size: int = SIZE,
) -> Selection:
    """The facts for `day`: unseen (new ones first) before seen (longest ago first)."""

    def order(fact: Fact) -> tuple[int, int, str, str]:
        unseen = fact.id not in seen
        return (not unseen, fact.id not in new, seen.get(fact.id, ""), _rotation(day, fact.id))

    pool = sorted((f for f in base.facts if wanted(f)), key=order)
    upcoming = [f for f in pool if f.kind == "event" and f.when_range and f.when_range[1] >= day]
    chosen = {f.id for f in upcoming[:2]}
    picked: dict[str, list[Fact]] = {category.name: [] for category in BRIEFING_ORDER}
    # First each section up to its share, then (a narrowed topic, a kind with few facts) the
    # rest of the pool in order, so a briefing is always as full as the facts allow.
    for respect_shares in (True, False):
        for fact in pool:
            if len(chosen) >= size:
                break
            section = category_of(fact.kind)
            full = len(picked[section.name]) >= section.share
            if fact.id in chosen or (respect_shares and full):
                continue
            picked[section.name].append(fact)
            chosen.add(fact.id)
    sections = tuple(
        (category, tuple(picked[category.name]))
        for category in BRIEFING_ORDER
        if picked[category.name]
    )
    unseen = sum(f.id not in seen for f in pool)
    fresh = sum(f.id not in seen for f in pool if f.id in chosen)
    past = {f.id for f in pool if f.id in chosen and f.when_range and f.when_range[1] < day}
    return Selection(
        day, tuple(upcoming[:2]), sections, new & chosen, unseen, fresh, frozenset(past)
    )


# -- a chat's briefing, from the store ---------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What briefings are made of; /reload replaces it as a whole."""

    base: FactBase
    index: FactIndex
    new: frozenset[str]


@dataclass(frozen=True)
class Composed:
    text: str
    fact_ids: tuple[str, ...]
    thread_id: int | None
    subscribed: bool


def compose(
    store: Store, content: Content, renderer: Renderer, *, chat_id: int, day: dt.date
) -> Composed:
    """A chat's briefing for `day`, from what the store says now (topic, forum topic, script,
    seen facts): composed just before it is sent, so a reload or a new topic counts."""
    subscription = store.subscription(chat_id=chat_id)
    topic = subscription.topic if subscription else None
    try:
        wanted = topic_filter(content.index, topic)
    except SubscriptionError:  # the topic vanished in a reload: brief on everything
        wanted = topic_filter(content.index, None)
    text, selection = renderer.compose_briefing(
        content.base,
        day=day,
        seen=store.seen(chat_id=chat_id),
        new=content.new,
        wanted=wanted,
        script=Script(store.script(chat_id=chat_id) or Script.SIMPLIFIED),
    )
    return Composed(
        text=text,
        fact_ids=tuple(f.id for f in selection.facts),
        thread_id=subscription.thread_id if subscription else None,
        subscribed=subscription is not None,
    )
