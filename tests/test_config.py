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


def test_a_postgresql_url_selects_postgresql_and_its_password_is_a_secret() -> None:
    url = "postgresql://bot:pa55word@127.0.0.1:5432/baybrief"
    settings = Settings.from_env({"BAYBRIEF_DB": url, "BAYBRIEF_TOKEN": "123:abc"})
    assert (settings.db_url, settings.database) == (url, url)
    assert "pa55word" in settings.secrets()
    sqlite = Settings.from_env({"BAYBRIEF_DB": "/tmp/x.sqlite3"})
    assert (sqlite.db_url, sqlite.database) == (None, Path("/tmp/x.sqlite3"))


def test_a_bad_postgresql_url_is_refused_without_showing_it() -> None:
    with pytest.raises(ConfigError, match="its value is not shown") as raised:
        Settings.from_env({"BAYBRIEF_DB": "postgresql://bot:hunter2@host/db?no_such_option=1"})
    assert "hunter2" not in str(raised.value)


def test_an_unreachable_postgresql_is_one_line_without_the_password() -> None:
    from bot.startup import check_database

    url = "postgresql://bot:hunter2@127.0.0.1:1/baybrief?connect_timeout=2"
    with pytest.raises(ConfigError, match="BAYBRIEF_DB \\(PostgreSQL\\): cannot use it") as raised:
        check_database(url)
    assert "hunter2" not in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BAYBRIEF_WEBHOOK_URL": "http://bot.example.org/tg"}, "must start with https://"),
        ({"BAYBRIEF_WEBHOOK_URL": "https://bot.example.org/healthz"}, "must not end in"),
        ({"BAYBRIEF_WEBHOOK_URL": "https://u:p@bot.example.org/tg"}, "credentials"),
        ({"BAYBRIEF_LISTEN": "8080"}, "BAYBRIEF_LISTEN must be host:port"),
        ({"BAYBRIEF_LISTEN": "0.0.0.0:99999"}, "BAYBRIEF_LISTEN must be host:port"),
        ({"BAYBRIEF_WEBHOOK_SECRET": "short"}, "16 to 256 letters"),
        ({"BAYBRIEF_WEBHOOK_SECRET": "x" * 20 + "!"}, "its value is not shown"),
        ({"BAYBRIEF_RELOAD_POLL": "0"}, "BAYBRIEF_RELOAD_POLL must be a number"),
    ],
)
def test_bad_webhook_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        Settings.from_env(env)
    assert "x" * 20 not in str(raised.value)


def test_webhook_settings() -> None:
    settings = Settings.from_env(
        {
            "BAYBRIEF_TOKEN": "123:abc",
            "BAYBRIEF_WEBHOOK_URL": "https://bot.example.org/tg",
            "BAYBRIEF_LISTEN": "[::1]:8443",
            "BAYBRIEF_WEBHOOK_SECRET": "a" * 32,
        }
    )
    assert (settings.listen, settings.webhook_secret) == (("::1", 8443), "a" * 32)
    assert Settings.from_env({}).listen is None  # polling, no HTTP server: the laptop default
