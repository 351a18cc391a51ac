"""Benchmark of daily briefings: `baybrief run` as a real process against the loopback fake.

`python -m bench.broadcast` (part of `make bench`; `--quick` for smaller runs). Subscriptions
are written into the store as /subscribe writes them, all due at the same instant; the bot is
started as `python -m handlers.cli run` with BAYBRIEF_BOT_API_URL pointing at the fake Bot API
in this process, with the default settings (28 briefings a second, 60 s leases) unless a row
says otherwise. Every figure is measured at the fake, as Telegram would see it:

- delivered exactly once, the sustained rate (briefings / (last - first)) and the busiest
  sliding second of all messages (briefings and replies), against Telegram's ~30 msg/s;
- a reader's question every 3 s during the broadcast: seconds until the answer arrives;
- kill -9 at random moments, each followed by a restart: lost, duplicated, and the rows the
  dead process held (claimed, `sending`): the bound on its duplicates;
- SIGTERM mid-broadcast (a container stop): seconds until the process exits;
- 3% of sends failing transiently (502, reset connection, 10 s stall): lost, duplicated;
- start-up with 100,000 subscriptions (and the first start after upgrading a database of the
  first schema): seconds from spawn to polling, and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.records import Status
from bot.store import Store
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI
from tests.harness import settings_for
from tests.olddb import write_version_1

TELEGRAM_PER_SECOND = 30
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the default BAYBRIEF_TZ
READER = 77  # a chat that asks questions during broadcasts (not subscribed)


@dataclass
class Process:
    """`baybrief run` with its own log; restartable, killable."""

    env: dict[str, str]
    log: Path
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    command: tuple[str, ...] = ("-m", "handlers.cli", "run")

    async def start(self) -> None:
        self.started_at = time.perf_counter()
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *self.command,
                cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip

    async def polling(self, api: FakeBotAPI, after: int) -> float:
        """Seconds from spawn until its first getUpdates reaches the fake (call `after` on)."""
        await api.wait_for("getUpdates", timeout=600, after=after)
        return time.perf_counter() - self.started_at

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    async def kill(self) -> int:
        """SIGKILL: nothing runs on the way down. Returns the dead process's pid."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()
        return self.process.pid

    async def terminate(self) -> float:
        """SIGTERM, as a container stop sends; seconds until the process has exited."""
        assert self.process is not None
        started = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), 60)
        return time.perf_counter() - started


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAYBRIEF_")}
    return env | {
        "BAYBRIEF_TOKEN": str(settings.token),
        "BAYBRIEF_BOT_API_URL": str(settings.bot_api_url),
        "BAYBRIEF_DB": str(settings.db_path),
        "BAYBRIEF_FACTS_DIR": str(settings.facts_dir),
        "BAYBRIEF_SEEDS_DIR": str(settings.seeds_dir),
        **extra,
    }


def subscribe(path: Path, chats: range, due: dt.datetime) -> None:
    """Subscriptions in the store's own format (default time zone), in one transaction."""
    Store(path).close()  # the current schema
    local = due.astimezone(SHANGHAI).time().isoformat("seconds")
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    db = sqlite3.connect(path)
    with db:
        db.executemany("INSERT INTO chats (chat_id) VALUES (?)", [(c,) for c in chats])
        db.executemany(
            "INSERT INTO subscriptions VALUES (?, ?, NULL, NULL, ?, ?, ?)",
            [(c, local, stamp, stamp, due.isoformat(timespec="microseconds")) for c in chats],
        )
    db.close()


def sent_at_least(api: FakeBotAPI, count: int) -> Callable[[], bool]:
    return lambda: len(api.sent_messages) >= count  # O(1): the fake's loop must not lag


def busiest_second(times: list[float]) -> int:
    """The most messages in any sliding one-second window."""
    times, most, first = sorted(times), 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


@dataclass
class Broadcast:
    chats: int
    seconds: float = 0.0
    lost: int = 0
    doubled: int = 0
    sustained: float = 0.0
    busiest: int = 0
    replies: list[float] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # rows 'sending' at each kill
    exits: list[float] = field(default_factory=list)  # seconds to exit after SIGTERM
    retried: int = 0
    unknown: int = 0  # sends that timed out (maybe delivered): their duplicates are allowed


async def ask_during(api: FakeBotAPI, done: asyncio.Event, latencies: list[float]) -> None:
    """A reader asks every 3 s while the broadcast runs; the time until each answer."""
    loop = asyncio.get_running_loop()
    while not done.is_set():
        await asyncio.sleep(3)
        mark, asked = len(api.calls), loop.time()
        api.push_message(chat_id=READER, text="广东有多少所技工院校？")
        answer = await api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == READER, timeout=60, after=mark
        )
        latencies.append(answer.at - asked)


