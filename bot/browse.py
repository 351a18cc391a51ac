"""Browsing the fact base by kind, a page at a time, for the console and the bot alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from bot.factbase import Fact, FactBase, Kind

PAGE_SIZE: Final = 8
# What each browse command lists. Organisations and people have a list of their own, so every
# fact can be reached by browsing, not only by asking.
CATEGORIES: Final[dict[str, tuple[str, tuple[Kind, ...]]]] = {
    "events": ("活动", ("event",)),
    "policies": ("政策与举措", ("policy", "initiative")),
    "stats": ("数据", ("statistic",)),
    "people": ("机构与观点", ("organization", "person")),
}


@dataclass(frozen=True)
class Page:
    category: str
    heading: str
    facts: tuple[Fact, ...]
    number: int  # 0-based
    pages: int

    @property
    def first_position(self) -> int:
        return self.number * PAGE_SIZE + 1


def _order(fact: Fact) -> tuple[dt.date, str]:
    """Dated facts by date, the rest after them in the order they were curated."""
    when = fact.when_range
    return (when[0] if when else dt.date.max, "")


def page(base: FactBase, category: str, number: int) -> Page:
    """One page of a category; `number` is clamped, so a stale button still shows something."""
    heading, kinds = CATEGORIES[category]
    facts = sorted(base.of_kind(*kinds), key=_order)
    pages = max(1, -(-len(facts) // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    chunk = tuple(facts[number * PAGE_SIZE : (number + 1) * PAGE_SIZE])
    return Page(category, f"{heading}（第{number + 1}/{pages}页）", chunk, number, pages)
