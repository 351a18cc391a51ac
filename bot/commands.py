"""The bot's commands, from bot/data/commands.yaml: one table for every place that lists them.

Telegram's handlers (handlers/app.py registers one per entry), its command menus, /help and
the console all read this table, so a command added here is served, offered and explained
everywhere at once, and none can be missing from /help again. A command names its `handler`,
what serves it on every front end (bot/service.py), and who may use it; the table is checked
when it is read, against Telegram's rules for command names and menu texts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.kinds import Words
from bot.text import Script

COMMANDS_FILE: Final = Path(__file__).with_name("data") / "commands.yaml"
Audience = Literal["everyone", "group_admins", "bot_admins"]
Name = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]  # Telegram's rule for commands
MenuText = Annotated[str, Field(min_length=1, max_length=256)]  # BotCommand.description
# What serves a command; bot/service.py has one action per name, and the table may use no other.
HANDLERS: Final = frozenset(
    {"help", "about", "browse", "subscribe", "unsubscribe", "timezone", "briefing", "whoami",
     "reload", "gaps", "status"}
)  # fmt: skip
_COMMAND_TEXT: Final = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,32}))?(?:\s|$)")


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: MenuText
    en: MenuText


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    aliases: tuple[Name, ...] = ()
    handler: str
    who: Audience
    menu: _Text
    help: _Text
    args: _Text | None = None
    in_menu: bool = True
    console: bool = True


@dataclass(frozen=True)
class Command:
    name: str
    handler: str
    who: Audience
    menu: Words
    help: Words
    args: Words | None = None
    aliases: tuple[str, ...] = ()
    in_menu: bool = True
    console: bool = True  # False: it works only in Telegram (the console says so)

    def __post_init__(self) -> None:
        if self.handler not in HANDLERS:
            raise ValueError(f"command /{self.name}: unknown handler {self.handler!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def help_line(self, script: Script) -> str:
        """/subscribe 08:00 政策 — 订阅每日简报…: how /help shows it."""
        args = f" {self.args.of(script)}" if self.args else ""
        return f"/{self.name}{args} — {self.help.of(script)}"


@dataclass(frozen=True)
class CommandTable:
    commands: tuple[Command, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for command in self.commands:
            for name in command.names:
                if name in seen:
                    raise ValueError(f"command /{name} is in the table twice")
                seen.add(name)

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def find(self, name: str) -> Command | None:
        """The command a name (or an alias) stands for; case does not matter, as in Telegram."""
        name = name.lower()
        return next((c for c in self.commands if name in c.names), None)

    def parse(self, text: str, *, username: str | None = None) -> tuple[Command, str] | None:
        """`/events 2` or `/events@ourbot 2` -> (the command, "2"); None if it is not one of
        ours (another bot's, or unknown)."""
        found = _COMMAND_TEXT.match(text.strip())
        if found is None:
            return None
        if found[2] and username and found[2].lower() != username.lower():
            return None
        command = self.find(found[1])
        return (command, text.strip()[found.end() :].strip()) if command else None

    def for_admin(self, admin: bool) -> tuple[Command, ...]:
        """What a user may see offered: bot administrators see their own commands too."""
        return tuple(c for c in self.commands if admin or c.who != "bot_admins")

    def menu(self, script: Script, *, admin: bool = False) -> list[tuple[str, str]]:
        """(command, description) pairs for setMyCommands, in the reader's language."""
        return [(c.name, c.menu.of(script)) for c in self.for_admin(admin) if c.in_menu]

    def with_command(self, command: Command) -> CommandTable:
        """This table with one more command (a new feature, or a test proving the table
        drives every front end)."""
        return CommandTable((*self.commands, command))


def _command(entry: _Entry) -> Command:
    return Command(
        name=entry.name,
        handler=entry.handler,
        who=entry.who,
        menu=Words(entry.menu.zh, entry.menu.en),
        help=Words(entry.help.zh, entry.help.en),
        args=Words(entry.args.zh, entry.args.en) if entry.args else None,
        aliases=entry.aliases,
        in_menu=entry.in_menu,
        console=entry.console,
    )


def load(path: Path = COMMANDS_FILE) -> CommandTable:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return CommandTable(tuple(_command(_Entry.model_validate(item)) for item in raw))


@functools.cache
def commands() -> CommandTable:
    """The shipped table (bot/data/commands.yaml)."""
    return load()
