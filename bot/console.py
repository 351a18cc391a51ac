"""The local console conversation: the bot's answers and commands without Telegram."""

from __future__ import annotations

import datetime as dt
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
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            fact = self.base.by_id[self.choices[int(line) - 1].fact_id]
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
            number = int(argument) - 1 if argument.strip().isdigit() else 0
            shown = page(self.base, name, number)
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
    while True:
        if stream.isatty():
            print(PROMPT, end="", flush=True)
        line = stream.readline()
        if not line:
            return
        yield line


def run(base: FactBase, load: Loader, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    console = Console(base, load)
    print(console.render.help(base, Script.SIMPLIFIED), file=out)
    print("（/quit 退出）", file=out)
    for line in lines_of(stream):
        reply = console.reply(line)
        if reply is None:
            break
        if reply:
            print(reply + "\n", file=out, flush=True)
