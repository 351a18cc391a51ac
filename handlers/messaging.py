"""Telegram plumbing the feature handlers share: buttons, their callback data, sending.

Callback data is a short, versionless grammar checked by a regular expression when it comes
back (f:<fact-id> shows a fact, p:<category>:<page> turns a page); anything else, forged or
from an older version of the bot, is answered politely instead of raising.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from bot.answers import Choice, split_message
from bot.browse import CATEGORIES, Page
from bot.text import Script, detect_script
from handlers.context import Context

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
_CALLBACK = re.compile(
    r"^(?:f:(?P<fact>[a-z0-9]+(?:-[a-z0-9]+)*)|p:(?P<category>[a-z]+):(?P<page>\d{1,3}))$"
)
_TRADITIONAL_LOCALES = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


@dataclass(frozen=True)
class Pressed:
    fact_id: str | None = None
    category: str | None = None
    page: int = 0


def parse_callback(data: str | None) -> Pressed | None:
    found = _CALLBACK.match(data or "")
    if found is None:
        return None
    if found["fact"]:
        return Pressed(fact_id=found["fact"])
    if found["category"] not in CATEGORIES:
        return None
    return Pressed(category=found["category"], page=int(found["page"]))


def fact_data(fact_id: str) -> str:
    data = f"f:{fact_id}"
    assert len(data.encode()) <= CALLBACK_LIMIT, data
    return data


def choices_keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    rows = [
        [InlineKeyboardButton(c.label[:60], callback_data=fact_data(c.fact_id))] for c in choices
    ]
    return InlineKeyboardMarkup(rows)


def page_keyboard(page: Page) -> InlineKeyboardMarkup:
    numbers = [
        InlineKeyboardButton(str(page.first_position + i), callback_data=fact_data(f.id))
        for i, f in enumerate(page.facts)
    ]
    rows = [numbers[i : i + 4] for i in range(0, len(numbers), 4)]
    turn = []
    if page.number > 0:
        turn.append(InlineKeyboardButton("◀", callback_data=f"p:{page.category}:{page.number - 1}"))
    if page.number + 1 < page.pages:
        turn.append(InlineKeyboardButton("▶", callback_data=f"p:{page.category}:{page.number + 1}"))
    if turn:
        rows.append(turn)
    return InlineKeyboardMarkup(rows)


async def script_of(update: Update, context: Context, text: str | None = None) -> Script:
    """The script to answer in: what the user wrote (English, traditional or simplified),
    else the chat's remembered one, else their app's language, else simplified."""
    if text and text.strip():
        return detect_script(text)
    chat = update.effective_chat
    if chat is not None:
        known = await context.bot_data.storage.read(
            lambda store: store.script(chat_id=chat.id), default=None
        )
        if known in set(Script):
            return Script(known)
    language = (update.effective_user.language_code or "") if update.effective_user else ""
    if language.lower().startswith(_TRADITIONAL_LOCALES):
        return Script.TRADITIONAL
    if language.lower().startswith("en"):
        return Script.ENGLISH
    return Script.SIMPLIFIED


def thread_of(update: Update) -> int | None:
    """The forum topic a message was sent in, if any: replies and context stay in it."""
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None


def remember_script(context: Context, chat_id: int, script: Script) -> None:
    """Keep the chat's script for replies without text (buttons, commands); never waited for."""
    context.application.create_task(
        context.bot_data.storage.remember(
            lambda store: store.set_chat(chat_id=chat_id, script=script.value)
        )
    )


async def send(bot: Bot, chat_id: int, text: str, *, thread_id: int | None = None) -> list[int]:
    """Send `text` (HTML) to a chat, or a forum topic of it, split under Telegram's limit."""
    ids = []
    for part in split_message(text):
        sent = await bot.send_message(chat_id, part, message_thread_id=thread_id)
        ids.append(sent.message_id)
    return ids


async def reply(
    message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Send `text` (HTML) as answers to `message`, split under Telegram's limit; the keyboard
    goes with the last part. Replies quote the question only in groups."""
    parts = split_message(text)
    sent = []
    for n, part in enumerate(parts, start=1):
        markup = keyboard if n == len(parts) else None
        quote = message.chat.type != ChatType.PRIVATE and n == 1
        sent.append(await message.reply_text(part, reply_markup=markup, do_quote=quote))
    return sent
