"""Running the real bot against the loopback fake Bot API, as `baybrief run` would."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.commands import CommandTable
from bot.config import Settings
from bot.store import Store
from handlers.app import STOP_GRACE, Server
from handlers.context import BayApplication
from tests.conftest import FACTS, ROOT, SEEDS
from tests.fakebotapi import Call, FakeBotAPI

ADMIN = 4242
USER = 1001


def settings_for(api: FakeBotAPI, folder: Path, **extra: str) -> Settings:
    """Settings read from the environment variables, pointing the bot at the fake API."""
    facts = folder / "facts"
    if not facts.exists():
        shutil.copytree(FACTS, facts)
    env = {
        "BAYBRIEF_TOKEN": api.token,
        "BAYBRIEF_ADMIN_IDS": str(ADMIN),
        "BAYBRIEF_DB": str(folder / "baybrief.sqlite3"),
        "BAYBRIEF_FACTS_DIR": str(facts),
        "BAYBRIEF_SEEDS_DIR": str(SEEDS),
        "BAYBRIEF_BOT_API_URL": api.base_url,
        **extra,
    }
    return Settings.from_env(env)


@asynccontextmanager
async def serving(
    settings: Settings, commands: CommandTable | None = None, *, stop_grace: float = STOP_GRACE
) -> AsyncIterator[Server]:
    """`baybrief run` in this loop, with its HTTP server if the settings ask for one (webhook
    mode, BAYBRIEF_LISTEN), and with another command table if given (to prove the table drives
    the bot); started (ready) on entry, stopped on exit (waiting `stop_grace` at most for the
    updates it fetched)."""
    service = Server(settings, commands, poll_timeout=1, stop_grace=stop_grace)
    try:
        await service.start()
        yield service
    finally:
        await service.stop()


@asynccontextmanager
async def running(
    settings: Settings, commands: CommandTable | None = None, *, stop_grace: float = STOP_GRACE
) -> AsyncIterator[BayApplication]:
    """The bot polling the fake, as `baybrief run` would, inside the test's loop."""
    async with serving(settings, commands, stop_grace=stop_grace) as service:
        yield service.application


async def spawn(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`baybrief run` as a real process (`python -m handlers.cli run`), its output in `log`."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "handlers.cli", "run",
            cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip


async def eventually(check: Callable[[], bool], *, within: float = 5.0) -> None:
    """Wait until `check()` holds: the bot acts on a response after the fake has recorded it."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"still not true after {within} s: {check}")
        await asyncio.sleep(0.05)


def texts(api: FakeBotAPI, method: str = "sendMessage") -> list[str]:
    return [str(c.params.get("text", "")) for c in api.calls_to(method) if not c.failed]


async def next_message(api: FakeBotAPI, *, chat_id: int, after: int, within: float = 10) -> Call:
    """The next message the bot successfully sends to `chat_id` after call number `after`."""
    return await api.wait_for(
        "sendMessage",
        lambda c: not c.failed and c.params.get("chat_id") == chat_id,
        timeout=within,
        after=after,
    )


def subscribe_all(
    settings: Settings, chat_ids: Iterable[int], *, seconds: float = 2.0
) -> dt.datetime:
    """Subscriptions written as /subscribe writes them, all due `seconds` from now (a
    broadcast); returns that moment."""
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    local = due.astimezone(settings.timezone).time().replace(microsecond=0)
    store = Store(settings.database)
    try:
        for chat_id in chat_ids:
            store.subscribe(chat_id=chat_id, send_time=local, next_due_at=due)
    finally:
        store.close()
    return due


def briefings(api: FakeBotAPI) -> Counter[int]:
    """Delivered briefings per chat."""
    return Counter(
        int(m["chat_id"]) for m in api.sent_messages if "湾区AI简报 ·" in str(m.get("text"))
    )


def delivered(api: FakeBotAPI, at_least: int) -> Callable[[], bool]:
    """For `api.until`: at least this many briefings have arrived, in all."""
    return lambda: sum(briefings(api).values()) >= at_least


def observe(application: BayApplication) -> Store:
    """A connection of the test's own to the bot's database, to read what the bot recorded
    (the bot's own connections belong to its worker threads)."""
    return Store(application.bot_data.settings.database)


async def ask(api: FakeBotAPI, text: str, *, chat_id: int = USER, **extra: object) -> str:
    """Send a message as a user and return the text of the bot's next message to that chat."""
    mark = len(api.calls)
    api.push_message(chat_id=chat_id, text=text, **extra)
    return str((await next_message(api, chat_id=chat_id, after=mark)).params["text"])


async def press(
    api: FakeBotAPI, data: str, *, message_id: int, chat_id: int = USER, user_id: int | None = None
) -> Call:
    """Press a button of the bot's message; returns the bot's answerCallbackQuery."""
    mark = len(api.calls)
    api.push_callback_query(
        chat_id=chat_id, user_id=user_id or chat_id, data=data, message_id=message_id
    )
    return await api.wait_for("answerCallbackQuery", after=mark)


def keyboard_of(call: Call) -> list[list[dict[str, str]]]:
    """The inline keyboard a sendMessage or edit carried."""
    markup = call.params.get("reply_markup") or {}
    return list(markup.get("inline_keyboard", []))
