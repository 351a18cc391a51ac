"""The last resort: log what failed (never the token) and tell the user briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.context import Context

log = logging.getLogger("baybrief.errors")
SORRY = "抱歉，处理这条消息时出了点问题，请稍后再试。"


async def on_error(update: object, context: Context) -> None:
    where = update.update_id if isinstance(update, Update) else type(update).__name__
    log.error("failed to handle update %s", where, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(SORRY)
        except TelegramError:
            log.warning("could not tell the user about the error either")
