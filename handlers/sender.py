"""Briefings to Telegram: the domain's Sender, with telegram.error mapped to the domain's.

bot/delivery.py decides what each outcome means (retry, unsubscribe, move, give up); this only
says which outcome Telegram gave. A timeout after the request was sent is Unknown (Telegram may
have delivered it); one before it left (no connection, no free connection) is Transient.
"""

from __future__ import annotations

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot

from bot.answers import split_message
from bot.outcomes import Blocked, Migrated, RateLimited, Rejected, Transient, Unknown
from handlers.pacing import Paced, retry_seconds

NOT_SENT_TIMEOUTS = (httpx.ConnectTimeout, httpx.PoolTimeout)


class TelegramSender:
    def __init__(self, bot: ExtBot[Paced], *, timeout: float) -> None:
        self._bot = bot
        self._read_timeout = timeout  # a 10 s stall is still answered with the default 15 s
        self._other_timeouts = min(5.0, timeout / 3)

    async def send(self, chat_id: int, thread_id: int | None, text: str) -> list[int]:
        ids = []
        for part in split_message(text):  # a briefing is composed to fit one message
            try:
                message = await self._bot.send_message(
                    chat_id,
                    part,
                    message_thread_id=thread_id,
                    read_timeout=self._read_timeout,
                    write_timeout=self._other_timeouts,
                    connect_timeout=self._other_timeouts,
                    pool_timeout=self._other_timeouts,
                    rate_limit_args=Paced.BULK,
                )
            except RetryAfter as error:
                raise RateLimited(retry_seconds(error)) from error
            except ChatMigrated as error:
                raise Migrated(int(error.new_chat_id)) from error
            except Forbidden as error:
                raise Blocked(error.message) from error
            except BadRequest as error:  # before NetworkError: PTB derives it from that
                raise Rejected(error.message) from error
            except TimedOut as error:
                if isinstance(error.__cause__, NOT_SENT_TIMEOUTS):
                    raise Transient(error.message) from error
                raise Unknown(error.message) from error
            except NetworkError as error:  # 5xx, 502, reset connections
                raise Transient(error.message) from error
            except TelegramError as error:  # a revoked token, a conflict: not the chat's doing
                raise Transient(error.message) from error
            ids.append(message.message_id)
        return ids
