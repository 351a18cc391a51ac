"""The one place that wires python-telegram-bot: build_application() and run_polling()."""

from __future__ import annotations

import logging
import os
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.clock import SystemClock
from bot.config import Settings
from bot.delivery import Delivery
from bot.factbase import FactBase
from bot.outcomes import DeliveryConfig
from bot.pacing import Pacer
from bot.storage import Storage
from bot.store import Store
from bot.text import Script
from handlers import admin, ask, browse, errors, inline, start, subscriptions
from handlers.context import BayApplication, BotData, Context, record_facts, serve
from handlers.pacing import PacedRateLimiter
from handlers.sender import TelegramSender

log = logging.getLogger("baybrief")
# PTB 22 warns, inside its own RetryAfter, that retry_after will become a timedelta; we never
# read it (AIORateLimiter does, either way), so opt in to the future type and the silence.
os.environ.setdefault("PTB_TIMEDELTA", "1")
RETRIES = 3  # a reply's 429 is retried after Telegram's retry_after this many times


class RedactToken(logging.Filter):
    """Defence in depth: no log record may carry the bot token, whoever logs it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    # httpx logs every request at INFO with the URL, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if settings.token:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactToken(settings.token))


def delivery_config(settings: Settings) -> DeliveryConfig:
    """The lease must outlast a send: a short test lease shortens the send timeout with it."""
    lease = settings.delivery_lease
    return DeliveryConfig(lease=lease, send_timeout=min(DeliveryConfig.send_timeout, lease / 2))


def build_application(settings: Settings) -> BayApplication:
    if not settings.token:
        raise ValueError("BAYBRIEF_TOKEN is required to run the bot")
    clock = SystemClock()
    pacer = Pacer(clock, bulk_per_second=settings.broadcast_rate)  # briefings and replies

    async def post_init(application: BayApplication) -> None:
        base = FactBase.load(settings.facts_dir, settings.seeds_dir)
        store = Store(settings.database)  # once, at start: migrations and the facts' record
        try:
            new = record_facts(store, base)
        finally:
            store.close()
        bot_data = application.bot_data
        bot_data.start(settings, Storage.at(settings.database), serve(base, new))
        await application.bot.set_my_commands(start.commands(Script.SIMPLIFIED))
        config = delivery_config(settings)
        bot_data.delivery = Delivery(
            db_path=settings.database,
            sender=TelegramSender(application.bot, timeout=config.send_timeout),
            pacer=pacer,
            content=bot_data.content,
            renderer=bot_data.html,
            default_zone=settings.timezone,
            clock=clock,
            config=config,
        )
        await bot_data.delivery.start()
        me = application.bot
        log.info(
            "baybrief serving %d facts as @%s, polling for updates", len(base.facts), me.username
        )

    async def post_stop(application: BayApplication) -> None:
        """Updates stopped: finish the briefings in flight, leave the rest pending."""
        delivery, application.bot_data.delivery = application.bot_data.delivery, None
        if delivery is not None:
            await delivery.stop()

    async def post_shutdown(application: BayApplication) -> None:
        await post_stop(application)  # if the application never ran, nothing else stopped it
        application.bot_data.close()

    builder: Any = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.timezone,
            )
        )
        .rate_limiter(PacedRateLimiter(pacer, max_retries=RETRIES))
        .job_queue(None)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    if settings.bot_api_url:
        builder = builder.base_url(settings.bot_api_url)
    application: BayApplication = builder.build()

    # -- every handler, in one place -------------------------------------------------------
    # what the bot knows and how to ask
    application.add_handler(CommandHandler(["start", "help"], start.help_command))
    application.add_handler(CommandHandler("about", start.about))
    # browsing by kind, and every inline button
    application.add_handler(
        CommandHandler(["events", "policies", "stats", "people"], browse.browse)
    )
    application.add_handler(CallbackQueryHandler(browse.pressed))
    # daily briefings
    application.add_handler(CommandHandler("subscribe", subscriptions.subscribe))
    application.add_handler(CommandHandler("unsubscribe", subscriptions.unsubscribe))
    application.add_handler(CommandHandler("timezone", subscriptions.timezone))
    application.add_handler(CommandHandler("briefing", subscriptions.briefing_now))
    # admins
    application.add_handler(CommandHandler("reload", admin.reload))
    # questions: text in private chats, and group messages meant for the bot
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, ask.answer))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_error_handler(errors.on_error)
    return application


def run_polling(settings: Settings) -> int:
    configure_logging(settings)
    application = build_application(settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
