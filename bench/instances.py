"""Benchmark: two instances on one PostgreSQL share a broadcast; one is killed with kill -9.

`python -m bench.instances` (part of `make bench`; `--chats N` for another size). A real
PostgreSQL is started from the pgserver wheel (Unix socket only), two `baybrief run` processes
in webhook mode (as compose.yaml runs them: 28 briefings a second for the bot, so 14 each
while both live, 60 s leases) are pointed at the loopback fake Bot API, and N chats are
subscribed, all due the same instant.
When a share of the briefings has arrived, one instance is killed with SIGKILL and not
restarted. Measured at the fake: lost, doubled, and the bound on the doubled (the rows the
dead instance held, `sending`, counted in the store right after the kill), the busiest
sliding second of the two together against Telegram's ~30, and how long it all took.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from bench.broadcast import SHANGHAI, Process, busiest_second, environment
from bot.records import Status
from bot.store import Store
from tests.fakebotapi import FakeBotAPI
from tests.harness import settings_for
from tests.pg import Server

RATE = 28  # the whole bot's, as in compose.yaml: the live instances share it


def subscribe(url: str, chats: range, due: dt.datetime) -> None:
    store = Store(url)
    local = due.astimezone(SHANGHAI).time().replace(microsecond=0)
    try:
        for chat_id in chats:
            store.subscribe(chat_id=chat_id, send_time=local, next_due_at=due)
    finally:
        store.close()


def held_by(url: str, pid: int) -> tuple[int, int]:
    """(rows the process holds in `sending`, rows sent so far) from the store."""
    store = Store(url)
    try:
        jobs = store.jobs()
    finally:
        store.close()
    held = sum(
        1
        for job in jobs
        if job.status is Status.SENDING and job.claimed_by and f":{pid}:" in job.claimed_by
    )
    return held, sum(1 for job in jobs if job.status is Status.SENT)


async def run(chats: int, kill_after: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        server = Server(folder / "pg")
        try:
            url = server.new_database()
            async with FakeBotAPI() as api:
                settings = settings_for(api, folder)
                ids = range(30_000_001, 30_000_001 + chats)
                due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
                subscribe(url, ids, due)
                env = environment(settings) | {
                    "BAYBRIEF_DB": url,
                    "BAYBRIEF_BROADCAST_RATE": str(RATE),
                    "BAYBRIEF_WEBHOOK_URL": "https://bot.example.test/telegram",
                    "BAYBRIEF_LISTEN": "127.0.0.1:0",
                    "BAYBRIEF_WEBHOOK_SECRET": "bench-webhook-secret-0123456789",
                }
                doomed = Process(env, folder / "a.log")
                survivor = Process(env, folder / "b.log")
                await doomed.start()
                await survivor.start()
                await api.until(lambda: len(api.sent_messages) >= int(chats * kill_after),
                                timeout=3600)  # fmt: skip
                pid = await doomed.kill()
                held, sent = held_by(url, pid)
                killed_at = time.perf_counter()
                await api.until(lambda: len(api.sent_to) == chats, timeout=3600)
                finished = time.perf_counter()
                await asyncio.sleep(settings.delivery_lease + 2)  # any re-send of held rows
                await survivor.terminate()
                counts = api.sent_to
                lost = sum(1 for chat in ids if counts[chat] == 0)
                doubled = sum(counts[chat] - 1 for chat in ids if counts[chat] > 1)
                arrivals = [c.at for c in api.calls_to("sendMessage")]
                seconds = max(arrivals) - min(arrivals)
                for log in (doomed.log, survivor.log):
                    assert api.token not in log.read_text(encoding="utf-8")
                print(
                    f"| two instances on one PostgreSQL, kill -9 of one after {sent} sent "
                    f"| {chats:,} | {lost} | {doubled} (≤ {held} held by the dead one) "
                    f"| {chats / seconds:.1f} | {busiest_second(arrivals)} "
                    f"| {seconds:.0f} (last {finished - killed_at:.0f} s after the kill) |",
                    flush=True,
                )
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=5_000)
    parser.add_argument("--kill-after", type=float, default=0.4, help="share sent at the kill")
    arguments = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    asyncio.run(run(arguments.chats, arguments.kill_after))
