"""The local console conversation: the bot's answers and commands without Telegram."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from bot.answers import Choice, Renderer, in_script
from bot.assistant import Assistant
from bot.browse import CATEGORIES, page
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.problems import FactBaseError
from bot.text import Script, detect_script

PROMPT = "你："
Loader = Callable[[], FactBase]
_NUMBER = re.compile(r"[0-9]{1,4}", re.ASCII)


def number(text: str) -> int | None:
    """A plain number as typed to pick a choice or a page: ASCII digits only (int() would take
    ١٢ and refuse ² after str.isdigit() accepted both), and short (int() refuses 5000 digits)."""
    return int(text) if _NUMBER.fullmatch(text) else None


class Console:
    """Keeps the last offered choices so that typing a number picks one, as a button would."""

    def __init__(self, base: FactBase, load: Loader) -> None:
        self.base = base
        self.load = load
        self.render = Renderer(html_output=False)
        self.assistant = Assistant(base, Matcher(base), self.render)
        self.choices: tuple[Choice, ...] = ()
        self.script = Script.SIMPLIFIED

    def reply(self, line: str) -> str | None:
        """The answer to one line, or None to end the conversation."""
        line = line.strip()
        if not line:
            return ""
        if line.startswith("/"):
            return self.command(line)
        picked = number(line)
        if picked is not None and 1 <= picked <= len(self.choices):
            fact = self.base.by_id[self.choices[picked - 1].fact_id]
            return self.render.fact(fact, self.base, self.script)
        self.script = detect_script(line)
        reply = self.assistant.reply(line, script=self.script)
        self.choices = reply.choices
        if not (reply.mode == "answer" and reply.choices):
            return reply.text  # choices, if any, are already numbered in the text
        numbered = "\n".join(f"  {n}. {c.label}" for n, c in enumerate(reply.choices, 1))
        return f"{reply.text}\n{in_script('相关（输入数字查看）：', self.script)}\n{numbered}"

    def command(self, line: str) -> str | None:
        name, _, argument = line[1:].partition(" ")
        name = name.lower()
        if name in ("quit", "exit", "q"):
            return None
        if name in ("start", "help"):
            return self.render.help(self.base, self.script)
        if name == "about":
            return self.render.about(self.base, self.script)
        if name in CATEGORIES:
            shown = page(self.base, name, max((number(argument.strip()) or 1) - 1, 0))
            self.choices = tuple(Choice(f.id, f.title) for f in shown.facts)
            text = self.render.facts_list(shown.heading, shown.facts, self.script)
            if shown.number + 1 < shown.pages:
                text += "\n" + in_script(f"下一页：/{name} {shown.number + 2}", self.script)
            return text
        if name == "briefing":
            text, _ = self.render.compose_briefing(
                self.base,
                day=dt.date.today(),
                seen={},
                new=frozenset(),
                wanted=lambda fact: True,
                script=self.script,
            )
            return text
        if name == "reload":
            try:
                fresh = self.load()
            except FactBaseError as exc:
                return self.render.reload_failed(exc)
            diff = self.base.diff(fresh)
            self.base = fresh
            self.assistant = Assistant(fresh, Matcher(fresh), self.render)
            return self.render.reloaded(diff, fresh)
        return in_script("不认识这个命令。发送 /help 查看可用命令。", self.script)


def lines_of(stream: TextIO) -> Iterator[str]:
    """Typed lines until end of input (Ctrl-D)."""
    while True:
        if stream.isatty():
            print(PROMPT, end="", flush=True)
        line = stream.readline()
        if not line:
            if stream.isatty():
                print()  # the shell's prompt on a line of its own
            return
        yield line


def run(base: FactBase, load: Loader, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """The conversation, until /quit, end of input or Ctrl-C, each of which just ends it."""
    console = Console(base, load)
    print(console.render.help(base, Script.SIMPLIFIED), file=out)
    print("（/quit 退出）", file=out)
    try:
        for line in lines_of(stream):
            reply = console.reply(line)
            if reply is None:
                break
            if reply:
                print(reply + "\n", file=out, flush=True)
    except KeyboardInterrupt:
        print(file=out)
