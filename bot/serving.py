"""What a verified fact base serves, bundled so that a reload swaps it in one assignment.

A front end (Telegram, the console) never sees a new matcher with an old fact base: the base,
its matcher and the assistant answering from them, and which facts the last reload that added
any brought in, are one frozen `Served`.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from bot.answers import Renderer
from bot.assistant import Assistant
from bot.briefing import Content
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.store import Store


@dataclass(frozen=True)
class Served:
    base: FactBase
    matcher: Matcher
    assistant: Assistant
    new: frozenset[str]  # facts the last reload that added any brought in

    def content(self) -> Content:
        """What briefings are made of."""
        return Content(self.base, self.matcher.index, self.new)


def serve(
    base: FactBase, new: frozenset[str], matcher: Matcher | None = None, *, html: bool = True
) -> Served:
    """What a verified fact base serves: its index and assistant (at start and reload).

    The index is read-only from here on, so it is moved out of the garbage collector's sight
    (gc.freeze): otherwise every collection would walk its millions of objects.
    """
    matcher = matcher or Matcher(base)
    assistant = Assistant(base, matcher, Renderer(html_output=html))
    gc.freeze()
    return Served(base, matcher, assistant, new)


@dataclass(frozen=True)
class Recorded:
    """What the store says after a fact base was recorded: the facts its last additions
    brought, and the fact base version the instances now serve (None: not recorded)."""

    new: frozenset[str]
    version: int | None


def record_facts(store: Store, base: FactBase) -> Recorded:
    """Record the fact base now served in the store (the other instances poll its version)."""
    store.sync_facts(digests=base.fact_digests())
    found = store.fact_version()
    return Recorded(frozenset(store.new_fact_ids()), found.version if found else None)
