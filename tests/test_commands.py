"""One command table (bot/data/commands.yaml) drives the handlers, the menus, /help and the
console: a command added to the table is served, offered and explained everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.answers import Renderer
from bot.commands import Command, CommandTable, commands, load
from bot.console import Console
from bot.factbase import FactBase
from bot.kinds import CATEGORIES, Words
from bot.service import ACTIONS, Service
from bot.text import Script
from handlers.commands import menu
from tests.fakebotapi import FakeBotAPI
from tests.harness import ADMIN, USER, ask, running, settings_for

TODAY = Command(
    name="today",
    handler="briefing",
    who="everyone",
    menu=Words("今日要闻", "Today's news"),
    help=Words("今日要闻，就是今天的简报", "today's news: the briefing"),
)


def test_the_shipped_table_is_complete() -> None:
    table = commands()
    names = [c.name for c in table]
    assert {"events", "policies", "stats", "people"} <= set(names)  # /people was missing
    assert {c.name for c in table if c.handler == "browse"} == set(CATEGORIES)
    assert {c.handler for c in table} <= set(ACTIONS)
    assert "today" not in names  # so the test below proves something
    for command in table:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.name)
        for script in Script:
            assert 1 <= len(command.menu.of(script)) <= 256


def test_a_table_that_breaks_telegrams_rules_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "commands.yaml"
    bad.write_text(
        "- {name: Bad-Name, handler: help, who: everyone, menu: {zh: x, en: x},"
        " help: {zh: x, en: x}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="name"):
        load(bad)
    with pytest.raises(ValueError, match="unknown handler"):
        Command("x", "nothing", "everyone", Words("x", "x"), Words("x", "x"))
    with pytest.raises(ValueError, match="twice"):
        CommandTable((TODAY, TODAY))


def test_help_lists_every_command_the_reader_may_use(factbase: FactBase) -> None:
    renderer = Renderer(html_output=False)
    for script in Script:
        everyone = renderer.help(factbase, script)
        admin = renderer.help(factbase, script, admin=True)
        for command in commands():
            line = f"/{command.name}"
            assert line in admin
            assert (line in everyone) is (command.who != "bot_admins")


def test_menus_per_audience_and_language() -> None:
    table = commands()
    default = [c.command for c in menu(table, Script.SIMPLIFIED)]
    assert "people" in default
    assert "reload" not in default
    assert "gaps" in [c.command for c in menu(table, Script.ENGLISH, admin=True)]
    english = {c.command: c.description for c in menu(table, Script.ENGLISH)}
    assert english["events"] == "Browse events"
    traditional = {c.command: c.description for c in menu(table, Script.TRADITIONAL)}
    assert traditional["events"] == "瀏覽活動"


async def test_a_command_added_to_the_table_is_in_the_menu_help_and_console(
    factbase: FactBase, service: Service
) -> None:
    table = commands().with_command(TODAY)
    assert ("today", "今日要闻") in table.menu(Script.SIMPLIFIED)
    assert ("today", "Today's news") in table.menu(Script.ENGLISH)
    assert "/today — 今日要闻，就是今天的简报" in Renderer(html_output=False).help(
        factbase, Script.SIMPLIFIED, table
    )
    service.table = table
    console = Console(service)
    assert "/today" in (await console.reply("/help") or "")
    assert "湾区AI简报 ·" in (await console.reply("/today") or "")


async def test_a_command_added_to_the_table_is_served_by_telegram(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    table = commands().with_command(TODAY)
    async with running(settings_for(api, tmp_path), table):
        default = await api.wait_for("setMyCommands", lambda c: "scope" not in c.params)
        assert {"command": "today", "description": "今日要闻"} in default.params["commands"]
        english = await api.wait_for("setMyCommands", lambda c: "language_code" in c.params)
        assert english.params["language_code"] == "en"
        assert {"command": "today", "description": "Today's news"} in english.params["commands"]
        assert "/today" in await ask(api, "/help")
        assert "湾区AI简报 ·" in await ask(api, "/today")


async def test_every_command_of_the_table_answers_in_telegram(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    async with running(settings_for(api, tmp_path)):
        admin_menu = await api.wait_for(
            "setMyCommands", lambda c: c.params.get("scope", {}).get("chat_id") == ADMIN
        )
        assert {"reload", "gaps", "status"} <= {c["command"] for c in admin_menu.params["commands"]}
        for command in commands():
            for name in command.names:
                assert await ask(api, f"/{name}", chat_id=ADMIN), name
        refused = await ask(api, "/status", chat_id=USER)
        assert "只有管理员可以使用 /status" in refused
