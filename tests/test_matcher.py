from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.evaluation import load
from bot.matcher import MAX_QUESTION_CHARS, Matcher, Verdict
from tests.conftest import ROOT

ANSWERABLE = [c.question for c in load(ROOT / "tests/data/questions.yaml") if c.kind == "answer"]


def best(matcher: Matcher, question: str) -> str | None:
    outcome = matcher.match(question)
    return outcome.matches[0].fact.id if outcome.answered else None


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("广东有多少所技工院校？", "techschools-count"),
        ("雙選會喺邊度舉辦？", "skills-exchange-2025"),
        ("粤将大模型是谁开发的？", "yuejiang-model"),  # homophone typo
        ("双旋会现场签约多少人", "job-fair-signed"),  # typo in a three-character word
        ("投了多少简历", "job-fair-resumes"),
        ("广东的AI产业在全国排第几？", "air-pearl-river-index"),
        ("AI产业联盟 members 多少", "alliance-members"),
        ("How many technical schools are there in Guangdong?", "techschools-count"),
        ("到二〇二七年要推广几多个典型应用场景？", "ai-manufacturing-2027-models-data"),
        ("上海在AI产业里排第几梯队？", "air-pearl-river-index"),  # the fact names 上海
        (
            "陈学明说的三个融合里第二个是什么",
            "chen-xueming-three-integrations",
        ),  # an item, no 第2届
    ],
)
def test_answers(matcher: Matcher, question: str, fact_id: str) -> None:
    assert best(matcher, question) == fact_id


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("上海有多少所技工院校？", ("上海",)),
        ("How many technical schools are there in Shanghai?", ("上海",)),
        ("2024年的双选会签约了多少人？", ("2024",)),
        ("北京的双选会签约多少人？", ("北京",)),
    ],
)
def test_refuses_what_the_facts_are_not_about(
    matcher: Matcher, question: str, unknown: tuple[str, ...]
) -> None:
    outcome = matcher.match(question)
    assert outcome.verdict is Verdict.OUT_OF_SCOPE
    assert outcome.unknown == unknown
    assert outcome.matches  # and still offers what it does know


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("331家成员单位里民营企业到底有几家？", "其中的细分数字"),  # a part of the 331
        ("簽署倡議的49所學校中，香港有幾所？", "其中的细分数字"),
        ("Which eight departments issued the AI plus manufacturing opinions?", "具体名单"),
        ("和技师学院签约的10家龙头企业里，另外5家是谁", "具体名单"),  # the fact names five
        ("廣東嗰12條政策措施具體係咩？", "具体名单"),
        ("来自澳门的学校有多少所签了倡议？", "其中的细分数字"),  # one of 北京、广东…澳门's 49
        ("培正的10多所姐妹学校包括哪些？", "具体名单"),  # counted, never named
        ("那11个专业委员会分别叫什么", "具体名单"),  # the fact names three of the eleven
    ],
)
def test_a_detail_the_fact_lacks_is_named(matcher: Matcher, question: str, missing: str) -> None:
    outcome = matcher.match(question)
    assert outcome.verdict is Verdict.MISSING_DETAIL
    assert outcome.missing == (missing,)


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("南莎维港青腾中学7月办的是个什么活动", "gba-ai-talent-exchange-2025"),  # two homophones
        (
            "广东机戒技师学院跟华为联合搞了个什么模型",
            "yuejiang-model",
        ),  # a wrong and a lost character
    ],
)
def test_a_mistyped_long_name_is_still_known(matcher: Matcher, question: str, fact_id: str) -> None:
    assert best(matcher, question) == fact_id


@pytest.mark.parametrize(
    "question",
    [
        "中国人工智能学会是联盟成员吗",
        "广东省人工智能学会是联盟成员吗",
        "东莞理工学院跟哪些企业签了协议",  # jieba keeps 理工学院 whole after the place
        "霍英东集团跟技师学院签了协议吗",  # a body other facts name (the Nansha co-organiser)
    ],
)
def test_another_body_is_not_a_mistyped_one(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).verdict is Verdict.OUT_OF_SCOPE  # a 学会 is not the 联盟


def test_a_year_in_a_name_is_no_count(matcher: Matcher) -> None:
    """The 2025 of 2025粤港澳大湾区…交流活动 dates the event: the event fact (date, venue,
    theme) does not say how many came, so it is not the answer to 多少人."""
    outcome = matcher.match("7月12日南沙那场一共来了多少人")
    assert not (
        outcome.answered and outcome.best and outcome.best.fact.id == "gba-ai-talent-exchange-2025"
    )


def test_a_near_tie_goes_to_the_fact_that_answers(matcher: Matcher) -> None:
    """Ranked a hair behind, the fact with the goals is far likelier the answer to 目标年份
    than the enterprise targets ahead of it; so is the fact saying who 邓飞 is."""
    for question, fact_id, first in [
        (
            "专项行动的目标年份是哪年",
            "ai-manufacturing-2027-goals",
            "ai-manufacturing-2027-enterprises",
        ),
        ("邓菲是谁？", "deng-fei-teacher-exchange", "deng-fei-data-sharing"),
    ]:
        ranked = matcher.candidates(matcher.read(question))
        assert ranked[0].indexed.fact.id == first  # the near tie the decision settles
        outcome = matcher.match(question)
        assert outcome.answered
        assert outcome.best
        assert outcome.best.fact.id == fact_id


