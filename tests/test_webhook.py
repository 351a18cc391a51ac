"""Webhook mode end to end: updates POSTed to the bot's own server on 127.0.0.1, with and without
the secret token, replies read at the fake Bot API; /healthz and /metrics on the same port.

The real Application runs with `updater(None)` and handlers/web.py in front of it, as
`baybrief run` runs it with BAYBRIEF_WEBHOOK_URL; nothing of ours or PTB's is patched.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Settings, derived_webhook_secret
from handlers.app import RedactToken, Server
from handlers.web import SECRET_HEADER
from tests.fakebotapi import FakeBotAPI
from tests.harness import USER, next_message, serving, settings_for

WEBHOOK_URL = "https://bot.example.test/telegram/updates"  # never contacted: the fake records it
SECRET = "s3cret-for-the-webhook-test_0123456789"


def webhook_settings(api: FakeBotAPI, folder: Path, **extra: str) -> Settings:
    return settings_for(
        api,
        folder,
        BAYBRIEF_WEBHOOK_URL=WEBHOOK_URL,
        BAYBRIEF_LISTEN="127.0.0.1:0",
        BAYBRIEF_WEBHOOK_SECRET=SECRET,
        **extra,
    )


async def post(service: Server, body: Any, *, secret: str | None, raw: bytes | None = None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    url = f"http://127.0.0.1:{service.port}/telegram/updates"
    async with aiohttp.ClientSession() as http:
        if raw is not None:
            response = await http.post(url, data=raw, headers=headers)
        else:
            response = await http.post(url, json=body, headers=headers)
        async with response:
            return response.status


async def get(service: Server, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{service.port}{path}") as response,
    ):
        return response.status, await response.text()


async def test_updates_with_the_secret_are_answered_and_others_refused(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with serving(webhook_settings(api, tmp_path)) as service:
        assert api.webhook["url"] == WEBHOOK_URL
        assert api.webhook["secret_token"] == SECRET  # Telegram will send it with each update

        question = api.message_update(chat_id=USER, text="广东有多少所技工院校？")
        assert await post(service, question, secret=None) == 403
        assert await post(service, question, secret="wrong-secret-of-the-same-shape") == 403
        assert await post(service, question, secret=SECRET[:-1]) == 403
        mark = len(api.calls)
        assert await post(service, question, secret=SECRET) == 200
        reply = await next_message(api, chat_id=USER, after=mark)
        assert "148所" in str(reply.params["text"])
        # The refused copies were never handled: the one reply is to the accepted update.
        assert [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == USER] == [reply]

        assert await post(service, None, secret=SECRET, raw=b"{not json") == 400
        assert await post(service, [1, 2], secret=SECRET) == 400
        # shapes PTB cannot read: one raised AttributeError, a 500 and aiohttp's traceback
        for bad in ({"update_id": 7, "message": "hello"}, {"update_id": 8, "message": {}}):
            assert await post(service, bad, secret=SECRET) == 400
        assert "skipped update 7: it cannot be read" in caplog.text
        assert "Error handling request" not in caplog.text

        status, health = await get(service, "/healthz")
        assert status == 200
        assert json.loads(health)["ready"] is True
        status, text = await get(service, "/metrics")
        assert status == 200
        assert 'baybrief_webhook_requests_total{result="forbidden"}' in text
        assert 'baybrief_answers_total{mode="answer"}' in text
        assert "baybrief_answer_seconds_bucket" in text
    assert SECRET not in caplog.text
    assert "refused a webhook request without the right secret" in caplog.text


async def test_health_is_503_until_the_facts_and_store_are_loaded(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    service = Server(webhook_settings(api, tmp_path))
    assert service.web is not None
    await service.web.start()  # listening, the bot not started yet
    try:
        assert (await get(service, "/healthz"))[0] == 503
        update = api.message_update(chat_id=USER, text="你好")
        assert await post(service, update, secret=SECRET) == 503  # Telegram retries later
        await service.start()
        status, body = await get(service, "/healthz")
        assert status == 200
        assert json.loads(body)["facts"] > 0
    finally:
        await service.stop()
    assert not api.calls_to("sendMessage")  # the update refused while starting never ran


def test_the_secret_is_derived_from_the_token_when_not_given(tmp_path: Path) -> None:
    token = "123456:TEST-TOKEN"
    settings = Settings.from_env({"BAYBRIEF_TOKEN": token, "BAYBRIEF_WEBHOOK_URL": WEBHOOK_URL})
    assert settings.webhook_secret == derived_webhook_secret(token)
    assert settings.webhook_secret is not None
    assert token not in settings.webhook_secret
    assert settings.listen == ("127.0.0.1", 8080)


async def test_polling_with_listen_serves_health_and_metrics(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    async with serving(settings_for(api, tmp_path, BAYBRIEF_LISTEN="127.0.0.1:0")) as service:
        assert (await get(service, "/healthz"))[0] == 200
        assert (await get(service, "/metrics"))[0] == 200
        mark = len(api.calls)
        api.push_message(chat_id=USER, text="广东有多少所技工院校？")
        assert "148所" in str((await next_message(api, chat_id=USER, after=mark)).params["text"])
        async with aiohttp.ClientSession() as http:  # no webhook route when polling
            url = f"http://127.0.0.1:{service.port}/telegram/updates"
            async with http.post(url, json={}) as response:
                assert response.status in (404, 405)


def test_secrets_are_redacted_from_log_lines_and_tracebacks() -> None:
    secrets = ("123456:TEST-TOKEN", SECRET, "pa55word")
    redact = RedactToken(*secrets)
    line = logging.LogRecord("x", logging.INFO, __file__, 1, "url %s", (SECRET,), None)
    assert redact.filter(line)
    assert line.getMessage() == "url <secret>"
    try:
        raise RuntimeError("connection to postgresql://bot:pa55word@db failed")
    except RuntimeError:
        failure = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert redact.filter(failure)
    handler_output = logging.Formatter().format(failure)
    assert "pa55word" not in handler_output
    assert "postgresql://bot:<secret>@db" in handler_output
