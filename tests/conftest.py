"""Shared fixtures: the real fact base, scratch fact folders and stores, the service every
front end calls, the loopback fake Bot API, and how a test runs the `baybrief` command.

Whatever a test runs writes its database into the test's temporary folder, never into the
checkout's data/ folder: `BAYBRIEF_DB` points at a session scratch file unless a test gives
its own, and `environment()` (for subprocesses) keeps none of the developer's other
BAYBRIEF_ settings.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path

import pytest

from bot.answers import Renderer
from bot.assistant import Assistant
from bot.config import Settings
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.records import Job, Planned, Status
from bot.service import Service
from bot.serving import serve
from bot.storage import Storage
from bot.store import Store
from tests.fakebotapi import FakeBotAPI
from tests.pg import Server

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def scratch_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The database of every command a test runs without naming its own."""
    path = tmp_path_factory.mktemp("database") / "baybrief.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAYBRIEF_DB", str(path))
        yield path


def environment(**values: str) -> dict[str, str]:
    """A `baybrief` subprocess's environment: the scratch database, none of the developer's
    other BAYBRIEF_ settings, and `values`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("BAYBRIEF_")}
    return {**kept, "BAYBRIEF_DB": os.environ["BAYBRIEF_DB"], **values}


def baybrief(
    *args: str, env: dict[str, str] | None = None, stdin: bytes = b"", timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """`baybrief ARGS` as a user runs it (handlers.cli, the installed entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args],
        input=stdin, capture_output=True, cwd=ROOT, env=environment(**(env or {})),
        timeout=timeout, check=False,
    )  # fmt: skip


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
def store() -> Iterator[Store]:
    """A fresh in-memory store (migrations applied)."""
    fresh = Store.in_memory()
    yield fresh
    fresh.close()


def due_today(store: Store, chats: Iterable[int], *, now: dt.datetime, day: dt.date) -> list[Job]:
    """Subscriptions of `chats` due at `now`, their briefings for `day` in the outbox and
    claimed (an hour to send them), ready for a test to give each an outcome."""
    chats = list(chats)
    for chat in chats:
        store.subscribe(chat_id=chat, send_time=dt.time(8), next_due_at=now)
    later = now + dt.timedelta(hours=1)
    store.dispatch(
        now=now,
        limit=len(chats),
        plan=lambda _: Planned(day=day, status=Status.PENDING, expires_at=later, next_due_at=later),
    )
    return store.claim(instance="test", now=now, lease_until=later, limit=len(chats))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings as the environment gives them, with a database of the test's own."""
    return Settings.from_env(
        {
            "BAYBRIEF_DB": str(tmp_path / "baybrief.sqlite3"),
            "BAYBRIEF_FACTS_DIR": str(FACTS),
            "BAYBRIEF_SEEDS_DIR": str(SEEDS),
            "BAYBRIEF_ADMIN_IDS": "4242",
        }
    )


@pytest.fixture
async def service(
    settings: Settings, factbase: FactBase, matcher: Matcher
) -> AsyncIterator[Service]:
    """The service every front end calls, plain text (the console's), on a real SQLite file."""
    storage = Storage.at(settings.db_path)
    served = serve(factbase, frozenset(), matcher, html=False)
    yield Service(
        settings=settings, storage=storage, served=served, renderer=Renderer(html_output=False)
    )
    storage.close()


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
