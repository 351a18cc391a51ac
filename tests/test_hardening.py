"""Issue 13, the domain's classes: what an attacker, or a careless edit, does to the fact base
and the command line. Each class is a section; each test fails if the defence is removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.factbase import FactBase
from bot.problems import FactBaseError

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
