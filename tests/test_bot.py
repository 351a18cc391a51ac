"""End to end: the real python-telegram-bot Application against a loopback fake Bot API.

Updates reach the bot through getUpdates; everything it does is observed as HTTP calls. Nothing
in the bot or in python-telegram-bot is patched, and scheduled briefings fire on the real clock
(a subscription a few seconds ahead).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.records import Status
from bot.store import Store
from handlers.app import configure_logging
from tests.fakebotapi import FakeBotAPI
from tests.harness import (
    ADMIN,
    USER,
    ask,
    briefings,
    delivered,
    eventually,
    next_message,
    observe,
    running,
    settings_for,
    subscribe_all,
    texts,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUP = -100555


def _status(store: Store, chat_id: int, day: dt.date) -> Status | None:
    job = store.job(chat_id=chat_id, day=day)
    return job.status if job else None


def soon(seconds: float) -> str:
    """A /subscribe time `seconds` from now in the default time zone (HH:MM:SS); just before
    midnight it waits for the new day, as a time past midnight would mean tomorrow."""
    now = dt.datetime.now(SHANGHAI)
    at = now + dt.timedelta(seconds=seconds)
    if at.date() != now.date():
        time.sleep(seconds + 1)
        at = dt.datetime.now(SHANGHAI) + dt.timedelta(seconds=seconds)
    return at.strftime("%H:%M:%S")


async def test_questions_in_simplified_and_traditional(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        simplified = await ask(api, "广东有多少所技工院校？")
        assert "148所" in simplified
        assert "原文" in simplified
        traditional = await ask(api, "雙選會喺邊度舉辦？")
        assert "東莞" in traditional
        assert "雙選會" in traditional
        refused = await ask(api, "上海有多少所技工院校？")
        assert "「上海」" in refused
        answer = api.calls_to("sendMessage")[-1].params
        assert answer["parse_mode"] == "HTML"
        buttons = answer["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["callback_data"] == "f:techschools-count"


async def test_browsing_with_buttons(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        api.push_message(chat_id=USER, text="/events")
        listing = await next_message(api, chat_id=USER, after=mark)
        assert "活动（第1/2页）" in str(listing.params["text"])
        keyboard = listing.params["reply_markup"]["inline_keyboard"]
        assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard for b in row)
        message_id = listing.result["message_id"]

        mark = len(api.calls)
        api.push_callback_query(
            chat_id=USER, user_id=USER, data="p:events:1", message_id=message_id
        )
        edited = await api.wait_for("editMessageText", after=mark)
        assert "活动（第2/2页）" in str(edited.params["text"])

        mark = len(api.calls)
        first = keyboard[0][0]["callback_data"]
        api.push_callback_query(chat_id=USER, user_id=USER, data=first, message_id=message_id)
        shown = await next_message(api, chat_id=USER, after=mark)
        assert "📰 来源" in str(shown.params["text"])

        for stale in ("f:no-such-fact", "p:nonsense:0", "DROP TABLE", "f:" + "x" * 80):
            mark = len(api.calls)
            api.push_callback_query(chat_id=USER, user_id=USER, data=stale, message_id=message_id)
            answered = await api.wait_for("answerCallbackQuery", after=mark)
            assert "按钮已失效" in str(answered.params["text"])


async def test_inline_query(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        api.push_inline_query(user_id=USER, query="双选会现场签约多少人")
        call = await api.wait_for("answerInlineQuery")
        results = call.params["results"]
        assert results[0]["id"] == "job-fair-signed"
        assert "293人" in results[0]["input_message_content"]["message_text"]


@pytest.mark.e2e
async def test_inline_overview_is_one_result(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        api.push_inline_query(user_id=USER, query="给我讲讲双选会")
        call = await api.wait_for("answerInlineQuery")
        first = call.params["results"][0]
        assert first["id"].startswith("o:")
        digest = first["input_message_content"]["message_text"]
        assert "345" in digest
        assert "293" in digest
        assert len(digest) <= 4096


@pytest.mark.e2e
async def test_briefing_at_the_scheduled_time_once_a_day(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(api, tmp_path)
    async with running(settings) as application:
        reply = await ask(api, f"/subscribe {soon(4)}")
        assert "已订阅每日简报" in reply
        mark = len(api.calls)
        briefing = await next_message(api, chat_id=USER, after=mark, within=15)
        assert "湾区AI简报" in str(briefing.params["text"])
        assert len(str(briefing.params["text"])) <= 4096
        store = observe(application)
        today = dt.datetime.now(SHANGHAI).date()
        await eventually(lambda: _status(store, USER, today) is Status.SENT)
        assert len(store.seen(chat_id=USER)) >= 5
        subscription = store.subscription(chat_id=USER)
        assert subscription is not None
        assert subscription.next_due_at is not None
        assert subscription.next_due_at.astimezone(SHANGHAI).date() == today + dt.timedelta(1)

    sent = len(texts(api))
    async with running(settings):  # a restart the same day
        await asyncio.sleep(2)
    assert len(texts(api)) == sent


@pytest.mark.e2e
async def test_missed_briefing_is_sent_at_start(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(api, tmp_path)
    async with running(settings):
        assert "已订阅" in await ask(api, f"/subscribe {soon(4)}")
    await asyncio.sleep(5)  # the bot was down when the briefing fell due
    mark = len(api.calls)
    async with running(settings):
        briefing = await next_message(api, chat_id=USER, after=mark, within=10)
        assert "湾区AI简报" in str(briefing.params["text"])


@pytest.mark.e2e
async def test_blocked_user_is_unsubscribed(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)) as application:
        assert "已订阅" in await ask(api, f"/subscribe {soon(4)}")
        api.fail_next(
            "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user",
            chat_id=USER,
        )  # fmt: skip
        failed = await api.wait_for("sendMessage", lambda c: c.failed, timeout=10)
        assert failed.error_code == 403
        store = observe(application)
        today = dt.datetime.now(SHANGHAI).date()
        await eventually(lambda: _status(store, USER, today) is Status.FAILED)
        assert store.subscription(chat_id=USER) is None


@pytest.mark.e2e
async def test_429_is_retried_without_loss(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        api.fail_next(
            "sendMessage", error_code=429, description="Too Many Requests: retry after 1",
            retry_after=1, chat_id=USER,
        )  # fmt: skip
        answer = await ask(api, "双选会现场签约多少人？")
        assert "293人" in answer
        attempts = [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == USER]
        assert [c.error_code for c in attempts] == [429, None]
        assert attempts[1].at - attempts[0].at >= 1.0  # waited for retry_after


@pytest.mark.e2e
async def test_502_and_a_reset_connection_are_retried_until_delivered(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    async with running(settings_for(api, tmp_path)) as application:
        assert "已订阅" in await ask(api, f"/subscribe {soon(4)}")
        api.fail_next("sendMessage", error_code=502, description="Bad Gateway", chat_id=USER)
        api.reset_next("sendMessage", chat_id=USER)
        await api.until(lambda: briefings(api)[USER] == 1, timeout=30)
        store, day = observe(application), dt.datetime.now(SHANGHAI).date()
        await eventually(lambda: _status(store, USER, day) is Status.SENT)
        job = store.job(chat_id=USER, day=day)
        assert job is not None
        assert (job.attempts, job.unknown) == (3, 0)
        attempts = [c.error_code for c in api.calls_to("sendMessage")][-3:]
        assert attempts == [502, 0, None]


@pytest.mark.e2e
async def test_a_question_during_a_broadcast_is_not_queued_behind_it(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    settings = settings_for(api, tmp_path, BAYBRIEF_BROADCAST_RATE="30")
    chats = range(2_000_001, 2_000_151)  # 150 briefings: five seconds at 30 a second
    subscribe_all(settings, chats)
    async with running(settings):
        await api.until(delivered(api, 10), timeout=20)
        answer = await ask(api, "广东有多少所技工院校？")
        assert "148所" in answer
        during = sum(briefings(api).values())
        assert during < len(chats)  # answered while the broadcast still ran, not after it
        await api.until(lambda: len(briefings(api)) == len(chats), timeout=30)
    assert set(briefings(api).values()) == {1}


@pytest.mark.e2e
async def test_a_stop_mid_broadcast_loses_nothing_and_repeats_nothing(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    settings = settings_for(api, tmp_path, BAYBRIEF_BROADCAST_RATE="30")
    chats = range(3_000_001, 3_000_121)
    subscribe_all(settings, chats)
    async with running(settings):
        await api.until(delivered(api, 30), timeout=20)
    stopped = sum(briefings(api).values())
    assert stopped < len(chats)
    store = Store(settings.db_path)
    try:
        assert not [j for j in store.jobs() if j.status is Status.SENDING]  # all handed back
    finally:
        store.close()
    async with running(settings):
        await api.until(lambda: len(briefings(api)) == len(chats), timeout=30)
        await asyncio.sleep(1)  # a straggler would arrive now
    assert set(briefings(api).values()) == {1}


@pytest.mark.e2e
async def test_bad_request_is_logged_not_retried(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(settings_for(api, tmp_path)) as application:
        assert "已订阅" in await ask(api, f"/subscribe {soon(4)}")
        api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
        failed = await api.wait_for("sendMessage", lambda c: c.failed, timeout=10)
        assert failed.error_code == 400
        store, day = observe(application), dt.datetime.now(SHANGHAI).date()
        await eventually(lambda: _status(store, USER, day) is Status.FAILED)
        await asyncio.sleep(3)  # longer than the first retry would wait
        after = [c for c in api.calls_to("sendMessage") if c.at > failed.at]
        assert after == []  # not retried
        job = store.job(chat_id=USER, day=day)
        assert job is not None
        assert job.error == "Rejected: Chat not found"
    assert "briefing for chat 1001: failed (Rejected: Chat not found)" in caplog.text


@pytest.mark.e2e
async def test_group_migrated_to_supergroup(api: FakeBotAPI, tmp_path: Path) -> None:
    api.set_chat_member(GROUP, ADMIN, "administrator")
    supergroup = -1009999
    async with running(settings_for(api, tmp_path)) as application:
        reply = await ask(
            api, f"/subscribe {soon(4)}", chat_id=GROUP, user_id=ADMIN, chat_type="group"
        )
        assert "已订阅" in reply
        api.fail_next(
            "sendMessage", error_code=400, chat_id=GROUP, migrate_to_chat_id=supergroup,
            description="Bad Request: group chat was upgraded to a supergroup chat",
        )  # fmt: skip
        moved = await next_message(api, chat_id=supergroup, after=0, within=10)
        assert "湾区AI简报" in str(moved.params["text"])
        store = observe(application)
        day = dt.datetime.now(SHANGHAI).date()
        await eventually(lambda: _status(store, supergroup, day) is Status.SENT)
        assert store.subscription(chat_id=GROUP) is None
        assert store.subscription(chat_id=supergroup) is not None


@pytest.mark.e2e
async def test_groups_need_a_mention_and_admins_to_subscribe(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    api.set_chat_member(GROUP, USER, "member")
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        api.push_message(
            chat_id=GROUP, user_id=USER, chat_type="supergroup", text="广东有多少所技工院校？"
        )
        await asyncio.sleep(1)
        assert not [c for c in api.calls[mark:] if c.method == "sendMessage"]
        mentioned = await ask(
            api, "@baybrief_test_bot 广东有多少所技工院校？", chat_id=GROUP, user_id=USER,
            chat_type="supergroup",
        )  # fmt: skip
        assert "148所" in mentioned
        replied = await ask(
            api, "双选会现场签约多少人？", chat_id=GROUP, user_id=USER, chat_type="supergroup",
            reply_to_bot=True,
        )  # fmt: skip
        assert "293人" in replied
        refused = await ask(
            api, "/subscribe 08:00", chat_id=GROUP, user_id=USER, chat_type="supergroup"
        )
        assert "只有群管理员" in refused


@pytest.mark.e2e
async def test_forum_topic_receives_the_briefing(api: FakeBotAPI, tmp_path: Path) -> None:
    api.set_chat_member(GROUP, ADMIN, "creator")
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        api.push_message(
            chat_id=GROUP, user_id=ADMIN, chat_type="supergroup", is_forum=True,
            message_thread_id=77, text=f"/subscribe {soon(4)} 政策",
        )  # fmt: skip
        confirmation = await next_message(api, chat_id=GROUP, after=mark)
        assert "主题：政策" in str(confirmation.params["text"])
        after = api.calls.index(confirmation) + 1
        briefing = await next_message(api, chat_id=GROUP, after=after, within=10)
        assert briefing.params["message_thread_id"] == 77
        assert "📜 政策与举措" in str(briefing.params["text"])
        assert "📊 数据速览" not in str(briefing.params["text"])


async def test_timezone_and_subscription_errors(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)) as application:
        assert "Asia/Shanghai（默认）" in await ask(api, "/timezone")
        assert "不认识时区「Mars/Olympus」" in await ask(api, "/timezone Mars/Olympus")
        assert "时区已设为 Asia/Hong_Kong" in await ask(api, "/timezone Asia/Hong_Kong")
        assert "（Asia/Hong_Kong）" in await ask(api, "/subscribe 07:30")
        assert "时间「25:00」不对" in await ask(api, "/subscribe 25:00")
        assert "没有与「天气预报」相关的内容" in await ask(api, "/subscribe 天气预报")
        subscription = observe(application).subscription(chat_id=USER)
        assert subscription is not None
        assert subscription.send_time == dt.time(7, 30)  # the failed attempts changed nothing
        assert "已取消" in await ask(api, "/unsubscribe")


async def test_reload_by_admin_and_refusal_for_others(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(api, tmp_path)
    caplog.set_level(logging.INFO)
    async with running(settings) as application:
        assert "只有管理员" in await ask(api, "/reload")
        assert f"refused /reload from user {USER}" in caplog.text

        broken = settings.facts_dir / "zz-new.yaml"
        broken.write_text("- id: new-fact\n  kind: statistic\n  title: [oops\n", encoding="utf-8")
        failed = await ask(api, "/reload", chat_id=ADMIN)
        assert "重新加载失败" in failed
        assert f"{broken}:4:1: YAML syntax" in failed
        assert "while parsing a flow sequence at line 3" in failed
        assert "148所" in await ask(api, "广东有多少所技工院校？")  # the old facts still serve

        broken.write_text(
            "- id: new-fact\n  kind: statistic\n  title: 广东技能人才总量（重述）\n"
            "  answer: 目前，全省技能人才总量达2093万人。\n  keywords: [技能人才新增测试词]\n"
            "  sources:\n    - article: 001_7f0051f201da3d4c\n"
            "      quote: 目前,全省技能人才總量達2093萬人\n",
            encoding="utf-8",
        )
        reloaded = await ask(api, "/reload", chat_id=ADMIN)
        assert "新增1条：new-fact" in reloaded
        assert application.bot_data.served.new == {"new-fact"}
        assert "2093万人" in await ask(api, "技能人才新增测试词是什么")
        assert "🆕" in await ask(api, "/briefing")


async def test_ten_thousand_characters(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        answer = await ask(api, "广东的技工院校" * 1500)
        assert "问题太长" in answer
        assert "出了点问题" not in answer


async def test_help_about_and_traditional_command_menu(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        default_menu = await api.wait_for("setMyCommands")
        assert "scope" not in default_menu.params
        assert "浏览活动" in str(default_menu.params["commands"])
        help_text = await ask(api, "/start", language_code="zh-hant")
        assert re.search(r"\d+條資料", help_text)
        chat_menu = await api.wait_for(
            "setMyCommands", lambda c: c.params.get("scope", {}).get("chat_id") == USER
        )
        assert chat_menu.params["scope"] == {"type": "chat", "chat_id": USER}
        assert "瀏覽活動" in str(chat_menu.params["commands"])
        assert "資料來源" in await ask(api, "/about")  # the chat's script is remembered


async def test_token_never_reaches_the_logs(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(api, tmp_path)
    configure_logging(settings)
    caplog.set_level(logging.DEBUG)
    async with running(settings):
        await ask(api, "广东有多少所技工院校？")
    assert caplog.records
    assert api.token not in caplog.text
    assert all(api.token not in r.getMessage() for r in caplog.records)


async def test_store_survives_restart_with_wal(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(api, tmp_path)
    async with running(settings):
        await ask(api, "/subscribe 09:15 双选会")
    store = Store(settings.db_path)
    try:
        subscription = store.subscription(chat_id=USER)
        assert subscription is not None
        assert (subscription.send_time, subscription.topic) == (dt.time(9, 15), "双选会")
        mode = store._db.execute("PRAGMA journal_mode").fetchone()
        assert mode is not None
        assert mode["journal_mode"] == "wal"
    finally:
        store.close()
