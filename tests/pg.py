"""A real PostgreSQL for the tests, started by the test run itself (the `pgserver` wheel).

pgserver ships PostgreSQL's own binaries inside a PyPI wheel, so `make test` on a fresh machine
needs nothing but PyPI. The server listens on a Unix socket in its data folder only (no TCP
port at all), runs as an unprivileged user of its own when the tests run as root (PostgreSQL
refuses root), and is stopped and deleted when the session ends. Each test gets a database of
its own, created empty, so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

import psycopg

_names = itertools.count(1)


class Server:
    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
            warnings.simplefilter("ignore")
            from pgserver import postgres_server

        self._server: Any = postgres_server.get_server(folder, cleanup_mode="delete")
        self.admin_url: str = self._server.get_uri()

    def url(self, database: str) -> str:
        return str(self._server.get_uri(database=database))

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL (what BAYBRIEF_DB would hold)."""
        name = f"baybrief_test_{next(_names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        self._server.cleanup()
