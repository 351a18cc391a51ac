"""The one place that wires python-telegram-bot: build_application(), Server and run().

`baybrief run` polls Telegram (the default: one process, a laptop), or, with
BAYBRIEF_WEBHOOK_URL, receives updates by webhook (several instances behind a proxy, one
PostgreSQL). With BAYBRIEF_LISTEN (implied by a webhook) it serves /healthz and /metrics too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
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
from telegram.request import HTTPXRequest

from bot.clock import SystemClock
from bot.commands import CommandTable
from bot.config import Settings
from bot.delivery import Delivery
from bot.factbase import FactBase
from bot.outcomes import DeliveryConfig
from bot.pacing import Pacer
from bot.storage import Storage
from bot.store import Store
from handlers import ask, buttons, errors, inline, reloading
from handlers.commands import handler_for, set_menus
from handlers.concurrency import ChatOrder
from handlers.context import BayApplication, BotData, Context, record_facts, serve
from handlers.messaging import FACT, PAGE, REASON, VOTE
from handlers.pacing import PacedRateLimiter
from handlers.polling import PATIENCE, BayBot
from handlers.sender import TelegramSender
from handlers.web import WebServer

log = logging.getLogger("baybrief")
# PTB 22 warns, inside its own RetryAfter, that retry_after will become a timedelta; we never
# read it (AIORateLimiter does, either way), so opt in to the future type and the silence.
os.environ.setdefault("PTB_TIMEDELTA", "1")
RETRIES = 3  # a reply's 429 is retried after Telegram's retry_after this many times
STOP_GRACE = 5.0  # seconds a stop waits for the updates already fetched
EXIT_FAILED = 1  # the Bot API could not be reached at start
EXIT_REFUSED = 2  # the token (or the Bot API's URL) was refused: a configuration to fix


class RedactToken(logging.Filter):
    """Defence in depth: no log record may carry the bot token, the webhook secret or the
    database password, whoever logs it."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<secret>")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:  # a traceback's text too
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self.secrets):
                for secret in self.secrets:
                    text = text.replace(secret, "<secret>")
                record.msg, record.args = f"{record.msg}\n{text}", None
                record.exc_info, record.exc_text = None, None
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    # httpx logs every request at INFO with the URL, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if secrets := settings.secrets():
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactToken(*secrets))


def delivery_config(settings: Settings) -> DeliveryConfig:
    """The lease must outlast a send: a short test lease shortens the send timeout with it."""
    lease = settings.delivery_lease
    return DeliveryConfig(lease=lease, send_timeout=min(DeliveryConfig.send_timeout, lease / 2))


