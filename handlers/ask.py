"""Questions: any text in a private chat; in groups only when the bot is mentioned or replied to."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from handlers.context import Context
from handlers.messaging import asker_of, show


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot, without the @mention; else None."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    mention = f"@{username}".lower()
    try:
        mentions = message.parse_entities([MessageEntity.MENTION]).values()
    except UnicodeDecodeError:  # an entity cutting a character in two: not Telegram's mention
        return None
    for value in mentions:
        if value.lower() == mention:
            return text.replace(value, " ", 1).strip()
    return None


async def answer(update: Update, context: Context) -> None:
    """The answer (bot/service.py: with the chat's or forum topic's conversation before it,
    and 👍/👎 under it); the store is read and written around it, never in its way."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is None:
        return
    asker = await asker_of(update, context, question)
    await show(message, await context.bot_data.service.answer(asker, question), context)
