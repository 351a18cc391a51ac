"""What people actually type: wrappers, Cantonese, homophones, detail and multi-part questions.

Each case here is a behaviour the issue names, checked through the assistant every front end
uses; the labelled sets measure how often such behaviour holds on questions nobody tuned for.
"""

from __future__ import annotations

import pytest

from bot.answers import Reply, english_place
from bot.assistant import Assistant, clauses
from bot.lexicon import ENGLISH_WORDS, PLACES
from bot.matcher import Matcher, Verdict
from bot.pinyin import SoundIndex

WRAPPERS = [
    "麻烦问一下，",
    "我想了解一下",
    "请教一下，",
    "顺便问问，",
    "我是老师，想问",
    "HR这边想确认一下，",
    "你好，我係澳門嘅應屆畢業生，想問吓",  # a Cantonese self-introduction, and 想問吓
    "你好呀，我系香港教联会嘅会员，想问",
    "各位好，我系香港记者，想问下",  # a place before the role, without 嘅
]


def assert_answers(assistant: Assistant, question: str, fact_id: str) -> None:
    """The question is answered, by that fact first."""
    reply = assistant.reply(question)
    assert reply.mode == "answer"
    assert reply.fact_ids[0] == fact_id


CLEAR = [
    ("广东有多少所技工院校？", "techschools-count"),
    ("广东省里有多少所技工院校？", "techschools-count"),  # 省里: a place, not a breakdown
    ("双选会现场签约多少人？", "job-fair-signed"),
    ("产业联盟什么时候成立？", "gd-ai-robotics-alliance"),
]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(("question", "fact_id"), CLEAR)
def test_polite_words_never_turn_an_answer_into_a_refusal(
    assistant: Assistant, wrapper: str, question: str, fact_id: str
) -> None:
    reply = assistant.reply(wrapper + question)
    assert reply.mode == "answer"
    assert reply.fact_ids[0] == fact_id


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        (
            "I'm a teacher in Macau - could you tell me what Deng Fei said about data sharing?",
            "deng-fei-data-sharing",
        ),  # the reader's place is not the topic
        (
            "Hi, I'm with an HR firm in Hong Kong - how many technical schools are in Guangdong?",
            "techschools-count",
        ),
        (
            "I work in HR in Hong Kong. How many technical schools are in Guangdong?",
            "techschools-count",
        ),
        ("WAIC上广东联盟带了哪些企业？", "alliance-at-waic"),  # 广东联盟: the readers' short name
        ("陈学明说的三个融合是哪三个", "chen-xueming-three-integrations"),  # listed by ；
        ("Which college co-organised the fair?", "skills-exchange-organisers"),  # the job fair
        ("how many contracts were signed at the fair", "job-fair-signed"),
        (
            "What did alliance members show at the Shenzhen electronics fair?",
            "alliance-at-shenzhen-electronics-fair",
        ),  # not the job fair
        ("Does the plan talk about going overseas?", "ai-manufacturing-international"),
        ("How many companies turned up at the on-site fair?", "job-fair-employers"),
        (
            "Sorry, one more: how big is the intelligent industry fund?",
            "gd-intelligent-industry-fund",
        ),
        ("how many kids are studying at Guangdong's tech schools?", "techschools-count"),
        ("Which sectors were the recruiting companies in?", "job-fair-scale"),
        ("What is the total number of skilled talents in Guangdong?", "skilled-workforce-total"),
        (
            "Who should go first under the AI plus manufacturing plan?",
            "ai-manufacturing-pioneers-smes",
        ),
        (
            "new question: how many leading companies signed school-enterprise deals?",
            "school-enterprise-agreements",
        ),
    ],
)
def test_english_wrappers_short_names_and_lists(
    assistant: Assistant, question: str, fact_id: str
) -> None:
    assert_answers(assistant, question, fact_id)


@pytest.mark.parametrize(
    ("question", "fact_id", "figure"),
    [
        ("雙選會有幾多間企業？", "job-fair-employers", "345"),
        ("雙選會現場簽咗幾多人？", "job-fair-signed", "293"),
        ("聯盟係咪有331家成員單位？", "alliance-members", "331"),
        ("有冇技工院校開人工智能專業？", "techschools-ai-majors", "17"),
        ("雙選會喺邊度搞㗎？", "skills-exchange-2025", "東莞"),
    ],
)
def test_cantonese(assistant: Assistant, question: str, fact_id: str, figure: str) -> None:
    reply = assistant.reply(question)
    assert (reply.mode, reply.fact_ids[0]) == ("answer", fact_id)
    assert figure in reply.text
    assert reply.language == "zh-Hant"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("粤将大模型是谁开发的？", "yuejiang-model"),
        ("双旋会在哪里举办？", "skills-exchange-2025"),
        ("双选会收到多少份简厉？", "job-fair-resumes"),
        ("人工智能与机器人产业连盟有多少成员单位？", "alliance-members"),
        ("双旋会线下有几家单位来招人？", "job-fair-employers"),  # keyword 线下双选会
    ],
)
def test_typos_and_homophones(assistant: Assistant, question: str, fact_id: str) -> None:
    reply = assistant.reply(question)
    assert (reply.mode, reply.fact_ids[0]) == ("answer", fact_id)


