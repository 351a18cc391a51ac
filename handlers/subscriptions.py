"""Daily briefings' commands: /subscribe, /unsubscribe, /timezone, /briefing.

Delivery is bot/delivery.py's: a command only records what the chat asked for, with the UTC
moment its next briefing is due (bot/schedule.py), and the dispatcher finds it there.
"""

from __future__ import annotations

import datetime as dt

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.answers import in_script
from bot.briefing import SubscriptionError, compose, parse_request, topic_filter
from bot.config import ConfigError, parse_timezone
from bot.schedule import local_day, next_due, zone_of
from bot.text import Script
from handlers.context import Context
from handlers.messaging import reply, script_of, send

ADMINS_ONLY = "在群组里，只有群管理员可以更改订阅和时区。"


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
    script = script_of(update, context)
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
    store = context.bot_data.store
    thread = message.message_thread_id if message.is_topic_message else None
    store.set_chat(chat_id=chat.id, script=script.value)
    tz = zone_of(store.timezone(chat_id=chat.id), context.bot_data.settings.timezone)
    store.subscribe(
        chat_id=chat.id,
        send_time=request.send_time,
        topic=request.topic,
        thread_id=thread,
        next_due_at=next_due(request.send_time, tz, after=dt.datetime.now(dt.UTC)),
    )
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
    removed = context.bot_data.store.unsubscribe(chat_id=chat.id)
    text = (
        "已取消每日简报。" if removed else "这个聊天没有订阅每日简报。/subscribe 08:00 可以订阅。"
    )
    await reply(message, in_script(text, script))


async def timezone(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    script = script_of(update, context)
    store = context.bot_data.store
    if not context.args:
        current = (
            store.timezone(chat_id=chat.id) or f"{context.bot_data.settings.timezone.key}（默认）"
        )
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
    store.set_chat(chat_id=chat.id, timezone=tz.key)
    subscription = store.subscription(chat_id=chat.id)
    if subscription is not None:  # due next at its time in the new zone
        due = next_due(subscription.send_time, tz, after=dt.datetime.now(dt.UTC))
        store.reschedule(due=[(chat.id, due)])
    await reply(message, in_script(f"时区已设为 {tz.key}。", script))


async def briefing_now(update: Update, context: Context) -> None:
    """Today's briefing now, as a reply: not recorded in the outbox (the day's scheduled one
    still comes), but what it shows counts as seen."""
    chat = update.effective_chat
    if chat is None:
        return
    bot_data, store = context.bot_data, context.bot_data.store
    day = local_day(
        dt.datetime.now(dt.UTC),
        zone_of(store.timezone(chat_id=chat.id), bot_data.settings.timezone),
    )
    composed = compose(store, bot_data.content(), bot_data.html, chat_id=chat.id, day=day)
    await send(context.bot, chat.id, composed.text, thread_id=composed.thread_id)
    store.mark_seen(chat_id=chat.id, fact_ids=composed.fact_ids)
