"""Issue 13, the domain's classes: what an attacker, or a careless edit, does to the fact base
and the command line. Each class is a section; each test fails if the defence is removed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import FrameType
from typing import IO, Any, NamedTuple

import pytest

from bot.answers import Renderer
from bot.articles import CONVERT_CHARS, Article, SourceProfile, clean, simplified
from bot.cli import EXIT_BROKEN_PIPE
from bot.config import ConfigError
from bot.console import Console
from bot.coverage import MAX_OCCURRENCES, statements
from bot.factbase import Fact, FactBase
from bot.problems import FactBaseError
from bot.reading import MAX_FILE_BYTES, MAX_LOAD_BYTES, ReadRefused, read_bounded
from bot.service import Service
from bot.serving import serve
from bot.startup import check_database
from bot.text import Script, to_simplified
from tests.conftest import FACTS, ROOT, SEEDS, baybrief, environment

# --- invented facts pass the check --------------------------------------------------------
# A scratch article holding figures of every kind, and one fact quoting it; each attack
# changes one shown field and must make the load fail on that field.

ARTICLE = """\
测试报道
首期募资20亿元,目标规模100亿元,企业占比30%,三成院校参与,规模翻了一番。
全省共有技工院校148所,在校生约66.7万人,超600家企业、800余名毕业生参加,近20家民营企业在深圳亮相。
交流会于5月7日举行,这是2025年的第二场。
"""
SOURCES = """\
- id: test-article
  title: 测试报道
  publisher: 测试
  script: simplified
  start: 测试报道
  end: 交流会于5月7日举行