def test_homophones_need_a_slip_not_another_word() -> None:
    sounds = SoundIndex(["简历", "粤匠", "双选会"])
    assert [p for p, _, _ in sounds.find("简厉")] == ["简历"]
    assert list(sounds.find("建立")) == []  # a word of its own, both characters differ
    assert [p for p, _, _ in sounds.find("双旋会")] == ["双选会"]


@pytest.mark.parametrize(
    "question",
    [
        "八部门具体是哪八个？",
        "12条政策措施具体是哪12条？",
        "产业基金的管理人是谁？",
        "联盟的秘书长是谁？",
        "双选会的门票多少钱？",
        "那1000家标杆企业是按什么标准评出来的？",  # counted, not how they are chosen
        "邓飞多大年纪？",  # nobody's age is given
    ],
)
def test_detail_questions_are_refused(assistant: Assistant, question: str) -> None:
    assert assistant.reply(question).mode == "refusal"


@pytest.mark.parametrize(
    ("question", "mode"),
    [
        ("人工智能+制造专项行动是哪些部门发的？", "answer"),  # 工信部等八部门 says who
        ("八部门具体都是哪些部门？", "refusal"),  # the whole list: the fact names one of eight
        ("专家委员会由哪些院士牵头？", "refusal"),  # 由23位院士: counted, none named
    ],
)
def test_members_named_before_their_count_answer_which_ones_did_it(
    assistant: Assistant, question: str, mode: str
) -> None:
    assert assistant.reply(question).mode == mode


def test_a_missing_detail_is_named_and_the_closest_fact_offered(matcher: Matcher) -> None:
    outcome = matcher.match("联盟秘书长是谁？")
    assert outcome.verdict in (Verdict.MISSING_DETAIL, Verdict.NOT_FOUND)
    assert outcome.matches, "the closest facts are offered"


def test_multi_part_questions_get_every_part(assistant: Assistant) -> None:
    reply = assistant.reply("联盟有多少成员单位，专家委员会由几位院士牵头？")
    assert reply.mode == "answer"
    assert "331" in reply.text
    assert "23" in reply.text


def test_counts_asked_as_nouns_are_parts(assistant: Assistant) -> None:
    """企业数？岗位数？签约数？ asks three counts; 珠江指数 is an index, not a count."""
    reply = assistant.reply("双选会：线下企业数？岗位数？签约数？")
    assert reply.fact_ids[:2] == ("job-fair-employers", "job-fair-signed")
    assert "293" in reply.text
    assert "count" not in assistant.matcher.read("四川在AIR珠江指数").asked


def test_respectively_splits_into_parts() -> None:
    parts = clauses("应用场景创新中心和具身智能训练场分别几月成立？")
    assert parts == ["应用场景创新中心几月成立", "具身智能训练场几月成立"]
    assert clauses("南沙活动的主办、承办分别是谁")[1] == "南沙活动的承办是谁"


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("双选会是哪天、在哪里办的？", ["双选会是哪天", "双选会在哪里办的"]),
        (
            "members in the alliance, how many? and academicians?",
            ["members in the alliance，how many", "how many academicians"],
        ),
        ("华为、腾讯、大疆是联盟成员吗", ["华为、腾讯、大疆是联盟成员吗"]),  # a list, one question
        (
            "How many CVs were handed in and how many people signed on site?",
            ["How many CVs were handed in", "how many people signed on site"],
        ),
        ("When and where was it held?", ["When and where was it held"]),  # one question
        ("Who organised it and when?", ["Who organised it and when"]),
    ],
)
def test_kinds_asked_side_by_side_are_parts(question: str, parts: list[str]) -> None:
    assert clauses(question) == parts


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("南沙那个AI教育交流活动是哪天、在哪所学校办的", ["7月12日", "维港青藤中学"]),
        ("members in the alliance, how many? and academicians?", ["331", "23"]),
        ("How many CVs were handed in and how many people signed on site?", ["16,560", "293"]),
    ],
)
def test_every_part_is_answered_though_no_fact_holds_all(
    assistant: Assistant, question: str, figures: list[str]
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "answer"
    for figure in figures:
        assert figure in reply.text


def test_a_list_question_about_what_no_fact_lists_is_refused(assistant: Assistant) -> None:
    reply = assistant.reply("What are the 12 policy measures Guangdong issued?")
    assert reply.mode == "refusal"  # not a digest of other plans' measures
    assert reply.fact_ids[0] == "guangdong-12-measures"


def test_which_bodies_is_answered_by_a_list_of_them(assistant: Assistant) -> None:
    reply = assistant.reply("第22屆深圳國際電子展暨嵌入式展有哪些單位參與？")
    assert reply.mode in ("answer", "overview")
    assert reply.fact_ids[0] == "alliance-at-shenzhen-electronics-fair"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("5月7日东莞那个会的全称叫什么？", "skills-exchange-2025"),  # a name: any fact naming it
        ("技工學校啲學生加埋有幾多", "techschools-count"),  # 加埋: in all
    ],
)
def test_names_and_totals(assistant: Assistant, question: str, fact_id: str) -> None:
    assert_answers(assistant, question, fact_id)


