"""/events, /policies, /stats, /people: a page of facts with buttons; and every button press."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from bot.answers import in_script
from bot.browse import page
from handlers.context import Context
from handlers.messaging import choices_keyboard, page_keyboard, parse_callback, reply, script_of

STALE = "这个按钮已失效（资料可能已更新），请重新发送 /help 或 /events。"


async def browse(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    category = message.text.split()[0].lstrip("/").split("@")[0].lower()
    shown = page(context.bot_data.served.base, category, 0)
    script = await script_of(update, context)
    text = context.bot_data.html.facts_list(shown.heading, shown.facts, script)
    await reply(message, text, page_keyboard(shown))


async def pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    button = parse_callback(query.data)
    base = context.bot_data.served.base
    script = await script_of(update, context)
    if button is None or (button.fact_id is not None and button.fact_id not in base.by_id):
        await query.answer(in_script(STALE, script), show_alert=True)
        return
    await query.answer()
    if button.fact_id is not None and query.message is not None:
        fact = base.by_id[button.fact_id]
        text = context.bot_data.html.fact(
            fact, base, script, new=fact.id in context.bot_data.served.new
        )
        related = [base.by_id[i] for i in fact.related if i in base.by_id]
        keyboard = choices_keyboard(context.bot_data.html.choices(related, script))
        await context.bot.send_message(
            query.message.chat.id, text, reply_markup=keyboard, message_thread_id=_thread(update)
        )
    elif button.category is not None:
        shown = page(base, button.category, button.page)
        text = context.bot_data.html.facts_list(
            shown.heading, shown.facts, script, start=shown.first_position
        )
        try:
            await query.edit_message_text(text, reply_markup=page_keyboard(shown))
        except BadRequest as error:  # pressed twice: the page is already shown
            if "not modified" not in error.message.lower():
                raise


def _thread(update: Update) -> int | None:
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None