"""
QUOTE_1, QUOTE_2, DATED = (line.rstrip("。") for line in ARTICLE.splitlines()[1:])
FIELDS = {
    "title": "技工院校与基金",
    "answer": "全省共有技工院校148所。",
    "title_en": "Technical schools and the fund",
    "answer_en": "There are 148 technical schools.",
    "place": "深圳",
}


def fact_yaml(
    fact_id: str = "test-fact",
    quotes: tuple[str, ...] = (QUOTE_1, QUOTE_2),
    related: tuple[str, ...] = (),
    fields: Mapping[str, str | None] | None = None,
) -> str:
    """One fact quoting the scratch article; a field given as None is left out."""
    shown = {**FIELDS, **(fields or {})}
    lines = [f"  {name}: {json.dumps(value)}" for name, value in shown.items() if value is not None]
    sources = [f"    - article: test-article\n      quote: {quote}" for quote in quotes]
    extra = [f"  related: [{', '.join(related)}]"] if related else []
    return "\n".join(
        [f"- id: {fact_id}", "  kind: statistic", *lines, *extra, "  keywords: [技工院校]",
         "  sources:", *sources, ""]
    )  # fmt: skip


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    facts, seeds = tmp_path / "facts", tmp_path / "seeds"
    facts.mkdir()
    seeds.mkdir()
    (facts / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (seeds / "test-article.txt").write_text(ARTICLE, encoding="utf-8")
    return facts, seeds


def load_with(folders: tuple[Path, Path], **fields: str | None) -> FactBase:
    facts, seeds = folders
    (facts / "test.yaml").write_text(fact_yaml(fields=fields), encoding="utf-8")
    return FactBase.load(facts, seeds)


def test_the_honest_fact_loads(folders: tuple[Path, Path]) -> None:
    assert load_with(folders).by_id["test-fact"].place == "深圳"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # the same figures, written another way, or with the quote's own bound
        ("answer", "首期募资二十亿元，目标规模一百亿元。"),
        ("answer", "在校生约六十六点七万人，在校生约66万7千人。"),
        ("answer", "超过600家企业、800多名毕业生参加，三成院校参与，占比百分之三十。"),
        ("answer", "规模翻番，技工院校壹佰肆拾捌所。"),
        ("title", "148所技工院校"),
        ("answer_en", "RMB 2 billion raised, 2bn yuan; about 667,000 students."),
        ("answer_en", "More than 600 companies and nearly 20 private firms; 30 per cent."),
        ("title_en", "148 technical schools in Shenzhen"),
    ],
)
def test_figures_restated_faithfully_pass(
    folders: tuple[Path, Path], field: str, value: str
) -> None:
    assert load_with(folders, **{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("answer", "首期募资三亿元。"),
        ("answer", "首期募资20亿美元。"),  # the quote's amount in another currency
        ("answer", "首期募资1.5亿元。"),
        ("answer", "目标规模3千万元。"),
        ("answer", "企业占比百分之九十九。"),
        ("answer", "七成院校参与。"),
        ("answer", "三成半院校参与。"),
        ("answer", "三分之一院校参与。"),
        ("answer", "半数院校参与。"),
        ("answer", "规模翻了两番。"),
        ("answer", "企业占比-30%。"),
        ("answer", "全省共有技工院校66.7所。"),  # the quote's figures moved between units
        ("answer", "在校生148万人。"),
        ("answer", "在校生148 万人。"),
        ("answer", "在校生约66万8千人。"),
        ("answer", "十余所技工院校。"),
        ("answer", "数百所技工院校。"),
        ("answer", "技工院校壹佰肆拾玖所。"),
        ("answer", "600家企业参加。"),  # the quote says more than 600
        ("answer", "近600家企业参加。"),
        ("answer", "800名毕业生参加。"),
        ("answer", "一成院校参与。"),  # 一 is an article in 一批, but a figure in 一成
        ("answer_en", "Half of the schools."),
        ("answer_en", "Two-thirds of the companies."),
        ("title", "广东技工院校149所"),
        ("answer_en", "The fund raised RMB3bn."),
        ("answer_en", "The fund raised US$2 billion."),
        ("answer_en", "There are one million students."),
        ("answer_en", "Thirty-one per cent of companies."),
        ("answer_en", "The tenth edition."),
        ("answer_en", "Exactly 600 companies."),
        ("answer_en", "Hundreds of schools."),
        ("answer_en", "The fund quadrupled."),
        ("title_en", "149 technical schools"),
        ("title_en", "More than 148 technical schools"),
    ],
)
def test_an_invented_figure_fails_the_check(
    folders: tuple[Path, Path], field: str, value: str
) -> None:
    with pytest.raises(FactBaseError) as caught:
        load_with(folders, **{field: value})
    (problem,) = caught.value.problems
    assert problem.fact_id == "test-fact"
    assert f"{field} states" in problem.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("answer", "全省共有技工院校1\u20608所。"),  # shown as 18所, read as 1 and 8所
        ("title_en", "\u202e841\u202c technical schools"),  # shown as 148
        ("place", "深\u200b圳"),
    ],
)
def test_an_invisible_character_in_a_shown_field_fails_the_check(
    folders: tuple[Path, Path], field: str, value: str
) -> None:
    with pytest.raises(FactBaseError, match=f"{field} contains the invisible character U\\+"):
        load_with(folders, **{field: value})


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("answer", "双选会在广州举行。", "answer names 广州"),
        ("title", "东莞技工院校", "title names 东莞"),
        ("answer_en", "Held in Guangzhou.", "answer_en names 广州"),
        ("title_en", "Hong Kong schools", "title_en names 香港"),
        ("place", "广州", "is not named in any quote"),
        ("place", "圳", "names no known place"),  # a piece of 深圳 is no place
        ("place", "   ", "names no known place"),
    ],
)
def test_an_invented_place_fails_the_check(
    folders: tuple[Path, Path], field: str, value: str, said: str
) -> None:
    with pytest.raises(FactBaseError) as caught:
        load_with(folders, **{field: value})
    assert [p.message for p in caught.value.problems if said in p.message]


ON_THE_DAY = {"answer": "交流会于5月7日举行。", "answer_en": "Held on 7 May.", "place": None}


@pytest.mark.parametrize(
    ("when", "missing"),
    [
        ("2025-05-07", None),
        ("2025-05", None),
        ("2025", None),
        ("2025-05-08", "day 8"),
        ("2025-06", "month 6"),
        ("2026-05-07", "year 2026"),  # neither quoted nor stated anywhere in the article
    ],
)
def test_a_date_is_checked_like_a_figure(
    folders: tuple[Path, Path], when: str, missing: str | None
) -> None:
    """`when` is shown in every list of events: 5月8日 for a quote saying 5月7日 is invented."""
    facts, seeds = folders
    fields = {**ON_THE_DAY, "when": when}
    (facts / "test.yaml").write_text(fact_yaml(quotes=(DATED,), fields=fields), encoding="utf-8")
    if missing is None:
        assert FactBase.load(facts, seeds)
        return
    with pytest.raises(FactBaseError, match=f"when {when}: {missing} is in no quote"):
        FactBase.load(facts, seeds)


@pytest.mark.parametrize("link", ["talks to event", "event to talks", "none"])
def test_a_date_may_come_from_a_related_fact(folders: tuple[Path, Path], link: str) -> None:
    facts, seeds = folders
    back = ("talks",) if link == "event to talks" else ()
    event = fact_yaml("event", quotes=(DATED,), related=back, fields=ON_THE_DAY)
    talks = fact_yaml(
        "talks",
        quotes=(QUOTE_1,),
        related=("event",) if link == "talks to event" else (),
        fields={
            "answer": "首期募资20亿元。",
            "answer_en": None,
            "place": None,
            "when": "2025-05-07",
        },
    )
    (facts / "test.yaml").write_text(event + talks, encoding="utf-8")
    if link != "none":
        assert FactBase.load(facts, seeds).by_id["talks"].when == "2025-05-07"
        return
    with pytest.raises(FactBaseError, match="when 2025-05-07: month 5, day 7 is in no quote"):
        FactBase.load(facts, seeds)


@pytest.mark.parametrize("related", [True, False])
def test_a_related_fact_may_name_where_it_happened(
    folders: tuple[Path, Path], related: bool
) -> None:
    """The talks at the 深圳 fair may say 深圳 when a related fact's quote names it."""
    facts, seeds = folders
    fair = fact_yaml("fair", quotes=(QUOTE_2,))
    talks = fact_yaml(
        "talks",
        quotes=(QUOTE_1,),
        related=("fair",) if related else (),
        fields={"answer": "首期募资20亿元。", "answer_en": "Shenzhen raised 2 billion yuan.",
                "place": None},
    )  # fmt: skip
    (facts / "test.yaml").write_text(fair + talks, encoding="utf-8")
    if related:
        assert FactBase.load(facts, seeds).by_id["talks"]
        return
    with pytest.raises(FactBaseError, match="answer_en names 深圳"):
        FactBase.load(facts, seeds)