def test_bodies_named_after_places_do_not_say_where(assistant: Assistant) -> None:
    """广州市教育局 names a body: the organisers' fact does not say where the event was."""
    first, second = talk_pair(assistant, "Who organised the Nansha AI education event?",
                              "Where exactly was it held?")  # fmt: skip
    assert first.fact_ids[0] == "gba-ai-talent-exchange-organisers"
    assert second.fact_ids[0] == "gba-ai-talent-exchange-2025"


def talk_pair(assistant: Assistant, one: str, two: str) -> tuple[Reply, Reply]:
    first, context = assistant.converse(one, None, now=0.0)
    second, _ = assistant.converse(two, context, now=60.0)
    return first, second


def test_the_better_fitting_fact_wins(assistant: Assistant) -> None:
    reply = assistant.reply("广东技能人才有多少？")
    assert reply.mode == "answer"
    assert "2093" in reply.text


def test_the_quote_shown_holds_the_answer(assistant: Assistant) -> None:
    text = assistant.reply("交流会的目的是什么？").text
    assert "旨在推动技工教育精准对接产业需求" in text.split("原文：")[1]


@pytest.mark.parametrize(
    "question", ["上海有多少所技工院校？", "黄宁生是谁？", "广东省智能产业基金第二期募资多少？"]
)
def test_questions_about_something_else_are_refused(assistant: Assistant, question: str) -> None:
    assert assistant.reply(question).mode == "refusal"


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("What did Unitree show at the World Robot Conference?", "Unitree"),
        ("What did HKUST say at the Nansha event?", "香港科技大学"),  # a briefing on the rest: no
        ("Did the NDRC lead the AI+Manufacturing plan?", "NDRC"),
    ],
)
def test_an_english_name_no_fact_holds_is_refused_as_written(
    assistant: Assistant, question: str, name: str
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "refusal"
    assert f"“{name}”" in reply.text  # English quotation marks for an English reader


def test_an_english_refusal_names_the_place_in_english(assistant: Assistant) -> None:
    reply = assistant.reply("How many technical schools are there in Shanghai?")
    assert reply.mode == "refusal"
    assert "“Shanghai”" in reply.text
    assert "上海" not in reply.text


def test_every_place_has_an_english_name() -> None:
    """An English question naming a place (Baotou, Harbin) must read as that place, so that it
    is refused like 包头 is, not answered about the rest of the question."""
    named = set(ENGLISH_WORDS.values())
    unnamed = {"济南"}  # "Jinan" is mostly Jinan University (暨南大学) in these sources
    assert sorted(p for p in PLACES if p not in named) == sorted(unnamed)


def test_places_have_their_full_english_names() -> None:
    assert english_place("香港") == "Hong Kong"  # not the HK or HKSAR a reader may type
    assert english_place("广东") == "Guangdong"
    assert english_place("广州市南沙区") == "Nansha, Guangzhou"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Since when has Pui Chng Middle School in Macau built AI into its STEAM curriculum?",
         "pui-ching-macau-ai-steam"),  # a slip of a glossary name is no unknown name
        ("how many students are enrolled in GD technical schools right now?", "techschools-count"),
        ("What did Ko Kam Fai say about AI teachers?", "pui-ching-macau-ai-teachers"),
    ],
)  # fmt: skip
def test_known_english_names_slips_and_abbreviations_are_answered(
    assistant: Assistant, question: str, fact_id: str
) -> None:
    reply = assistant.reply(question)
    assert reply.mode in ("answer", "overview")  # what did X say: a briefing on X's words
    assert reply.fact_ids[0] == fact_id


