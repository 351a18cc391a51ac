"""Every button press, routed by python-telegram-bot's `pattern=` (handlers/app.py): a fact, a
page, the 👍/👎 of an answer, what was wrong with it; and one catch-all for stale buttons.

A button outlives the facts it was made for (a reload may remove a fact) and may be forged,
so each press is checked again here and answered politely when it no longer means anything.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, Message, Update
from telegram.error import BadRequest

from bot.browse import CATEGORIES
from bot.messages import message
from handlers.context import Context
from handlers.messaging import (
    keyboard,
    reason_rows,
    script_of,
    send,
    thread_of,
    without_feedback,
)

log = logging.getLogger("baybrief.buttons")


def _match(context: Context) -> re.Match[str]:
    """What the route's pattern matched (PTB puts it in context.matches)."""
    assert context.matches, "routed without a pattern"
    return context.matches[0]


async def show_fact(update: Update, context: Context) -> None:
    """f:<fact-id>: the fact in full, as a new message, with its related facts."""
    query = update.callback_query
    if query is None:
        return
    script = await script_of(update, context)
    output = context.bot_data.service.fact(_match(context)["fact"], script)
    if output is None or query.message is None:
        await stale(update, context)
        return
    await query.answer()
    chat_id = query.message.chat.id
    await send(
        context.bot, chat_id, output.text, thread_id=thread_of(update), keyboard=keyboard(output)
    )


async def turn_page(update: Update, context: Context) -> None:
    """p:<category>:<page>: the list's page, in place."""
    query = update.callback_query
    if query is None:
        return
    found = _match(context)
    if found["category"] not in CATEGORIES:
        await stale(update, context)
        return
    await query.answer()
    script = await script_of(update, context)
    output = context.bot_data.service.page(found["category"], int(found["page"]), script)
    try:
        await query.edit_message_text(output.text, reply_markup=keyboard(output))
    except BadRequest as error:  # pressed twice: the page is already shown; or the message
        # is gone (deleted, too old to edit): the press was answered, nothing more to do
        if "not modified" not in error.message.lower():
            log.info("could not turn the page: %s", error.message)


async def vote(update: Update, context: Context) -> None:
    """v:u|d:<token>: a 👍 thanks and takes the buttons away; a 👎 asks what was wrong."""
    query = update.callback_query
    if query is None:
        return
    found = _match(context)
    token, up = found["token"], found["vote"] == "u"
    script = await script_of(update, context)
    outcome = await context.bot_data.service.vote(token, up=up, script=script)
    await query.answer(outcome.text)
    extra = reason_rows(token, script) if outcome.ask_reason else []
    await _replace_feedback(update, *extra)


async def reason(update: Update, context: Context) -> None:
    """w:<reason>:<token>: what was wrong with an answer voted 👎."""
    query = update.callback_query
    if query is None:
        return
    found = _match(context)
    script = await script_of(update, context)
    text = await context.bot_data.service.reason(found["token"], found["reason"], script)
    await query.answer(text)
    await _replace_feedback(update)


async def _replace_feedback(update: Update, *rows: Sequence[InlineKeyboardButton]) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    markup = without_feedback(query.message.reply_markup, *rows)
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as error:  # pressed twice, or the message is too old to edit
        log.info("could not change the feedback buttons: %s", error.message)


async def stale(update: Update, context: Context) -> None:
    """Any other button: expired, from an older version, or forged."""
    query = update.callback_query
    if query is None:
        return
    script = await script_of(update, context)
    await query.answer(message("stale_button", script), show_alert=True)
