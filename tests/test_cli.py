from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin, capture_output=True, cwd=ROOT, timeout=120, check=False,
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
    offered = out.split("相关（输入数字查看）：\n")[1].split("\n\n")[0].splitlines()
    second = offered[1].strip().removeprefix("2. ")
    assert f"\n\n{second}\n" in out  # typing 2 showed the second related fact
    assert "不认识这个命令" in out
    assert "这行不会被读到" not in out
