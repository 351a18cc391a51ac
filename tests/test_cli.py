from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.records import Status
from bot.store import Store
from tests.conftest import ROOT, due_today

pytestmark = pytest.mark.e2e  # every test here runs `baybrief` in a subprocess


def run(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin, capture_output=True, cwd=ROOT, timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_ask_json_prints_one_line_per_input_line() -> None:
    lines = [
        "广东有多少所技工院校？".encode(),
        b"",
        "雙選會喺邊度舉辦？".encode(),
        b"\xff\xfe\xc3( invalid utf-8",
        ("技" * 10_000).encode(),
        b"\r",
        "上海有多少所技工院校？".encode(),
    ]
    result = run("ask", "--json", stdin=b"\n".join(lines))  # no newline after the last line
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8").split("\n")
    assert out[-1] == ""
    records = [json.loads(line) for line in out[:-1]]
    assert len(records) == len(lines)
    for record in records:
        assert set(record) == {
            "question", "answered", "mode", "language", "fact_ids", "score", "text"
        }  # fmt: skip
        assert isinstance(record["score"], float)
        assert 0.0 <= record["score"] <= 1.0
        assert record["mode"] in ("answer", "overview", "choices", "refusal", "smalltalk")
        assert record["answered"] is (record["mode"] in ("answer", "overview"))
    assert records[0]["answered"]
    assert records[0]["fact_ids"][0] == "techschools-count"
    assert records[1] == {**records[1], "question": "", "answered": False, "fact_ids": []}
    assert "舉辦" in records[2]["text"]  # answered in the script asked in
    assert (records[0]["language"], records[2]["language"]) == ("zh-Hans", "zh-Hant")
    assert "\ufffd" in records[3]["question"]
    assert not records[3]["answered"]
    assert not records[4]["answered"]
    assert "问题太长" in records[4]["text"]
    assert records[5]["question"] == ""
    assert not records[6]["answered"]
    assert "上海" in records[6]["text"]


def test_ask_one_question() -> None:
    result = run("ask", "How many technical schools are there in Guangdong?")
    assert result.returncode == 0
    assert "148所" in result.stdout.decode()


def test_chat_answers_commands_and_numbers() -> None:
    script = "/events\n1\n广东有多少所技工院校\n2\n/nonsense\n/quit\n这行不会被读到\n"
    result = run("chat", stdin=script.encode())
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "活动（第1/2页）" in out
    assert "下一页：/events 2" in out
    assert "148所" in out
    answer = out.split("148所", 1)[1]
    offered = answer.split("相关（输入数字查看）：\n")[1].split("\n\n")[0].splitlines()
    second = offered[1].strip().removeprefix("2. ")
    assert f"\n\n{second}\n" in out  # typing 2 showed the second related fact
    assert "不认识这个命令" in out
    assert "这行不会被读到" not in out


def test_status_counts_the_days_briefings(db_target: str) -> None:
    """On SQLite and on PostgreSQL: BAYBRIEF_DB names either."""
    path = db_target
    now = dt.datetime.now(dt.UTC)
    day = now.date()
    store = Store(path)
    one, two, three = due_today(store, (1, 2, 3), now=now, day=day)
    store.sent(job_id=one.id, now=now, message_ids=[1], fact_ids=[])
    store.finish(job_id=two.id, instance="test", status=Status.FAILED, now=now, error="blocked")
    store.finish(job_id=three.id, instance="test", status=Status.PENDING, now=now, error="",
                 ready_at=now, attempted=False)  # fmt: skip
    store.close()

    env = {"BAYBRIEF_DB": path}
    result = run("status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["subscriptions"] == 3
    [today] = record["days"]
    assert today["day"] == day.isoformat()
    assert {k: today[k] for k in ("due", "sent", "failed", "lost", "pending")} == {
        "due": 3, "sent": 1, "failed": 1, "lost": 0, "pending": 1,
    }  # fmt: skip
    table = run("status", env=env)
    lines = table.stdout.decode().splitlines()
    assert lines[0].split() == ["day", "due", "sent", "retried", "failed", "lost", "pending",
                                "cancelled", "unknown"]  # fmt: skip
    assert lines[1].split() == [day.isoformat(), "3", "1", "0", "1", "0", "1", "0", "0"]
    assert lines[2].startswith("subscriptions: 3; next due (UTC): ")
    report = "\n".join(lines[3:])  # what else the store knows, without a running bot
    assert "Chats: 3 · daily briefing subscriptions: 3" in report
    assert "Uptime and reloads are known only to the running bot" in report


def test_status_without_a_database(tmp_path: Path) -> None:
    result = run("status", env={"BAYBRIEF_DB": str(tmp_path / "none.sqlite3")})
    assert result.returncode == 1
    assert b"no database at" in result.stderr
    assert not (tmp_path / "none.sqlite3").exists()  # looking does not create one


def test_gaps_lists_the_grouped_questions_from_the_store(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = Store(path)
    now = dt.datetime.now(dt.UTC)
    asked = [
        ("上海有多少所技工院校？", "上海 技工院校", "unanswered", None),
        ("上海的技工院校有几所", "上海 技工院校", "unanswered", None),
        ("双选会门票多少钱", "双选会 钱 门票", "down", "fact"),
        ("long ago", "long ago", "unanswered", None),
    ]
    for n, (question, normalised, verdict, reason) in enumerate(asked):
        at = now - dt.timedelta(days=20 if question == "long ago" else 1)
        store.record_question(
            token=f"t{n}", question=question, normalised=normalised,
            fact_ids=["techschools-count"], mode="refusal", verdict=verdict,  # type: ignore[arg-type]
            at=at,
        )  # fmt: skip
        if reason:
            store.give_reason(token=f"t{n}", reason=reason)
    store.close()
    env = {"BAYBRIEF_DB": str(path)}
    listed = run("gaps", "--language", "zh-hans", env=env)
    assert listed.returncode == 0, listed.stderr
    text = listed.stdout.decode()
    assert "×2 上海" in text
    assert "也问作：上海" in text
    assert "👎 1次（答非所问 1）" in text
    assert "广东技工院校数量和在校生 (techschools-count)" in text
    assert "long ago" not in text  # older than the 7 days asked for
    groups = [
        json.loads(line)
        for line in run("gaps", "--json", "--days", "30", env=env).stdout.splitlines()
    ]
    assert [g["count"] for g in groups] == [2, 1, 1]
    assert run("gaps", "--days", "31", env=env).returncode == 2  # longer than they are kept
