"""Telegram plumbing the feature handlers share: who asks, buttons and their data, sending.

Callback data is a short, versionless grammar: `f:<fact-id>` shows a fact, `p:<category>:<page>`
turns a page, `v:u|d:<token>` is the 👍 or 👎 of an answer, `w:<reason>:<token>` says what was
wrong with it. handlers/app.py routes each with python-telegram-bot's `pattern=`, and one
catch-all answers anything else (forged, or from an older version of the bot) politely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.answers import Choice, split_message
from bot.browse import Page
from bot.service import Asker, Output, Service
from bot.text import Script, detect_script
from handlers.context import Context

CALLBACK_LIMIT: Final = 64  # bytes, Telegram's limit for callback_data
FACT: Final = r"^f:(?P<fact>[a-z0-9]+(?:-[a-z0-9]+)*)$"
PAGE: Final = r"^p:(?P<category>[a-z]+):(?P<page>[0-9]{1,3})$"
VOTE: Final = r"^v:(?P<vote>[ud]):(?P<token>[A-Za-z0-9_-]{1,40})$"
REASON: Final = r"^w:(?P<reason>[a-z]{1,12}):(?P<token>[A-Za-z0-9_-]{1,40})$"
_FEEDBACK: Final = ("v:", "w:")  # the rows a vote replaces
_TRADITIONAL_LOCALES: Final = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def _data(data: str) -> str:
    assert len(data.encode()) <= CALLBACK_LIMIT, data
    return data


def fact_data(fact_id: str) -> str:
    return _data(f"f:{fact_id}")


def choice_rows(choices: Sequence[Choice]) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(c.label[:60], callback_data=fact_data(c.fact_id))] for c in choices
    ]


def page_rows(page: Page) -> list[list[InlineKeyboardButton]]:
    numbers = [
        InlineKeyboardButton(str(page.first_position + i), callback_data=fact_data(f.id))
        for i, f in enumerate(page.facts)
    ]
    rows = [numbers[i : i + 4] for i in range(0, len(numbers), 4)]
    turn = []
    if page.number > 0:
        turn.append(InlineKeyboardButton("◀", callback_data=f"p:{page.category}:{page.number - 1}"))
    if page.has_next:
        turn.append(InlineKeyboardButton("▶", callback_data=f"p:{page.category}:{page.number + 1}"))
    if turn:
        rows.append(turn)
    return rows


def vote_row(token: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton("👍", callback_data=_data(f"v:u:{token}")),
        InlineKeyboardButton("👎", callback_data=_data(f"v:d:{token}")),
    ]


def reason_rows(token: str, script: Script) -> list[list[InlineKeyboardButton]]:
    buttons = [
        InlineKeyboardButton(label, callback_data=_data(f"w:{code}:{token}"))
        for code, label in Service.reasons(script)
    ]
    return [buttons[:2], buttons[2:]]


def keyboard(output: Output) -> InlineKeyboardMarkup | None:
    """An output's buttons: a page's numbers and arrows, or the facts it offers; then the
    👍/👎 of an answer."""
    rows = page_rows(output.page) if output.page else choice_rows(output.choices)
    if output.feedback:
        rows.append(vote_row(output.feedback))
    return InlineKeyboardMarkup(rows) if rows else None


def without_feedback(
    markup: InlineKeyboardMarkup | None, *extra: Sequence[InlineKeyboardButton]
) -> InlineKeyboardMarkup | None:
    """The message's keyboard with its 👍/👎 (or reasons) replaced by `extra` rows: the
    buttons to the related facts stay."""
    rows = [
        list(row)
        for row in (markup.inline_keyboard if markup else ())
        if not any(str(b.callback_data or "").startswith(_FEEDBACK) for b in row)
    ]
    rows += [list(row) for row in extra]
    return InlineKeyboardMarkup(rows) if rows else None


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
    return language_script(update)


def language_script(update: Update) -> Script:
    """The script the user's app language suggests (no store read: the last resort)."""
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


async def asker_of(update: Update, context: Context, text: str | None = None) -> Asker:
    """Who asks and where, for the service: a bot administrator is a numeric id listed in
    BAYBRIEF_ADMIN_IDS (never a username); whether they may change a group's settings is
    asked of Telegram only when a change is asked for."""
    chat, user = update.effective_chat, update.effective_user
    user_id = user.id if user is not None else None
    return Asker(
        chat_id=chat.id if chat is not None else 0,
        script=await script_of(update, context, text),
        user_id=user_id,
        thread_id=thread_of(update),
        admin=user_id is not None and user_id in context.bot_data.settings.admin_ids,
        group=chat is not None and chat.type != ChatType.PRIVATE,
        may_change=lambda: may_change(update, context),
    )


async def show(message: Message, output: Output, context: Context) -> list[Message]:
    """An output as replies to `message`, with its buttons; what it records afterwards
    (`done`) runs in the background, never in the reader's way. While the application is
    stopping, background tasks would not be awaited and the record would be lost, so then it
    runs here."""
    sent = await reply(message, output.text, keyboard(output))
    if output.done is not None:
        if context.application.running:
            context.application.create_task(output.done())
        else:
            await output.done()
    return sent


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    thread_id: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send `text` (HTML) to a chat, or a forum topic of it, split under Telegram's limit;
    the keyboard goes with the last part."""
    parts = split_message(text)
    sent = []
    for n, part in enumerate(parts, start=1):
        markup = keyboard if n == len(parts) else None
        sent.append(
            await bot.send_message(chat_id, part, message_thread_id=thread_id, reply_markup=markup)
        )
    return sent


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
