"""kill -9 in the middle of a broadcast, twice, with `baybrief run` as a real process.

The process is pointed at the loopback fake through BAYBRIEF_BOT_API_URL and killed with
SIGKILL (nothing runs on the way down) at two moments of one broadcast, then restarted. Every
chat must get its briefing; a chat may get it twice only if its request was in flight at a
kill, so duplicates are bounded by the sends in flight (DeliveryConfig.max_in_flight) per kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from bot.outcomes import DeliveryConfig
from bot.records import Status
from bot.store import Store
from tests.fakebotapi import FakeBotAPI
from tests.harness import briefings, delivered, settings_for, spawn, subscribe_all

pytestmark = pytest.mark.e2e  # every test here runs `baybrief` in a subprocess

CHATS = range(4_000_001, 4_000_301)
KILLS_AFTER = (40, 160)  # briefings delivered when each kill comes
LEASE = 4.0  # seconds; a restarted process takes over the dead one's rows after this


async def test_kill_9_mid_broadcast_loses_nothing(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(
        api,
        tmp_path,
        BAYBRIEF_BROADCAST_RATE="60",
        BAYBRIEF_DELIVERY_LEASE=str(LEASE),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAYBRIEF_")}
    env |= {
        "BAYBRIEF_TOKEN": api.token,
        "BAYBRIEF_BOT_API_URL": api.base_url,
        "BAYBRIEF_DB": str(settings.db_path),
        "BAYBRIEF_FACTS_DIR": str(settings.facts_dir),
        "BAYBRIEF_SEEDS_DIR": str(settings.seeds_dir),
        "BAYBRIEF_BROADCAST_RATE": "60",
        "BAYBRIEF_DELIVERY_LEASE": str(LEASE),
    }
    subscribe_all(settings, CHATS, seconds=3)
    log = tmp_path / "bot.log"

    process = await spawn(env, log)
    try:
        for after in KILLS_AFTER:
            await api.until(delivered(api, after), timeout=120)
            os.kill(process.pid, signal.SIGKILL)
            await process.wait()
            process = await spawn(env, log)
        await api.until(lambda: len(briefings(api)) == len(CHATS), timeout=120)
        await asyncio.sleep(LEASE + 1)  # a row held at a kill would be re-sent by now
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    counts = briefings(api)
    lost = [chat for chat in CHATS if counts[chat] == 0]
    doubled = sum(n - 1 for n in counts.values() if n > 1)
    print(f"kill -9 x{len(KILLS_AFTER)}: {len(CHATS)} chats, lost {len(lost)}, doubled {doubled}")
    assert lost == []
    assert doubled <= DeliveryConfig.max_in_flight * len(KILLS_AFTER)
    output = log.read_text(encoding="utf-8")
    assert api.token not in output
    assert output.count("polling for updates") == len(KILLS_AFTER) + 1
    store = Store(settings.db_path)
    try:
        assert {job.status for job in store.jobs()} == {Status.SENT}
    finally:
        store.close()