@pytest.mark.parametrize(
    "question", ["邓飞是什么身份？", "邓菲是什么身份", "鄧飛係咩人嚟㗎？", "Who is Tang Fei?"]
)
def test_who_a_person_is_is_the_first_of_their_tied_views(matcher: Matcher, question: str) -> None:
    """Two of 邓飞's views tie on his name: no choice between them and no refusal; the first,
    where the report gives his posts (香港立法会议员、香港大学校董), answers."""
    outcome = matcher.match(question)
    assert outcome.verdict is Verdict.ANSWERED
    assert outcome.best
    assert outcome.best.fact.id == "deng-fei-teacher-exchange"


def test_who_must_be_carried_by_the_answer(matcher: Matcher) -> None:
    assert not matcher.match("首期募资的20亿元是由谁出的？").answered  # the fund names no one
    assert matcher.match("双选会是谁主办的？").answered


def test_cantonese_which_before_a_noun_asks_which_not_who(matcher: Matcher) -> None:
    assert matcher.read("具身智能訓練場建喺邊個城市").asked == {"where"}


def test_a_name_known_elsewhere_is_not_said_to_be_unknown(matcher: Matcher) -> None:
    outcome = matcher.match("上海有多少所技工院校？")  # 上海: only the WAIC held there
    assert outcome.named_elsewhere
    assert not matcher.match("中国人工智能学会是联盟成员吗").named_elsewhere


@pytest.mark.parametrize(
    "question",
    ["双选会的门票多少钱？", "粤匠大模型有多少参数？", "今天天气怎么样？", "讲个笑话", "asdfgh"],
)
def test_refuses_what_no_fact_says(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).verdict is Verdict.NOT_FOUND


@pytest.mark.parametrize("question", ["", "   ", "😂😂😂", "？！", "\u200b\u200b"])
def test_no_words_at_all(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).verdict is Verdict.EMPTY


def test_too_long(matcher: Matcher) -> None:
    outcome = matcher.match("技" * (MAX_QUESTION_CHARS + 1))
    assert outcome.verdict is Verdict.TOO_LONG


def test_offers_choices_when_two_facts_fit_alike(matcher: Matcher) -> None:
    outcome = matcher.match("签了哪些合作协议？")
    assert outcome.verdict is Verdict.AMBIGUOUS
    assert {m.fact.id for m in outcome.matches} == {
        "school-enterprise-agreements",
        "school-research-agreements",
    }


def test_answer_comes_with_related_facts(matcher: Matcher) -> None:
    outcome = matcher.match("广东有多少所技工院校？")
    assert outcome.answered
    assert 0 < outcome.matches[0].score <= 1
    assert all(m.fact.id != "techschools-count" for m in outcome.matches[1:])


FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
INVISIBLE = st.sampled_from(["\u200b", "\u200d", "\u2060", "\ufeff"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    question=st.sampled_from(ANSWERABLE),
    insertions=st.lists(st.tuples(st.integers(0, 40), INVISIBLE), max_size=5),
    wide=st.booleans(),
)
def test_invisible_and_fullwidth_characters_do_not_change_the_match(
    matcher: Matcher, question: str, insertions: list[tuple[int, str]], wide: bool
) -> None:
    noisy = "".join(FULLWIDTH.get(ch, ch) for ch in question) if wide else question
    for position, char in insertions:
        noisy = noisy[:position] + char + noisy[position:]
    plain, disguised = matcher.match(question), matcher.match(noisy)
    assert disguised.verdict is plain.verdict
    assert [m.fact.id for m in disguised.matches] == [m.fact.id for m in plain.matches]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=MAX_QUESTION_CHARS + 20))
def test_never_raises_on_arbitrary_text(matcher: Matcher, text: str) -> None:
    outcome = matcher.match(text)
    assert outcome.verdict in Verdict
    assert all(0.0 <= m.score <= 1.0 for m in outcome.matches)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(categories=["Lo", "Nd", "Po", "So", "Zs"]), max_size=60))
def test_never_raises_on_chinese_like_text(matcher: Matcher, text: str) -> None:
    outcome = matcher.match(text)
    assert outcome.question == text
    assert unicodedata.is_normalized("NFC", outcome.question) in (True, False)


def test_an_everyday_word_is_no_name(matcher: Matcher) -> None:
    """摆摊 is missing from the trimmed dictionary, so jieba reads it character by character;
    it is a word all the same, and only a name no fact holds (黄宁生) weighs as one."""
    assert not matcher.read("线下来摆摊的单位有多少家").names
    assert matcher.read("黄宁生是谁").names == {"黄宁生"}
