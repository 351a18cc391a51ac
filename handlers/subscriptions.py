"""Daily briefings: /subscribe, /unsubscribe, /timezone, /briefing, and their delivery.

Each chat's briefing is a JobQueue job named after the chat, rebuilt from the store at start.
A delivery is claimed in the store before it is sent, so a restart the same day never sends it
twice; a briefing that fell due while the bot was down is sent at start if it is still the same
day in the chat's time zone. 403 unsubscribes the chat, a group upgraded to a supergroup moves
everything to its new id, and a 400 is logged and not retried (429s are retried by
AIORateLimiter before they get here).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import cast
from zoneinfo import ZoneInfo

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import JobQueue

from bot.answers import in_script
from bot.briefing import SubscriptionError, parse_request, topic_filter
from bot.config import ConfigError, parse_timezone
from bot.factbase import Fact
from bot.store import DeliveryStatus, Subscription
from bot.text import Script
from handlers.context import BayApplication, BotData, Context
from handlers.messaging import reply, script_of, send

log = logging.getLogger("baybrief.briefings")
ADMINS_ONLY = "在群组里，只有群管理员可以更改订阅和时区。"


def job_name(chat_id: int) -> str:
    return f"briefing:{chat_id}"


def zone(bot_data: BotData, subscription: Subscription) -> ZoneInfo:
    name = subscription.timezone
    return ZoneInfo(name) if name else bot_data.settings.timezone


def schedule(job_queue: JobQueue[Context], bot_data: BotData, subscription: Subscription) -> None:
    unschedule(job_queue, subscription.chat_id)
    at = subscription.send_time.replace(tzinfo=zone(bot_data, subscription))
    job_queue.run_daily(
        deliver, at, chat_id=subscription.chat_id, name=job_name(subscription.chat_id)
    )


def unschedule(job_queue: JobQueue[Context], chat_id: int) -> None:
    for job in job_queue.get_jobs_by_name(job_name(chat_id)):
        job.schedule_removal()


def missed_today(bot_data: BotData, subscription: Subscription, now: dt.datetime) -> bool:
    """Due earlier today (chat's time), asked for before it was due, and not yet delivered."""
    local = now.astimezone(zone(bot_data, subscription))
    due = dt.datetime.combine(local.date(), subscription.send_time, tzinfo=local.tzinfo)
    delivered = bot_data.store.delivery(chat_id=subscription.chat_id, day=local.date())
    return due <= local and subscription.updated_at <= due and delivered is None


async def restore(application: BayApplication) -> None:
    """At start: a job per subscription, and today's missed briefings sent now."""
    bot_data = application.bot_data
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the JobQueue is not installed (python-telegram-bot[job-queue])")
    now = dt.datetime.now(dt.UTC)
    for subscription in bot_data.store.subscriptions():
        schedule(job_queue, bot_data, subscription)
        if missed_today(bot_data, subscription, now):
            log.info("sending chat %s its missed briefing", subscription.chat_id)
            job_queue.run_once(deliver, 0, chat_id=subscription.chat_id, name="catch-up")


async def deliver(context: Context) -> None:
    """The scheduled briefing of one chat (job callback)."""
    if context.job is not None and context.job.chat_id is not None:
        await briefing_to(context, context.job.chat_id, scheduled=True)


async def briefing_to(context: Context, chat_id: int, *, scheduled: bool) -> None:
    bot_data, store = context.bot_data, context.bot_data.store
    subscription = store.subscription(chat_id=chat_id)
    if scheduled and subscription is None:
        return
    tz = zone(bot_data, subscription) if subscription else _chat_zone(bot_data, chat_id)
    day = dt.datetime.now(tz).date()
    if scheduled and not store.claim_delivery(chat_id=chat_id, day=day):
        log.info("chat %s already has its briefing for %s", chat_id, day)
        return
    served = bot_data.served
    topic = subscription.topic if subscription else None
    script = Script(store.script(chat_id=chat_id) or Script.SIMPLIFIED)
    text, selection = bot_data.html.compose_briefing(
        served.base,
        day=day,
        seen=store.seen(chat_id=chat_id),
        new=served.new,
        wanted=_wanted(bot_data, topic),
        script=script,
    )
    thread = subscription.thread_id if subscription else None
    try:
        ids = await send(context.bot, chat_id, text, thread_id=thread)
    except Forbidden:
        log.info("chat %s blocked the bot or removed it: unsubscribing", chat_id)
        store.unsubscribe(chat_id=chat_id)
        unschedule(_jobs(context), chat_id)
        _finish(context, chat_id, day, scheduled, DeliveryStatus.FAILED, error="forbidden")
        return
    except ChatMigrated as migrated:
        new_id = migrated.new_chat_id
        log.info("chat %s is now supergroup %s: moving its subscription", chat_id, new_id)
        store.migrate_chat(old_chat_id=chat_id, new_chat_id=new_id)
        unschedule(_jobs(context), chat_id)
        moved = store.subscription(chat_id=new_id)
        if moved is not None:
            schedule(_jobs(context), bot_data, moved)
        ids = await send(context.bot, new_id, text, thread_id=thread)
        chat_id = new_id
    except BadRequest as error:  # our message is wrong: retrying would fail the same way
        log.warning("chat %s rejected its briefing: %s", chat_id, error.message)
        _finish(context, chat_id, day, scheduled, DeliveryStatus.FAILED, error=error.message)
        return
    except TelegramError as error:
        log.warning("could not send chat %s its briefing: %s", chat_id, error)
        _finish(context, chat_id, day, scheduled, DeliveryStatus.FAILED, error=str(error))
        return
    store.mark_seen(chat_id=chat_id, fact_ids=[f.id for f in selection.facts])
    _finish(context, chat_id, day, scheduled, DeliveryStatus.SENT, message_ids=ids)


def _finish(
    context: Context,
    chat_id: int,
    day: dt.date,
    scheduled: bool,
    status: DeliveryStatus,
    *,
    message_ids: list[int] | None = None,
    error: str | None = None,
) -> None:
    if scheduled:
        context.bot_data.store.finish_delivery(
            chat_id=chat_id, day=day, status=status, message_ids=message_ids or [], error=error
        )


def _jobs(context: Context) -> JobQueue[Context]:
    if context.job_queue is None:
        raise RuntimeError("the JobQueue is not installed (python-telegram-bot[job-queue])")
    return cast(JobQueue[Context], context.job_queue)


def _chat_zone(bot_data: BotData, chat_id: int) -> ZoneInfo:
    name = bot_data.store.timezone(chat_id=chat_id)
    return ZoneInfo(name) if name else bot_data.settings.timezone


def _wanted(bot_data: BotData, topic: str | None) -> Callable[[Fact], bool]:
    try:
        return topic_filter(bot_data.served.matcher.index, topic)
    except SubscriptionError:  # the topic vanished in a reload: brief on everything
        return topic_filter(bot_data.served.matcher.index, None)


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
    subscription = store.subscribe(
        chat_id=chat.id, send_time=request.send_time, topic=request.topic, thread_id=thread
    )
    schedule(_jobs(context), context.bot_data, subscription)
    tz = zone(context.bot_data, subscription)
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
    unschedule(_jobs(context), chat.id)
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
    if subscription is not None:
        schedule(_jobs(context), context.bot_data, subscription)
    await reply(message, in_script(f"时区已设为 {tz.key}。", script))


async def briefing_now(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        await briefing_to(context, chat.id, scheduled=False)
