"""Questions: any text in a private chat; in groups only when the bot is mentioned or replied to."""

from __future__ import annotations

import time

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from bot import metrics
from bot.dialogue import Context as Conversation
from handlers.context import Context
from handlers.messaging import choices_keyboard, remember_script, reply, script_of, thread_of


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot, without the @mention; else None."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    mention = f"@{username}".lower()
    for value in message.parse_entities([MessageEntity.MENTION]).values():
        if value.lower() == mention:
            return text.replace(value, " ", 1).strip()
    return None


async def answer(update: Update, context: Context) -> None:
    """The answer, with the chat's (or forum topic's) conversation before it; the store is
    read and written around the answer, never in its way (bot/storage.py)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is None:
        return
    chat_id, thread = message.chat.id, thread_of(update)
    storage = context.bot_data.storage
    script = await script_of(update, context, question)
    saved = await storage.read(
        lambda store: store.conversation(chat_id=chat_id, thread_id=thread), default=None
    )
    before = Conversation.from_json(saved) if saved else None
    assistant = context.bot_data.served.assistant
    started = time.perf_counter()
    result, after = assistant.converse(question, before, now=time.time(), script=script)
    metrics.answered(result.mode, time.perf_counter() - started)
    await reply(message, result.text, choices_keyboard(result.choices))
    remember_script(context, chat_id, script)
    if after != before:
        state = after.to_json() if after else None
        context.application.create_task(
            storage.remember(
                lambda store: store.save_conversation(
                    chat_id=chat_id, thread_id=thread, context=state
                )
            )
        )
