"""The local console conversation: the bot without Telegram, on the bot's own store.

`baybrief chat` is one local chat (`CONSOLE_CHAT`) in the same store as the bot
(`BAYBRIEF_DB`), served by the same `Service` as Telegram's handlers: every command of the
table (bot/commands.py) works here as there, including /subscribe, /unsubscribe, /timezone and
/briefing, and a subscribed briefing is delivered while the console runs, by the same delivery
(bot/delivery.py) through a sender that prints it (`ConsoleSender`). Follow-up questions keep
their context as in Telegram, typing a number picks an offered fact as a button would, and
`+` or `-` after an answer is its 👍 or 👎. The console's user has the shell, so the
administrators' commands are theirs.

Ctrl-D (end of input), /quit and Ctrl-C all end it quietly: Ctrl-C is a signal the event
loop turns into "leave", so no traceback is printed and the store is closed cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, TextIO

from bot.answers import Choice, Renderer
from bot.clock import SystemClock
from bot.commands import CommandTable
from bot.config import Settings
from bot.delivery import Delivery
from bot.factbase import FactBase
from bot.messages import message
from bot.outcomes import DeliveryConfig
from bot.pacing import Pacer
from bot.service import Asker, Output, Service, number
from bot.serving import record_facts, serve
from bot.storage import Storage
from bot.store import Store
from bot.text import Script, detect_script

PROMPT: Final = "你："
CONSOLE_CHAT: Final = 0  # Telegram never gives a chat the id 0: the console's, in the shared store
QUIT: Final = frozenset({"quit", "exit", "q"})
_VOTES: Final = {"+": True, "👍": True, "-": False, "👎": False}
NUMBERED: Final = frozenset({"choices", "refusal"})  # replies whose text numbers its facts


@dataclass(frozen=True)
class _Reasons:
    """A 👎 was just typed: the next number says what was wrong."""

    token: str
    codes: tuple[str, ...]


class Console:
    """One local chat: each typed line to the Service, each Output as plain text."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.script = Script.SIMPLIFIED
        self.choices: tuple[Choice, ...] = ()
        self.last_answer: str | None = None  # the token of the last answer, for + and -
        self.reasons: _Reasons | None = None

    @property
    def table(self) -> CommandTable:
        return self.service.table

    def asker(self) -> Asker:
        return Asker(CONSOLE_CHAT, self.script, admin=True, console=True)

    async def reply(self, line: str) -> str | None:
        """The answer to one line, or None to end the conversation."""
        line = line.strip()
        if not line:
            return ""
        if line.startswith("/"):
            return await self.command(line)
        picked = number(line)
        if picked is not None and self.reasons and 1 <= picked <= len(self.reasons.codes):
            reasons, self.reasons = self.reasons, None
            code = reasons.codes[picked - 1]
            return await self.service.reason(reasons.token, code, self.script)
        if picked is not None and 1 <= picked <= len(self.choices):
            shown = self.service.fact(self.choices[picked - 1].fact_id, self.script)
            return await self._show(shown) if shown else message("stale_button", self.script)
        if line in _VOTES and self.last_answer is not None:
            return await self._vote(self.last_answer, up=_VOTES[line])
        self.script = detect_script(line)
        output = await self.service.answer(self.asker(), line)
        self.last_answer = output.feedback
        return await self._show(output)

    async def command(self, line: str) -> str | None:
        name = line[1:].split(maxsplit=1)[0].lower() if len(line) > 1 else ""
        if name in QUIT:
            return None
        found = self.table.parse(line)
        if found is None:
            return message("unknown_command", self.script)
        command, argument = found
        if not command.console:
            return message("telegram_only", self.script, command=command.name)
        output = await self.service.run(command, self.asker(), argument)
        text = await self._show(output)
        shown = output.page
        if shown is not None and shown.has_next:
            hint = message("next_page", self.script, command=command.name, page=shown.number + 2)
            text += "\n" + hint
        return text

    async def _vote(self, token: str, *, up: bool) -> str:
        vote = await self.service.vote(token, up=up, script=self.script)
        self.last_answer = None  # one vote per answer, as the buttons disappear in Telegram
        if not vote.ask_reason:
            return vote.text
        reasons = self.service.reasons(self.script)
        self.reasons = _Reasons(token, tuple(code for code, _ in reasons))
        numbered = "\n".join(f"  {n}. {label}" for n, (_, label) in enumerate(reasons, 1))
        return f"{vote.text}\n{message('console_reasons', self.script)}\n{numbered}"

    async def _show(self, output: Output) -> str:
        """The output as text; the facts it offers can then be picked by number."""
        if output.done is not None:
            await output.done()
        self.choices = output.choices
        if output.page is not None or output.mode in NUMBERED or not output.choices:
            return output.text  # lists, choices and suggestions are numbered in their text
        numbered = "\n".join(f"  {n}. {c.label}" for n, c in enumerate(output.choices, 1))
        return f"{output.text}\n{message('related', self.script)}\n{numbered}"


