"""Shared fixtures: the real fact base, and scratch fact folders for breaking things."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.answers import Renderer
from bot.assistant import Assistant
from bot.factbase import FactBase
from bot.matcher import Matcher
from tests.fakebotapi import FakeBotAPI
from tests.pg import Server

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def factbase() -> FactBase:
    return FactBase.load(FACTS, SEEDS)


WriteFacts = Callable[[str], Path]


@pytest.fixture
def scratch_facts(tmp_path: Path) -> Path:
    """A copy of the shipped fact folder that a test may edit freely."""
    folder = tmp_path / "facts"
    shutil.copytree(FACTS, folder)
    return folder


@pytest.fixture
def write_facts(tmp_path: Path) -> WriteFacts:
    """A fact folder holding the real source registry plus one fact file with the given text."""

    def write(text: str) -> Path:
        folder = tmp_path / "facts"
        folder.mkdir(exist_ok=True)
        shutil.copy(FACTS / "sources.yaml", folder / "sources.yaml")
        path = folder / "broken.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def matcher(factbase: FactBase) -> Matcher:
    return Matcher(factbase)


@pytest.fixture(scope="session")
def assistant(factbase: FactBase, matcher: Matcher) -> Assistant:
    return Assistant(factbase, matcher, Renderer(html_output=False))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A loopback fake of the Telegram Bot API, started for the test and stopped after it."""
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real PostgreSQL for the session, on a Unix socket only; stopped and deleted after."""
    server = Server(tmp_path_factory.mktemp("pg") / "data")
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: Server) -> str:
    """A fresh, empty PostgreSQL database of this test's own, as a BAYBRIEF_DB URL."""
    return postgres.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """BAYBRIEF_DB for each engine: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return str(tmp_path / "baybrief.sqlite3")
    server: Server = request.getfixturevalue("postgres")
    return server.new_database()
