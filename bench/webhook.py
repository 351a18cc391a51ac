"""Benchmark: the webhook server, ours (aiohttp + `updater(None)`) against PTB's `run_webhook`.

`python -m bench.webhook` (part of `make bench`). The same bot, started as its own process,
receives the same updates by webhook either way: from `baybrief run` with BAYBRIEF_WEBHOOK_URL
(handlers/web.py), or from python-telegram-bot's own tornado server (`Application.run_webhook`,
this module run as `python -m bench.webhook --serve-ptb`). Updates are questions from distinct
chats, POSTed with the secret token by 16 concurrent clients (Telegram opens up to 40), after
a warm-up; replies are read at the loopback fake Bot API. Reported: accepted updates a
second, the time until the 200 (p50 / p99), the time until the reply reaches the fake
(p50 / p99), and the bot's peak RSS. The pacer is raised (1,000 a second) so that it does not
bound the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import tempfile
from pathlib import Path

import aiohttp

from bench.broadcast import Process, environment
from tests.fakebotapi import FakeBotAPI
from tests.harness import settings_for

SECRET = "bench-webhook-secret-0123456789"
PATH = "/telegram"
QUESTION = "广东有多少所技工院校？"


def serve_ptb() -> None:
    """The same Application, its updates from PTB's own webhook server instead of ours."""
    import dataclasses

    from telegram import Update

    from bot.config import Settings
    from handlers.app import build_application, configure_logging

    settings = Settings.from_env()
    assert settings.listen is not None
    assert settings.webhook_url is not None
    polling = dataclasses.replace(settings, webhook_url=None)  # builds it with an Updater
    configure_logging(settings)
    application = build_application(polling)
    host, port = settings.listen
    application.run_webhook(
        listen=host,
        port=port,
        url_path=PATH.lstrip("/"),
        secret_token=SECRET,
        webhook_url=settings.webhook_url,
        allowed_updates=Update.ALL_TYPES,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(kind: str, folder: Path, updates: int, concurrency: int, port: int) -> str:
    async with FakeBotAPI() as api:
        settings = settings_for(api, folder)
        env = environment(settings) | {
            "BAYBRIEF_BROADCAST_RATE": "1000",
            "BAYBRIEF_WEBHOOK_URL": f"https://bot.example.test{PATH}",
            "BAYBRIEF_LISTEN": f"127.0.0.1:{port}",
            "BAYBRIEF_WEBHOOK_SECRET": SECRET,
        }
        bot = Process(env, folder / f"{kind}.log")
        if kind == "ptb":
            bot.command = ("-m", "bench.webhook", "--serve-ptb")
        await bot.start()
        await api.wait_for("setWebhook", timeout=120)
        await listening(port)  # PTB registers the webhook before its server listens
        url = f"http://127.0.0.1:{port}{PATH}"
        loop = asyncio.get_running_loop()
        posted: dict[int, float] = {}
        accepted: list[float] = []
        gate = asyncio.Semaphore(concurrency)

        async def send(http: aiohttp.ClientSession, chat_id: int) -> None:
            update = api.message_update(chat_id=chat_id, text=QUESTION)
            async with gate:
                started = loop.time()
                posted[chat_id] = started
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 200, response.status
                accepted.append(loop.time() - started)

        async with aiohttp.ClientSession() as http:
            for chat_id in range(1, 51):  # warm-up: the first answers build caches
                await send(http, chat_id)
            await api.until(lambda: len(api.sent_to) >= 50, timeout=120)
            accepted.clear()
            chats = range(1_001, 1_001 + updates)
            began = loop.time()
            await asyncio.gather(*(send(http, chat_id) for chat_id in chats))
            sent_in = loop.time() - began
            await api.until(lambda: len(api.sent_to) >= 50 + updates, timeout=600)
        replies = {
            int(c.params["chat_id"]): c.at - posted[int(c.params["chat_id"])]
            for c in api.calls_to("sendMessage")
            if int(c.params["chat_id"]) in posted and int(c.params["chat_id"]) >= 1_001
        }
        rss = bot.peak_rss_mb()
        await bot.terminate()
    name = "ours: aiohttp + updater(None)" if kind == "ours" else "PTB run_webhook (tornado)"
    waits = list(replies.values())
    return (
        f"| {name} | {updates:,} | {updates / sent_in:.0f} "
        f"| {1000 * statistics.median(accepted):.1f} / {1000 * percentile(accepted, 0.99):.1f} "
        f"| {1000 * statistics.median(waits):.0f} / {1000 * percentile(waits, 0.99):.0f} "
        f"| {rss:.0f} |"
    )


async def main(updates: int, concurrency: int) -> None:
    lines = [
        "| server | updates | accepted / s | 200 after, ms p50 / p99 | reply after, ms p50 / p99 "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(2):  # interleaved, so a busy moment of the machine hits both
            for kind in ("ours", "ptb"):
                folder = Path(scratch) / f"{kind}-{round_}"
                folder.mkdir()
                lines.append(await measure(kind, folder, updates, concurrency, free_port()))
                print(lines[-1], flush=True)
    print("\n".join(["", *lines]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve-ptb", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_ptb:
        serve_ptb()
    else:
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        asyncio.run(main(arguments.updates, arguments.concurrency))
