"""The Telegram side under strain (issue 13): no chat holds up another, a chat keeps its order,
an update PTB cannot read is skipped, a refused poll is retried and a refused token ends the
bot in one line. The real application against the loopback fake Bot API; nothing patched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
from pathlib import Path

import pytest
from telegram import Update

from bot.pacing import TELEGRAM_PER_GROUP_MINUTE
from bot.store import Store
from handlers.app import EXIT_FAILED, EXIT_REFUSED, Server
from tests.conftest import environment
from tests.fakebotapi import FakeBotAPI
from tests.harness import ADMIN, USER, ask, next_message, running, settings_for, spawn

GROUP = -100777
QUESTION = "广东有多少所技工院校？"
_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
BOUND = 2.0  # seconds: what a reader may wait for an answer while another chat is busy


def group_mention(api: FakeBotAPI, text: str = QUESTION) -> int:
    return api.push_message(
        chat_id=GROUP, user_id=USER + 1, chat_type="supergroup", text=f"@{api.username} {text}"
    )


def sent_to(api: FakeBotAPI, chat_id: int) -> int:
    return sum(1 for c in api.calls_to("sendMessage") if c.params.get("chat_id") == chat_id)


async def timed_ask(api: FakeBotAPI, text: str, *, chat_id: int = USER) -> tuple[str, float]:
    loop = asyncio.get_running_loop()
    began = loop.time()
    answer = await ask(api, text, chat_id=chat_id)
    return answer, loop.time() - began


async def test_a_flooding_group_does_not_hold_up_a_private_question(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """Twenty replies a minute is all a group may get: its 21st reply waits the better part
    of a minute. Handled one update at a time, every private question waited with it."""
    async with running(settings_for(api, tmp_path), stop_grace=0.5):  # the rest wait a minute
        flood = TELEGRAM_PER_GROUP_MINUTE + 5
        for _ in range(flood):
            group_mention(api)
        await api.until(lambda: sent_to(api, GROUP) >= TELEGRAM_PER_GROUP_MINUTE, timeout=30)
        answer, took = await timed_ask(api, QUESTION)
        assert "148所" in answer
        assert took < BOUND, f"the private answer took {took:.2f} s"
        assert sent_to(api, GROUP) == TELEGRAM_PER_GROUP_MINUTE  # the group's pacing held


async def test_a_reload_does_not_hold_up_another_chat(api: FakeBotAPI, tmp_path: Path) -> None:
    """A reload reads, verifies and indexes facts/ (~0.7 s, off the event loop): a question
    in another chat, asked just after it, is answered before the reload is done."""
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        api.push_message(chat_id=ADMIN, text="/reload")
        answer, took = await timed_ask(api, QUESTION)
        reloaded = await next_message(api, chat_id=ADMIN, after=mark)
        assert "148所" in answer
        assert took < BOUND
        answered = next(
            i for i, c in enumerate(api.calls) if c.method == "sendMessage" and "148所" in
            str(c.params.get("text"))
        )  # fmt: skip
        assert answered < api.calls.index(reloaded), "the answer waited for the reload"


@pytest.mark.e2e
async def test_a_burst_of_chats_is_answered_with_the_store_for_each(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two hundred chats ask at once: 64 handled side by side queue their store calls on its
    one thread, and beyond 32 waiting calls the store refused them (script and conversation
    lost). Every chat is answered, at the pacer's 30 a second, and none loses its store."""
    caplog.set_level(logging.INFO)
    chats = range(50_000, 50_200)
    async with running(settings_for(api, tmp_path)):
        for chat_id in chats:
            api.push_message(chat_id=chat_id, text=QUESTION)
        await api.until(lambda: all(sent_to(api, chat_id) for chat_id in chats), timeout=60)
    refused = [r.getMessage() for r in caplog.records if r.name == "baybrief.storage"]
    assert not refused, refused[:3]


async def test_one_chat_keeps_its_order(api: FakeBotAPI, tmp_path: Path) -> None:
    """Concurrency is between chats: in one chat, /subscribe then /unsubscribe, a question
    then another, are answered in the order they were sent."""
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        sent = ["/subscribe 08:00", "/unsubscribe", QUESTION, "双选会现场签约多少人？"] * 3
        for text in sent:
            api.push_message(chat_id=USER, text=text)
        await api.until(
            lambda: sum(1 for c in api.calls[mark:] if c.method == "sendMessage") >= len(sent),
            timeout=20,
        )
        replies = [str(c.params["text"]) for c in api.calls[mark:] if c.method == "sendMessage"]
        expected = ["已订阅每日简报", "已取消", "148所", "293人"] * 3
        assert [e in r for e, r in zip(expected, replies, strict=True)] == [True] * len(sent)


