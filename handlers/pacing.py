"""Every request python-telegram-bot makes to a chat goes through the domain's one pacer.

This replaces AIORateLimiter. Its leaky buckets let a full bucket out at once (so one second
could carry twice Telegram's limit) and know nothing of briefings, so a reader's answer queued
behind a broadcast. Here replies take the pacer's reply share (bot/pacing.py), 429s are retried
after `retry_after` (holding every send meanwhile), and briefings, which the delivery has paced
already and retries through its outbox, pass straight through, marked `Paced.BULK`.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pacing import ChatKey, Pacer

log = logging.getLogger("baybrief.pacing")
Result = bool | dict[str, Any] | list[dict[str, Any]]


class Paced(enum.Enum):
    """`rate_limit_args` of a request its caller paced and retries itself."""

    BULK = "bulk"


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int, or a timedelta under PTB_TIMEDELTA (which we set)."""
    value: int | dt.timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _chat_key(value: object) -> ChatKey | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return str(value)  # @channelusername


class PacedRateLimiter(BaseRateLimiter[Paced]):
    def __init__(self, pacer: Pacer, *, max_retries: int = 3) -> None:
        self._pacer = pacer
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the pacer is shared with the delivery and outlives us."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Paced | None,
    ) -> Result:
        if rate_limit_args is Paced.BULK:
            return await callback(*args, **kwargs)
        # Messages count against the limits; reads (getChat…) and requests without a chat
        # (answerCallbackQuery, setMyCommands) only wait out a 429 (chat None).
        chat = None if endpoint.startswith("get") else _chat_key(data.get("chat_id"))
        for attempt in itertools.count():
            await self._pacer.acquire(chat, bulk=False)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_seconds(error) + 0.1
                self._pacer.hold(wait)  # the next acquire waits it out, for everyone
                if attempt >= self._max_retries:
                    raise
                log.info("%s hit Telegram's flood limit: retrying after %.1f s", endpoint, wait)
        raise AssertionError("unreachable")
