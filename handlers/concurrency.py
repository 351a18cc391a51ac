"""Updates of different chats are handled side by side; one chat's updates stay in order.

PTB handles updates one at a time by default, so one slow update held up every chat: a group
that floods the bot with mentions waits out Telegram's 20 messages a minute per group
(bot/pacing.py) in its replies, and every private question queued behind those waits. PTB's
own concurrent mode (`concurrent_updates(n)`) would run them all at once but lose the order
inside a chat: a /subscribe and the /unsubscribe after it could swap, an answer could overtake
the question before it. `ChatOrder` keeps a queue per chat (per user for inline queries and
button presses without a chat) and runs the queues' heads concurrently, at most `limit` at a
time.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

LIMIT: Final = 64  # updates handled at once, all chats together
Key = tuple[str, int]


def order_key(update: object) -> Key | None:
    """What an update must stay in order with: its chat, else its sender; None is no order."""
    if not isinstance(update, Update):
        return None
    if (chat := update.effective_chat) is not None:
        return ("chat", chat.id)
    if (user := update.effective_user) is not None:
        return ("user", user.id)
    return None


class ChatOrder(BaseUpdateProcessor):
    """One queue per chat, `limit` updates at once in all.

    PTB's own semaphore (in the final `process_update`) is taken *before* our
    `do_process_update` runs, so an update waiting for its chat's previous one would hold a
    slot while it waits: sixty-four queued mentions of one group would fill every slot and
    stall every other chat again. So PTB's bound is set out of reach, and ours is taken only
    once an update is at the head of its chat's queue.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        super().__init__(max_concurrent_updates=sys.maxsize)
        if limit < 1:
            raise ValueError("the concurrency limit must be positive")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self._tails: dict[Key, asyncio.Future[None]] = {}  # each chat's last update, done or not
        self._tasks: set[asyncio.Task[Any]] = set()

    async def initialize(self) -> None:
        """Nothing to set up: the queues are made as chats appear."""

    async def shutdown(self) -> None:
        """Nothing to release: by now `Application.stop` has waited for every update."""

    @property
    def pending(self) -> int:
        """Updates taken from PTB's queue and not yet handled (waiting or running)."""
        return len(self._tasks)

    def cancel_pending(self) -> int:
        """Give up on every update not handled yet (a stop that cannot wait any longer, e.g.
        for a group's pacing); returns how many were given up."""
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        return len(tasks)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        # Decided before the first await: updates reach here in the order PTB fetched them.
        previous = self._tails.get(key) if key is not None else None
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = mine
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._slots:
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: it never ran, and never will
            self._release(key, mine, previous)
            if task is not None:
                self._tasks.discard(task)

    def _release(
        self, key: Key | None, mine: asyncio.Future[None], previous: asyncio.Future[None] | None
    ) -> None:
        """Let the chat's next update go: now, or, if this one was cancelled while the one
        before it still runs, once that one is done (the order holds even then)."""

        def done(_: object = None) -> None:
            if not mine.done():
                mine.set_result(None)
            if key is not None and self._tails.get(key) is mine:
                del self._tails[key]

        if previous is not None and not previous.done():
            previous.add_done_callback(done)
        else:
            done()
