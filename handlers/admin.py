"""/reload, for the numeric user ids in BAYBRIEF_ADMIN_IDS: re-read and verify facts/.

The new fact base is loaded and indexed off the event loop, then swapped in with one
assignment; on any problem the old facts keep being served and the admin gets the
file:line list. Anyone else is refused, and the attempt is logged. The other instances on the
same store follow within BAYBRIEF_RELOAD_POLL seconds (handlers/reloading.py).
"""

from __future__ import annotations

import logging

from telegram import Update

from bot import metrics
from bot.problems import FactBaseError
from bot.storage import StoreUnavailable
from handlers import reloading
from handlers.context import Context, Recorded, record_facts, serve
from handlers.messaging import reply

log = logging.getLogger("baybrief.admin")


async def reload(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    settings = context.bot_data.settings
    if user is None or user.id not in settings.admin_ids:
        log.warning("refused /reload from user %s", user.id if user else "unknown")
        metrics.RELOADS.labels("refused").inc()
        await reply(message, "只有管理员可以重新加载资料。")
        return
    old = context.bot_data.served.base
    try:
        base, matcher = await reloading.load(context.bot_data)
    except FactBaseError as error:
        log.warning("reload by %s failed with %d problem(s)", user.id, len(error.problems))
        metrics.RELOADS.labels("failed").inc()
        await reply(message, context.bot_data.html.reload_failed(error))
        return
    try:
        recorded = await context.bot_data.storage.write(lambda store: record_facts(store, base))
    except StoreUnavailable as error:  # serve the new facts; which are new is known next time
        log.warning("reload by %s: could not record the facts: %s", user.id, error)
        recorded = Recorded(frozenset(), context.bot_data.fact_version)
    context.bot_data.served = serve(base, recorded.new, matcher)
    context.bot_data.fact_version = recorded.version  # the other instances follow this one
    metrics.RELOADS.labels("ok").inc()
    diff = old.diff(base)
    counts = len(diff.added), len(diff.removed), len(diff.changed)
    log.info("reload by %s: +%d -%d ~%d facts", user.id, *counts)
    await reply(message, context.bot_data.html.reloaded(diff, base))
