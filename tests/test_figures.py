"""Figures are values with units, however they are written, in Chinese and in English."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
        # every way of writing a number: mixed digits and magnitudes, banker's numerals, 廿
        ("3千万元", 30_000_000, "money"),
        ("1.5亿元", 150_000_000, "money"),
        ("66万7千人", 667_000, "people"),
        ("1亿2000万元", 120_000_000, "money"),
        ("148 万人", 1_480_000, "people"),
        ("壹佰肆拾捌所", 148, "schools"),
        ("廿一所", 21, "schools"),
        ("十余所", 10, "schools"),
        ("千万元", 10_000_000, "money"),
        ("两千所", 2_000, "schools"),
        # shares: 成, 成半, 分之, ‰, 一半
        ("七成半", 75, "percent"),
        ("三分之一", 1 / 3 * 100, "percent"),
        ("千分之五", 0.5, "percent"),
        ("万分之一", 0.01, "percent"),
        ("30‰", 3, "percent"),
        ("30 %", 30, "percent"),
        ("一半", 50, "percent"),
        ("半数", 50, "percent"),
        ("翻了两番", 4, "times"),
        ("翻番", 2, "times"),
        # currencies are not yuan
        ("20亿美元", 2_000_000_000, "money-usd"),
        ("20亿港元", 2_000_000_000, "money-hkd"),
        ("负30%", -30, "percent"),
        ("一成", 10, "percent"),
    ],
)
def test_chinese_figures(text: str, value: float | None, family: str | None) -> None:
    found = chinese_figures(text.replace("幾多間", "几多间"))
    if value is None:
        assert found == []
        return
    assert [(f.value, set(f.families)) for f in found] == [(value, {family})]


@pytest.mark.parametrize(
    "text",
    ["四川", "统一", "一批企业", "一个平台", "十分重要", "万人", "人才队伍建设", "陆续", "半导体",
     "大陆地区", "陆家嘴"],
)  # fmt: skip
def test_words_that_hold_no_figure(text: str) -> None:
    assert chinese_figures(text) == []


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("超600家", "at_least"),
        ("600余家", "at_least"),
        ("逾7000个", "at_least"),
        ("3年以上", "at_least"),
        ("近20家", "at_most"),
        ("不超过30%", "at_most"),
        ("数百所", "vague"),
        ("上千人", "vague"),
        ("约2500人", "exact"),  # a hedge without a direction states the figure
        ("线上两千人", "exact"),  # online, not "some thousands"
    ],
)
def test_bounds_are_part_of_the_figure(text: str, bound: str) -> None:
    (figure,) = chinese_figures(text)
    assert figure.bound == bound
    assert text.endswith(figure.text) or text.startswith(figure.text)  # 超600家 is shown whole


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
        ("one million students", 1_000_000, "people"),
        ("a million students", 1_000_000, "people"),
        ("three hundred million yuan", 300_000_000, "money"),
        ("half a million yuan", 500_000, "money"),
        ("thirty per cent", 30, "percent"),
        ("the tenth edition", 10, "editions"),
        ("RMB2bn", 2_000_000_000, "money"),
        ("US$2 billion", 2_000_000_000, "money-usd"),
        ("2 billion Hong Kong dollars", 2_000_000_000, "money-hkd"),
        ("quadrupled", 4, "times"),
        ("half of the schools", 50, "percent"),
        ("two-thirds of them", 200 / 3, "percent"),
        ("11,000+ jobs", 11_000, "items"),
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
        ("one million students", True),
        ("thirty per cent of schools", True),
        ("2 billion US dollars", True),
        ("more than 148 schools", True),
        ("hundreds of schools", True),
        ("148 schools", False),
    ],
)
def test_english_answers_are_checked_against_chinese_quotes(claim: str, invented: bool) -> None:
    assert bool(list(unsupported(english_figures(claim), chinese_figures(QUOTE)))) is invented


_PIECES = [
    *"0123456789.,%‰+-− 一二两三十百千万亿廿壹佰拾零点成半倍番翻了分之第余多超近约数上所人元美港",
    *(
        "\u0661",
        "\uff11",
        "²",
        "萬",
        "兩",
        "万分之",
        "百分之",
        "more than ",
        "half of ",
        " million",
    ),
]
_NUMBERISH = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@given(st.one_of(_NUMBERISH, st.text(max_size=200)))
def test_any_text_parses_without_error_and_figures_point_at_their_text(text: str) -> None:
    """No text makes the parser raise, and each figure's text is the text at its span (in
    the one-for-one simplified forms the Chinese parser reads: 萬 is 万)."""
    text += " on 7 May"
    read = text.translate(str.maketrans("萬億兩貳陸", "万亿两贰陆"))
    for figure in [*chinese_figures(text), *english_figures(text)]:
        assert figure.text in (read[figure.start : figure.end], text[figure.start : figure.end])
