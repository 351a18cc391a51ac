"""The last resort: log what failed (never the token) and tell the user briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.messages import message
from bot.text import detect_script
from handlers.context import Context
from handlers.messaging import language_script

log = logging.getLogger("baybrief.errors")


async def on_error(update: object, context: Context) -> None:
    where = update.update_id if isinstance(update, Update) else type(update).__name__
    log.error("failed to handle update %s", where, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        text = update.effective_message.text  # no store read here: it may be what failed
        script = detect_script(text) if text else language_script(update)
        try:
            await update.effective_message.reply_text(message("sorry", script))
        except TelegramError:
            log.warning("could not tell the user about the error either")
