"""Settings from the environment: one object, built once, passed explicitly.

Bad values fail at start with a message naming the variable, instead of surfacing later as a
bot that silently ignores its admins or schedules briefings in the wrong time zone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.store.dialects import is_postgres

DEFAULT_TZ = "Asia/Shanghai"
BROADCAST_RATE = 28  # briefings a second: Telegram's 30, less 2 kept for replies
DELIVERY_LEASE = 60.0  # seconds a claimed briefing is held before another sender may take it
GAPS_DAYS = 30  # days unanswered and 👎 questions are kept for the curation loop (/gaps)
RELOAD_POLL = 5.0  # seconds between looks at the store for a fact base another instance loaded
DEFAULT_LISTEN = ("127.0.0.1", 8080)  # where the webhook, /healthz and /metrics are served
SERVED_PATHS = ("/healthz", "/metrics")  # the webhook's own path must be neither


class ConfigError(ValueError):
    pass


# ASCII digits only: str.isdigit() also accepts ١٢٣, １２３ and ², which int() reads or rejects.
_USER_ID = re.compile(r"[1-9][0-9]{0,18}", re.ASCII)  # a positive 64-bit integer
# What BotFather issues: the bot's id, a colon and a secret of letters, digits, _ and -.
_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,200}", re.ASCII)
_PASTED_TOKEN = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{20,}", re.ASCII)  # in a URL by mistake
_SHOWN = 60  # characters of a bad value quoted back, so that a message stays one line


_DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,6})?")


def _shown(value: str) -> str:
    return repr(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""))


def parse_admin_ids(value: str) -> frozenset[int]:
    """Numeric Telegram user ids only: usernames can be changed and then claimed by others."""
    ids = set()
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if not _USER_ID.fullmatch(part):
            raise ConfigError(
                f"BAYBRIEF_ADMIN_IDS must list numeric Telegram user ids; {_shown(part)} is not "
                "one (digits 0-9 only; usernames are not accepted because they can change hands)"
            )
        ids.add(int(part))
    return frozenset(ids)


def parse_timezone(name: str, variable: str = "BAYBRIEF_TZ") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(
            f"{variable}: unknown time zone {_shown(name)} (e.g. Asia/Hong_Kong)"
        ) from exc


def check_token(token: str) -> str:
    """A token of BotFather's shape; the message never shows it, not even in part."""
    if not _TOKEN.fullmatch(token):
        raise ConfigError(
            "BAYBRIEF_TOKEN does not look like a bot token (digits, a colon, then letters, "
            "digits, _ or -, as BotFather gives it); its value is not shown"
        )
    return token


def _url_problem(url: str) -> str | None:
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises ValueError for a port that is no number in range
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host"
    if parts.username or parts.password:
        return "must not hold credentials (they would be logged)"
    if parts.query or parts.fragment:
        return "must not have a query or fragment: the token is appended to it"
    if _PASTED_TOKEN.search(parts.path):
        return "must not contain the token: it is appended to the URL"
    return None


def check_bot_api_url(url: str) -> str:
    """An http(s) URL with a host and nothing PTB would mangle or log: the token is appended
    to it. The value is never echoed: it may hold a pasted token or a password."""
    problem = _url_problem(url)
    if problem:
        raise ConfigError(f"BAYBRIEF_BOT_API_URL {problem}, e.g. https://api.telegram.org/bot")
    return url


def check_database_url(url: str) -> str:
    """A PostgreSQL URL libpq can parse. Never echoed: it may hold a password."""
    import psycopg  # only a PostgreSQL deployment imports the driver

    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        raise ConfigError(
            "BAYBRIEF_DB is not a PostgreSQL URL libpq can read (postgresql://user:password@"
            "host:port/database); its value is not shown"
        ) from None
    return url


def database_password(url: str | None) -> str | None:
    """The password inside a PostgreSQL URL, so that logs can be kept free of it."""
    if not url:
        return None
    import psycopg

    password = psycopg.conninfo.conninfo_to_dict(url).get("password")
    return str(password) if password else None


def check_webhook_url(url: str) -> str:
    """The public https URL Telegram posts updates to; its path is what the bot serves."""
    problem = _url_problem(url)
    if problem is None and urlsplit(url).scheme != "https":
        problem = "must start with https:// (Telegram posts only to https)"
    if problem is None and urlsplit(url).path.rstrip("/") in SERVED_PATHS:
        problem = f"must not end in {' or '.join(SERVED_PATHS)}: the bot serves those itself"
    if problem:
        raise ConfigError(f"BAYBRIEF_WEBHOOK_URL {problem}, e.g. https://bot.example.org/telegram")
    return url


