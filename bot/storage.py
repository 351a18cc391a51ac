"""The store as the chat handlers use it: off the event loop, bounded in time, never fatal.

A question must be answered whether or not the database can be written: a locked, read-only or
full file, or one deleted under the running bot, may cost a chat its remembered script or
conversation, never its answer. So every call runs on one worker thread that owns its own
connection (SQLite connections belong to their thread), waits at most `timeout`, and a read
that fails returns its default while a write that fails raises `StoreUnavailable` for the one
user who asked for a change. Calls beyond `MAX_WAITING` fail at once instead of queueing behind
a stuck file. The briefing delivery has its own connection and thread (bot/delivery.py).

A SQLite file deleted under the running bot is the quiet case: SQLite goes on writing into
the unlinked file, every write succeeds, and all of it is gone at the next start. So before
each call the file's identity (device and inode) is compared with the one opened: a file
that is gone makes every call fail (logged once, as an error) instead of writing into the
void, and none is created in its place (a restart does that, visibly); a file put back or
replaced (a restored backup) is opened afresh.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, TypeVar

from bot.store import Store, is_postgres

log = logging.getLogger("baybrief.storage")
T = TypeVar("T")
TIMEOUT: Final = 2.0  # seconds a chat may wait for the store
# Calls queued behind a slow store before new ones fail at once: well above what a burst of
# chats handled side by side asks (64 updates at once, handlers/concurrency.py, a few calls
# each, and what they record afterwards), so that only a store that is stuck refuses calls.
MAX_WAITING: Final = 256


class StoreUnavailable(Exception):
    """The store could not do what was asked; the message says why, for the log."""


Identity = tuple[int, int]


def _identity(path: Path) -> Identity | None:
    """The file's device and inode; None when there is no file there (any more)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


class Storage:
    def __init__(
        self,
        open_store: Callable[[], Store],
        *,
        timeout: float = TIMEOUT,
        path: Path | None = None,
    ) -> None:
        """`path` is the SQLite file `open_store` opens, watched for deletion (see above)."""
        self._open = open_store
        self._timeout = timeout
        self._path = path
        self._opened = False  # the file existed once: never create it again behind a user
        self._vanished = False  # logged as gone (once, until it is back)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._local = threading.local()
        self._waiting = 0
        self._stores: list[Store] = []

    @classmethod
    def at(cls, target: Path | str, *, timeout: float = TIMEOUT) -> Storage:
        """A SQLite file or a postgresql:// URL (bot/store)."""
        path = None if is_postgres(target) or str(target) == ":memory:" else Path(target)
        return cls(lambda: Store(target, busy_timeout=timeout / 2), timeout=timeout, path=path)

    def _store(self) -> Store:
        """This worker thread's store, on the file that is at the path now."""
        store: Store | None = getattr(self._local, "store", None)
        now = _identity(self._path) if self._path is not None else None
        if store is not None and self._path is not None and now != self._local.identity:
            self._stores.remove(store)
            store.close()  # the old file's (deleted, or replaced by another)
            self._local.store = store = None
        if store is None:
            if self._path is not None and self._opened and now is None:
                self._gone()
            store = self._local.store = self._open()
            self._local.identity = _identity(self._path) if self._path is not None else None
            self._stores.append(store)
            if self._vanished:
                log.warning("the database file %s is back: using it again", self._path)
            self._opened, self._vanished = True, False
        return store

    def _gone(self) -> None:
        if not self._vanished:
            log.error("the database file %s was deleted under the running bot: nothing is "
                      "saved until it is back (restore it, or restart the bot to start an "
                      "empty one)", self._path)  # fmt: skip
        self._vanished = True
        raise StoreUnavailable(f"the database file {self._path} was deleted")

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
