"""Swapping the fact base: `/reload` on one instance, and the same fact base on all the others.

`/reload` verifies facts/, swaps it in and records it in the store, which bumps the fact base
version when the facts changed (bot/store: `fact_base`). Every instance polls that one row
every BAYBRIEF_RELOAD_POLL seconds; when the version moved past the one it serves, it reads
facts/ from its own disk (the same folder or the same image on every instance) and swaps it
in if it is the fact base that was recorded. If its files differ (an instance of an older
image), it keeps serving its own, says so in the log and in `baybrief_reloads_total{result=
"mismatch"}`, and never writes the store: two instances with different files cannot undo each
other's reload in turn. One SELECT of one row every few seconds per instance is all it costs;
LISTEN/NOTIFY would be faster but needs a connection held open, which SQLite has no use for.
"""

from __future__ import annotations

import asyncio
import logging

from bot import metrics
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.problems import FactBaseError
from bot.store import FactVersion, fact_base_digest
from handlers.context import BotData, serve

log = logging.getLogger("baybrief.reload")


async def load(bot_data: BotData) -> tuple[FactBase, Matcher]:
    """facts/ read, verified and indexed off the event loop (~0.2 s); FactBaseError if broken."""
    settings = bot_data.settings
    base = await asyncio.to_thread(FactBase.load, settings.facts_dir, settings.seeds_dir)
    return base, await asyncio.to_thread(Matcher, base)


async def catch_up(bot_data: BotData) -> bool:
    """Serve the fact base another instance recorded, if it moved; True when swapped."""
    found: FactVersion | None = await bot_data.storage.read(
        lambda store: store.fact_version(), default=None
    )
    if found is None or found.version == bot_data.fact_version:
        return False
    try:
        base, matcher = await load(bot_data)
    except FactBaseError as error:
        log.warning("fact base version %d: this instance's facts/ do not load (%d problems); "
                    "serving the old facts", found.version, len(error.problems))  # fmt: skip
        metrics.RELOADS.labels("mismatch").inc()
        bot_data.fact_version = found.version
        return False
    if fact_base_digest(base.fact_digests()) != found.digest:
        log.warning("fact base version %d was loaded from other files than this instance's "
                    "facts/; serving this instance's own", found.version)  # fmt: skip
        metrics.RELOADS.labels("mismatch").inc()
        bot_data.fact_version = found.version
        return False
    new = await bot_data.storage.read(lambda store: frozenset(store.new_fact_ids()), default=None)
    bot_data.served = serve(base, new if new is not None else bot_data.served.new, matcher)
    bot_data.fact_version = found.version
    metrics.RELOADS.labels("propagated").inc()
    log.info("fact base version %d from another instance: now %d facts", found.version,
             len(base.facts))  # fmt: skip
    return True


async def watch(bot_data: BotData) -> None:
    """Poll the store's fact base version until cancelled (at stop)."""
    while True:
        await asyncio.sleep(bot_data.settings.reload_poll)
        try:
            await catch_up(bot_data)
        except Exception:  # a bug or a broken store: logged, and tried again at the next poll
            log.exception("looking for another instance's reload failed")