async def broadcast(
    folder: Path,
    chats: int,
    *,
    kills: int = 0,
    sigterms: int = 0,
    chaos: float = 0.0,
    **extra: str,
) -> Broadcast:
    async with FakeBotAPI() as api:
        settings = settings_for(api, folder)
        ids = range(10_000_001, 10_000_001 + chats)
        subscribe(settings.db_path, ids, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3))
        if chaos:
            api.chaos("sendMessage", rate=chaos, stall=10.0, seed=11)
        bot = Process(environment(settings, **extra), folder / "bot.log")
        result = Broadcast(chats)
        rng = random.Random(5)
        moments = sorted(rng.sample(range(chats // 20, chats - chats // 20), kills + sigterms))
        stops = rng.sample([*["kill"] * kills, *["term"] * sigterms], kills + sigterms)
        done = asyncio.Event()
        if chaos:  # answers would meet the chaos too; the clean runs measure them
            done.set()
        asker = asyncio.create_task(ask_during(api, done, result.replies))
        started = time.perf_counter()
        await bot.start()
        for moment, how in zip(moments, stops, strict=True):
            await api.until(sent_at_least(api, moment), timeout=3600)
            if how == "kill":
                pid = await bot.kill()
                result.held.append(held(settings.db_path, pid))
            else:
                result.exits.append(await bot.terminate())
            await bot.start()
        await api.until(lambda: len(api.sent_to) - (READER in api.sent_to) == chats, timeout=3600)
        result.seconds = time.perf_counter() - started
        done.set()
        await asker
        if kills:  # rows the last kill left leased come back when the lease ends
            await asyncio.sleep(settings.delivery_lease + 2)
        result.exits.append(await bot.terminate())
        counts = api.sent_to
        result.lost = sum(1 for chat in ids if counts[chat] == 0)
        result.doubled = sum(counts[chat] - 1 for chat in ids if counts[chat] > 1)
        arrivals = [c.at for c in api.calls_to("sendMessage")]  # failed ones count too
        sent = [c.at for c in api.calls_to("sendMessage") if c.params["chat_id"] in ids]
        result.sustained = chats / (max(sent) - min(sent))
        result.busiest = busiest_second(arrivals)
        store = Store(settings.db_path)
        days = store.counts(since=dt.date.min, now=dt.datetime.now(dt.UTC))
        result.retried = sum(c.retried for c in days)
        result.unknown = sum(c.unknown for c in days)
        store.close()
        assert api.token not in bot.log.read_text(encoding="utf-8")
    return result


def held(path: Path, pid: int) -> int:
    """Rows the killed process had claimed and not finished: what it may have sent twice."""
    store = Store(path)
    try:
        mine = [j for j in store.jobs() if j.claimed_by and f":{pid}:" in j.claimed_by]
        return sum(1 for job in mine if job.status is Status.SENDING)
    finally:
        store.close()


async def startup(folder: Path, subscriptions: int, *, upgrade: bool) -> tuple[float, float]:
    """Seconds from spawn to polling and peak RSS (MB), with none of them due yet."""
    async with FakeBotAPI() as api:
        settings = settings_for(api, folder)
        ids = range(20_000_001, 20_000_001 + subscriptions)
        if upgrade:
            later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)).astimezone(SHANGHAI)
            write_version_1(
                settings.db_path,
                chats=((c, None) for c in ids),
                subscriptions=((c, later.strftime("%H:%M:%S"), None, None) for c in ids),
            )
        else:
            subscribe(settings.db_path, ids, dt.datetime.now(dt.UTC) + dt.timedelta(hours=6))
        bot = Process(environment(settings), folder / "bot.log")
        mark = len(api.calls)
        await bot.start()
        seconds = await bot.polling(api, mark)
        memory = bot.peak_rss_mb()
        await bot.terminate()
    return seconds, memory


def row(label: str, *values: object) -> str:
    return f"| {label} | " + " | ".join(str(v) for v in values) + " |"


async def main(quick: bool) -> None:
    big, crash, startups = (1_000, 600, 10_000) if quick else (10_000, 3_000, 100_000)
    lines = [
        "| run | chats | lost | doubled (bound) | sustained msg/s (/ 30) | busiest second "
        "| reply p50 / max s | s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)

        def report(label: str, r: Broadcast, bound: str = "0") -> None:
            replies = (
                f"{statistics.median(r.replies):.2f} / {max(r.replies):.2f}" if r.replies else "-"
            )
            lines.append(
                row(
                    label,
                    r.chats,
                    r.lost,
                    f"{r.doubled} ({bound})",
                    f"{r.sustained:.1f} ({r.sustained / TELEGRAM_PER_SECOND:.2f})",
                    r.busiest,
                    replies,
                    f"{r.seconds:.0f}",
                )
            )
            print(lines[-1], flush=True)

        same = await broadcast(folder / "same-minute", big)
        report("all due at once", same)
        killed = await broadcast(folder / "kill", crash, kills=4)
        report(f"kill -9 x4 (held {killed.held})", killed, f"≤ {sum(killed.held)}")
        stopped = await broadcast(folder / "term", crash, sigterms=2)
        exits = ", ".join(f"{s:.1f}" for s in stopped.exits)
        report(f"SIGTERM x2 (exit s: {exits})", stopped)
        flaky = await broadcast(folder / "chaos", crash, chaos=0.03)
        report(f"3% 502/reset/10 s stall (retried {flaky.retried})", flaky, f"≤ {flaky.unknown}")
        for upgrade in (False, True):
            seconds, memory = await startup(
                folder / f"startup-{upgrade}", startups, upgrade=upgrade
            )
            label = "first start after upgrade" if upgrade else "start-up"
            lines.append(f"{label} with {startups:,} subscriptions: {seconds:.2f} s to polling, "
                         f"peak RSS {memory:.0f} MB")  # fmt: skip
            print(lines[-1], flush=True)
    print("\n".join(["", *lines]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 / 600 chats, 10,000 subs")
    asyncio.run(main(parser.parse_args().quick))
