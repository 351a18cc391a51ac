"""Shared objects of the running bot, behind a typed CallbackContext (PTB's ContextTypes).

Handlers reach the service, store and settings as `context.bot_data.<name>` with full types,
instead of string keys into a dict. What a reload replaces (bot/serving.py's `Served`) is
held by the service, so the swap is one assignment: a handler never sees a new matcher with
an old fact base.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.answers import Renderer
from bot.briefing import Content
from bot.commands import CommandTable, commands
from bot.config import Settings
from bot.delivery import Delivery
from bot.service import Service
from bot.serving import Recorded, Served, record_facts, serve
from bot.storage import Storage
from handlers.pacing import Paced

__all__ = ["BayApplication", "BotData", "Context", "Recorded", "Served", "record_facts", "serve"]


class BotData:
    """Created empty by PTB; filled in `post_init` before the first update is handled."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._storage: Storage | None = None
        self._service: Service | None = None
        self.html = Renderer(html_output=True)
        self.delivery: Delivery | None = None  # started after the store and facts
        self.commands: CommandTable = commands()  # set with the handlers (handlers/app.py)
        self.ready = False  # facts and store loaded, updates handled: what /healthz says
        self.watcher: asyncio.Task[None] | None = None  # polls for other instances' reloads

    def start(self, settings: Settings, storage: Storage, served: Served) -> None:
        self._settings, self._storage = settings, storage
        self._service = Service(
            settings=settings,
            storage=storage,
            served=served,
            renderer=self.html,
            table=self.commands,
        )

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
    def service(self) -> Service:
        """What every command and question does (bot/service.py)."""
        if self._service is None:
            raise RuntimeError("the bot has not started")
        return self._service

    @property
    def served(self) -> Served:
        return self.service.served

    @served.setter
    def served(self, value: Served) -> None:
        self.service.served = value

    @property
    def fact_version(self) -> int | None:
        """The store's fact base version served here (handlers/reloading.py follows it)."""
        return self.service.fact_version

    @fact_version.setter
    def fact_version(self, value: int | None) -> None:
        self.service.fact_version = value

    def content(self) -> Content:
        """What briefings are made of right now (a reload swaps it)."""
        return self.service.content()

    def close(self) -> None:
        if self._storage is not None:
            self._storage.close()
            self._storage = None


class Context(CallbackContext[ExtBot[Paced], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""


# No JobQueue: briefings have their own dispatcher (bot/delivery.py), not a job per chat.
BayApplication = Application[ExtBot[Paced], Context, dict[Any, Any], dict[Any, Any], BotData, None]