async def test_an_unreadable_update_is_logged_once_and_skipped(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """PTB 22 fails the whole getUpdates batch on one update it cannot read, logs it as
    critical and asks again from the same offset: forever, at once, and nothing after it is
    ever handled."""
    caplog.set_level(logging.INFO)
    async with running(settings_for(api, tmp_path)):
        bad = api.push_update({"message": {"message_id": 1, "date": "yesterday"}})
        assert "148所" in await ask(api, QUESTION)
        worse = api.push_update({"callback_query": {"id": "1"}})  # alone, the last one
        await asyncio.sleep(1.5)  # a poll or more: a loop that tried again would log again
        assert "148所" in await ask(api, QUESTION)
    skipped = [r.getMessage() for r in caplog.records if "skipped update" in r.getMessage()]
    assert len(skipped) == 2, skipped
    assert f"skipped update {bad}: it cannot be read" in skipped[0]
    assert f"skipped update {worse}: it cannot be read" in skipped[1]
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    polls = api.calls_to("getUpdates")
    assert len(polls) < 20, f"{len(polls)} polls: asking again and again"


@pytest.mark.e2e
async def test_a_refused_poll_is_retried_until_it_recovers(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A 401 ends PTB's polling loop for good while the process stays up: a bot that
    answers nobody and that no supervisor restarts. A passing one is retried with backoff."""
    caplog.set_level(logging.INFO)
    async with running(settings_for(api, tmp_path)):
        assert "148所" in await ask(api, QUESTION)
        api.fail_next("getUpdates", error_code=401, description="Unauthorized", times=3)

        def refused_three_times() -> bool:
            return sum(c.failed for c in api.calls_to("getUpdates")) >= 3

        await api.until(refused_three_times, timeout=20)  # 1 s, then 1.5 s: PTB's backoff
        mark = len(api.calls)
        api.push_message(chat_id=USER, text=QUESTION)
        answer = await next_message(api, chat_id=USER, after=mark, within=10)
        assert "148所" in str(answer.params["text"])
    refused = [r for r in caplog.records if "getUpdates refused: Unauthorized" in r.getMessage()]
    assert len(refused) == 3
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in refused)
    assert not [r for r in caplog.records if r.name != "httpx" and api.token in r.getMessage()]


@pytest.mark.e2e
async def test_a_token_refused_for_good_ends_the_bot_non_zero(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    service = Server(settings_for(api, tmp_path), poll_timeout=1, patience=3)
    api.fail_next("getUpdates", error_code=401, description="Unauthorized", times=10**6)
    stopping = asyncio.Event()
    status = await asyncio.wait_for(service.serve(stopping), timeout=30)
    assert status == EXIT_REFUSED
    said = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert "Telegram refused the token for 3 s (Unauthorized)" in said[0].getMessage()
    assert not [r for r in caplog.records if r.name != "httpx" and api.token in r.getMessage()]
    assert not service.application.running
    before = len(api.calls)
    await asyncio.sleep(1)
    assert len(api.calls) == before  # stopped: nothing polls any more


@pytest.mark.e2e
async def test_a_stop_does_not_wait_a_minute_for_a_groups_pacing(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fetched updates are handled before a stop, but a group's replies beyond its limit
    would hold the stop for a minute, past a container's ten seconds before SIGKILL."""
    caplog.set_level(logging.INFO)
    service = Server(settings_for(api, tmp_path), poll_timeout=1, stop_grace=1)
    await service.start()
    try:
        for _ in range(TELEGRAM_PER_GROUP_MINUTE + 3):
            group_mention(api)
        await api.until(lambda: sent_to(api, GROUP) >= TELEGRAM_PER_GROUP_MINUTE, timeout=30)
    finally:
        loop = asyncio.get_running_loop()
        began = loop.time()
        await service.stop()
        took = loop.time() - began
    assert took < 1 + BOUND * 2, f"the stop took {took:.1f} s"
    assert "stopping: 3 updates not handled within 1 s were dropped" in caplog.text


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- `baybrief run` as a supervisor starts it -------------------------------------------------
@pytest.mark.e2e
@pytest.mark.parametrize(
    ("wrong", "said"),
    [
        ("token", "Telegram refused BAYBRIEF_TOKEN (Unauthorized): revoked or mistyped?"),
        ("path", "answered 404 Not Found: BAYBRIEF_BOT_API_URL must end in /bot"),
        ("port", "cannot talk to the Bot API at http://127.0.0.1:"),
    ],
)
async def test_a_refused_start_is_one_line_without_the_token(
    api: FakeBotAPI, tmp_path: Path, wrong: str, said: str
) -> None:
    """A revoked token's getMe (401) or a wrong URL path (404) was PTB's traceback, whose
    message names the token (`Bot.initialize`), on the supervisor's log."""
    settings = settings_for(api, tmp_path)
    token = "654321:REVOKED-token-of-another-bot" if wrong == "token" else api.token
    url = {"token": api.base_url, "path": api.base_url.removesuffix("/bot") + "/bt"}.get(
        wrong, f"http://127.0.0.1:{closed_port()}/bot"
    )
    env = environment(
        BAYBRIEF_TOKEN=token,
        BAYBRIEF_BOT_API_URL=url,
        BAYBRIEF_DB=str(settings.db_path),
        BAYBRIEF_FACTS_DIR=str(settings.facts_dir),
        BAYBRIEF_SEEDS_DIR=str(settings.seeds_dir),
    )
    log = tmp_path / "run.log"
    process = await spawn(env, log)
    status = await asyncio.wait_for(process.wait(), timeout=60)
    output = log.read_text("utf-8", "replace")
    assert status == (EXIT_FAILED if wrong == "port" else EXIT_REFUSED), output
    assert output.count("\n") == 1, output
    assert output.startswith("baybrief run: ")
    assert said in output
    assert "Traceback" not in output
    assert token not in output
    assert token.split(":")[1] not in output


# -- shapes the fuzz test (tests/test_fuzz_updates.py) found failing a handler ------------
async def test_a_button_without_data_is_stale(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """PTB lets a press without data match every pattern (context.matches [True]): it
    reached show_fact, which failed on it."""
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        sender = {"id": USER, "is_bot": False, "first_name": "Test"}
        api.push_update({"callback_query": {"id": "1", "from": sender, "chat_instance": "1",
                                            "inline_message_id": "abc"}})  # fmt: skip
        answered = await api.wait_for("answerCallbackQuery", after=mark)
        assert "按钮已失效" in str(answered.params["text"])
    assert "failed to handle update" not in caplog.text


async def test_a_page_turned_on_a_message_that_cannot_be_edited(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(settings_for(api, tmp_path)):
        mark = len(api.calls)
        theirs = api.message_update(chat_id=USER, text="not the bot's")["message"]
        sender = {"id": USER, "is_bot": False, "first_name": "Test"}
        api.push_update({"callback_query": {"id": "2", "from": sender, "chat_instance": "1",
                                            "data": "p:events:1", "message": theirs}})  # fmt: skip
        await api.wait_for("editMessageText", lambda c: c.failed, after=mark)
        assert "148所" in await ask(api, QUESTION)
    assert "failed to handle update" not in caplog.text


async def test_a_mention_entity_cutting_a_character_in_two(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """parse_entities raised UnicodeDecodeError on an offset inside an emoji's UTF-16 pair."""
    async with running(settings_for(api, tmp_path)):
        update = api.message_update(chat_id=GROUP, chat_type="supergroup", text="😀@someone 你好")
        update["message"]["entities"] = [{"type": "mention", "offset": 1, "length": 4}]
        mark = len(api.calls)
        api.push_update(update)
        assert "148所" in await ask(api, QUESTION)
        assert not [c for c in api.calls[mark:] if c.params.get("chat_id") == GROUP]
    assert "failed to handle update" not in caplog.text


async def test_a_question_handled_while_stopping_is_still_recorded(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """Updates fetched before a stop are handled during it, when the application no longer
    awaits background tasks: what the reply records (the unanswered question an admin
    reviews) must not be dropped with them."""
    settings = settings_for(api, tmp_path)
    service = Server(settings, poll_timeout=1)
    await service.start()
    application = service.application
    try:
        assert application.updater is not None
        await application.updater.stop()
        await application.stop()  # stopping: no longer running, updates still handled
        update = Update.de_json(api.message_update(chat_id=USER, text="上海有多少所技工院校？"),
                                application.bot)  # fmt: skip
        await application.process_update(update)
        store = Store(settings.database)  # recorded by the time the update is handled
        try:
            asked = [a.question for a in store.asked(since=_LONG_AGO, verdicts=("unanswered",))]
        finally:
            store.close()
    finally:
        await service.stop()
    assert asked == ["上海有多少所技工院校？"]
