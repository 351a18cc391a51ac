"""/start, /help and /about: what the bot knows and how to ask, in the reader's script."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat, Update

from bot.answers import in_script
from bot.text import Script
from handlers.context import Context
from handlers.messaging import remember_script, reply, script_of

# The command menu. Telegram's language_code is two letters ("zh") and cannot tell simplified
# from traditional, so the default menu is simplified and a chat whose reader uses traditional
# characters gets its own menu (BotCommandScopeChat) the first time it asks for /start or /help.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", "使用说明与示例问题"),
    ("events", "浏览活动"),
    ("policies", "浏览政策与举措"),
    ("stats", "浏览数据"),
    ("people", "浏览机构与观点"),
    ("subscribe", "订阅每日简报，如 /subscribe 08:00 政策"),
    ("unsubscribe", "取消每日简报"),
    ("briefing", "立即发送今日简报"),
    ("timezone", "设置简报时区，如 /timezone Asia/Hong_Kong"),
    ("about", "资料来源"),
)


def commands(script: Script) -> list[BotCommand]:
    return [BotCommand(name, in_script(text, script)) for name, text in COMMANDS]


async def help_command(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    script = await script_of(update, context)
    remember_script(context, chat.id, script)
    await reply(message, context.bot_data.html.help(context.bot_data.served.base, script))
    if script is Script.TRADITIONAL:
        await context.bot.set_my_commands(commands(script), scope=BotCommandScopeChat(chat.id))


async def about(update: Update, context: Context) -> None:
    if update.effective_message is not None:
        script = await script_of(update, context)
        text = context.bot_data.html.about(context.bot_data.served.base, script)
        await reply(update.effective_message, text)
