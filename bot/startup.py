"""What `baybrief run` checks before python-telegram-bot starts: the database it will write.

A database path that is a directory, a file that is not SQLite, a read-only file, a folder
that cannot be created, or a PostgreSQL server that cannot be reached or refuses the user only
showed up inside PTB's start-up, as a traceback, or later, as a subscription that is silently
not saved. Checked here first, each is one line naming BAYBRIEF_DB and the cause (a URL is
never shown: it may hold a password).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.config import ConfigError, database_password
from bot.store import Store, is_postgres

_PROBE_TIMEOUT = 2.0  # seconds: another process holding the write lock this long is a problem


def check_database(target: Path | str) -> None:
    """Open the store as the bot will (migrations included), then prove a write would be
    accepted: a transaction that rewrites the schema version and is rolled back."""
    if is_postgres(target):
        _check_postgres(str(target))
        return
    path = Path(target)
    where = f"BAYBRIEF_DB={path}"
    if path.is_dir():
        raise ConfigError(f"{where} is a directory; give the path of a database file")
    try:
        _probe(path)
    except (sqlite3.Error, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{where}: cannot use it as the bot's database: {reason}") from exc


def _probe(target: Path | str) -> None:
    """Open the store (migrations included) and write once, as the bot will, then close it."""
    store = Store(target, busy_timeout=_PROBE_TIMEOUT)
    try:
        store.probe_write()
    finally:
        store.close()


def _check_postgres(url: str) -> None:
    import psycopg

    try:
        _probe(url)
    except psycopg.Error as exc:
        # libpq's messages name host, port and user, never the password; the URL is not shown.
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if password := database_password(url):
            reason = reason.replace(password, "<password>")
        raise ConfigError(
            f"BAYBRIEF_DB (PostgreSQL): cannot use it as the bot's database: {reason}"
        ) from exc