def test_later_parts_ask_of_the_place_the_first_part_names(assistant: Assistant) -> None:
    reply = assistant.reply("北京也成立了人工智能与机器人产业联盟吗？有多少成员？")
    assert reply.mode == "refusal"
    assert "北京" in reply.text
    assert "331" not in reply.text


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("高锦辉说推行AI教育最大的难点在哪", "pui-ching-macau-ai-teachers"),  # no place asked
        ("广东已经形成了以那几个城市为核心的产业格局", "gd-ai-industry-layout"),  # 那几: which
    ],
)
def test_where_and_how_many_words_that_ask_neither(
    assistant: Assistant, question: str, fact_id: str
) -> None:
    assert_answers(assistant, question, fact_id)


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("how many peopel got hired right there on the day?", "293"),  # a slip in a plain word
        ("How many job seekers walked in on the day?", "4,000"),
        ("Roughly how many folks turned up in Nansha?", "400"),
        ("技校而家有幾多學生讀緊？", "66.7"),  # 读紧: Cantonese for 在读
    ],
)
def test_plain_words_of_the_readers_own_carry_nothing(
    assistant: Assistant, question: str, figure: str
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "answer", reply.text
    assert figure in reply.text


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("东关那个双选会来了多少家企业", "345"),  # 东关: a homophone slip for the place
        ("5月7號嗰場係邊個部門承辦？", "東莞市人力資源和社會保障局"),  # 7号 is 7日
        ("嗰日即场有几多人签约？", "293"),  # 即场: Cantonese for on the spot
        ("Sorry to bother you — what does the 智教融合 part of Guangzhou's plan mean?", "智教融合"),
        (
            "你好，我系香港嘅老师，想问下南沙个活动有冇香港政府部门参与指导？",
            "香港特别行政区政府教育局",
        ),
        ("Could you kindly tell me which bureau undertook the Dongguan event?", "Dongguan"),
    ],
)
def test_slips_dates_and_courtesies_are_read_through(
    assistant: Assistant, question: str, figure: str
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "answer", reply.text
    assert figure in reply.text.replace(",", "")


@pytest.mark.parametrize(
    "question",
    [
        "What's the parameter count of the Yuejiang model?",
        "粤匠大模型学生点样用？使唔使俾钱？",
        "广州那1519所学校的AI课一周上几节？",
        "What's the web address of the Guangdong AI and robotics industry information platform?",
        "东莞那个会5月7号几点开始，几点结束",
        "What's the best dim sum place in Sheung Wan?",  # a district of Hong Kong
    ],
)
def test_details_the_articles_never_give_are_refused(assistant: Assistant, question: str) -> None:
    assert assistant.reply(question).mode == "refusal"


def test_a_sum_is_no_question_about_the_figures(assistant: Assistant) -> None:
    """1+1等于几 once matched a fact with a 1 in it; 1天线下+2周线上 still reads as the format."""
    assert assistant.reply("1+1等于几").mode == "refusal"
    assert assistant.reply("双选会是1天线下+2周线上吗").fact_ids[0] == "job-fair-format"
    assert "3-5" in assistant.matcher.read("要推动3-5个通用大模型落地吗").text  # a range stays


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("How many kids in Guangzhou get AI basics classes now?", "guangzhou-ai-general-courses"),
        (
            "how many model companies will be picked as examples",
            "ai-manufacturing-2027-enterprises",
        ),
        ("What will the fund mainly back?", "gd-intelligent-industry-fund"),
        ("What report came out at the alliance's founding meeting?", "air-pearl-river-index"),
        (
            "Sorry if this is a dumb question, which city was the alliance launched in?",
            "gd-ai-robotics-alliance",
        ),
    ],
)
def test_english_in_the_readers_own_words(
    assistant: Assistant, question: str, fact_id: str
) -> None:
    reply = assistant.reply(question)
    assert (reply.mode, reply.fact_ids[0], reply.language) == ("answer", fact_id, "en")


def test_a_number_inside_a_name_is_no_total_to_break_down(assistant: Assistant) -> None:
    """八部门的专项行动里要推广多少 asks the plan's figure; 那2500人里面 would ask a part."""
    reply = assistant.reply("八部门的专项行动里要推广多少个典型应用场景？")
    assert (reply.mode, reply.fact_ids[0]) == ("answer", "ai-manufacturing-2027-models-data")


def test_a_body_named_by_its_first_and_last_words_is_known(assistant: Assistant) -> None:
    """国家基金 is 国家人工智能产业投资基金 shortened, not a fund the sources lack; 上海基金 is."""
    reply = assistant.reply("意见要发挥哪个国家基金的作用")
    assert (reply.mode, reply.fact_ids[0]) == ("answer", "ai-manufacturing-safeguards")
    assert assistant.reply("上海基金有多大").mode == "refusal"
