"""Issue 13, the domain's classes: what an attacker, or a careless edit, does to the fact base
and the command line. Each class is a section; each test fails if the defence is removed.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bot.articles import CONVERT_CHARS, SourceProfile, clean, simplified
from bot.factbase import FactBase
from bot.problems import FactBaseError
from bot.reading import MAX_FILE_BYTES, MAX_LOAD_BYTES, ReadRefused, read_bounded
from bot.text import to_simplified
from tests.conftest import FACTS, SEEDS

# --- invented facts pass the check --------------------------------------------------------
# A scratch article holding figures of every kind, and one fact quoting it; each attack
# changes one shown field and must make the load fail on that field.

ARTICLE = """\
测试报道
首期募资20亿元,目标规模100亿元,企业占比30%,三成院校参与,规模翻了一番。
全省共有技工院校148所,在校生约66.7万人,超600家企业、800余名毕业生参加,近20家民营企业在深圳亮相。
"""
SOURCES = """\
- id: test-article
  title: 测试报道
  publisher: 测试
  script: simplified
  start: 测试报道
  end: 全省共有技工院校148所
"""
QUOTE_1, QUOTE_2 = ARTICLE.splitlines()[1].rstrip("。"), ARTICLE.splitlines()[2].rstrip("。")
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
    lines = [f"  {name}: {value!r}" for name, value in shown.items() if value is not None]
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


def test_a_symlink_inside_the_folder_to_a_device_is_refused(shipped: tuple[Path, Path]) -> None:
    facts, seeds = shipped
    os.mknod(facts / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null's numbers
    (facts / "null.yaml").symlink_to(facts / "null")
    (problem,) = problems_loading(facts, seeds)
    assert problem.endswith("refused: it is a character device, not a regular file")


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
