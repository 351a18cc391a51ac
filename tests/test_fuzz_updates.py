"""Random updates of every kind, through the real application and the fake Bot API.

Whatever Telegram sends (messages with any text, entities pointing anywhere, commands with
any arguments, edits, button presses with any data, inline queries, membership changes,
channel posts, and shapes PTB cannot read at all), the bot keeps polling, never lets a
handler fail, and a reader in a chat the noise never touches is answered within the bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import commands
from handlers.context import BayApplication
from tests.fakebotapi import FakeBotAPI
from tests.harness import ADMIN, ask, running, settings_for

QUIET = 777_001  # the reader: a private chat no random update ever comes from
BOUND = 2.0
JSON = dict[str, Any]

_CHATS = st.sampled_from(
    [(1001, "private"), (1002, "private"), (ADMIN, "private"), (-5001, "group"),
     (-100_6001, "supergroup"), (-100_7001, "channel")]
)  # fmt: skip
_USERS = st.sampled_from([1001, 1002, ADMIN, 1003])
_NAMES = [name for command in commands() for name in command.names]
_WORDS = st.sampled_from(
    ["广东有多少所技工院校？", "双选会", "雙選會喺邊度舉辦？", "08:00", "Asia/Hong_Kong",
     "Mars/Olympus", "@baybrief_test_bot", "@someone_else", "25:00", "政策", "", " ", "\n",
     "<b>", "&amp;", "😀", "\u200b", "\u202e", "x" * 300]
)  # fmt: skip
_COMMAND = st.builds(
    lambda name, at, rest: f"/{name}{'@baybrief_test_bot' if at else ''} {rest}",
    st.sampled_from([*_NAMES, "nonsense", "START"]),
    st.booleans(),
    st.text(max_size=20),
)
_TEXT = st.one_of(
    st.text(max_size=60),
    _COMMAND,
    st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=4).map(" ".join),
)
_ENTITY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["bot_command", "mention", "bold", "url", "text_mention"]),
        "offset": st.integers(-2, 80),
        "length": st.integers(-1, 80),
    }
)


def _chat(chat: tuple[int, str]) -> JSON:
    chat_id, kind = chat
    return {"id": chat_id, "type": kind} | (
        {"first_name": "Fuzz"} if kind == "private" else {"title": f"Fuzz {kind}"}
    )


def _user(user_id: int, *, bot: bool = False) -> JSON:
    return {"id": user_id, "is_bot": bot, "first_name": "Fuzz"}


@st.composite
def _message(draw: st.DrawFn) -> JSON:
    chat = draw(_CHATS)
    # ids of their own: the fake numbers the bot's messages from 1, and Telegram never reuses one
    message: JSON = {"message_id": draw(st.integers(10_000, 10_050)), "date": 1_700_000_000}
    message["chat"] = _chat(chat)
    if chat[1] != "channel":
        message["from"] = _user(chat[0] if chat[1] == "private" else draw(_USERS))
    if draw(st.booleans()):
        message["text"] = draw(_TEXT)
    if draw(st.booleans()):
        message["entities"] = draw(st.lists(_ENTITY, max_size=3))
    if draw(st.booleans()):
        message["message_thread_id"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        reply = {"message_id": 1, "date": 1_700_000_000, "chat": message["chat"], "text": "hi"}
        # the bot's message 1 in this chat
        message["reply_to_message"] = reply | {"from": _user(123456, bot=True)}
    return message


@st.composite
def _callback(draw: st.DrawFn) -> JSON:
    query: JSON = {"id": str(draw(st.integers(1, 10**9))), "chat_instance": "1"}
    query["from"] = _user(draw(_USERS))
    query["data"] = draw(
        st.one_of(st.text(max_size=64), st.sampled_from(["f:techschools-count", "p:events:1",
                  "p:events:99", "v:1:up", "r:1:x", "f:", "p::", "v:x:y"]))
    )  # fmt: skip
    if draw(st.booleans()):
        query["message"] = draw(_message())
    else:
        query["inline_message_id"] = "inline-1"
    return {"callback_query": query}


def _member_update(chat: tuple[int, str], status: str) -> JSON:
    old = {"status": "left", "user": _user(123456, bot=True)}
    new: JSON = {"status": status, "user": _user(123456, bot=True)}
    new |= {"until_date": 0} if status == "kicked" else {}
    return {
        "my_chat_member": {
            "chat": _chat(chat), "from": _user(1001), "date": 1_700_000_000,
            "old_chat_member": old, "new_chat_member": new,
        }
    }  # fmt: skip


_UNREADABLE = st.sampled_from(
    [{"message": "hello"}, {"message": {"message_id": 1}}, {"callback_query": {"id": "1"}},
     {"inline_query": {"id": "1", "from": {"id": 1}}}, {"edited_message": []},
     {"message": {"message_id": 1, "date": "yesterday", "chat": {"id": 5, "type": "private"}}},
     {"something_new": {"field": 1}}, {"message": None}]
)  # fmt: skip

_UPDATE = st.one_of(
    _message().map(lambda m: {"message": m}),
    _message().map(lambda m: {"edited_message": m | {"edit_date": 1_700_000_100}}),
    _message().map(lambda m: {"channel_post": m}),
    _callback(),
    st.builds(
        lambda user, query, offset: {
            "inline_query": {"id": "9", "from": _user(user), "query": query, "offset": offset}
        },
        _USERS,
        _TEXT,
        st.sampled_from(["", "1", "abc", "-5", "99999"]),
    ),
    st.builds(_member_update, _CHATS, st.sampled_from(["member", "kicked", "left"])),
    _UNREADABLE,
)


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BayApplication]:
    """One bot for all the examples: what one example leaves behind, the next one meets."""
    async with running(settings_for(api, tmp_path), stop_grace=1) as application:
        yield application


@pytest.mark.e2e
@settings(
    max_examples=100,  # ~30 ms each: a few seconds
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(_UPDATE, min_size=1, max_size=6))
async def test_random_updates_never_stop_the_bot(
    bot: BayApplication, api: FakeBotAPI, caplog: pytest.LogCaptureFixture, batch: list[JSON]
) -> None:
    caplog.set_level(logging.WARNING)
    for update in batch:
        api.push_update(dict(update))
    loop = asyncio.get_running_loop()
    began = loop.time()
    answer = await ask(api, "广东有多少所技工院校？", chat_id=QUIET)
    took = loop.time() - began
    assert "148所" in answer
    assert took < BOUND, f"answered after {took:.2f} s"
    assert bot.running
    assert bot.updater is not None
    assert bot.updater.running
    failed = [r.getMessage() for r in caplog.records if r.name == "baybrief.errors"]
    assert not failed, failed
