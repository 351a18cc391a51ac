"""Inline mode: `@bot 问题` in any chat offers the reply to send there: an overview as one
result when the query asks for one (给我讲讲双选会), else the best matching facts."""

from __future__ import annotations

import hashlib

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.text import detect_script
from handlers.context import Context

RESULTS = 5
DESCRIPTION_CHARS = 100


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    served, html = context.bot_data.served, context.bot_data.html
    script = detect_script(query.query)
    results: list[InlineQueryResultArticle] = []
    if query.query.strip():
        reply = served.assistant.reply(query.query, script=script)
        if reply.mode == "overview":  # the digest itself, ready to send
            digest_id = "o:" + hashlib.sha256(query.query.encode()).hexdigest()[:16]
            first_line = reply.text.split("\n", 1)[0].replace("<b>", "").replace("</b>", "")
            results.append(
                InlineQueryResultArticle(
                    id=digest_id,
                    title=first_line[:DESCRIPTION_CHARS],
                    description=" · ".join(html.title(served.base.by_id[i], script)
                                           for i in reply.fact_ids)[:DESCRIPTION_CHARS],
                    input_message_content=InputTextMessageContent(
                        reply.text, parse_mode=ParseMode.HTML
                    ),
                )
            )  # fmt: skip
        facts = [served.base.by_id[i] for i in reply.fact_ids if i in served.base.by_id]
        if reply.mode != "overview":
            facts = facts or [m.fact for m in served.matcher.match(query.query).matches]
    else:  # nothing typed yet: the headline figures
        facts = list(served.base.of_kind("statistic"))
    for fact in facts[: RESULTS - len(results)]:
        results.append(
            InlineQueryResultArticle(
                id=fact.id,
                title=html.title(fact, script),
                description=html.answer(fact, script)[:DESCRIPTION_CHARS],
                input_message_content=InputTextMessageContent(
                    html.fact(fact, served.base, script, asked=query.query),
                    parse_mode=ParseMode.HTML,
                ),
            )
        )
    await query.answer(results, cache_time=300, is_personal=False)
