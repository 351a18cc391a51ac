"""Conversations, languages and a failing store, end to end on the real python-telegram-bot
stack against the loopback fake Bot API."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.store import Store
from tests.fakebotapi import FakeBotAPI
from tests.harness import ADMIN, USER, ask, next_message, running, settings_for

FORUM = -100777
BOT = "@baybrief_test_bot"


async def test_a_follow_up_leans_on_the_last_answer_and_survives_a_restart(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    settings = settings_for(api, tmp_path)
    async with running(settings):
        center = await ask(api, "粤港澳大湾区应用场景创新中心是做什么的？")
        assert "应用场景创新中心" in center
        when = await ask(api, "它什么时候成立的？")
        assert "7月" in when
        assert "2025年6月6日" not in when.split("原文")[0]  # not the alliance's date
        assert "目标规模" in await ask(api, "广东省智能产业基金目标规模多大？")
    async with running(settings):  # a restart: the conversation is in the store
        assert "20亿元" in await ask(api, "首期呢？")


async def test_each_forum_topic_has_its_own_conversation(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):

        async def in_topic(thread: int, text: str) -> str:
            mark = len(api.calls)
            api.push_message(
                chat_id=FORUM, text=f"{BOT} {text}", chat_type="supergroup", is_forum=True,
                message_thread_id=thread,
            )  # fmt: skip
            found = await next_message(api, chat_id=FORUM, after=mark)
            assert found.params.get("message_thread_id") == thread  # the reply stays there
            return str(found.params["text"])

        assert "100亿元" in await in_topic(11, "广东省智能产业基金目标规模多大？")
        assert "指的是哪一个" in await in_topic(22, "首期呢？")  # nothing to lean on here
        assert "20亿元" in await in_topic(11, "首期呢？")


async def test_english_readers_are_answered_in_english(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        answer = await ask(api, "How many technical schools are there in Guangdong?")
        assert "148" in answer
        assert "technical schools" in answer
        assert "<i>目前,全省共有技工院校148所" in answer  # the source, verbatim in Chinese
        keyboard = api.calls_to("sendMessage")[-1].params["reply_markup"]["inline_keyboard"]
        facts = [b for row in keyboard for b in row if b["callback_data"].startswith("f:")]
        assert facts
        assert all(button["text"].isascii() for button in facts)
        help_text = await ask(api, "/help", language_code="en")
        assert "/subscribe" in help_text


@pytest.mark.e2e
async def test_a_locked_database_costs_no_answer(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(api, tmp_path)
    async with running(settings):
        assert "148所" in await ask(api, "广东有多少所技工院校？")
        locker = sqlite3.connect(settings.db_path, timeout=0.1, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the file: no reads, no writes
        try:
            assert "345" in await ask(api, "双选会有多少家企业参加？")
            refused = await ask(api, "/subscribe 08:00")
            assert "暂时无法保存" in refused
            assert "已订阅" not in refused
            assert "📈" in await ask(api, "/status", chat_id=ADMIN)  # reading needs no lock
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert "已订阅" in await ask(api, "/subscribe 08:00")


def delete_database(path: Path) -> None:
    """`rm baybrief.sqlite3*` while the bot runs."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def test_a_deleted_database_is_noticed_and_answers_go_on(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite goes on writing into a deleted file: every /subscribe said 已订阅 and was
    gone at the next start. Now the loss is said, once in the log and to each who asks."""
    caplog.set_level(logging.INFO)
    settings = settings_for(api, tmp_path)
    async with running(settings):
        assert "已订阅" in await ask(api, "/subscribe 08:00")
        delete_database(settings.db_path)
        assert "148所" in await ask(api, "广东有多少所技工院校？")
        for _ in range(2):
            refused = await ask(api, "/subscribe 09:00")
            assert "暂时无法保存" in refused
            assert "已订阅" not in refused
        assert not settings.db_path.exists()  # none made behind the users' backs
        gone = [r for r in caplog.records if "deleted under the running bot" in r.getMessage()]
        assert len(gone) == 1
        assert gone[0].levelno == logging.ERROR

        Store(settings.db_path).close()  # put back (here: an empty one the operator made)
        assert "已订阅" in await ask(api, "/subscribe 09:00")
    store = Store(settings.db_path)
    try:
        subscription = store.subscription(chat_id=USER)
        assert subscription is not None
        assert subscription.send_time == dt.time(9)  # in the file that is there
    finally:
        store.close()