# --- unbounded reads --------------------------------------------------------------------
# Every file of a load is read only if it is a regular file inside its folder, at most
# MAX_FILE_BYTES, within one budget for the whole load; each refusal is one problem.


@pytest.fixture
def shipped(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped facts/ and seeds/, to break."""
    facts, seeds = tmp_path / "facts", tmp_path / "seeds"
    shutil.copytree(FACTS, facts)
    shutil.copytree(SEEDS, seeds)
    return facts, seeds


def problems_loading(facts: Path, seeds: Path) -> list[str]:
    with pytest.raises(FactBaseError) as caught:
        FactBase.load(facts, seeds)
    return [str(p) for p in caught.value.problems]


def test_a_symlink_to_a_device_is_refused_unread(shipped: tuple[Path, Path]) -> None:
    facts, seeds = shipped
    (facts / "zero.yaml").symlink_to("/dev/zero")
    (problem,) = problems_loading(facts, seeds)
    assert problem.startswith(f"{facts / 'zero.yaml'}:1:1: refused: it leads outside")


@pytest.mark.parametrize(("device", "kind"), [("null", "character"), ("zero", "character")])
def test_a_device_inside_the_folder_is_refused_unread(device: str, kind: str) -> None:
    """A device that is inside the folder (here, the folder is /dev) is still not a file."""
    with pytest.raises(ReadRefused, match=f"it is a {kind} device, not a regular file"):
        read_bounded(Path("/dev") / device, inside=Path("/dev"))


def test_a_fifo_is_refused_without_waiting_for_a_writer(shipped: tuple[Path, Path]) -> None:
    facts, seeds = shipped
    os.mkfifo(facts / "pipe.yaml")
    (problem,) = problems_loading(facts, seeds)
    assert problem == f"{facts / 'pipe.yaml'}:1:1: refused: it is a FIFO, not a regular file"


def test_a_directory_named_like_a_fact_file_is_one_problem(shipped: tuple[Path, Path]) -> None:
    facts, seeds = shipped
    (facts / "folder.yaml").mkdir()
    (problem,) = problems_loading(facts, seeds)
    assert problem.endswith("refused: it is a directory, not a regular file")


def test_a_fact_file_linking_outside_the_folder_is_refused(
    shipped: tuple[Path, Path], tmp_path: Path
) -> None:
    facts, seeds = shipped
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(facts / "gba-ai-education.yaml", outside)
    (facts / "gba-ai-education.yaml").unlink()
    (facts / "gba-ai-education.yaml").symlink_to(outside)
    found = problems_loading(facts, seeds)
    assert any("refused: it leads outside" in p for p in found)


def test_a_link_inside_the_folder_is_read(shipped: tuple[Path, Path]) -> None:
    facts, seeds = shipped
    (facts / "gba-ai-education.yaml").rename(facts / "education.data")
    (facts / "gba-ai-education.yaml").symlink_to("education.data")
    assert FactBase.load(facts, seeds)


@pytest.mark.parametrize("kind", ["fifo", "device", "outside", "directory", "huge"])
def test_a_seed_that_is_not_a_page_is_one_problem(
    shipped: tuple[Path, Path], tmp_path: Path, kind: str
) -> None:
    facts, seeds = shipped
    seed = seeds / "003_e4cacd47aa45c301.txt"
    seed.unlink()
    if kind == "fifo":
        os.mkfifo(seed)
    elif kind == "device":
        seed.symlink_to("/dev/zero")
    elif kind == "outside":
        (tmp_path / "page.txt").write_text("外面的网页", encoding="utf-8")
        seed.symlink_to(tmp_path / "page.txt")
    elif kind == "directory":
        seed.mkdir()
    else:
        seed.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    found = problems_loading(facts, seeds)
    (about_the_seed,) = [p for p in found if f"{seed}: " in p]
    assert about_the_seed.startswith(f"{facts / 'sources.yaml'}:")
    assert all("unknown article '003_e4cacd47aa45c301'" in p for p in found if p != about_the_seed)


def test_a_file_whose_size_lies_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    """/proc files say they are empty and regular; reading stops at the limit all the same."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    assert read_bounded(big, inside=tmp_path, limit=5000) == b"x" * 5000
    with pytest.raises(ReadRefused, match="file is 5000 bytes; the limit is 4999"):
        read_bounded(big, inside=tmp_path, limit=4999)


def test_a_load_has_one_budget_for_all_its_files(shipped: tuple[Path, Path]) -> None:
    facts, seeds = shipped
    comment = b"#" * (MAX_FILE_BYTES - 1) + b"\n"  # each file within the limit
    files = MAX_LOAD_BYTES // len(comment) + 5  # together over the budget
    for n in range(files):
        (facts / f"comment-{n:04d}.yaml").write_bytes(comment)
    for n in range(2000):  # and then many small files, which cost the budget too
        (facts / f"zz-{n:04d}.yaml").write_bytes(b"[]")
    found = problems_loading(facts, seeds)
    spent = [p for p in found if "bytes read in all" in p or "all its budget" in p]
    assert len(spent) == 1  # one line, not one per file left unread
    assert len(found) < files


# --- linear scans ---------------------------------------------------------------------------
# Work is counted, not timed: every line of Python executed while cleaning a page (ours, and
# OpenCC's, which is Python too). Ten times the page may cost ten times the work, give or take
# a logarithm, never a hundred times.


Tracer = Callable[[FrameType, str, Any], Any]


def traced(call: Callable[[], object], tracer: Tracer) -> None:
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(previous)


def work(call: Callable[[], object]) -> int:
    """How many lines of Python the call executes."""
    executed = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Tracer:
        nonlocal executed
        executed += event == "line"
        return tracer

    traced(call, tracer)
    return executed


def page(paragraphs: int) -> str:
    """A page with a watermark glued to every paragraph and a caption repeated on its own."""
    mark = "vH2速刷资讯——每天刷点最新资讯,了解这个世界多一点SUSHUAPOS.COM"
    body = [f"第{n}段正文,讲述人工智能人才培养的第{n}项举措。{mark}" for n in range(paragraphs)]
    caption = ["图片来源:网络图片说明文字"] * 3
    return "\n".join(["标题", *body, mark, *caption, "结尾"])


PROFILE = SourceProfile(
    id="long", title="标题", publisher="测试", script="simplified", start="标题", end="结尾"
)


def test_cleaning_a_long_page_is_linear() -> None:
    small, large = (work(partial(clean, page(n), PROFILE)) for n in (200, 2000))
    article = clean(page(2000), PROFILE)
    assert "SUSHUAPOS" not in article.text
    assert "图片来源" not in article.text
    assert large < 15 * small, (small, large)


def conversions(call: Callable[[], object]) -> list[int]:
    """The length of every text handed to `to_simplified` (OpenCC) during the call."""
    sizes: list[int] = []

    def tracer(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is to_simplified.__code__:
            sizes.append(len(frame.f_locals["text"]))

    traced(call, tracer)
    return sizes


def test_a_long_line_without_punctuation_is_converted_in_bounded_pieces() -> None:
    """OpenCC copies the rest of a run at each phrase it finds, so one conversion of a run of
    n characters costs n²; the cleaning hands it pieces of at most CONVERT_CHARS, all of it."""
    line = "廣東省人工智能與機器人產業聯盟" * 20_000
    page = f"标题\n{line}\n结尾"
    sizes = conversions(lambda: clean(page, PROFILE))
    assert max(sizes) <= CONVERT_CHARS
    assert sum(sizes) >= len(line)
    assert simplified(line) == to_simplified(line[:CONVERT_CHARS]) + simplified(
        line[CONVERT_CHARS:]
    )


# --- tracebacks instead of one line ---------------------------------------------------------
# Every misconfiguration and misuse: a non-zero exit, one line on stderr, no traceback, and
# never the token, whatever the failure.

TOKEN = "123456789:AAHsecretsecretsecretsecretsecret0"


class Running(NamedTuple):
    process: subprocess.Popen[bytes]
    stdin: IO[bytes]
    stdout: IO[bytes]
    stderr: IO[bytes]


def started(*args: str) -> Running:
    """`baybrief` running, with pipes to talk to it as a terminal or a pipeline would."""
    pipe = subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "handlers.cli", *args],
        stdin=pipe, stdout=pipe, stderr=pipe, cwd=ROOT, env=environment(),
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    return Running(process, process.stdin, process.stdout, process.stderr)


def one_line_failure(result: subprocess.CompletedProcess[bytes], *, said: str) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0, err
    assert err.count("\n") == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    assert said in err, err
    assert TOKEN not in err + result.stdout.decode("utf-8", "replace")
    assert TOKEN.split(":")[1] not in err
    return err


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """A file nobody may write: chmod for a user, the immutable flag for root (who ignores
    modes); undone afterwards, so the test folder can be removed."""
    path.chmod(0o444)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def database_of(kind: str, tmp_path: Path) -> Path:
    path = tmp_path / "baybrief.sqlite3"
    if kind == "directory":
        path.mkdir()
    elif kind == "corrupted":
        path.write_bytes(b"this is not an SQLite database, only its name says so. " * 100)
    elif kind == "under a file":
        (tmp_path / "file").write_text("x")
        path = tmp_path / "file" / "baybrief.sqlite3"
    elif kind == "device":
        path = Path("/dev/null")
    return path


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["directory", "corrupted", "under a file", "device"])
def test_a_database_that_cannot_be_used_stops_run_in_one_line(kind: str, tmp_path: Path) -> None:
    db = database_of(kind, tmp_path)
    result = baybrief("run", env={"BAYBRIEF_TOKEN": TOKEN, "BAYBRIEF_DB": str(db)})
    one_line_failure(result, said=f"BAYBRIEF_DB={db}")


