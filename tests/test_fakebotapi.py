"""The fake is only useful if real PTB accepts it, so every test drives PTB over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.clock import SystemClock
from bot.pacing import Pacer
from handlers.pacing import PacedRateLimiter
from tests.fakebotapi import FakeBotAPI

BOT = "baybrief_test_bot"


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url) as real_bot:
        yield real_bot


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_get_me_identifies_the_bot(api: FakeBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (api.bot_id, BOT, True)
    assert bot.username == BOT  # Bot.initialize already called getMe
    assert len(api.calls_to("getMe")) == 2
    assert api.base_url.startswith("http://127.0.0.1:")


async def test_unknown_token_is_unauthorized(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server") as caught:
        async with Bot("999:WRONG", base_url=api.base_url):  # initialize() calls getMe
            pass
    assert str(caught.value.__cause__) == "Unauthorized"
    assert api.calls == []  # requests with a foreign token never reach the log


async def test_send_message_is_recorded_decoded_and_echoed(api: FakeBotAPI, bot: Bot) -> None:
    api.push_message(chat_id=-1001, text="hi", chat_type="supergroup")
    after = len(api.calls)
    sending = asyncio.create_task(
        bot.send_message(-1001, "123", parse_mode="HTML", reply_markup=_keyboard("a", "b"))
    )
    call = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == -1001, after=after)
    sent = await sending
    # "123" is text and stays a str; chat_id and the JSON-encoded markup are decoded.
    assert call.params["text"] == "123"
    assert call.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "b"
    assert sent.message_id == 2  # ids count per chat: the pushed "hi" was 1
    assert (sent.chat.type, sent.chat.title) == ("supergroup", "Test supergroup -1001")
    assert sent.text == "123"
    assert sent.reply_markup == _keyboard("a", "b")
    second = await bot.send_message(-1001, "again", message_thread_id=5)
    assert second.message_id == 3
    assert [m["text"] for m in api.sent_messages] == ["123", "again"]
    assert api.sent_messages[1]["message_thread_id"] == 5
    assert api.sent_messages[0]["parse_mode"] == "HTML"


async def test_wait_for_times_out_listing_recent_calls(api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_chat_action(7, "typing")
    with pytest.raises(TimeoutError, match=r"(?s)no matching sendMessage.*sendChatAction"):
        await api.wait_for("sendMessage", timeout=0.05)
    assert api.calls_to("sendChatAction")[0].params == {"chat_id": 7, "action": "typing"}


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: FakeBotAPI, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    polling = asyncio.create_task(bot.get_updates(timeout=5, allowed_updates=["message"]))
    poll = await api.wait_for("getUpdates")
    assert poll.params["timeout"] == 5
    assert poll.params["allowed_updates"] == ["message"]
    started = loop.time()
    update_id = api.push_message(chat_id=42, text="你好")
    (update,) = await asyncio.wait_for(polling, 2)
    assert loop.time() - started < 1
    assert update.update_id == update_id
    message = update.message
    assert message is not None
    assert message.from_user is not None
    assert (message.text, message.from_user.id, message.chat.type) == ("你好", 42, "private")
    # Confirming via offset forgets the update; an empty poll waits out its timeout.
    started = loop.time()
    assert await bot.get_updates(offset=update_id + 1, timeout=timedelta(seconds=0.2)) == ()
    assert loop.time() - started >= 0.19


async def test_allowed_updates_withhold_other_kinds(api: FakeBotAPI, bot: Bot) -> None:
    api.push_inline_query(user_id=1, query="q")
    message_id = api.push_message(chat_id=1, text="m")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in updates] == [message_id]


async def test_a_second_poller_ends_the_first_with_conflict(api: FakeBotAPI, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for("getUpdates")
    async with Bot(api.token, base_url=api.base_url) as twin:
        assert await twin.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 1)


async def test_stop_releases_a_pending_long_poll(api: FakeBotAPI, bot: Bot) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await api.wait_for("getUpdates")
    await asyncio.wait_for(api.stop(), 2)
    assert await asyncio.wait_for(polling, 1) == ()


# PTB 22 warns whenever it touches RetryAfter.retry_after unless PTB_TIMEDELTA is set.
_RETRY_AFTER_WARNING = "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"


@pytest.mark.filterwarnings(_RETRY_AFTER_WARNING)
@pytest.mark.parametrize(
    ("error_code", "description", "extra", "expected"),
    [
        (429, "Too Many Requests: retry after 3", {"retry_after": 3}, RetryAfter),
        (403, "Forbidden: bot was blocked by the user", {}, Forbidden),
        (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -1009},
            ChatMigrated,
        ),
        (400, "Bad Request: chat not found", {}, BadRequest),
    ],
)
async def test_injected_failure_maps_to_ptb_exception_once(
    api: FakeBotAPI,
    bot: Bot,
    error_code: int,
    description: str,
    extra: dict[str, int],
    expected: type[TelegramError],
) -> None:
    api.fail_next("sendMessage", error_code=error_code, description=description, **extra)
    with pytest.raises(expected) as caught:
        await bot.send_message(9, "x")
    if isinstance(caught.value, RetryAfter):
        retry_after = caught.value.retry_after  # int, or timedelta with PTB_TIMEDELTA=true
        assert retry_after in (3, timedelta(seconds=3))
    elif isinstance(caught.value, ChatMigrated):
        assert caught.value.new_chat_id == -1009
    else:  # PTB strips a "Bad Request: " prefix and capitalize()s (lower-cases) the rest
        assert caught.value.message == {403: description, 400: "Chat not found"}[error_code]
    assert (api.calls[-1].failed, api.calls[-1].error_code) == (True, error_code)
    assert (await bot.send_message(9, "x")).text == "x"
    assert not api.calls[-1].failed


async def test_failure_scoped_to_one_chat_and_repeated(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_next("sendMessage", error_code=403, description="Forbidden: x", chat_id=2, times=2)
    assert (await bot.send_message(1, "ok")).chat.id == 1
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(2, "no")
    assert (await bot.send_message(2, "ok")).chat.id == 2


async def test_a_reset_connection_is_a_network_error_and_delivers_nothing(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.reset_next("sendMessage", chat_id=3)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(3, "lost")
    assert not isinstance(caught.value, TimedOut)
    assert (api.calls[-1].failed, api.calls[-1].error_code) == (True, 0)
    assert api.sent_messages == []
    assert (await bot.send_message(3, "again")).text == "again"


async def test_a_stall_delivers_late_even_when_the_client_gave_up(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.stall_next("sendMessage", seconds=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(3, "slow", read_timeout=0.1)
    await api.until(lambda: bool(api.sent_messages))  # finished after the client hung up
    assert [m["text"] for m in api.sent_messages] == ["slow"]


async def test_chaos_fails_a_share_of_calls_in_every_way(api: FakeBotAPI, bot: Bot) -> None:
    api.chaos("sendMessage", rate=0.5, stall=0.05, seed=3)
    outcomes: dict[str, int] = {}
    for n in range(40):
        try:
            await bot.send_message(5, f"m{n}")
            kind = "ok"
        except TimedOut:
            kind = "timeout"
        except NetworkError as error:
            kind = "502" if "Bad Gateway" in error.message else "reset"
        outcomes[kind] = outcomes.get(kind, 0) + 1
    assert set(outcomes) == {"ok", "502", "reset"}  # a 0.05 s stall is only slow
    assert outcomes["ok"] == len(api.sent_messages)
    assert 10 <= outcomes["ok"] <= 35


async def test_callback_query_carries_the_bots_message(api: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(77, "pick", reply_markup=_keyboard("yes", "no"))
    api.push_callback_query(chat_id=77, user_id=77, data="yes", message_id=sent.message_id)
    api.push_callback_query(chat_id=77, user_id=77, data="old", message_id=999)
    known, unknown = await bot.get_updates()
    query = known.callback_query
    assert query is not None
    assert (query.data, query.from_user.id) == ("yes", 77)
    assert isinstance(query.message, Message)
    assert (query.message.message_id, query.message.text) == (sent.message_id, "pick")
    assert query.message.reply_markup == _keyboard("yes", "no")
    assert unknown.callback_query is not None
    assert unknown.callback_query.message is not None
    assert unknown.callback_query.message.message_id == 999
    # The raw dicts de_json on their own too, and answering/editing behaves like Telegram.
    raw = api.calls_to("getUpdates")[-1].result[0]
    parsed = Update.de_json(raw, bot).callback_query
    assert parsed is not None
    assert parsed.data == "yes"
    assert await query.answer("done") is True
    assert api.calls[-1].params["callback_query_id"] == query.id
    edited = await query.edit_message_text("picked yes")
    assert isinstance(edited, Message)
    assert edited.text == "picked yes"
    assert edited.reply_markup is None  # editing text without markup drops the keyboard
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await query.edit_message_text("picked yes")


async def test_inline_query_update_and_answer(api: FakeBotAPI, bot: Bot) -> None:
    update_id = api.push_inline_query(user_id=5, query="深圳 AI", offset="10")
    (update,) = await bot.get_updates()
    inline = update.inline_query
    assert update.update_id == update_id
    assert inline is not None
    assert (inline.query, inline.offset, inline.from_user.id) == ("深圳 AI", "10", 5)
    article = InlineQueryResultArticle("r1", "Title", InputTextMessageContent("body"))
    assert await inline.answer([article], cache_time=0) is True
    call = api.calls_to("answerInlineQuery")[0]
    assert call.params["inline_query_id"] == inline.id
    assert call.params["results"][0]["input_message_content"]["message_text"] == "body"


async def test_entity_offsets_are_utf16(api: FakeBotAPI, bot: Bot) -> None:
    text = f"你好🌍 /start@{BOT} 和 @{BOT} 👋"
    api.push_message(chat_id=3, text=text)
    api.push_message(chat_id=3, text=f"/help@{BOT}")
    first, second = await bot.get_updates()
    assert first.message is not None
    assert second.message is not None
    # 你, 好 and the space are one UTF-16 unit each, 🌍 is a surrogate pair.
    assert first.message.entities == (
        MessageEntity("bot_command", 5, len(f"/start@{BOT}")),
        MessageEntity("mention", 5 + len(f"/start@{BOT}") + 3, len(f"@{BOT}")),
    )
    assert list(first.message.parse_entities().values()) == [f"/start@{BOT}", f"@{BOT}"]
    assert second.message.entities == (MessageEntity("bot_command", 0, len(f"/help@{BOT}")),)


async def test_commands_per_scope_and_language(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
    await bot.set_my_commands([BotCommand("admin", "x")], scope=BotCommandScopeChat(-5))
    assert await bot.get_my_commands(language_code="zh") == (BotCommand("start", "开始"),)
    assert await bot.get_my_commands(scope=BotCommandScopeChat(-5)) == (BotCommand("admin", "x"),)
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="zh") is True
    assert await bot.get_my_commands(language_code="zh") == ()


async def test_chat_members_and_chat(api: FakeBotAPI, bot: Bot) -> None:
    api.set_chat_member(-100500, 1, "creator")
    api.set_chat_member(-100500, 2, "administrator")
    assert isinstance(await bot.get_chat_member(-100500, 2), ChatMemberAdministrator)
    assert (await bot.get_chat_member(-100500, 3)).status == "member"
    admins = await bot.get_chat_administrators(-100500)
    assert [type(a) for a in admins] == [ChatMemberOwner, ChatMemberAdministrator]
    chat = await bot.get_chat(-100500)
    assert (chat.id, chat.type) == (-100500, "supergroup")


async def test_application_polls_and_replies_in_forum_topic(api: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert context.args is not None
        await update.message.reply_text(f"hello {' '.join(context.args)}")

    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
        try:
            api.push_message(
                chat_id=-1007,
                text=f"/start@{BOT} 湾区",
                chat_type="supergroup",
                is_forum=True,
                message_thread_id=11,
                user_id=8,
            )
            reply = await api.wait_for("sendMessage", timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply.params["text"] == "hello 湾区"
    assert reply.params["chat_id"] == -1007
    assert reply.params["message_thread_id"] == 11
    assert reply.result["reply_to_message"]["text"] == f"/start@{BOT} 湾区"
    assert [c.method for c in api.calls[:2]] == ["getMe", "deleteWebhook"]


@pytest.mark.e2e
@pytest.mark.filterwarnings(_RETRY_AFTER_WARNING)
async def test_rate_limiter_retries_after_retry_after(api: FakeBotAPI) -> None:
    limiter = PacedRateLimiter(Pacer(SystemClock()), max_retries=1)  # the bot's own limiter
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).rate_limiter(limiter)
    api.fail_next("sendMessage", error_code=429, description="Too Many Requests", retry_after=1)
    async with app.build() as application:
        loop = asyncio.get_running_loop()
        started = loop.time()
        message = await application.bot.send_message(4, "eventually")
        assert loop.time() - started >= 1.0  # slept retry_after + 0.1 s
    assert message.text == "eventually"
    assert [c.failed for c in api.calls_to("sendMessage")] == [True, False]


async def test_multipart_uploads_are_parsed(api: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_document(9, b"brief", filename="brief.txt", caption="123")
    assert sent.caption == "123"
    params = api.calls_to("sendDocument")[0].params
    assert (params["chat_id"], params["caption"]) == (9, "123")
    assert params["document"] == {"filename": "brief.txt", "data": b"brief"}
    with pytest.raises(TimeoutError, match=r"sendDocument.*b'brief'"):  # bytes stay printable
        await api.wait_for("sendPhoto", timeout=0)


async def test_query_string_and_json_bodies_are_parsed(api: FakeBotAPI) -> None:
    url = f"{api.base_url}{api.token}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/getChatMember?chat_id=-100&user_id=3") as response:
            member = await response.json()
        async with session.post(f"{url}/sendMessage", json={"chat_id": 3, "text": "7"}) as posted:
            message = await posted.json()
        async with session.get(f"{api.base_url}wrong/getMe") as unauthorized:
            assert unauthorized.status == 401
    assert member["result"]["user"]["id"] == 3
    assert message["result"]["text"] == "7"
    assert [c.params for c in api.calls[:2]] == [
        {"chat_id": -100, "user_id": 3},
        {"chat_id": 3, "text": "7"},
    ]
