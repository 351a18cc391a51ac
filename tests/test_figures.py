"""Figures are values with units, however they are written, in Chinese and in English."""

from __future__ import annotations

import pytest

from bot.figures import chinese_figures, english_figures, unsupported

QUOTE = "目前,全省共有技工院校148所,在校生约66.7万人,首期募资20亿元,目标规模100亿元"


@pytest.mark.parametrize(
    ("text", "value", "family"),
    [
        ("148所", 148, "schools"),
        ("一百四十八所", 148, "schools"),
        ("66.7万人", 667_000, "people"),
        ("六十六点七万人", 667_000, "people"),
        ("一万一千个岗位", 11_000, "items"),
        ("11000多个岗位", 11_000, "items"),
        ("4.28万人次", 42_800, "people"),
        ("三亿元", 300_000_000, "money"),
        ("百分之九十九", 99, "percent"),
        ("99%", 99, "percent"),
        ("三成", 30, "percent"),
        ("翻两番", 4, "times"),
        ("第九届", 9, "editions"),
        ("二〇二七年", 2027, "year"),
        ("幾多間", None, None),
    ],
)
def test_chinese_figures(text: str, value: float | None, family: str | None) -> None:
    found = chinese_figures(text.replace("幾多間", "几多间"))
    if value is None:
        assert found == []
        return
    assert [(f.value, set(f.families)) for f in found] == [(value, {family})]


@pytest.mark.parametrize("text", ["四川", "统一", "一批企业", "一个平台", "十分重要", "万人"])
def test_words_that_hold_no_figure(text: str) -> None:
    assert chinese_figures(text) == []


def test_counters_without_a_family_still_count() -> None:
    assert [f.value for f in chinese_figures("八部门、两大领域、四级梯队")] == [8, 2, 4]


@pytest.mark.parametrize(
    ("text", "value", "family"),
    [
        ("about 2,500 people", 2_500, "people"),
        ("667,000 students", 667_000, "people"),
        ("RMB 10 billion", 10_000_000_000, "money"),
        ("2 billion yuan", 2_000_000_000, "money"),
        ("20.93 million skilled workers", 20_930_000, "people"),
        ("eight departments", 8, "bodies"),
        ("over 4,000 job seekers", 4_000, "people"),
        ("the 9th edition", 9, "editions"),
        ("95%", 95, "percent"),
    ],
)
def test_english_figures(text: str, value: float, family: str) -> None:
    assert [(f.value, set(f.families)) for f in english_figures(text)] == [(value, {family})]


def test_english_months_and_the_verb_may() -> None:
    assert [(f.value, set(f.families)) for f in english_figures("on 7 May")] == [
        (7, set()),
        (5, {"month"}),
    ]
    assert english_figures("It may rain") == []


@pytest.mark.parametrize(
    "claim",
    [
        "全省有66.7所技工院校",  # the quote's figures swapped between units
        "在校生148万人",
        "三亿元",
        "百分之九十九的学生",
        "三成院校",
        "规模翻两番",
        "首期募资30亿元",
    ],
)
def test_invented_chinese_figures_are_caught(claim: str) -> None:
    assert list(unsupported(chinese_figures(claim), chinese_figures(QUOTE)))


@pytest.mark.parametrize(
    "claim",
    [
        "148所技工院校，在校生六十六点七万人",
        "首期募资二十亿元，目标一百亿元",
    ],
)
def test_the_same_figures_written_otherwise_agree(claim: str) -> None:
    assert not list(unsupported(chinese_figures(claim), chinese_figures(QUOTE)))


@pytest.mark.parametrize(
    ("claim", "invented"),
    [
        ("148 schools with about 667,000 students; the fund raised 2 billion yuan", False),
        ("A target of RMB 10 billion", False),
        ("148 schools with 148,000 students", True),
        ("the fund raised 3 billion yuan", True),
        ("66.7 schools", True),
        ("99% of schools", True),
    ],
)
def test_english_answers_are_checked_against_chinese_quotes(claim: str, invented: bool) -> None:
    assert bool(list(unsupported(english_figures(claim), chinese_figures(QUOTE)))) is invented
