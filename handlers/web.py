"""The bot's HTTP server (aiohttp): the Telegram webhook, `/healthz` and `/metrics` on one port.

python-telegram-bot's own `run_webhook` serves only the webhook path (its tornado server is
private), so the Application is built with `updater(None)` and this server puts each update
it accepts on `application.update_queue`, which PTB then handles exactly as polled updates.

- `POST <path of BAYBRIEF_WEBHOOK_URL>`: an update. The `X-Telegram-Bot-Api-Secret-Token`
  header must equal the secret given to `setWebhook` (compared in constant time), otherwise
  403 and nothing is read; a body that is no update is 400; before the bot is ready, 503
  (Telegram retries later). Accepted is 200 as soon as the update is queued.
- `GET /healthz`: 200 once the facts and the store are loaded and updates are handled, 503
  before that and while stopping: what a container's health check and a proxy look at.
- `GET /metrics`: this process's counters and histograms in Prometheus' text format.

The secret is never logged (no access log: its lines would not carry it, but they would carry
every update's noise), and neither is a body that was refused.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Final

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram import Update

from bot import metrics
from handlers.context import BayApplication

log = logging.getLogger("baybrief.web")
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES: Final = 1 << 20  # an update is a few KB; Telegram's own are far below this


class WebServer:
    def __init__(
        self,
        application: BayApplication,
        *,
        host: str,
        port: int,
        webhook_path: str | None = None,
        secret: str | None = None,
    ) -> None:
        if webhook_path is not None and not secret:
            raise ValueError("a webhook needs its secret token")
        self._application, self._host, self._port = application, host, port
        self._path, self._secret = webhook_path, (secret or "").encode()
        self._runner: web.AppRunner | None = None
        self.port = 0  # the bound port, once started (port 0: the system's choice)

    async def start(self) -> None:
        """Listen (again: a no-op once listening)."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        if self._path is not None:
            app.router.add_post(self._path, self._webhook)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        what = f"webhook at {self._path}, " if self._path is not None else ""
        log.info("serving %s/healthz and /metrics on %s:%d", what, self._host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def _ready(self) -> bool:
        return self._application.bot_data.ready

    async def _health(self, request: web.Request) -> web.Response:
        bot_data = self._application.bot_data
        if not self._ready:
            return web.json_response({"ready": False}, status=503)
        body = {
            "ready": True,
            "facts": len(bot_data.served.base.facts),
            "fact_base_version": bot_data.fact_version,
            "instance": bot_data.delivery.instance if bot_data.delivery else None,
        }
        return web.json_response(body)

    async def _metrics(self, request: web.Request) -> web.Response:
        response = web.Response(body=generate_latest())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def _webhook(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            metrics.WEBHOOK_REQUESTS.labels("forbidden").inc()
            log.warning("refused a webhook request without the right secret from %s",
                        request.remote)  # fmt: skip
            return web.Response(status=403)
        if not self._ready:
            metrics.WEBHOOK_REQUESTS.labels("not_ready").inc()
            return web.Response(status=503)
        try:
            data = await request.json()
        except ValueError:  # not JSON at all
            metrics.WEBHOOK_REQUESTS.labels("invalid").inc()
            return web.Response(status=400)
        try:
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = Update.de_json(data, self._application.bot)
        except Exception as error:  # whatever PTB raises on a shape it cannot read
            metrics.WEBHOOK_REQUESTS.labels("invalid").inc()
            where = data.get("update_id") if isinstance(data, dict) else type(data).__name__
            log.warning("skipped update %s: it cannot be read (%s: %s)", where,
                        type(error).__name__, str(error)[:200])  # fmt: skip
            return web.Response(status=400)
        await self._application.update_queue.put(update)
        metrics.WEBHOOK_REQUESTS.labels("accepted").inc()
        metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
        return web.Response(status=200)