def parse_listen(value: str) -> tuple[str, int]:
    """host:port (an IPv6 host in brackets), the address the HTTP server binds; port 0 lets
    the system choose one (it is logged)."""
    host, _, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not re.fullmatch(r"[0-9]{1,5}", port, re.ASCII) or int(port) > 65535:
        raise ConfigError(
            f"BAYBRIEF_LISTEN must be host:port, e.g. 0.0.0.0:8080 or 127.0.0.1:8080, "
            f"not {_shown(value)}"
        )
    return host, int(port)


_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}", re.ASCII)  # Telegram allows 1-256 of these


def check_webhook_secret(secret: str) -> str:
    if not _SECRET.fullmatch(secret):
        raise ConfigError(
            "BAYBRIEF_WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or - (Telegram's "
            "rule, with a floor against guessing); its value is not shown"
        )
    return secret


def derived_webhook_secret(token: str) -> str:
    """The same on every instance with the same token, and not the token: an HMAC of it."""
    return hmac.new(token.encode(), b"baybrief webhook secret", hashlib.sha256).hexdigest()


def parse_number(value: str, variable: str, *, low: float, high: float) -> float:
    """A plain decimal number in range: ASCII digits only (float() would take ١٢٣ and inf)."""
    number = float(value) if _DECIMAL.fullmatch(value) else float("nan")
    if not low <= number <= high:  # also refuses nan
        raise ConfigError(
            f"{variable} must be a number from {low:g} to {high:g}, not {_shown(value)}"
        )
    return number


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    admin_ids: frozenset[int] = frozenset()
    db_path: Path = Path("data/baybrief.sqlite3")  # the SQLite file, unless db_url is set
    db_url: str | None = None  # BAYBRIEF_DB as a postgresql:// URL
    facts_dir: Path = Path("facts")
    seeds_dir: Path = Path("seeds")
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    bot_api_url: str | None = None
    # Delivery of briefings: the defaults keep to Telegram's limits; tests go faster.
    broadcast_rate: int = BROADCAST_RATE
    delivery_lease: float = DELIVERY_LEASE
    gaps_days: int = GAPS_DAYS  # retention of the curation loop's questions
    # Several instances, webhook mode, monitoring.
    reload_poll: float = RELOAD_POLL
    webhook_url: str | None = None  # set: updates arrive by webhook instead of polling
    listen: tuple[str, int] | None = None  # the HTTP server's address (webhook, health, metrics)
    webhook_secret: str | None = None  # given, or derived from the token (webhook mode)

    @property
    def database(self) -> Path | str:
        """What the store opens: the PostgreSQL URL, or the SQLite file."""
        return self.db_url or self.db_path

    @property
    def serves_http(self) -> bool:
        return self.listen is not None

    def secrets(self) -> list[str]:
        """Values no log line may show: the token, the webhook secret, the database password."""
        found = [self.token, self.webhook_secret, database_password(self.db_url)]
        return [value for value in found if value]

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, default: float, *, low: float, high: float) -> float:
            return parse_number(get(name) or str(default), name, low=low, high=high)

        token, bot_api_url = get("BAYBRIEF_TOKEN"), get("BAYBRIEF_BOT_API_URL")
        db = get("BAYBRIEF_DB")
        db_url = check_database_url(db) if db and is_postgres(db) else None
        webhook_url = get("BAYBRIEF_WEBHOOK_URL")
        listen = get("BAYBRIEF_LISTEN")
        secret = get("BAYBRIEF_WEBHOOK_SECRET")
        if secret is None and webhook_url and token:
            secret = derived_webhook_secret(token)
        return cls(
            token=check_token(token) if token else None,
            admin_ids=parse_admin_ids(get("BAYBRIEF_ADMIN_IDS") or ""),
            db_path=Path(db) if db and not db_url else cls.db_path,
            db_url=db_url,
            facts_dir=Path(get("BAYBRIEF_FACTS_DIR") or cls.facts_dir),
            seeds_dir=Path(get("BAYBRIEF_SEEDS_DIR") or cls.seeds_dir),
            timezone=parse_timezone(get("BAYBRIEF_TZ") or DEFAULT_TZ),
            bot_api_url=check_bot_api_url(bot_api_url) if bot_api_url else None,
            broadcast_rate=int(number("BAYBRIEF_BROADCAST_RATE", BROADCAST_RATE, low=1, high=1000)),
            delivery_lease=number("BAYBRIEF_DELIVERY_LEASE", DELIVERY_LEASE, low=2, high=3600),
            gaps_days=int(number("BAYBRIEF_GAPS_DAYS", GAPS_DAYS, low=1, high=3650)),
            reload_poll=number("BAYBRIEF_RELOAD_POLL", RELOAD_POLL, low=0.1, high=3600),
            webhook_url=check_webhook_url(webhook_url) if webhook_url else None,
            listen=parse_listen(listen) if listen else (DEFAULT_LISTEN if webhook_url else None),
            webhook_secret=check_webhook_secret(secret) if secret else None,
        )
