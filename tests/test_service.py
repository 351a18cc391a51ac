"""What every front end's commands and questions do (bot/service.py), on a real SQLite file:
/status counts, /whoami, who may use what, English everywhere, what typed text becomes."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answers import Renderer
from bot.commands import commands
from bot.config import Settings
from bot.records import Status
from bot.schedule import local_day
from bot.service import Asker, Service
from bot.storage import Storage
from bot.store import Store
from bot.text import Script
from tests.conftest import due_today

ADMIN, READER = 4242, 1001
CJK = re.compile("[\u3400-\u9fff]")


def asker(script: Script = Script.SIMPLIFIED, *, admin: bool = False, **extra: object) -> Asker:
    user = ADMIN if admin else READER
    return Asker(user, script, user_id=user, admin=admin, **extra)  # type: ignore[arg-type]


async def run(service: Service, line: str, who: Asker) -> str:
    found = commands().parse(line)
    assert found is not None, line
    output = await service.run(found[0], who, found[1])
    if output.done is not None:
        await output.done()
    return output.text


def briefings_of_today(settings: Settings) -> None:
    """Five chats due today: one sent, one retrying, one failed, two pending."""
    zone: ZoneInfo = settings.timezone
    now = dt.datetime.now(dt.UTC)
    today = local_day(now, zone)
    store = Store(settings.db_path)
    try:
        store.set_chat(chat_id=6)  # a chat that only asked questions
        sent, retry, failed, *waiting = due_today(store, range(1, 6), now=now, day=today)
        store.sent(job_id=sent.id, now=now, message_ids=[1], fact_ids=[])
        store.finish(job_id=retry.id, instance="test", status=Status.RETRY, now=now,
                     error="502", ready_at=now + dt.timedelta(minutes=1))  # fmt: skip
        store.finish(job_id=failed.id, instance="test", status=Status.FAILED, now=now, error="403")
        for job in waiting:  # handed back before sending (a stop)
            store.finish(job_id=job.id, instance="test", status=Status.PENDING, now=now,
                         error="", ready_at=now, attempted=False)  # fmt: skip
    finally:
        store.close()


async def test_status_counts(service: Service, settings: Settings) -> None:
    briefings_of_today(settings)
    for question in ("上海有多少所技工院校？", "广东有多少所技工院校？"):
        reply = await service.answer(asker(), question)
        assert reply.done is not None
        await reply.done()  # what the front end runs once the reply is shown
    answered = reply
    assert answered.feedback is not None
    assert (await service.vote(answered.feedback, up=True, script=Script.SIMPLIFIED)).text
    text = await run(service, "/status", asker(admin=True))
    today = local_day(dt.datetime.now(dt.UTC), settings.timezone)
    assert f"资料：{len(service.served.base.facts)}条" in text
    assert "聊天：7个 · 订阅每日简报：5个" in text  # and the reader's own
    assert f"今日简报（{today}）：应发5，已发1，重试中1，失败1，丢失0，待发2" in text
    assert "👍 1 · 👎 0 · 未答 1 · 已答未评 0" in text
    assert "重新加载：0次" in text
    assert "运行时间：" in text


async def test_administrators_commands_are_theirs(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    for line in ("/status", "/gaps", "/reload"):
        refused = await run(service, line, asker())
        assert f"只有管理员可以使用 {line}" in refused
    assert f"refused /reload from user {READER}" in caplog.text
    caplog.set_level(logging.INFO)
    reloaded = await run(service, "/reload", asker(admin=True))
    assert "已重新加载并通过校验" in reloaded
    assert "重新加载：1次，最近一次" in await run(service, "/status", asker(admin=True))


async def test_whoami(service: Service) -> None:
    mine = await run(service, "/whoami", asker())
    assert f"你的 Telegram 用户 id：{READER}" in mine
    assert "BAYBRIEF_ADMIN_IDS" in mine
    assert "你是这个机器人的管理员" in await run(service, "/whoami", asker(admin=True))
    in_group = await run(service, "/whoami", Asker(-100123, Script.ENGLISH, user_id=7, group=True))
    assert "Your Telegram user id: 7" in in_group
    assert "This chat's id: -100123" in in_group
    console = await run(service, "/whoami", Asker(0, Script.SIMPLIFIED, admin=True, console=True))
    assert "本地控制台" in console


async def test_english_readers_get_english_everywhere(service: Service) -> None:
    reader = asker(Script.ENGLISH)
    replies = {
        line: await run(service, line, reader)
        for line in (
            "/subscribe 07:30 policies",
            "/timezone",
            "/timezone Asia/Hong_Kong",
            "/timezone Nowhere/City",
            "/subscribe 25:00",
            "/unsubscribe",
            "/unsubscribe",
            "/help",
            "/whoami",
            "/status",
        )
    }
    assert "every day at 07:30 (Asia/Shanghai), on policies" in replies["/subscribe 07:30 policies"]
    assert "Asia/Shanghai (the default)" in replies["/timezone"]
    assert "the time “25:00” is not valid" in replies["/subscribe 25:00"]
    assert "Only the bot's administrators" in replies["/status"]
    for line, text in replies.items():
        if line == "/help":  # its examples show questions in Chinese, as readers may ask
            text = text.split("•")[0] + text.split("Commands:")[1]
        assert not CJK.search(text.replace("湾区AI简报", "")), (line, text)


async def test_what_was_typed_is_escaped_and_kept_as_typed(
    settings: Settings, service: Service
) -> None:
    html = Service(
        settings=settings, storage=service.storage, served=service.served,
        renderer=Renderer(html_output=True),
    )  # fmt: skip
    topic = await run(html, "/subscribe 08:00 <b>天氣</b>", asker(Script.TRADITIONAL))
    assert "&lt;b&gt;天氣&lt;/b&gt;" in topic  # escaped, and not converted
    assert "<b>" not in topic
    zone = await run(html, "/timezone <i>Mars</i>", asker())
    assert "&lt;i&gt;Mars&lt;/i&gt;" in zone


async def test_group_changes_need_a_group_admin(service: Service) -> None:
    async def member() -> bool:
        return False

    in_group = Asker(-100555, Script.SIMPLIFIED, user_id=READER, group=True, may_change=member)
    for line in ("/subscribe 08:00", "/unsubscribe", "/timezone Asia/Hong_Kong"):
        assert "只有群管理员" in await run(service, line, in_group)
    assert "当前时区" in await run(service, "/timezone", in_group)  # looking is for everyone


async def test_a_store_that_cannot_be_read_is_said_not_raised(
    settings: Settings, service: Service, tmp_path: Path
) -> None:
    broken = Storage.at(tmp_path)  # a directory: no database opens there
    try:
        unusable = Service(
            settings=settings, storage=broken, served=service.served, renderer=service.render
        )
        assert "资料库暂时无法读取" in await run(unusable, "/status", asker(admin=True))
        assert "暂时无法保存" in await run(unusable, "/subscribe 08:00", asker())
        answer = await unusable.answer(asker(), "广东有多少所技工院校？")
        assert "148所" in answer.text  # a question is answered whatever the store does
    finally:
        broken.close()
