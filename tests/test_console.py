"""`baybrief chat`: every command of the bot on the bot's own store, one local chat, follow-ups
with their context, votes, and a subscribed briefing delivered while the console runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console import CONSOLE_CHAT, Console, converse
from bot.factbase import FactBase
from bot.records import Status
from bot.service import Service
from bot.store import Store
from tests.harness import eventually


async def say(console: Console, line: str) -> str:
    reply = await console.reply(line)
    assert reply is not None, line
    return reply


def stored(settings: Settings) -> Store:
    return Store(settings.db_path)


async def test_the_briefing_commands_work_on_the_bots_store(
    service: Service, settings: Settings
) -> None:
    console = Console(service)
    assert "每天 08:00（Asia/Shanghai），主题：政策" in await say(console, "/subscribe 08:00 政策")
    assert "时区已设为 Asia/Hong_Kong" in await say(console, "/timezone Asia/Hong_Kong")
    assert "当前时区：Asia/Hong_Kong" in await say(console, "/timezone")
    store = stored(settings)
    try:
        subscription = store.subscription(chat_id=CONSOLE_CHAT)
        assert subscription is not None
        assert (subscription.topic, subscription.timezone) == ("政策", "Asia/Hong_Kong")
        briefing = await say(console, "/briefing")
        assert "湾区AI简报 ·" in briefing
        assert "📜 政策与举措" in briefing
        assert store.seen(chat_id=CONSOLE_CHAT)  # what it showed counts as seen
        assert "已取消每日简报" in await say(console, "/unsubscribe")
        assert store.subscription(chat_id=CONSOLE_CHAT) is None
    finally:
        store.close()
    assert "没有订阅" in await say(console, "/unsubscribe")
    assert "时间「25:00」不对" in await say(console, "/subscribe 25:00")


async def test_every_other_command(service: Service) -> None:
    console = Console(service)
    help_text = await say(console, "/help")
    for name in ("/people", "/subscribe", "/whoami", "/gaps", "/status", "/reload"):
        assert name in help_text
    assert "资料来源" in await say(console, "/about")
    people = await say(console, "/people")
    assert "机构与观点（第1/2页）" in people
    assert "下一页：/people 2" in people
    assert "📰" in await say(console, "1")  # a number picks from the list, as a button would
    assert "（第2/2页）" in await say(console, "/people 2")
    assert "本地控制台" in await say(console, "/whoami")
    assert "已重新加载并通过校验" in await say(console, "/reload")
    assert "📈 运行状态" in await say(console, "/status")
    assert "最近7天没有未回答" in await say(console, "/gaps")
    assert "不认识这个命令" in await say(console, "/nonsense")
    assert await console.reply("/quit") is None


async def test_a_follow_up_keeps_its_context(service: Service) -> None:
    console = Console(service)
    assert "应用场景创新中心" in await say(console, "粤港澳大湾区应用场景创新中心是做什么的？")
    assert "7月" in await say(console, "它什么时候成立的？")


async def test_votes_and_what_was_wrong_reach_the_to_do_list(service: Service) -> None:
    console = Console(service)
    await say(console, "广东有多少所技工院校？")
    asked_why = await say(console, "-")
    assert "哪里不对？" in asked_why
    assert "1. 答非所问" in asked_why
    assert "已记录" in await say(console, "1")
    await say(console, "上海有多少所技工院校？")  # a refusal: kept without a vote
    await say(console, "双选会现场签约多少人？")
    assert "谢谢反馈" in await say(console, "+")
    gaps = await say(console, "/gaps")
    assert "×1 广东有多少所技工院校？" in gaps
    assert "👎 1次（答非所问 1）" in gaps
    assert "×1 上海有多少所技工院校？" in gaps
    assert "双选会现场签约" not in gaps  # voted 👍: not a gap


@pytest.mark.e2e
async def test_a_subscribed_briefing_arrives_while_the_console_runs(
    settings: Settings, factbase: FactBase, tmp_path: Path
) -> None:
    """On the real clock: /subscribe a few seconds ahead, and the briefing is printed. A
    Telegram chat's briefing due in the same store is left for the bot."""
    now = dt.datetime.now(dt.UTC)
    telegram_chat = 777
    store = stored(settings)
    store.subscribe(chat_id=telegram_chat, send_time=dt.time(8), next_due_at=now)
    store.close()
    soon = (now + dt.timedelta(seconds=3)).astimezone(settings.timezone)
    if soon.date() != now.astimezone(settings.timezone).date():
        await asyncio.sleep(4)  # just before midnight: a time past it would mean tomorrow
        soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).astimezone(settings.timezone)
    read, write = os.pipe()
    typed = os.fdopen(write, "w", encoding="utf-8")
    out = io.StringIO()
    with os.fdopen(read, encoding="utf-8") as stream:
        session = asyncio.create_task(converse(settings, factbase, stream, out))
        typed.write(f"/subscribe {soon:%H:%M:%S}\n")
        typed.flush()
        await eventually(lambda: "📬" in out.getvalue(), within=20)
        typed.write("/quit\n")
        typed.close()
        await asyncio.wait_for(session, 20)
    printed = out.getvalue()
    assert "已订阅每日简报" in printed
    assert "☀️ 湾区AI简报 ·" in printed.split("📬")[1]
    store = stored(settings)
    try:
        today = soon.date()
        mine = store.job(chat_id=CONSOLE_CHAT, day=today)
        assert mine is not None
        assert mine.status is Status.SENT
        theirs = store.job(chat_id=telegram_chat, day=today)
        assert theirs is not None
        assert theirs.status is Status.PENDING  # dispatched, but never claimed by the console
    finally:
        store.close()
