"""Several instances on one PostgreSQL: a reload on one reaches the others; a broadcast shared
by two `baybrief run` processes survives one of them being killed with kill -9.

Both run in webhook mode, as a deployment of several instances does (polling would make them
take each other's getUpdates); their database is a real PostgreSQL (tests/pg.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from bot.outcomes import DeliveryConfig
from bot.records import Status
from bot.store import Store
from handlers.app import Server
from tests.fakebotapi import FakeBotAPI
from tests.harness import (
    ADMIN,
    USER,
    briefings,
    delivered,
    eventually,
    next_message,
    serving,
    settings_for,
    spawn,
    subscribe_all,
)
from tests.test_webhook import SECRET, post, webhook_settings

NEW_FACT = (
    "- id: new-fact\n  kind: statistic\n  title: 广东技能人才总量（重述）\n"
    "  answer: 目前，全省技能人才总量达2093万人。\n  keywords: [技能人才新增测试词]\n"
    "  sources:\n    - article: 001_7f0051f201da3d4c\n"
    "      quote: 目前,全省技能人才總量達2093萬人\n"
)


async def test_a_reload_on_one_instance_reaches_the_other(
    api: FakeBotAPI, tmp_path: Path, pg_url: str
) -> None:
    """/reload on A; B, polling the store's fact base version, serves the same facts."""
    shared = {"BAYBRIEF_DB": pg_url, "BAYBRIEF_RELOAD_POLL": "0.2"}
    a_settings = webhook_settings(api, tmp_path, **shared)  # one facts/ folder for both
    b_settings = webhook_settings(api, tmp_path, **shared)
    async with serving(a_settings) as a, serving(b_settings) as b:
        before = b.application.bot_data.fact_version
        assert before is not None
        assert a.application.bot_data.fact_version == before  # the same files: no new version
        (a_settings.facts_dir / "zz-new.yaml").write_text(NEW_FACT, encoding="utf-8")
        mark = len(api.calls)
        await post(a, api.message_update(chat_id=ADMIN, text="/reload"), secret=SECRET)
        assert "新增1条：new-fact" in str(
            (await next_message(api, chat_id=ADMIN, after=mark)).params["text"]
        )
        version = a.application.bot_data.fact_version
        assert version == before + 1
        await eventually(lambda: b.application.bot_data.fact_version == version, within=10)
        assert b.application.bot_data.served.new == {"new-fact"}
        mark = len(api.calls)
        question = api.message_update(chat_id=USER, text="技能人才新增测试词是什么")
        assert await post(b, question, secret=SECRET) == 200
        answer = await next_message(api, chat_id=USER, after=mark)
        assert "2093万人" in str(answer.params["text"])
        await eventually(lambda: saved(pg_url, USER))  # B is done with the update: stop it


async def test_an_instance_with_other_files_keeps_its_own(
    api: FakeBotAPI, tmp_path: Path, pg_url: str
) -> None:
    """B's facts/ lack A's new fact (an older image): B keeps serving its own, and writes
    nothing, so the two never undo each other's reload."""
    shared = {"BAYBRIEF_DB": pg_url, "BAYBRIEF_RELOAD_POLL": "0.2"}
    a_settings = webhook_settings(api, tmp_path / "a", **shared)
    b_settings = webhook_settings(api, tmp_path / "b", **shared)
    async with serving(a_settings) as a, serving(b_settings) as b:
        served = b.application.bot_data.served
        (a_settings.facts_dir / "zz-new.yaml").write_text(NEW_FACT, encoding="utf-8")
        mark = len(api.calls)
        await post(a, api.message_update(chat_id=ADMIN, text="/reload"), secret=SECRET)
        await next_message(api, chat_id=ADMIN, after=mark)
        version = a.application.bot_data.fact_version
        await eventually(lambda: b.application.bot_data.fact_version == version, within=10)
        assert b.application.bot_data.served is served  # its own facts, as before
    store = Store(pg_url)
    try:
        found = store.fact_version()
        assert found is not None
        assert found.version == version  # B recorded nothing of its own
    finally:
        store.close()


