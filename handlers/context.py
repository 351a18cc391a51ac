"""Shared objects of the running bot, behind a typed CallbackContext (PTB's ContextTypes).

Handlers reach the fact base, matcher, store and settings as `context.bot_data.<name>` with
full types, instead of string keys into a dict. `Served` bundles what a reload replaces, so the
swap is one assignment: a handler never sees a new matcher with an old fact base.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.answers import Renderer
from bot.assistant import Assistant
from bot.briefing import Content
from bot.config import Settings
from bot.delivery import Delivery
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.storage import Storage
from bot.store import Store
from handlers.pacing import Paced


@dataclass(frozen=True)
class Served:
    base: FactBase
    matcher: Matcher
    assistant: Assistant
    new: frozenset[str]  # facts the last reload that added any brought in


def serve(base: FactBase, new: frozenset[str], matcher: Matcher | None = None) -> Served:
    """What a verified fact base serves: its index and assistant (at start and reload).

    The index is read-only from here on, so it is moved out of the garbage collector's sight
    (gc.freeze): otherwise every collection would walk its millions of objects.
    """
    matcher = matcher or Matcher(base)
    assistant = Assistant(base, matcher, Renderer(html_output=True))
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


class BotData:
    """Created empty by PTB; filled in `post_init` before the first update is handled."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._storage: Storage | None = None
        self._served: Served | None = None
        self.html = Renderer(html_output=True)
        self.delivery: Delivery | None = None  # started after the store and facts
        self.fact_version: int | None = None  # the store's fact base version served here
        self.ready = False  # facts and store loaded, updates handled: what /healthz says
        self.watcher: asyncio.Task[None] | None = None  # polls for other instances' reloads

    def start(self, settings: Settings, storage: Storage, served: Served) -> None:
        self._settings, self._storage, self._served = settings, storage, served

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the bot has not started")
        return self._settings

    @property
    def storage(self) -> Storage:
        """The store, off the event loop and never fatal to a question (bot/storage.py)."""
        if self._storage is None:
            raise RuntimeError("the bot has not started")
        return self._storage

    @property
    def served(self) -> Served:
        if self._served is None:
            raise RuntimeError("the bot has not started")
        return self._served

    @served.setter
    def served(self, value: Served) -> None:
        self._served = value

    def content(self) -> Content:
        """What briefings are made of right now (a reload swaps it)."""
        served = self.served
        return Content(served.base, served.matcher.index, served.new)

    def close(self) -> None:
        if self._storage is not None:
            self._storage.close()
            self._storage = None


class Context(CallbackContext[ExtBot[Paced], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""


# No JobQueue: briefings have their own dispatcher (bot/delivery.py), not a job per chat.
BayApplication = Application[ExtBot[Paced], Context, dict[Any, Any], dict[Any, Any], BotData, None]
