"""Every command of the table (bot/commands.py), as Telegram handlers, and the command menus.

handlers/app.py registers `handler_for(command)` for each entry of the table, so a command
added to bot/data/commands.yaml is served here, listed by /help and offered in the menus
without a line of code here. The menus (setMyCommands): the default one in simplified
characters, an English one for apps set to English (`language_code=en`), and per chat: each
bot administrator's private chat gets a menu with their commands too, and a chat whose reader
uses traditional characters gets a traditional menu the first time it asks for /help
(Telegram's two-letter language code cannot tell the scripts apart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.commands import Command, CommandTable
from bot.text import Script
from handlers.context import Context
from handlers.messaging import asker_of, show

log = logging.getLogger("baybrief.commands")
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def menu(table: CommandTable, script: Script, *, admin: bool = False) -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in table.menu(script, admin=admin)]


async def set_menus(bot: Bot, table: CommandTable, admin_ids: Iterable[int]) -> None:
    """The default menu (simplified), the English one, and each administrator's own."""
    await bot.set_my_commands(menu(table, Script.SIMPLIFIED))
    await bot.set_my_commands(menu(table, Script.ENGLISH), language_code="en")
    for admin in sorted(admin_ids):  # an admin's private chat has their user id
        try:
            scope = BotCommandScopeChat(admin)
            await bot.set_my_commands(menu(table, Script.SIMPLIFIED, admin=True), scope=scope)
            await bot.set_my_commands(
                menu(table, Script.ENGLISH, admin=True), scope=scope, language_code="en"
            )
        except TelegramError as error:  # they have not started a chat with the bot yet
            log.info("no command menu for admin %s yet: %s", admin, error)


def handler_for(command: Command) -> Handler:
    """The Telegram handler of one command: who asks, the service's answer, its buttons."""

    async def handle(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        asker = await asker_of(update, context)
        output = await context.bot_data.service.run(command, asker, " ".join(context.args or []))
        await show(message, output, context)
        if output.menu and asker.script is Script.TRADITIONAL and update.effective_chat:
            table = context.bot_data.commands
            scope = BotCommandScopeChat(update.effective_chat.id)
            traditional = menu(table, Script.TRADITIONAL, admin=asker.admin)
            await context.bot.set_my_commands(traditional, scope=scope)

    handle.__name__ = handle.__qualname__ = f"command_{command.name}"
    return handle