async def test_any_instance_carries_on_a_conversation_and_knows_the_settings(
    api: FakeBotAPI, tmp_path: Path, pg_url: str
) -> None:
    """The proxy may send each update to another instance: what a chat said and set is in
    the store, so the other instance answers a follow-up and knows the time zone."""
    settings = webhook_settings(api, tmp_path, BAYBRIEF_DB=pg_url)
    async with serving(settings) as a, serving(settings) as b:

        async def ask_on(service: Server, text: str) -> str:
            mark = len(api.calls)
            assert await post(service, api.message_update(chat_id=USER, text=text),
                              secret=SECRET) == 200  # fmt: skip
            return str((await next_message(api, chat_id=USER, after=mark)).params["text"])

        assert "100亿元" in await ask_on(a, "广东省智能产业基金目标规模多大？")
        await eventually(lambda: saved(pg_url, USER))
        assert "20亿元" in await ask_on(b, "首期呢？")
        assert "Asia/Hong_Kong" in await ask_on(a, "/timezone Asia/Hong_Kong")
        assert "当前时区：Asia/Hong_Kong" in await ask_on(b, "/timezone")


def saved(url: str, chat_id: int) -> bool:
    store = Store(url)
    try:
        return store.conversation(chat_id=chat_id, thread_id=None) is not None
    finally:
        store.close()


CHATS = range(5_000_001, 5_000_401)
LEASE = 4.0  # seconds; the survivor takes over the dead instance's rows after this


def held_by(store: Store, pid: int) -> int:
    """Rows an instance has claimed and not finished: what it may send twice if it dies."""
    return sum(
        1
        for job in store.jobs()
        if job.status is Status.SENDING and job.claimed_by and f":{pid}:" in job.claimed_by
    )


async def test_two_instances_one_killed_mid_broadcast(
    api: FakeBotAPI, tmp_path: Path, pg_url: str
) -> None:
    """Two `baybrief run` processes share one broadcast on one PostgreSQL; one is killed with
    kill -9 mid-broadcast and never restarted. Every chat gets its briefing, and the only
    duplicates are rows the dead one held (at most max_in_flight)."""
    settings = settings_for(api, tmp_path, BAYBRIEF_DB=pg_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAYBRIEF_")}
    env |= {
        "BAYBRIEF_TOKEN": api.token,
        "BAYBRIEF_BOT_API_URL": api.base_url,
        "BAYBRIEF_DB": pg_url,
        "BAYBRIEF_FACTS_DIR": str(settings.facts_dir),
        "BAYBRIEF_SEEDS_DIR": str(settings.seeds_dir),
        "BAYBRIEF_BROADCAST_RATE": "60",  # the bot's, shared: 30 each; the fake has no limit
        "BAYBRIEF_DELIVERY_LEASE": str(LEASE),
        "BAYBRIEF_WEBHOOK_URL": "https://bot.example.test/telegram",
        "BAYBRIEF_LISTEN": "127.0.0.1:0",
        "BAYBRIEF_WEBHOOK_SECRET": SECRET,
    }
    subscribe_all(settings, CHATS, seconds=3)
    log = tmp_path / "bots.log"
    doomed, survivor = await spawn(env, log), await spawn(env, log)
    store = Store(pg_url)
    try:
        # Both instances hold rows at once: they share the work (and each is mid-send).
        def both_holding() -> bool:
            return held_by(store, doomed.pid) > 0 and held_by(store, survivor.pid) > 0

        await api.until(delivered(api, 60), timeout=120)
        await eventually(both_holding, within=60)
        os.kill(doomed.pid, signal.SIGKILL)
        await doomed.wait()
        held = held_by(store, doomed.pid)
        await api.until(lambda: len(briefings(api)) == len(CHATS), timeout=180)
        await eventually(lambda: {j.status for j in store.jobs()} == {Status.SENT}, within=60)
    finally:
        survivor.send_signal(signal.SIGTERM)
        await asyncio.wait_for(survivor.wait(), 60)
        store.close()
    counts = briefings(api)
    lost = [chat for chat in CHATS if counts[chat] == 0]
    doubled = sum(n - 1 for n in counts.values() if n > 1)
    print(f"two instances, kill -9 of one: {len(CHATS)} chats, lost {len(lost)}, "
          f"doubled {doubled} (held by the dead one: {held})")  # fmt: skip
    assert lost == []
    assert doubled <= held <= DeliveryConfig.max_in_flight
    output = log.read_text(encoding="utf-8")
    assert api.token not in output
    assert SECRET not in output
    assert output.count("by webhook") == 2