def build_application(
    settings: Settings, commands: CommandTable | None = None, *, patience: float = PATIENCE
) -> BayApplication:
    """The application, its bot and every handler; `patience` is how long a refused
    getUpdates is retried before the bot gives up (handlers/polling.py)."""
    if not settings.token:
        raise ValueError("BAYBRIEF_TOKEN is required to run the bot")
    clock = SystemClock()
    pacer = Pacer(clock, bulk_per_second=settings.broadcast_rate)  # briefings and replies

    async def post_init(application: BayApplication) -> None:
        base = FactBase.load(settings.facts_dir, settings.seeds_dir)
        store = Store(settings.database)  # once, at start: migrations and the facts' record
        try:
            recorded = record_facts(store, base)
        finally:
            store.close()
        bot_data = application.bot_data
        bot_data.start(settings, Storage.at(settings.database), serve(base, recorded.new))
        bot_data.fact_version = recorded.version
        await set_menus(application.bot, bot_data.commands, settings.admin_ids)
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
        watcher = asyncio.create_task(reloading.watch(bot_data), name="baybrief-reload-watch")
        bot_data.watcher = watcher
        how = "by webhook" if settings.webhook_url else "polling for updates"
        log.info("baybrief serving %d facts as @%s, %s", len(base.facts), application.bot.username,
                 how)  # fmt: skip

    async def post_stop(application: BayApplication) -> None:
        """Updates stopped: finish the briefings in flight, leave the rest pending."""
        bot_data = application.bot_data
        bot_data.ready = False
        watcher, bot_data.watcher = bot_data.watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        delivery, bot_data.delivery = bot_data.delivery, None
        if delivery is not None:
            await delivery.stop()

    async def post_shutdown(application: BayApplication) -> None:
        await post_stop(application)  # if the application never ran, nothing else stopped it
        application.bot_data.close()

    bot = BayBot(
        settings.token,
        **({"base_url": settings.bot_api_url} if settings.bot_api_url else {}),
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            tzinfo=settings.timezone,
        ),
        rate_limiter=PacedRateLimiter(pacer, max_retries=RETRIES),
        # the pools ApplicationBuilder gives its own bot: one long poll, the rest for replies
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        patience=patience,
    )
    builder: Any = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .concurrent_updates(ChatOrder())  # chats side by side, each in order
        .job_queue(None)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    if settings.webhook_url:
        builder = builder.updater(None)  # updates arrive through handlers/web.py instead
    application: BayApplication = builder.build()

    # -- every handler, in one place -------------------------------------------------------
    # every command, from the one table (bot/data/commands.yaml): help, browsing, daily
    # briefings, administrators' commands; each served by bot/service.py
    table = commands or application.bot_data.commands
    application.bot_data.commands = table
    for command in table:
        application.add_handler(CommandHandler(command.names, handler_for(command)))
    # button presses, each by its pattern (handlers/messaging.py), and the stale ones; first
    # the presses without data (a game's, or forged): PTB's check_update lets those match
    # *every* pattern (with context.matches [True]), so they would reach show_fact. This
    # pattern matches no data at all, so it takes exactly them.
    application.add_handler(CallbackQueryHandler(buttons.stale, pattern=_no_data))
    application.add_handler(CallbackQueryHandler(buttons.show_fact, pattern=FACT))
    application.add_handler(CallbackQueryHandler(buttons.turn_page, pattern=PAGE))
    application.add_handler(CallbackQueryHandler(buttons.vote, pattern=VOTE))
    application.add_handler(CallbackQueryHandler(buttons.reason, pattern=REASON))
    application.add_handler(CallbackQueryHandler(buttons.stale))
    # questions: text in private chats, and group messages meant for the bot
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, ask.answer))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_error_handler(errors.on_error)
    return application


def _no_data(_: object) -> bool:
    return False


class StartupFailed(Exception):
    """`baybrief run` cannot start: one line for stderr (never the token), and the status."""

    def __init__(self, line: str, status: int) -> None:
        super().__init__(line)
        self.status = status


def startup_failure(error: TelegramError, settings: Settings) -> StartupFailed:
    """What a failed start-up request means, in words an operator acts on. PTB's own message
    for a refused getMe names the token, and its traceback went to stderr; this never does."""
    api = settings.bot_api_url or "https://api.telegram.org/bot"

    token = settings.token or ""

    def words(error: TelegramError) -> str:  # the server's words, the token never among them
        return error.message.replace(token, "<secret>") if token else error.message

    if isinstance(error, InvalidToken):  # Bot.initialize's, from the server's own InvalidToken
        said = words(error.__cause__ if isinstance(error.__cause__, InvalidToken) else error)
        if "not found" in said.lower():
            return StartupFailed(
                f"the Bot API at {api} answered 404 Not Found: BAYBRIEF_BOT_API_URL must end "
                "in /bot, and BAYBRIEF_TOKEN must be a token as @BotFather gives it",
                EXIT_REFUSED,
            )
        return StartupFailed(
            f"Telegram refused BAYBRIEF_TOKEN ({said}): revoked or mistyped? "
            "@BotFather shows the current one",
            EXIT_REFUSED,
        )
    return StartupFailed(
        f"cannot talk to the Bot API at {api}: {type(error).__name__}: {words(error)}", EXIT_FAILED
    )


