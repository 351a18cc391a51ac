"""The container, as far as a machine without a Docker engine can test it.

No image is built here (the machines have a Docker client but no daemon). What the image
would run is tested instead: the Dockerfile's own entry point with its own environment, and
its own health check command against it; that constraints.txt pins every package the image
installs; and that compose.yaml wires two instances to one PostgreSQL behind the proxy.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement

from bot.health import health_url
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI
from tests.harness import settings_for

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instruction(name: str) -> list[str]:
    """Every value of one Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m[1].strip() for m in re.finditer(rf"^{name}\s+(.+)$", joined, re.MULTILINE)]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in instruction("ENV"):
        env |= dict(part.split("=", 1) for part in shlex.split(line))
    return env


def exec_form(line: str) -> list[str]:
    return list(yaml.safe_load(line))  # a JSON array is YAML too


def test_the_image_is_slim_non_root_and_installs_the_pins() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    [user] = instruction("USER")
    assert user not in ("root", "0")
    assert any("-c constraints.txt" in run for run in instruction("RUN"))
    assert exec_form(instruction("ENTRYPOINT")[0]) + exec_form(instruction("CMD")[0]) == [
        "baybrief",
        "run",
    ]
    assert image_env()["BAYBRIEF_LISTEN"] == "0.0.0.0:8080"
    [check] = instruction("HEALTHCHECK")
    assert check.split(" CMD ")[1].strip() == '["python", "-m", "bot.health"]'


def test_constraints_pin_every_package_the_image_installs() -> None:
    """`pip install -c constraints.txt .` installs only pinned versions when every package
    the runtime needs, transitively, is pinned, at the version the tests ran with."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_canonical(name)] = version
    needed, todo = set(), [Requirement(r) for r in metadata.requires("baybrief") or []]
    todo = [r for r in todo if r.marker is None or r.marker.evaluate({"extra": ""})]
    while todo:
        requirement = todo.pop()
        name = _canonical(requirement.name)
        extras = requirement.extras
        if (name, frozenset(extras)) in needed:
            continue
        needed.add((name, frozenset(extras)))
        for text in metadata.requires(requirement.name) or []:
            child = Requirement(text)
            wanted = child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in (*extras, "")
            )
            if wanted:
                todo.append(child)
    names = {name for name, _ in needed}
    assert {"python-telegram-bot", "psycopg", "psycopg-binary", "aiohttp"} <= names
    assert sorted(names - set(pins)) == []
    for name in names:
        assert metadata.version(name) == pins[name], name


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_compose_runs_two_instances_on_one_postgresql_behind_a_proxy() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "bot-1", "bot-2", "proxy"}
    for name in ("bot-1", "bot-2"):
        env = services[name]["environment"]
        assert env["BAYBRIEF_DB"].startswith("postgresql://baybrief:${BAYBRIEF_DB_PASSWORD")
        assert env["BAYBRIEF_DB"].endswith("@postgres:5432/baybrief")
        assert (
            env["BAYBRIEF_WEBHOOK_URL"]
            == "https://${BAYBRIEF_DOMAIN:?set BAYBRIEF_DOMAIN in .env}/telegram"
        )
        assert env["BAYBRIEF_LISTEN"] == "0.0.0.0:8080"
        assert int(env["BAYBRIEF_BROADCAST_RATE"]) <= 28  # the whole bot's: instances share it
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "./facts:/app/facts:ro" in services[name]["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy bot-1:8080 bot-2:8080" in caddyfile
    assert "handle /telegram" in caddyfile  # the webhook path of BAYBRIEF_WEBHOOK_URL
    assert "/metrics" not in caddyfile.split("{$BAYBRIEF_DOMAIN}")[1].split("respond")[0]
    secrets = ("BAYBRIEF_TOKEN", "BAYBRIEF_WEBHOOK_SECRET", "BAYBRIEF_DB_PASSWORD")
    text = (ROOT / "compose.yaml").read_text("utf-8")
    for secret in secrets:  # only ever taken from the environment (.env), never written here
        assert re.search(rf"{secret}=\S", text.split("services:")[1]) is None


def test_health_urls_ask_the_loopback_address() -> None:
    assert health_url({"BAYBRIEF_LISTEN": "0.0.0.0:8080"}) == "http://127.0.0.1:8080/healthz"
    assert health_url({"BAYBRIEF_LISTEN": "[::]:81"}) == "http://[::1]:81/healthz"
    assert health_url({}) == "http://127.0.0.1:8080/healthz"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def health(env: dict[str, str]) -> int:
    """The image's HEALTHCHECK command, run as Docker would run it."""
    command = exec_form(instruction("HEALTHCHECK")[0].split(" CMD ")[1])
    assert command[0] == "python"
    process = await asyncio.create_subprocess_exec(
        sys.executable, *command[1:], cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await process.wait()


async def test_the_entry_point_with_the_images_environment_becomes_healthy(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """`baybrief run` (ENTRYPOINT + CMD) with the image's ENV, in webhook mode as compose
    runs it: the health check fails before it is ready, passes once it is, and fails again
    after SIGTERM, which it exits on promptly with status 0."""
    settings = settings_for(api, tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAYBRIEF_")}
    env |= image_env() | {
        "BAYBRIEF_FACTS_DIR": str(settings.facts_dir),  # /app/facts in the image
        "BAYBRIEF_SEEDS_DIR": str(settings.seeds_dir),
        "BAYBRIEF_DB": str(tmp_path / "data" / "baybrief.sqlite3"),
        "BAYBRIEF_LISTEN": f"127.0.0.1:{port}",  # 0.0.0.0 in the image; tests stay on loopback
        "BAYBRIEF_TOKEN": api.token,
        "BAYBRIEF_BOT_API_URL": api.base_url,
        "BAYBRIEF_WEBHOOK_URL": "https://bot.example.test/telegram",
    }
    assert await health(env) == 1  # nothing listens yet
    entry = exec_form(instruction("ENTRYPOINT")[0]) + exec_form(instruction("CMD")[0])
    executable = str(Path(sys.executable).with_name(entry[0]))  # the console script
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        bot = await asyncio.create_subprocess_exec(
            executable, *entry[1:], cwd=tmp_path, env=env, stdout=out, stderr=out
        )
    try:
        await api.wait_for("setWebhook", timeout=60)  # registered once ready
        assert await health(env) == 0
    finally:
        bot.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(bot.wait(), 30)
    assert status == 0
    assert await health(env) == 1
    output = log.read_text(encoding="utf-8")
    assert api.token not in output
    assert "by webhook" in output
