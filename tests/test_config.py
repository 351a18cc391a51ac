from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.admin_ids == frozenset()
    assert settings.db_path == Path("data/baybrief.sqlite3")
    assert str(settings.timezone) == "Asia/Shanghai"
    assert settings.bot_api_url is None


def test_values_from_environment() -> None:
    settings = Settings.from_env(
        {
            "BAYBRIEF_TOKEN": " 123:abc ",
            "BAYBRIEF_ADMIN_IDS": "42, 7,,",
            "BAYBRIEF_DB": "/tmp/x.sqlite3",
            "BAYBRIEF_TZ": "Asia/Hong_Kong",
            "BAYBRIEF_BOT_API_URL": "http://127.0.0.1:8081/bot",
        }
    )
    assert settings.token == "123:abc"
    assert settings.admin_ids == {7, 42}
    assert str(settings.timezone) == "Asia/Hong_Kong"
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"


@pytest.mark.parametrize("value", ["@alice", "alice", "42,bob", "-5"])
def test_admins_must_be_numeric_ids(value: str) -> None:
    with pytest.raises(ConfigError, match="numeric Telegram user ids"):
        Settings.from_env({"BAYBRIEF_ADMIN_IDS": value})


@pytest.mark.parametrize("value", ["Mars/Olympus", "../etc/passwd", "UTC+8"])
def test_unknown_time_zone_is_an_error(value: str) -> None:
    with pytest.raises(ConfigError, match="BAYBRIEF_TZ: unknown time zone"):
        Settings.from_env({"BAYBRIEF_TZ": value})


def test_delivery_settings_default_to_telegrams_limits() -> None:
    settings = Settings.from_env({})
    assert (settings.broadcast_rate, settings.delivery_lease) == (28, 60.0)
    faster = Settings.from_env({"BAYBRIEF_BROADCAST_RATE": "200", "BAYBRIEF_DELIVERY_LEASE": "4"})
    assert (faster.broadcast_rate, faster.delivery_lease) == (200, 4.0)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BAYBRIEF_BROADCAST_RATE", "0"),
        ("BAYBRIEF_BROADCAST_RATE", "fast"),
        ("BAYBRIEF_DELIVERY_LEASE", "nan"),
        ("BAYBRIEF_DELIVERY_LEASE", "1"),
    ],
)
def test_bad_delivery_settings_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{variable} must be a number"):
        Settings.from_env({variable: value})
