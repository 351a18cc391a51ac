"""Settings from the environment: one object, built once, passed explicitly.

Bad values fail at start with a message naming the variable, instead of surfacing later as a
bot that silently ignores its admins or schedules briefings in the wrong time zone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Asia/Shanghai"
BROADCAST_RATE = 28  # briefings a second: Telegram's 30, less 2 kept for replies
DELIVERY_LEASE = 60.0  # seconds a claimed briefing is held before another sender may take it


class ConfigError(ValueError):
    pass


def parse_admin_ids(value: str) -> frozenset[int]:
    """Numeric Telegram user ids only: usernames can be changed and then claimed by others."""
    ids = set()
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise ConfigError(
                f"BAYBRIEF_ADMIN_IDS must list numeric Telegram user ids; {part!r} is not one "
                "(usernames are not accepted because they can change hands)"
            )
        ids.add(int(part))
    return frozenset(ids)


def parse_timezone(name: str, variable: str = "BAYBRIEF_TZ") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{variable}: unknown time zone {name!r} (e.g. Asia/Hong_Kong)") from exc


def parse_number(value: str, variable: str, *, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also refuses nan and inf
        raise ConfigError(f"{variable} must be a number from {low:g} to {high:g}, not {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    admin_ids: frozenset[int] = frozenset()
    db_path: Path = Path("data/baybrief.sqlite3")
    facts_dir: Path = Path("facts")
    seeds_dir: Path = Path("seeds")
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    bot_api_url: str | None = None
    # Delivery of briefings: the defaults keep to Telegram's limits; tests go faster.
    broadcast_rate: int = BROADCAST_RATE
    delivery_lease: float = DELIVERY_LEASE

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            token=get("BAYBRIEF_TOKEN"),
            admin_ids=parse_admin_ids(get("BAYBRIEF_ADMIN_IDS") or ""),
            db_path=Path(get("BAYBRIEF_DB") or cls.db_path),
            facts_dir=Path(get("BAYBRIEF_FACTS_DIR") or cls.facts_dir),
            seeds_dir=Path(get("BAYBRIEF_SEEDS_DIR") or cls.seeds_dir),
            timezone=parse_timezone(get("BAYBRIEF_TZ") or DEFAULT_TZ),
            bot_api_url=get("BAYBRIEF_BOT_API_URL"),
            broadcast_rate=int(
                parse_number(
                    get("BAYBRIEF_BROADCAST_RATE") or str(BROADCAST_RATE),
                    "BAYBRIEF_BROADCAST_RATE",
                    low=1,
                    high=1000,
                )
            ),
            delivery_lease=parse_number(
                get("BAYBRIEF_DELIVERY_LEASE") or str(DELIVERY_LEASE),
                "BAYBRIEF_DELIVERY_LEASE",
                low=2,
                high=3600,
            ),
        )