@pytest.mark.e2e
def test_a_read_only_database_stops_run_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "baybrief.sqlite3"
    check_database(db)  # created and migrated: a good database
    with read_only(db):
        with pytest.raises(ConfigError, match="readonly database"):
            check_database(db)
        result = baybrief("run", env={"BAYBRIEF_TOKEN": TOKEN, "BAYBRIEF_DB": str(db)})
    one_line_failure(result, said="readonly database")


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("BAYBRIEF_BOT_API_URL", "ftp://127.0.0.1:8081/bot", "http:// or https://"),
        ("BAYBRIEF_BOT_API_URL", "127.0.0.1:8081/bot", "http:// or https://"),
        ("BAYBRIEF_BOT_API_URL", "http:///bot", "has no host"),
        ("BAYBRIEF_BOT_API_URL", "http://127.0.0.1:99999/bot", "is not a URL"),
        ("BAYBRIEF_BOT_API_URL", "http://admin:pw@127.0.0.1/bot", "credentials"),
        ("BAYBRIEF_BOT_API_URL", "http://127.0.0.1/bot?x=1", "query"),
        ("BAYBRIEF_BOT_API_URL", f"https://api.telegram.org/bot{TOKEN}/", "contain the token"),
        ("BAYBRIEF_ADMIN_IDS", "١٢٣", "BAYBRIEF_ADMIN_IDS"),  # Arabic-Indic digits
        ("BAYBRIEF_ADMIN_IDS", "１２３", "BAYBRIEF_ADMIN_IDS"),  # full-width digits
        ("BAYBRIEF_ADMIN_IDS", "²", "BAYBRIEF_ADMIN_IDS"),  # isdigit() but not int()
        ("BAYBRIEF_ADMIN_IDS", "0", "BAYBRIEF_ADMIN_IDS"),
        ("BAYBRIEF_ADMIN_IDS", "9" * 5000, "BAYBRIEF_ADMIN_IDS"),
        ("BAYBRIEF_TZ", "Nowhere/City", "BAYBRIEF_TZ"),
        ("BAYBRIEF_TZ", "x" * 5000, "BAYBRIEF_TZ"),
        ("BAYBRIEF_TOKEN", "not a token " + TOKEN, "BAYBRIEF_TOKEN does not look like"),
    ],
)
@pytest.mark.e2e
@pytest.mark.parametrize("command", [("run",), ("ask", "你好")])
def test_a_bad_variable_is_one_line_naming_it(
    variable: str, value: str, said: str, command: tuple[str, ...]
) -> None:
    result = baybrief(*command, env={"BAYBRIEF_TOKEN": TOKEN, variable: value})
    err = one_line_failure(result, said=said)
    assert err.startswith("configuration error: ")
    assert value[:200] not in err or len(value) < 60  # long values are cut short


