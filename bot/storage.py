"""The store as the chat handlers use it: off the event loop, bounded in time, never fatal.

A question must be answered whether or not the database can be written: a locked, read-only or
full file, or one deleted under the running bot, may cost a chat its remembered script or
conversation, never its answer. So every call runs on one worker thread that owns its own
connection (SQLite connections belong to their thread), waits at most `timeout`, and a read
that fails returns its default while a write that fails raises `StoreUnavailable` for the one
user who asked for a change. Calls beyond `MAX_WAITING` fail at once instead of queueing behind
a stuck file. The briefing delivery has its own connection and thread (bot/delivery.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, TypeVar

from bot.store import Store

log = logging.getLogger("baybrief.storage")
T = TypeVar("T")
TIMEOUT: Final = 2.0  # seconds a chat may wait for the store
MAX_WAITING: Final = 32  # calls queued behind a slow store before new ones fail at once


class StoreUnavailable(Exception):
    """The store could not do what was asked; the message says why, for the log."""


class Storage:
    def __init__(self, open_store: Callable[[], Store], *, timeout: float = TIMEOUT) -> None:
        self._open = open_store
        self._timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._local = threading.local()
        self._waiting = 0
        self._stores: list[Store] = []

    @classmethod
    def at(cls, target: Path | str, *, timeout: float = TIMEOUT) -> Storage:
        """A SQLite file or a postgresql:// URL (bot/store)."""
        return cls(lambda: Store(target, busy_timeout=timeout / 2), timeout=timeout)

    def _store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self._open()
            self._stores.append(store)
        return store

    def _run(self, work: Callable[[Store], T]) -> T:
        return work(self._store())

    async def _call(self, work: Callable[[Store], T]) -> T:
        if self._waiting >= MAX_WAITING:
            raise StoreUnavailable(f"{self._waiting} store calls already waiting")
        self._waiting += 1
        try:
            future = asyncio.get_running_loop().run_in_executor(self._executor, self._run, work)
            return await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            raise StoreUnavailable(f"no answer from the store within {self._timeout:g} s") from exc
        except StoreUnavailable:
            raise
        except Exception as exc:  # database errors, a vanished file, a full disk, a lost server...
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._waiting -= 1

    async def read(self, work: Callable[[Store], T], *, default: T) -> T:
        """What the store says, or `default` (logged) when it cannot say it in time."""
        try:
            return await self._call(work)
        except StoreUnavailable as exc:
            log.warning("store read failed, going on without it: %s", exc)
            return default

    async def write(self, work: Callable[[Store], T]) -> T:
        """Do a change; raises StoreUnavailable so the one who asked for it can be told."""
        return await self._call(work)

    async def remember(self, work: Callable[[Store], object]) -> None:
        """A change nobody waits for (the chat's script, its conversation): logged if lost."""
        try:
            await self._call(work)
        except StoreUnavailable as exc:
            log.warning("store write failed, the reply was sent anyway: %s", exc)

    def close(self) -> None:
        def close_all() -> None:
            for store in self._stores:
                store.close()

        self._executor.submit(close_all).result(timeout=self._timeout)
        self._executor.shutdown(wait=False)
