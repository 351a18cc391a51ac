"""Loopback fake of the Telegram Bot API for end-to-end tests.

The real python-telegram-bot stack (Bot, Application, AIORateLimiter, httpx) talks to this server
over HTTP through PTB's own ``base_url``, so tests exercise PTB's request encoding, error mapping
and polling exactly as in production; only Telegram's servers are replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

# PTB sends every non-str value JSON-encoded, so the form value "123" may be an int or free text.
# Keys holding free text or opaque ids are therefore never JSON-decoded.
# fmt: off
_TEXT_KEYS = frozenset({
    "text", "caption", "query", "data", "parse_mode", "callback_query_id", "inline_query_id",
    "inline_message_id", "next_offset", "description", "short_description", "name", "title",
    "url", "language_code", "emoji", "custom_title", "first_name", "last_name", "question",
    "explanation", "payload", "start_parameter", "file_id", "photo", "document", "sticker",
})
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_pin_messages", "can_manage_topics",
)
_MEMBER_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
)
_GIFT_KINDS = (
    "unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
    "gifts_from_channels",
)
# fmt: on
# Telegram withholds these unless they are named in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# \w includes CJK, so "你好@bot" is no mention: Telegram's own parser agrees.
_COMMAND_RE = re.compile(r"(?<![\w/<>@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z]\w{3,31}")
_NOT_MESSAGES = ("sendchataction", "sendmediagroup", "sendgift")
_SENT_KEYS = ("message_thread_id", "text", "parse_mode", "reply_markup")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "of a message are exactly the same as a source message content and reply markup of a message"
)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode(key: str, value: Any) -> Any:
    if isinstance(value, web.FileField):
        return {"filename": value.filename, "data": value.file.read()}
    if not isinstance(value, str) or key in _TEXT_KEYS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channel" or action "typing"


def _make_chat(chat_id: int, kind: str, first_name: str = "Test", name: str | None = None) -> JSON:
    chat: JSON = {"id": chat_id, "type": kind}
    if kind != "private":
        return chat | {"title": f"Test {kind} {chat_id}"}
    return chat | {"first_name": first_name} | ({"username": name} if name else {})


@dataclass
class Call:
    """One request as the bot made it; `result` is what the fake answered on success."""

    method: str
    params: JSON
    at: float
    failed: bool = False
    error_code: int | None = None
    result: Any = None

    def __str__(self) -> str:
        params = json.dumps(self.params, ensure_ascii=False, default=repr)[:160]
        return f"{self.method}{f' FAILED {self.error_code}' if self.failed else ''} {params}"


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, int] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters or {}

    def response(self) -> web.Response:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters  # PTB maps these to RetryAfter / ChatMigrated
        return web.json_response(body, status=self.code)


@dataclass
class _Failure:
    """What the next matching call meets: an error answer, a reset connection (no answer at
    all), or a stall of `seconds` after which the call is handled as usual."""

    error: _ApiError | None
    chat_id: int | None
    remaining: int
    reset: bool = False
    seconds: float = 0.0


@dataclass
class _Chaos:
    """Transient failures at random, as a network and Telegram's front ends produce them."""

    rate: float
    stall: float
    rng: random.Random
    kinds: tuple[str, ...] = ("502", "reset", "stall")


