"""Inline mode: `@bot 问题` in any chat offers the best matching facts to send there."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.answers import in_script
from bot.text import detect_script
from handlers.context import Context

RESULTS = 5


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    served, html = context.bot_data.served, context.bot_data.html
    script = detect_script(query.query)
    if query.query.strip():
        facts = [m.fact for m in served.matcher.match(query.query).matches]
    else:  # nothing typed yet: the headline figures
        facts = list(served.base.of_kind("statistic"))
    results = [
        InlineQueryResultArticle(
            id=fact.id,
            title=in_script(fact.title, script),
            description=in_script(fact.answer, script)[:100],
            input_message_content=InputTextMessageContent(
                html.fact(fact, served.base, script), parse_mode=ParseMode.HTML
            ),
        )
        for fact in facts[:RESULTS]
    ]
    await query.answer(results, cache_time=300, is_personal=False)
