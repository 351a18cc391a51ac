"""`make run`, the README's first command: the console without a token, the bot with one."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, environment
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e  # every test here runs `baybrief` in a subprocess


def test_without_a_token_it_starts_the_console(tmp_path: Path) -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "run"],
        input="广东有多少所技工院校？\n/quit\n".encode(),
        capture_output=True, cwd=ROOT, env=environment(), timeout=300, check=False,
    )  # fmt: skip
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "湾区AI简报" in out
    assert "148所" in out


async def test_with_a_token_it_polls_and_answers(api: FakeBotAPI, tmp_path: Path) -> None:
    env = environment(
        BAYBRIEF_TOKEN=api.token,
        BAYBRIEF_BOT_API_URL=api.base_url,
        BAYBRIEF_DB=str(tmp_path / "db.sqlite3"),
    )
    process = await asyncio.create_subprocess_exec(
        "make", "--no-print-directory", "run",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    log: list[str] = []
    try:
        async with asyncio.timeout(120):
            while "polling" not in (line := (await process.stdout.readline()).decode()):
                assert line, "make run ended before polling:\n" + "".join(log)
                log.append(line)
        api.push_message(chat_id=7, text="双选会现场签约多少人？")
        answer = await api.wait_for("sendMessage", timeout=30)
        assert "293人" in str(answer.params["text"])
    finally:
        os.killpg(process.pid, signal.SIGINT)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        log.append(rest.decode())
    output = "".join(log) + line
    assert re.search(r"baybrief serving \d+ facts as @baybrief_test_bot, polling", output)
    assert api.token not in output