class FakeBotAPI:
    """In-memory Telegram: an update queue served by getUpdates, chats, messages and a call log.

    Use it only from the event loop that runs it: pushes wake pending long-polls synchronously.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 123456,
        username: str = "baybrief_test_bot",
    ) -> None:
        self.token, self.bot_id, self.username = token, bot_id, username
        self.calls: list[Call] = []
        self.sent_messages: list[JSON] = []
        self.sent_to: Counter[int] = Counter()  # messages delivered per chat, kept as they go
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._changed = asyncio.Event()
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_001)
        self._ids = itertools.count(9_000_001)
        self._allowed: list[str] | None = None
        self.webhook: JSON = {}  # what the last setWebhook asked for
        self._poll_generation = 0
        self._chats: dict[int, JSON] = {}
        self._msg_ids: defaultdict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], JSON] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._failures: defaultdict[str, list[_Failure]] = defaultdict(list)
        self._chaos: dict[str, _Chaos] = {}
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getme": lambda _: self._bot_user(getme=True),
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": lambda p: self._edit(p, text=True),
            "editmessagereplymarkup": lambda p: self._edit(p, text=False),
            "setmycommands": self._set_commands,
            "getmycommands": lambda p: self._commands.get(self._commands_key(p), []),
            "deletemycommands": self._delete_commands,
            "getchat": self._get_chat,
            "getchatmember": lambda p: self._member(self._chat(p)["id"], int(p["user_id"])),
            "getchatadministrators": self._get_admins,
        }

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 2**20)  # Telegram's upload limit
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        self._closing = False

    async def stop(self) -> None:
        """Release pending long-polls first; otherwise cleanup waits for them to time out."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot"

    # -- injecting updates -------------------------------------------------------------------
    def push_update(self, update: JSON) -> int:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._notify()
        return int(update["update_id"])

    def push_message(self, **message: Any) -> int:
        """A message as getUpdates will hand it out (see `message_update` for the arguments)."""
        update = self.message_update(**message)
        self._updates.append(update)
        self._notify()
        return int(update["update_id"])

    def message_update(
        self,
        *,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        message_thread_id: int | None = None,
        is_forum: bool = False,
        reply_to_bot: bool = False,
        username: str | None = None,
        first_name: str = "Test",
        language_code: str | None = None,
    ) -> JSON:
        """An update carrying a message, with its update_id, as Telegram would post it to a
        webhook. Group messages need a sender too: without `user_id` one fixed test user sends
        them."""
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 10_001
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        user |= {"username": username} if username else {}
        user |= {"language_code": language_code} if language_code else {}
        chat = self._chats[chat_id] = _make_chat(chat_id, chat_type, first_name, username)
        chat |= {"is_forum": True} if is_forum else {}
        msg = self._new_message(chat, user, text)
        if message_thread_id is not None:
            msg |= {"message_thread_id": message_thread_id, "is_topic_message": True}
        if entities := self._entities(text):
            msg["entities"] = entities
        if reply_to_bot:
            mine = [m for (c, _), m in self._messages.items() if c == chat_id and self._is_mine(m)]
            msg["reply_to_message"] = mine[-1] if mine else self._new_message(chat, None, "Hi!")
        return {"update_id": next(self._update_ids), "message": msg}

    def push_callback_query(
        self, *, chat_id: int, user_id: int, data: str, message_id: int, chat_type: str = "private"
    ) -> int:
        chat = self._chats.setdefault(chat_id, _make_chat(chat_id, chat_type))
        message = self._messages.get((chat_id, message_id))
        message = message or self._new_message(chat, None, "", message_id)  # editable later
        sender = {"id": user_id, "is_bot": False, "first_name": "Test"}
        query = {"id": str(next(self._ids)), "from": sender, "chat_instance": str(chat_id)}
        return self.push_update({"callback_query": query | {"data": data, "message": message}})

    def push_inline_query(self, *, user_id: int, query: str, offset: str = "") -> int:
        sender = {"id": user_id, "is_bot": False, "first_name": "Test"}
        inline = {"id": str(next(self._ids)), "from": sender, "query": query, "offset": offset}
        return self.push_update({"inline_query": inline})

    # -- recording and scripting -------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the caller, not a cancel scope
        after: int = 0,
    ) -> Call:
        """Pass `after=len(api.calls)` taken before acting, so earlier look-alikes can't match."""
        loop = asyncio.get_running_loop()
        deadline, index = loop.time() + timeout, after
        while True:
            changed = self._changed
            for call in self.calls[index:]:
                index += 1
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            if (remaining := deadline - loop.time()) <= 0:
                recent = "\n".join(f"  #{i} {c}" for i, c in list(enumerate(self.calls))[-12:])
                raise TimeoutError(
                    f"no matching {method} call (index >= {after}) within {timeout}s; "
                    f"recent calls:\n{recent or '  (none)'}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def until(
        self,
        check: Callable[[], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the caller, not a cancel scope
    ) -> None:
        """Wait until `check()` holds, looking again whenever a call arrives or is answered."""
        async with asyncio.timeout(timeout):
            while not check():
                await self._changed.wait()

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        chat_id: int | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        given = {"retry_after": retry_after, "migrate_to_chat_id": migrate_to_chat_id}
        parameters = {k: v for k, v in given.items() if v is not None}
        self._failures[method].append(
            _Failure(_ApiError(error_code, description, parameters), chat_id, times)
        )

    def reset_next(self, method: str, *, chat_id: int | None = None, times: int = 1) -> None:
        """Close the connection without an answer, before handling the call (not delivered)."""
        self._failures[method].append(_Failure(None, chat_id, times, reset=True))

    def stall_next(
        self, method: str, *, seconds: float, chat_id: int | None = None, times: int = 1
    ) -> None:
        """Hold the call `seconds`, then handle it: delivered, even if the client gave up."""
        self._failures[method].append(_Failure(None, chat_id, times, seconds=seconds))

    def chaos(self, method: str, *, rate: float, stall: float = 10.0, seed: int = 0) -> None:
        """From now on, a share `rate` of `method` calls meets a 502, a reset or a stall."""
        self._chaos[method] = _Chaos(rate, stall, random.Random(seed))

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        self._members[(chat_id, user_id)] = status

    # -- HTTP --------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path)
        if match is None:
            return _ApiError(404, "Not Found").response()
        if match[1] != self.token:
            return _ApiError(401, "Unauthorized").response()
        raw: JSON = dict(request.query)
        try:
            if request.content_type == "application/json" and request.can_read_body:
                raw |= await request.json()
            elif request.can_read_body:  # urlencoded or multipart, as PTB sends
                raw |= await request.post()
        except ConnectionResetError:  # the client died mid-request: Telegram never got it
            return web.Response(status=400)
        call = Call(match[2], {k: _decode(k, v) for k, v in raw.items()}, self._now())
        self.calls.append(call)
        self._notify()
        try:
            failure = self._next_failure(call.method, call.params)
            if failure is not None and failure.reset:
                call.failed, call.error_code = True, 0
                if request.transport is not None:
                    request.transport.abort()  # the client sees the connection reset
                return web.Response(status=204)  # never reaches the client
            if failure is not None and failure.seconds:
                await asyncio.sleep(failure.seconds)  # `at` stays its arrival, as Telegram counts
            if failure is not None and failure.error is not None:
                raise failure.error
            method = call.method.lower()  # Telegram ignores the case of method names
            handler = self._handlers.get(method)
            if handler is None and method.startswith("send") and method not in _NOT_MESSAGES:
                handler = self._send_media  # PTB expects a Message back from these
            if method == "getupdates":
                call.result = await self._get_updates(call.params, request)
            else:
                call.result = handler(call.params) if handler else True  # as most methods do
        except _ApiError as err:
            call.failed, call.error_code = True, err.code
            return err.response()
        finally:
            self._notify()  # answered (or failed): `until` looks again
        return web.json_response({"ok": True, "result": call.result})

    def _next_failure(self, method: str, params: JSON) -> _Failure | None:
        queue = self._failures[method]
        for failure in queue:
            if failure.chat_id is None or failure.chat_id == params.get("chat_id"):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    queue.remove(failure)
                return failure
        chaos = self._chaos.get(method)
        if chaos is None or chaos.rng.random() >= chaos.rate:
            return None
        kind = chaos.rng.choice(chaos.kinds)
        if kind == "502":
            return _Failure(_ApiError(502, "Bad Gateway"), None, 1)
        return _Failure(None, None, 1, reset=kind == "reset", seconds=chaos.stall)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    # -- Bot API methods ---------------------------------------------------------------------
    async def _get_updates(self, params: JSON, request: web.Request) -> list[JSON]:
        """Long-poll like Telegram, including the 409 that ends a poll superseded by a newer one.

        A poll whose client hung up (PTB cancels its poll on Updater.stop) just ends quietly.
        """
        self._poll_generation += 1
        generation = self._poll_generation
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        if "allowed_updates" in params:
            self._allowed = params["allowed_updates"] or None
        deadline = self._now() + float(params.get("timeout", 0))
        while True:
            changed = self._changed
            if request.transport is None or request.transport.is_closing():
                return []
            if generation != self._poll_generation:
                raise _ApiError(409, "Conflict: terminated by other getUpdates request")
            kept = self._updates[offset:] if offset < 0 else self._updates  # confirms older ones
            self._updates = [u for u in kept if u["update_id"] >= offset and self._allows(u)]
            if self._updates or self._closing or (remaining := deadline - self._now()) <= 0:
                return self._updates[:limit]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _allows(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        return kind in self._allowed if self._allowed else kind not in _OPT_IN_UPDATES

    def _delete_webhook(self, params: JSON) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: JSON) -> bool:
        """Recorded only: this fake never posts to the URL (tests post to the bot themselves)."""
        self.webhook = {k: params.get(k) for k in ("url", "secret_token", "allowed_updates")}
        return True

    def _webhook_info(self, params: JSON) -> JSON:
        return {
            "url": str(self.webhook.get("url") or ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _send_message(self, params: JSON) -> JSON:
        text, parse_mode = str(params.get("text", "")), params.get("parse_mode")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if parse_mode is None and len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        chat = self._chat(params)
        reply_key = (chat["id"], int((params.get("reply_parameters") or {}).get("message_id", 0)))
        replied = self._messages.get(reply_key)  # looked up first: never the new one itself
        msg = self._new_message(chat, None, text)
        if (thread_id := params.get("message_thread_id")) is not None:
            msg |= {"message_thread_id": thread_id, "is_topic_message": bool(chat.get("is_forum"))}
        if isinstance(markup := params.get("reply_markup"), dict) and "inline_keyboard" in markup:
            msg["reply_markup"] = markup  # Telegram echoes inline keyboards only
        if replied is not None:
            msg["reply_to_message"] = replied
        sent = {"chat_id": chat["id"], "message_id": msg["message_id"]}
        self.sent_messages.append(sent | {key: params.get(key) for key in _SENT_KEYS})
        self.sent_to[chat["id"]] += 1
        return msg

    def _send_media(self, params: JSON) -> JSON:
        """A message without the media object: enough for PTB, and the caption stays checkable."""
        msg = self._new_message(self._chat(params), None, "")
        msg |= {"caption": params["caption"]} if params.get("caption") else {}
        return msg

    def _edit(self, params: JSON, *, text: bool) -> JSON | bool:
        """Mirror Telegram's refusals: bots trip over 'message is not modified' in production."""
        if "inline_message_id" in params:
            return True
        key = (int(self._chat(params)["id"]), int(params.get("message_id", 0)))
        if (old := self._messages.get(key)) is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if not self._is_mine(old):
            raise _ApiError(400, "Bad Request: message can't be edited")
        if text and not str(params.get("text", "")).strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        new |= {"text": str(params["text"])} if text else {}
        if isinstance(markup := params.get("reply_markup"), dict) and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        if new == old:
            raise _ApiError(400, _NOT_MODIFIED)
        self._messages[key] = new | {"edit_date": int(time.time())}
        return self._messages[key]

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_commands(self, params: JSON) -> bool:
        self._commands[self._commands_key(params)] = list(params.get("commands") or [])
        return True

    def _delete_commands(self, params: JSON) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _get_chat(self, params: JSON) -> JSON:
        gifts = dict.fromkeys(_GIFT_KINDS, True)
        extra = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
        return self._chat(params) | extra

    def _get_admins(self, params: JSON) -> list[JSON]:
        chat_id = self._chat(params)["id"]
        return [
            self._member(chat_id, user_id)
            for (chat, user_id), status in self._members.items()
            if chat == chat_id and status in ("creator", "administrator")
        ]

    # -- object builders ---------------------------------------------------------------------
    def _bot_user(self, *, getme: bool = False) -> JSON:
        user = {"id": self.bot_id, "is_bot": True, "first_name": "Baybrief Test"}
        user["username"] = self.username
        if getme:
            user |= {"can_join_groups": True, "can_read_all_group_messages": False}
            user |= {"supports_inline_queries": True, "can_connect_to_business": False}
        return user

    def _is_mine(self, message: JSON) -> bool:
        return bool(message.get("from", {}).get("id") == self.bot_id)

    def _chat(self, params: JSON) -> JSON:
        """Chats no update introduced get a type from the id's shape, as Telegram's ids have."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str):  # "@channelusername"
            name = chat_id.lstrip("@")
            for chat in self._chats.values():
                if chat.get("username") == name:
                    return chat
            new_id = -1_001_000_000_000 - len(self._chats)
            chat = {"id": new_id, "type": "channel", "title": name, "username": name}
            return self._chats.setdefault(new_id, chat)
        kind = "private" if chat_id > 0 else "group"
        kind = "supergroup" if str(chat_id).startswith("-100") else kind
        return self._chats.setdefault(chat_id, _make_chat(chat_id, kind))

    def _new_message(
        self, chat: JSON, sender: JSON | None, text: str, message_id: int | None = None
    ) -> JSON:
        message_id = message_id or next(self._msg_ids[chat["id"]])
        msg = {"message_id": message_id, "from": sender or self._bot_user(), "chat": chat}
        msg |= {"date": int(time.time())} | ({"text": text} if text else {})
        self._messages[(chat["id"], message_id)] = msg
        return msg

    def _member(self, chat_id: int, user_id: int) -> JSON:
        status = self._members.get((chat_id, user_id), "member")
        user = {"id": user_id, "is_bot": False, "first_name": "Test"}
        member: JSON = {
            "status": status,
            "user": self._bot_user() if user_id == self.bot_id else user,
        }
        if status in ("creator", "administrator"):
            member["is_anonymous"] = False
        if status == "administrator":
            member |= dict.fromkeys(_ADMIN_RIGHTS, True) | {"can_be_edited": False}
        elif status in ("restricted", "kicked"):  # PTB requires every right plus until_date
            member |= dict.fromkeys(_MEMBER_RIGHTS, False) | {"is_member": True, "until_date": 0}
        return member

    def _entities(self, text: str) -> list[JSON]:
        """Offsets count UTF-16 code units, as Telegram's do: an emoji counts 2."""
        found = [("bot_command", m) for m in _COMMAND_RE.finditer(text)]
        found += [("mention", m) for m in _MENTION_RE.finditer(text)]
        return [
            {"type": kind, "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m[0])}
            for kind, m in sorted(found, key=lambda item: item[1].start())
        ]