@pytest.mark.e2e
@pytest.mark.parametrize("command", [("run",), ("ask", "你好"), ("chat",), ("facts", "coverage")])
def test_a_missing_fact_folder_is_one_line(command: tuple[str, ...], tmp_path: Path) -> None:
    env = {"BAYBRIEF_TOKEN": TOKEN, "BAYBRIEF_FACTS_DIR": str(tmp_path / "nowhere")}
    one_line_failure(baybrief(*command, env=env), said="`baybrief facts check` lists them all")


@pytest.mark.e2e
@pytest.mark.parametrize("args", [("nonsense",), ("ask", "--bogus"), (), ("facts",), ("extract",)])
def test_command_line_misuse_is_one_line(args: tuple[str, ...]) -> None:
    result = baybrief(*args)
    assert result.returncode == 2
    one_line_failure(result, said="baybrief")


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["missing", "binary", "fifo", "device", "directory"])
def test_extract_refuses_what_is_not_a_text_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    if kind == "binary":
        path.write_bytes(bytes(range(256)) * 10)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    result = baybrief("extract", str(path))
    assert result.returncode == 2
    one_line_failure(result, said="cannot read as UTF-8 text")


@pytest.mark.e2e
def test_ask_json_into_head_ends_quietly() -> None:
    """`baybrief ask --json | head -1`: the reader leaves after one line."""
    questions = "\n".join(["广东有多少所技工院校？"] * 400).encode()
    ask = started("ask", "--json")
    ask.stdin.write(questions)
    ask.stdin.close()
    assert json.loads(ask.stdout.readline())["answered"]
    ask.stdout.close()  # as head does
    assert ask.process.wait(timeout=120) in (0, EXIT_BROKEN_PIPE)
    assert ask.stderr.read() == b""


