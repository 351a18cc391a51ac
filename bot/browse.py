"""Browsing the fact base by category, a page at a time, for the console and the bot alike.

The categories (which kinds each lists, their headings) are bot/kinds.py's table; organisations
and people have a list of their own, so every fact can be reached by browsing, not only by
asking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from bot.factbase import Fact, FactBase
from bot.kinds import CATEGORIES
from bot.messages import message
from bot.text import Script

__all__ = ["CATEGORIES", "PAGE_SIZE", "Page", "page"]

PAGE_SIZE: Final = 8


@dataclass(frozen=True)
class Page:
    category: str
    facts: tuple[Fact, ...]
    number: int  # 0-based
    pages: int

    @property
    def first_position(self) -> int:
        return self.number * PAGE_SIZE + 1

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.pages

    def heading(self, script: Script) -> str:
        """活动（第1/2页）, in the reader's language."""
        title = CATEGORIES[self.category].heading.of(script)
        return message(
            "page_heading", script, heading=title, number=self.number + 1, pages=self.pages
        )


def _order(fact: Fact) -> tuple[dt.date, str]:
    """Dated facts by date, the rest after them in the order they were curated."""
    when = fact.when_range
    return (when[0] if when else dt.date.max, "")


def page(base: FactBase, category: str, number: int) -> Page:
    """One page of a category; `number` is clamped, so a stale button still shows something."""
    kinds = CATEGORIES[category].kinds
    facts = sorted(base.of_kind(*kinds), key=_order)
    pages = max(1, -(-len(facts) // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    chunk = tuple(facts[number * PAGE_SIZE : (number + 1) * PAGE_SIZE])
    return Page(category, chunk, number, pages)