class Server:
    """The bot and its HTTP server, if any: start, serve until stopped, stop (webhook mode,
    or polling, with /healthz and /metrics when BAYBRIEF_LISTEN is set). The same start and
    stop sequence as PTB's `run_polling`, in the caller's event loop, so that a test runs it.

    The HTTP server listens first and answers /healthz with 503 until the facts and the store
    are loaded; the webhook is registered with Telegram only once updates can be handled.
    Polling that fails is retried with PTB's backoff (one line in the log each time); a token
    refused for `patience` seconds ends `serve` with a non-zero status, so that a supervisor
    restarts the bot or an operator is told, instead of a process that answers nobody.
    """

    def __init__(
        self,
        settings: Settings,
        commands: CommandTable | None = None,
        *,
        poll_timeout: int = 10,
        patience: float = PATIENCE,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.settings, self._poll_timeout, self._stop_grace = settings, poll_timeout, stop_grace
        self.application = build_application(settings, commands, patience=patience)
        self.web: WebServer | None = None
        if settings.listen is not None:
            host, port = settings.listen
            webhook = urlsplit(settings.webhook_url) if settings.webhook_url else None
            self.web = WebServer(
                self.application,
                host=host,
                port=port,
                webhook_path=(webhook.path or "/") if webhook else None,
                secret=settings.webhook_secret,
            )

    @property
    def port(self) -> int:
        """The HTTP server's bound port (BAYBRIEF_LISTEN's, or the system's for port 0)."""
        if self.web is None:
            raise RuntimeError("this service has no HTTP server (no BAYBRIEF_LISTEN)")
        return self.web.port

    @property
    def bot(self) -> BayBot:
        bot = self.application.bot
        assert isinstance(bot, BayBot)
        return bot

    async def start(self) -> None:
        """Ready to handle updates; StartupFailed if Telegram refuses or cannot be reached."""
        try:
            await self._start()
        except TelegramError as error:
            raise startup_failure(error, self.settings) from None

    async def _start(self) -> None:
        application = self.application
        if self.web is not None:
            await self.web.start()
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        application.bot_data.ready = True  # updates are handled from here on
        if self.settings.webhook_url:
            await application.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=self._poll_timeout,
                allowed_updates=Update.ALL_TYPES,
                error_callback=_polling_failed,
            )

    async def stop(self) -> None:
        """Updates stop first (a webhook answers 503, so Telegram retries them elsewhere),
        then the briefings in flight finish (bot/delivery.py), then the server closes.

        Updates already fetched are handled first, but for `stop_grace` seconds at most: a
        group's replies may wait a minute for its pacing, and a container is killed ten
        seconds after it is asked to stop. What is left then is dropped, and counted."""
        application = self.application
        application.bot_data.ready = False
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            stopping = asyncio.ensure_future(application.stop())
            done, _ = await asyncio.wait({stopping}, timeout=self._stop_grace)
            order = application.update_processor
            if not done and isinstance(order, ChatOrder):
                dropped = order.cancel_pending()
                log.warning("stopping: %d updates not handled within %g s were dropped",
                            dropped, self._stop_grace)  # fmt: skip
            await stopping
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        if self.web is not None:
            await self.web.stop()

    async def serve(self, stopping: asyncio.Event) -> int:
        """Start, serve until `stopping` is set or the token is refused for good, stop;
        returns the exit status (StartupFailed if it never started)."""
        try:
            await self.start()
            ends = [asyncio.ensure_future(stopping.wait())]
            ends.append(asyncio.ensure_future(self.bot.refused.wait()))
            try:
                await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for end in ends:
                    end.cancel()
            if not stopping.is_set():
                log.critical("Telegram refused the token for %g s (%s): stopping; revoked? "
                             "@BotFather shows the current one", self.bot.patience,
                             self.bot.refusal)  # fmt: skip
                return EXIT_REFUSED
            return 0
        finally:
            await self.stop()

    async def run(self) -> int:
        """Until SIGTERM or SIGINT (a container stop, Ctrl-C)."""
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        return await self.serve(stopping)


def _polling_failed(error: TelegramError) -> None:
    """PTB's retry loop calls this and backs off (1 s, growing to 30 s): one line each time,
    where PTB's default logs a traceback."""
    log.warning("polling for updates failed, retrying: %s: %s", type(error).__name__, error)


def run(settings: Settings) -> int:
    """`baybrief run`: polling by default, by webhook with BAYBRIEF_WEBHOOK_URL; with an
    HTTP server when BAYBRIEF_LISTEN asks for one. A start that fails is one line on stderr."""
    configure_logging(settings)
    try:
        return asyncio.run(Server(settings).run())
    except StartupFailed as failure:
        print(f"baybrief run: {failure}", file=sys.stderr)
        return failure.status