class ConsoleSender:
    """The delivery's Sender for the console: a briefing is printed, between two prompts."""

    def __init__(self, out: TextIO, *, prompt: Callable[[], None]) -> None:
        self._out, self._prompt = out, prompt
        self._sent = 0

    async def send(self, chat_id: int, thread_id: int | None, text: str) -> list[int]:
        heading = message("console_briefing", Script.SIMPLIFIED)
        print(f"\n{heading}\n{text}\n", file=self._out, flush=True)
        self._prompt()
        self._sent += 1
        return [self._sent]


class _Lines:
    """Typed lines, read on a daemon thread so that the event loop (and the delivery on it)
    runs while the reader thinks; a line is read only once the previous reply is printed,
    so the prompt comes after it. A daemon thread blocked in readline never keeps the
    process from leaving."""

    def __init__(self, stream: TextIO, out: TextIO) -> None:
        self._stream, self._out = stream, out
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._wanted = threading.Event()
        self._waiting = False
        threading.Thread(target=self._read, name="console-input", daemon=True).start()

    def prompt(self) -> None:
        """Show the prompt again (after a briefing arrived while the reader was typing)."""
        if self._waiting and self._stream.isatty():
            print(PROMPT, end="", file=self._out, flush=True)

    def _read(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            self._waiting = True
            if self._stream.isatty():
                print(PROMPT, end="", file=self._out, flush=True)
            try:
                line: str | None = self._stream.readline() or None
            except (OSError, ValueError):  # the stream was closed under us
                line = None
            self._waiting = False
            if line is None and self._stream.isatty():
                print(file=self._out)  # the shell's prompt on a line of its own
            try:
                self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
            except RuntimeError:  # the conversation ended (Ctrl-C) while this was typed
                return
            if line is None:
                return

    async def next(self) -> str | None:
        """The next line, or None at end of input."""
        self._wanted.set()
        return await self._queue.get()


async def converse(
    settings: Settings,
    base: FactBase,
    stream: TextIO,
    out: TextIO,
    *,
    quit_event: asyncio.Event | None = None,
) -> None:
    """The conversation, until /quit, end of input or `quit_event` (Ctrl-C)."""
    store = Store(settings.database)  # once, at start: migrations and the facts' record
    try:
        recorded = record_facts(store, base)
    finally:
        store.close()
    renderer = Renderer(html_output=False)
    storage = Storage.at(settings.database)
    service = Service(
        settings=settings, storage=storage, served=serve(base, recorded.new, html=False),
        renderer=renderer,
    )  # fmt: skip
    service.fact_version = recorded.version
    console = Console(service)
    lines = _Lines(stream, out)
    clock = SystemClock()
    delivery = Delivery(
        db_path=settings.database,
        sender=ConsoleSender(out, prompt=lines.prompt),
        pacer=Pacer(clock, bulk_per_second=settings.broadcast_rate),
        content=service.content,
        renderer=renderer,
        default_zone=settings.timezone,
        clock=clock,
        config=DeliveryConfig(),
        only_chat=CONSOLE_CHAT,
    )
    quit_event = quit_event or asyncio.Event()
    print(renderer.help(base, Script.SIMPLIFIED, service.table, admin=True), file=out)
    print(message("console_banner", Script.SIMPLIFIED), file=out, flush=True)
    await delivery.start()
    try:
        while True:
            line = await _first(lines.next(), quit_event)
            if line is None:
                break
            reply = await console.reply(line)
            if reply is None:
                break
            if reply:
                print(reply + "\n", file=out, flush=True)
    finally:
        if quit_event.is_set() and stream.isatty():
            print(file=out)
        await delivery.stop()
        storage.close()


async def _first(reading: Awaitable[str | None], quit_event: asyncio.Event) -> str | None:
    """The next line, or None once `quit_event` is set (whichever comes first)."""
    line = asyncio.ensure_future(reading)
    quitting = asyncio.ensure_future(quit_event.wait())
    done, _ = await asyncio.wait({line, quitting}, return_when=asyncio.FIRST_COMPLETED)
    quitting.cancel()
    if line in done:
        return line.result()
    line.cancel()
    return None


def run(
    settings: Settings, base: FactBase, stream: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> None:
    """The conversation in its own event loop; Ctrl-C sets "leave" instead of raising."""

    async def main() -> None:
        quit_event = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on this platform
            loop.add_signal_handler(signal.SIGINT, quit_event.set)
        await converse(settings, base, stream, out, quit_event=quit_event)

    asyncio.run(main())