@pytest.mark.e2e
@pytest.mark.parametrize(
    "typed",
    ["²", "١", "9" * 5000, "1" * 20, "-1", "/events ²", "/events 99999", "/events " + "9" * 5000],
)
def test_console_input_that_is_not_a_plain_number(typed: str) -> None:
    """After choices are offered, anything typed is a question or a command, never a crash."""
    script = f"/events\n{typed}\n1\n/quit\n"
    result = baybrief("chat", stdin=script.encode())
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert "📰" in result.stdout.decode()  # and "1" still picked the first event


@pytest.mark.e2e
def test_console_survives_bytes_that_are_not_utf8() -> None:
    result = baybrief("chat", stdin=b"\xff\xfe\xc3(\n\xe5\xb9\xbf\xe4\xb8\x9c\n/quit\n")
    assert result.returncode == 0
    assert result.stderr == b""


@pytest.mark.e2e
def test_console_ctrl_d_and_ctrl_c_leave_quietly() -> None:
    assert baybrief("chat", stdin=b"").returncode == 0  # end of input at once: Ctrl-D
    chat = started("chat")
    while "/quit" not in chat.stdout.readline().decode():
        pass  # the banner is printed: the console waits for a line
    chat.process.send_signal(signal.SIGINT)
    assert chat.process.wait(timeout=60) == 0
    assert b"Traceback" not in chat.stderr.read()
    chat.stdin.close()


