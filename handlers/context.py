"""Shared objects of the running bot, behind a typed CallbackContext (PTB's ContextTypes).

Handlers reach the fact base, matcher, store and settings as `context.bot_data.<name>` with
full types, instead of string keys into a dict. `Served` bundles what a reload replaces, so the
swap is one assignment: a handler never sees a new matcher with an old fact base.
"""

from __future__ import annotations

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
from bot.store import Store
from handlers.pacing import Paced


@dataclass(frozen=True)
class Served:
    base: FactBase
    matcher: Matcher
    assistant: Assistant
    new: frozenset[str]  # facts the last reload that added any brought in


def serve(base: FactBase, store: Store, matcher: Matcher | None = None) -> Served:
    """Index a verified fact base and record which of its facts are new (at start and reload).

    The index is read-only from here on, so it is moved out of the garbage collector's sight
    (gc.freeze): otherwise every collection would walk its millions of objects.
    """
    matcher = matcher or Matcher(base)
    assistant = Assistant(base, matcher, Renderer(html_output=True))
    store.sync_facts(digests=base.fact_digests())
    gc.freeze()
    return Served(base, matcher, assistant, frozenset(store.new_fact_ids()))


class BotData:
    """Created empty by PTB; filled in `post_init` before the first update is handled."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._store: Store | None = None
        self._served: Served | None = None
        self.html = Renderer(html_output=True)
        self.delivery: Delivery | None = None  # started after the store and facts

    def start(self, settings: Settings, store: Store, served: Served) -> None:
        self._settings, self._store, self._served = settings, store, served

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the bot has not started")
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the bot has not started")
        return self._store

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
        if self._store is not None:
            self._store.close()
            self._store = None


class Context(CallbackContext[ExtBot[Paced], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""


# No JobQueue: briefings have their own dispatcher (bot/delivery.py), not a job per chat.
BayApplication = Application[ExtBot[Paced], Context, dict[Any, Any], dict[Any, Any], BotData, None]
