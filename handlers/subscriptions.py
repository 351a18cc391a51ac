"""Daily briefings' commands: /subscribe, /unsubscribe, /timezone, /briefing.

Delivery is bot/delivery.py's: a command only records what the chat asked for, with the UTC
moment its next briefing is due (bot/schedule.py), and the dispatcher finds it there.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.answers import in_script
from bot.briefing import Composed, SubscriptionError, compose, parse_request, topic_filter
from bot.config import ConfigError, parse_timezone
from bot.schedule import local_day, next_due, zone_of
from bot.storage import StoreUnavailable
from bot.store import Store
from bot.text import Script
from handlers.context import Context
from handlers.messaging import reply, script_of, send

ADMINS_ONLY = "在群组里，只有群管理员可以更改订阅和时区。"
NOT_SAVED = "抱歉，暂时无法保存这个更改（资料库无法写入），请稍后再试。之前的设置没有变。"
log = logging.getLogger("baybrief.subscriptions")
T = TypeVar("T")


async def may_change(update: Update, context: Context) -> bool:
    """Private chats always; in groups, administrators (or the group itself, anonymously)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


# -- commands -------------------------------------------------------------------------------


async def _changing(update: Update, context: Context) -> tuple[Message, Chat, Script] | None:
    """The message, chat and script of a command that changes the chat's settings, or None
    (after saying why) when the sender may not change them."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return None
    script = await script_of(update, context)
    if not await may_change(update, context):
        await reply(message, in_script(ADMINS_ONLY, script))
        return None
    return message, chat, script


async def subscribe(update: Update, context: Context) -> None:
    allowed = await _changing(update, context)
    if allowed is None:
        return
    message, chat, script = allowed
    try:
        request = parse_request(" ".join(context.args or []))
        topic_filter(context.bot_data.served.matcher.index, request.topic)
    except SubscriptionError as error:
        await reply(message, in_script(f"没有订阅成功：{error}", script))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    default_zone = context.bot_data.settings.timezone

    def save(store: Store) -> ZoneInfo:
        store.set_chat(chat_id=chat.id, script=script.value)
        tz = zone_of(store.timezone(chat_id=chat.id), default_zone)
        store.subscribe(
            chat_id=chat.id,
            send_time=request.send_time,
            topic=request.topic,
            thread_id=thread,
            next_due_at=next_due(request.send_time, tz, after=dt.datetime.now(dt.UTC)),
        )
        return tz

    tz = await _write(context, message, script, save)
    if tz is None:
        return
    parts = [f"✅ 已订阅每日简报：每天 {request.send_time.isoformat('minutes')}（{tz.key}）"]
    if request.topic:
        parts.append(f"主题：{request.topic}")
    if thread is not None:
        parts.append("发送到本话题")
    text = (
        "，".join(parts)
        + "。\n/timezone 可更改时区，/briefing 立即看今天的简报，/unsubscribe 取消。"
    )
    await reply(message, in_script(text, script))


async def unsubscribe(update: Update, context: Context) -> None:
    allowed = await _changing(update, context)
    if allowed is None:
        return
    message, chat, script = allowed
    removed = await _write(context, message, script, lambda s: s.unsubscribe(chat_id=chat.id))
    if removed is None:
        return
    text = (
        "已取消每日简报。" if removed else "这个聊天没有订阅每日简报。/subscribe 08:00 可以订阅。"
    )
    await reply(message, in_script(text, script))


async def timezone(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    script = await script_of(update, context)
    storage = context.bot_data.storage
    if not context.args:
        known = await storage.read(lambda s: s.timezone(chat_id=chat.id), default=None)
        current = known or f"{context.bot_data.settings.timezone.key}（默认）"
        text = f"当前时区：{current}。更改请发送 /timezone 时区名，例如 /timezone Asia/Hong_Kong"
        await reply(message, in_script(text, script))
        return
    if await _changing(update, context) is None:
        return
    try:
        tz = parse_timezone(context.args[0], variable="时区")
    except ConfigError as error:
        await reply(message, in_script(f"{error}", script))
        return

    def save(store: Store) -> bool:
        store.set_chat(chat_id=chat.id, timezone=tz.key)
        subscription = store.subscription(chat_id=chat.id)
        if subscription is not None:  # due next at its time in the new zone
            due = next_due(subscription.send_time, tz, after=dt.datetime.now(dt.UTC))
            store.reschedule(due=[(chat.id, due)])
        return True

    if await _write(context, message, script, save):
        await reply(message, in_script(f"时区已设为 {tz.key}。", script))


async def briefing_now(update: Update, context: Context) -> None:
    """Today's briefing now, as a reply: not recorded in the outbox (the day's scheduled one
    still comes), but what it shows counts as seen."""
    chat = update.effective_chat
    if chat is None:
        return
    bot_data = context.bot_data
    content, html, default_zone = bot_data.content(), bot_data.html, bot_data.settings.timezone

    def composed_for(store: Store) -> Composed:
        zone = zone_of(store.timezone(chat_id=chat.id), default_zone)
        day = local_day(dt.datetime.now(dt.UTC), zone)
        return compose(store, content, html, chat_id=chat.id, day=day)

    try:
        composed = await bot_data.storage.write(composed_for)
    except StoreUnavailable as error:  # without what the chat has seen: a fresh selection
        log.warning("briefing for chat %s without its history: %s", chat.id, error)
        composed = compose(Store.in_memory(), content, html, chat_id=chat.id, day=dt.date.today())
    await send(context.bot, chat.id, composed.text, thread_id=composed.thread_id)
    await bot_data.storage.remember(
        lambda store: store.mark_seen(chat_id=chat.id, fact_ids=composed.fact_ids)
    )


async def _write(
    context: Context, message: Message, script: Script, work: Callable[[Store], T]
) -> T | None:
    """Do a change the user asked for, or tell them it could not be saved (and return None)."""
    try:
        return await context.bot_data.storage.write(work)
    except StoreUnavailable as error:
        log.warning("chat %s: change not saved: %s", message.chat.id, error)
        await reply(message, in_script(NOT_SAVED, script))
        return None