# --- valid data that breaks pages -------------------------------------------------------------


def undated(base: FactBase, *, facts: bool, sources: bool) -> FactBase:
    """The shipped base with no fact dated, or no article dated, or neither: all valid."""
    return FactBase(
        facts=tuple(f.model_copy(update={"when": None}) if facts else f for f in base.facts),
        articles={
            i: dataclasses.replace(a, published=None) if sources else a
            for i, a in base.articles.items()
        },
        glossary=base.glossary,
    )


@pytest.mark.parametrize(("facts", "sources"), [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("script", list(Script))
async def test_start_help_and_about_need_no_dates(
    factbase: FactBase, facts: bool, sources: bool, script: Script, service: Service
) -> None:
    base = undated(factbase, facts=facts, sources=sources)
    span = "covering" if script is Script.ENGLISH else "年至"
    for renderer in (Renderer(html_output=True), Renderer(html_output=False)):
        text = renderer.help(base, script)
        assert f"{len(base.facts)}" in text
        assert (span in text) is not facts  # no span of years is invented
        about = renderer.about(base, script)
        assert about.count("\n") >= len(base.articles)
    service.served = serve(base, frozenset(), html=False)
    console = Console(service)
    for command in ("/start", "/help", "/about"):
        assert await console.reply(command)


def test_coverage_looks_for_a_quote_a_bounded_number_of_times() -> None:
    """`facts check` reports how much of each article is quoted; a page repeating a sentence
    (or a periodic run a long quote matches everywhere) costs at most MAX_OCCURRENCES finds
    per quote instead of marking every occurrence character by character."""
    sentence = "技工院校培养人工智能人才。"
    text = "\n".join(["标题", *[sentence] * (MAX_OCCURRENCES + 36)])
    article = Article("page", "标题", "测试", None, None, "simplified", text, text)
    fact = Fact.model_validate(
        {"id": "x", "kind": "statistic", "title": "x", "answer": "x", "keywords": ["x"],
         "sources": [{"article": "page", "quote": sentence}]}
    )  # fmt: skip
    found = statements(FactBase(facts=(fact,), articles={"page": article}))
    assert [s.covered for s in found] == [1.0] * MAX_OCCURRENCES + [0.0] * 36
