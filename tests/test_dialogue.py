"""Conversations: follow-ups resolve against the chat's last answer, never a guessed referent;
overviews of a topic; small talk. Driven through the assistant, and through ask --json."""

from __future__ import annotations

import json

import pytest

from bot.answers import TELEGRAM_LIMIT
from bot.assistant import Assistant
from bot.dialogue import EXPIRES_AFTER, Context, FollowUp, follow_up
from tests.test_cli import run

Turn = tuple[str, str, str | None]  # question, expected mode, a figure the reply must show


def talk(assistant: Assistant, turns: list[str], *, gap: float = 60.0) -> list[str]:
    """The replies' texts; each reply's mode is checked by the caller through `modes`."""
    context: Context | None = None
    texts = []
    for n, text in enumerate(turns):
        reply, context = assistant.converse(text, context, now=1000.0 + n * gap)
        texts.append(f"{reply.mode}|{','.join(reply.fact_ids)}|{reply.text}")
    return texts


def test_a_pronoun_takes_the_referent_of_the_last_answer(assistant: Assistant) -> None:
    first, second = talk(
        assistant, ["粤港澳大湾区应用场景创新中心是做什么的？", "它什么时候成立的？"]
    )
    assert first.startswith("answer|gba-scenario-innovation-center")
    assert second.startswith("answer|gba-scenario-innovation-center")
    assert "7月" in second
    assert "2025年6月6日" not in second.split("原文")[0]  # not the alliance's founding date


@pytest.mark.parametrize(
    ("turns", "figure"),
    [
        (["广东省智能产业基金目标规模多大？", "首期呢？"], "20亿元"),
        (["广东省人工智能与机器人产业联盟什么时候成立的？", "它有多少成员？"], "331"),
        (["澳门培正中学培养了多少位会AI的老师？", "它从哪年开始搞AI教育的？"], "2019"),
    ],
)
def test_ellipsis_and_pronouns_inherit_the_topic(
    assistant: Assistant, turns: list[str], figure: str
) -> None:
    last = talk(assistant, turns)[-1]
    assert last.startswith("answer|")
    assert figure in last


def test_a_detail_follow_up_is_about_what_was_answered(assistant: Assistant) -> None:
    """联盟12月要办什么活动 is answered by the conference: 在哪里办 asks the conference's venue,
    which the sources do not give, not where the alliance was founded (广州)."""
    first, second = talk(assistant, ["联盟12月要办什么活动？", "在哪里办？"])
    assert first.startswith("answer|gba-ai-robotics-conference-2025")
    assert second.startswith("refusal|")
    assert "广州" not in second.split("\n")[0]


def test_a_follow_up_finds_the_related_fact_that_answers(assistant: Assistant) -> None:
    first, second, third = talk(
        assistant, ["7月12日那场AI教育活动在哪里办的？", "多少人参加？", "主办方是谁？"]
    )
    assert first.startswith("answer|gba-ai-talent-exchange-2025")
    assert second.startswith("answer|gba-ai-talent-exchange-attendance")
    assert "400" in second
    assert third.startswith("answer|gba-ai-talent-exchange-organisers")


def test_when_and_where_come_from_the_event_it_happened_at(assistant: Assistant) -> None:
    """粤匠 says who built it, not when or where: it was released at the 5月7日 job fair."""
    first, second, third = talk(
        assistant, ["Who developed the Yuejiang AI model?", "When was it released?", "And where?"]
    )
    assert first.startswith("answer|yuejiang-model")
    assert second.startswith("answer|skills-exchange-2025")
    assert "7 May" in second
    assert third.startswith("answer|skills-exchange-2025")


def test_an_english_ellipsis_swaps_the_place(assistant: Assistant) -> None:
    first, second = talk(assistant, ["內地同港澳嗰個AI倡議，覆蓋咗邊間香港學校？", "and Macau?"])
    assert first.startswith("answer|gba-ai-initiative-schools-goals")
    assert second.startswith("answer|gba-ai-initiative-schools-goals")  # Macau's schools there


def test_an_ellipsis_the_last_fact_does_not_state_asks_elsewhere(assistant: Assistant) -> None:
    first, second = talk(assistant, ["5月7日的技能人才双选会在哪里办的？", "签约呢？"])
    assert first.startswith("answer|skills-exchange-2025")
    assert second.startswith("answer|job-fair-signed")  # the signings, not the venue again


def test_an_ellipsis_the_last_fact_states_stays_with_it(assistant: Assistant) -> None:
    first, second = talk(
        assistant, ["How many people took part online in the Dongguan job fair?", "And on site?"]
    )
    assert first.startswith("answer|job-fair-visitors")
    assert second.startswith("answer|job-fair-visitors")  # the same fact gives both


def test_a_briefing_named_by_a_figure_keeps_to_the_facts_holding_it(
    assistant: Assistant,
) -> None:
    reply = assistant.reply("What are the 12 policy measures exactly?")
    assert "guangdong-12-measures" in reply.fact_ids
    assert "ai-manufacturing-plan" not in reply.fact_ids  # the eight departments' plan


def test_a_general_briefing_on_the_bay_area(assistant: Assistant) -> None:
    reply = assistant.reply("Tell me about the Greater Bay Area")
    assert reply.mode == "overview"
    assert len({assistant.base.by_id[i].sources[0].article for i in reply.fact_ids}) >= 3


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [("個AI同機器人產業聯盟搞成點？", "gd-ai-robotics-alliance"),
     ("南沙嗰個AI教育交流活動點樣？", "gba-ai-talent-exchange-2025")],
)  # fmt: skip
def test_how_a_named_thing_is_doing_is_a_briefing(
    assistant: Assistant, question: str, fact_id: str
) -> None:
    """搞成點 / 點樣 last, after the thing itself: how it is going, not one of its facts."""
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert fact_id in reply.fact_ids
    assert assistant.reply("大模型和小模型之间要怎么样").mode != "overview"  # what must be done


@pytest.mark.parametrize(
    "question",
    ["What's Huawei's involvement across these reports?", "華為喺度參與咗啲咩", "华为参与了什么"],
)
def test_what_a_company_took_part_in_is_a_briefing_on_it(
    assistant: Assistant, question: str
) -> None:
    """The reports are no topic (these reports is not the AIR report) and 喺度 no place."""
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert "digital-economy-talent-base" in reply.fact_ids  # built with Huawei


@pytest.mark.parametrize(
    "question",
    ["Switching topics: how many students are at Guangdong's technical schools?",
     "换个话题，广东有多少所技工院校？"],
)  # fmt: skip
def test_changing_the_topic_is_a_wrapper(assistant: Assistant, question: str) -> None:
    _, reply = talk(assistant, ["联盟什么时候成立的？", question])
    assert reply.startswith("answer|techschools-count")


@pytest.mark.parametrize(
    "question", ["粤匠大模型在哪里发布的", "Where was the Yuejiang model launched?"]
)
def test_where_a_thing_came_out_is_the_event_it_came_out_at(
    assistant: Assistant, question: str
) -> None:
    """The model's fact names no place; the 5月7日 fair it was released at does (东莞). Not
    for what the fact never says happened: opening it to students."""
    reply = assistant.reply(question)
    assert reply.mode == "answer"
    assert reply.fact_ids[0] == "skills-exchange-2025"
    assert assistant.reply("粤匠大模型什么时候开放给学生用？").mode != "answer"


def test_he_is_the_speaker_the_answer_named(assistant: Assistant) -> None:
    """The question named a legislator, the answer named 邓飞: 他 / he is 邓飞."""
    first, second = talk(
        assistant,
        [
            "Which Hong Kong legislator spoke about sharing AI education data?",
            "What did he propose?",
        ],
    )
    assert first.startswith("answer|deng-fei")
    assert second.startswith("answer|deng-fei-data-sharing")


@pytest.mark.parametrize("question", ["6月發生咗咩事？", "6月发生了什么", "What happened in June?"])
def test_what_happened_in_a_month_opens_with_what_is_dated_then(
    assistant: Assistant, question: str
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert reply.fact_ids[0] == "gd-ai-robotics-alliance"  # founded 6月6日


def test_a_later_part_of_only_slots_asks_of_the_first_parts_topic(assistant: Assistant) -> None:
    """主辦方係邊個 alone is the Dongguan fair's organisers; after 南沙活動, that event's."""
    reply = assistant.reply("南沙活動有幾多人出席？主辦方係邊個？")
    assert list(reply.fact_ids[:2]) == [
        "gba-ai-talent-exchange-attendance",
        "gba-ai-talent-exchange-organisers",
    ]


@pytest.mark.parametrize("question", ["經濟新聞精選有哪些新聞？", "标题新闻讲了什么"])
def test_the_pages_other_news_is_refused(assistant: Assistant, question: str) -> None:
    """The lists of other news around the articles share words with facts (经济, 新闻) but
    hold none."""
    assert assistant.reply(question).mode == "refusal"


@pytest.mark.parametrize(
    "question",
    ["What challenges do the mainland, Hong Kong and Macau face in co-training AI talent?",
     "Give me a digest of the alliance for a newsletter"],
)  # fmt: skip
def test_english_asks_for_briefings_in_more_ways(assistant: Assistant, question: str) -> None:
    assert assistant.reply(question).mode == "overview"
    assert assistant.reply("Can you explain how transformers work in deep learning?").mode == (
        "refusal"
    )


def test_a_name_alone_is_a_briefing_unless_a_fact_is_about_it(assistant: Assistant) -> None:
    """华为? names a company several facts mention and none is about: what they say of it.
    粤匠 alone is its model's fact; a greeting is no name."""
    huawei = assistant.reply("华为?")
    assert huawei.mode == "overview"
    assert len(huawei.fact_ids) >= 3
    assert assistant.reply("双选会").mode == "overview"
    assert assistant.reply("粤匠").fact_ids[0] == "yuejiang-model"
    assert assistant.reply("粤匠").mode == "answer"
    assert assistant.reply("晚安啦").mode != "overview"


@pytest.mark.parametrize(
    ("question", "lead"),
    [("给我讲讲联盟", "gd-ai-robotics-alliance"), ("给我讲讲双选会", "skills-exchange-2025"),
     ("讲讲粤匠", "yuejiang-model")],
)  # fmt: skip
def test_a_briefing_on_a_name_opens_with_the_story_it_leads(
    assistant: Assistant, question: str, lead: str
) -> None:
    """The alliance's founding before its private members; 粤匠 is no story's lead, its own
    fact first."""
    assert assistant.reply(question).fact_ids[0] == lead


@pytest.mark.parametrize("question", ["帮我写一份简报", "给我一份简报", "brief me"])
def test_a_briefing_asked_with_no_topic_is_on_everything(
    assistant: Assistant, question: str
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert reply.fact_ids[0] == "skills-exchange-2025"


def test_a_bare_summary_request_leans_on_the_conversation(assistant: Assistant) -> None:
    assert assistant.reply("总结一下").mode != "overview"


def test_a_briefing_on_everything_leads_with_each_story_in_order(assistant: Assistant) -> None:
    """The job fair's two reports are one story; each story's lead comes before any figure."""
    reply = assistant.reply("总结一下广东AI和机器人人才方面的新闻")
    assert reply.mode == "overview"
    assert list(reply.fact_ids[:4]) == [
        "skills-exchange-2025",
        "gd-ai-robotics-alliance",
        "gba-ai-talent-exchange-2025",
        "ai-manufacturing-plan",
    ]


def test_the_talk_moves_on_with_the_answer(assistant: Assistant) -> None:
    first, second, third = talk(
        assistant,
        ["who organised the Nansha AI education event?", "what was the theme?", "and the venue?"],
    )
    assert first.startswith("answer|gba-ai-talent-exchange-organisers")
    assert second.startswith("answer|gba-ai-talent-exchange-2025")
    assert third.startswith("answer|gba-ai-talent-exchange-2025")  # the event's, not the
    # organisers' places


def test_the_one_there_is_the_event_held_in_that_place(assistant: Assistant) -> None:
    first, second = talk(assistant, ["双选会在哪里举办？", "南沙那场呢？"])
    assert first.startswith("answer|skills-exchange-2025")
    assert second.startswith("answer|gba-ai-talent-exchange-2025")  # not "no 双选会 in 南沙"


def test_an_unanswered_question_still_names_the_referent(assistant: Assistant) -> None:
    first, second = talk(assistant, ["邓飞毕业于哪所大学？", "他提到了哪些问题？"])
    assert not first.startswith("answer")  # the sources do not say where he studied
    assert second.startswith("answer|deng-fei-")  # 他 is 邓飞, not "which one?"


def test_another_place_is_asked_about_that_place(assistant: Assistant) -> None:
    _, shenzhen = talk(assistant, ["广州有多少所学校开了人工智能通识课？", "那深圳呢？"])
    assert shenzhen.startswith("refusal|")
    assert "深圳" in shenzhen


@pytest.mark.parametrize(
    ("turns", "fact_id", "figure"),
    [
        (["有多少所技工院校开了人工智能专业？", "在校生多少？"], "techschools-ai-majors", "2万"),
        (
            ["广东省智能产业基金是在哪个场合发布的？", "规模多大"],
            "gd-intelligent-industry-fund",
            "100亿元",
        ),
    ],
)
def test_an_attribute_alone_asks_about_the_talk(
    assistant: Assistant, turns: list[str], fact_id: str, figure: str
) -> None:
    """在校生多少 after the schools with AI majors: their 2万 students, not the 66.7万 of all
    148 schools, which the question would get on its own."""
    last = talk(assistant, turns)[-1]
    assert last.startswith(f"answer|{fact_id}")
    assert figure in last


def test_another_thing_named_with_its_place_is_asked_the_same(assistant: Assistant) -> None:
    """那南沙的活动呢 after where the job fair was: where the Nansha event was, not "nothing on
    南沙" about the job fair."""
    _, nansha = talk(assistant, ["双选会在东莞哪里办？", "那南沙的活动呢？"])
    assert nansha.startswith("answer|gba-ai-talent-exchange-2025")
    assert "维港青藤中学" in nansha


def test_a_related_event_is_not_answered_for_the_one_named(assistant: Assistant) -> None:
    """The World Robot Conference is related to the WAIC fact, which never names it: the WAIC's
    count is no answer about it (the WAIC fact says 近20家; the Beijing one gives none)."""
    *_, beijing = talk(
        assistant,
        [
            "联盟在上海世界人工智能大会上展示了什么？",
            "带了多少家企业去？",
            "那北京的世界机器人大会呢？",
        ],
    )
    assert not beijing.startswith("answer|alliance-at-waic")
    assert "近20家" not in beijing.split("原文")[0]


def test_a_follow_up_with_nothing_before_it_asks_what_is_meant(assistant: Assistant) -> None:
    question, clarified = talk(
        assistant, ["它什么时候成立的？", "我是说那个人工智能与机器人产业联盟"]
    )
    assert question.startswith("refusal||")
    assert "指的是哪一个" in question
    assert clarified.startswith("answer|gd-ai-robotics-alliance")
    assert "2025年6月6日" in clarified


@pytest.mark.parametrize("opening", ["那澳门呢？", "首期呢？", "when was it founded?", "它在哪？"])
def test_no_referent_is_ever_guessed(assistant: Assistant, opening: str) -> None:
    (reply,) = talk(assistant, [opening])
    assert reply.startswith("refusal||")


def test_a_new_complete_question_starts_afresh(assistant: Assistant) -> None:
    _, fresh = talk(assistant, ["广东省智能产业基金目标规模多大？", "双选会现场签约多少人？"])
    assert fresh.startswith("answer|job-fair-signed")


def test_context_expires_after_silence(assistant: Assistant) -> None:
    _, later = talk(
        assistant, ["广东省智能产业基金目标规模多大？", "首期呢？"], gap=EXPIRES_AFTER + 1
    )
    assert later.startswith("refusal||")


def test_more_on_the_same_topic(assistant: Assistant) -> None:
    first, more = talk(assistant, ["双选会现场签约多少人？", "还有别的吗？"])
    shown = set(first.split("|")[1].split(","))
    assert more.startswith("overview|")
    assert not shown & set(more.split("|")[1].split(","))


def test_context_is_plain_data_that_survives_a_restart() -> None:
    context = Context(
        at=12.5, topic="产业联盟", question="产业联盟什么时候成立", fact_ids=("a", "b")
    )
    assert Context.from_json(context.to_json()) == context
    assert Context.from_json("{not json") is None
    assert Context.from_json('{"topic": "x"}') is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("它什么时候成立的？", FollowUp.PRONOUN),
        ("这个联盟有多少成员？", FollowUp.DEICTIC),
        ("那澳门呢？", FollowUp.ELLIPSIS),
        ("and Macau?", FollowUp.ELLIPSIS),
        ("还有别的吗", FollowUp.MORE),
        ("我是说那个联盟", FollowUp.CLARIFICATION),
        ("双选会在哪里呢？", None),
        ("How many technical schools are there in Guangdong?", None),
        ("Are there any events in Macau?", None),
        ("Hi there, could you tell me when the alliance was founded?", None),
        ("And how many people signed there?", FollowUp.PRONOUN),
        ("how many people got hired right there on the day?", None),  # on the spot
    ],
)
def test_follow_up_kinds(text: str, kind: FollowUp | None) -> None:
    assert follow_up(text) is kind


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("给我讲讲双选会", ["345", "293"]),
        ("说说产业联盟", ["331", "23"]),
        ("六月有什么活动？", ["2025年6月6日"]),
        ("Tell me about the Guangdong AI and robotics alliance", ["331"]),
        ("八部门那份意见讲了啥", ["2027", "1000"]),  # 讲了啥 asks for the document's gist
        ("东莞在AI人才这块有什么动作？", ["5月7日"]),  # 这块 points at a field, names nothing
        ("overview of skilled-worker figures in Guangdong", ["20.93"]),  # hyphenated
        ("广州的AI教育做到什么程度了？", ["1519"]),  # 做到什么程度: how far it has got
        ("华为在这些报道里扮演了什么角色", ["粤匠"]),  # the part Huawei plays
    ],
)
def test_overviews_carry_the_key_facts_in_one_message(
    assistant: Assistant, question: str, figures: list[str]
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert len(reply.fact_ids) >= 2
    assert len(reply.text) <= TELEGRAM_LIMIT
    assert [c.fact_id for c in reply.choices] == list(reply.fact_ids)  # a button per fact
    for figure in figures:
        assert figure in reply.text.replace(",", "")


def test_a_briefing_on_a_place_is_its_events_figures_and_deals(assistant: Assistant) -> None:
    """Not eight figures of the one job fair held there: the event first, then a kind at a
    time, so its organisers and the deals made there make the digest too."""
    reply = assistant.reply("东莞最近有什么AI新闻？")
    assert reply.mode == "overview"
    kinds = [assistant.base.by_id[i].kind for i in reply.fact_ids]
    assert kinds[0] == "event"
    assert len(set(kinds[:4])) >= 3
    assert "东莞市人民政府" in reply.text  # the organisers


def test_a_briefing_headline_names_the_topic_as_written(assistant: Assistant) -> None:
    headline = assistant.reply("东莞在AI人才这块有什么动作？").text.split("\n")[0]
    assert "东莞 AI 人才" in headline  # not "东莞 ai 人才这块", the words as matched


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("顺便问问，那个AI与机器人产业联盟有多少家成员单位？", "alliance-members"),  # 那个 + a name
        ("智能产业基金首其募资多少？", "gd-intelligent-industry-fund"),  # 首其: 首期 mistyped
    ],
)
def test_a_question_naming_its_topic_needs_no_referent(
    assistant: Assistant, question: str, fact_id: str
) -> None:
    (reply,) = talk(assistant, [question])
    assert reply.startswith(f"answer|{fact_id}")


def test_a_determiner_before_a_name_is_never_asked_which_one(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["参加这次技能人才交流会的一共大约多少人？"])
    assert "你指的是哪一个" not in reply


def test_an_overview_of_a_covered_place_is_not_said_to_be_missing(assistant: Assistant) -> None:
    reply = assistant.reply("香港喺AI教育方面有咩動作？")  # 動作 frames the topic: what was done
    assert reply.mode == "overview"
    assert "hk-digital-education-committee" in reply.fact_ids


@pytest.mark.parametrize("question", ["what policies are covered?", "有哪些AI相关的政策？"])
def test_a_briefing_on_a_kind_spans_the_stories(assistant: Assistant, question: str) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    articles = {assistant.base.by_id[i].sources[0].article[:3] for i in reply.fact_ids}
    assert len(articles) >= 3  # not eight lines of the eight departments' plan


@pytest.mark.parametrize(
    "question", ["粤港澳三地协同培养AI人才面临哪些挑战？", "高錦輝校長分享咗啲咩經驗？"]
)
def test_challenges_and_experiences_are_briefings(assistant: Assistant, question: str) -> None:
    reply = assistant.reply(question)
    assert reply.mode in ("answer", "overview")
    assert len(reply.fact_ids) >= 2  # the answer with its siblings, or a digest


def test_what_was_done_puts_the_deeds_first(assistant: Assistant) -> None:
    reply = assistant.reply("联盟成立以后都做了哪些事？")
    kinds = [assistant.base.by_id[i].kind for i in reply.fact_ids[1:4]]
    assert reply.mode == "overview"
    assert set(kinds) <= {"event", "initiative"}


def test_a_pronoun_after_a_comma_takes_the_name_before_it(assistant: Assistant) -> None:
    reply = assistant.reply("高锦辉是谁，他讲了什么？")
    assert reply.mode in ("answer", "overview")
    assert "pui-ching-macau-ai-steam" in reply.fact_ids
    english = assistant.reply("What is the Yuejiang model, and who built it?")
    assert english.mode == "answer"
    assert english.fact_ids[0] == "yuejiang-model"


@pytest.mark.parametrize("question", ["北京的AI人才政策有哪些？", "给我讲讲上海的机器人补贴政策"])
def test_an_overview_of_something_not_covered_is_refused(
    assistant: Assistant, question: str
) -> None:
    assert assistant.reply(question).mode == "refusal"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("你好", "zh-Hans"),
        ("謝謝", "zh-Hant"),
        ("who are you?", "en"),
        ("您好，請問您可以幫我做些什麼？", "zh-Hant"),
        ("帮我写一份求职简历", "zh-Hans"),  # a task it does not do, not the resumes figure
        ("Can you write me a CV?", "en"),
        ("好的收到，辛苦了", "zh-Hans"),  # acknowledgements in a row; not the resumes 收到
        ("明白了，多谢晒", "zh-Hans"),
        ("By the way, who are you?", "en"),  # small talk inside a wrapper
    ],
)
def test_small_talk_says_what_the_bot_knows(assistant: Assistant, text: str, language: str) -> None:
    reply = assistant.reply(text)
    assert (reply.mode, reply.language) == ("smalltalk", language)
    assert reply.text.count("•") == 2  # two example questions


@pytest.mark.e2e
def test_ask_json_keeps_a_conversation_per_id() -> None:
    lines = [
        {"text": "粤港澳大湾区应用场景创新中心是做什么的？", "conversation": "a"},
        {"text": "广东省智能产业基金目标规模多大？", "conversation": "b"},
        {"text": "它什么时候成立的？", "conversation": "a"},
        {"text": "首期呢？", "conversation": "b"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    stdin += "\n它什么时候成立的？".encode()  # plain text: no context
    result = run("ask", "--json", stdin=stdin)
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["mode"] for r in records] == ["answer", "answer", "answer", "answer", "refusal"]
    assert records[2]["fact_ids"][0] == "gba-scenario-innovation-center"
    assert "20亿元" in records[3]["text"]
    assert records[0]["question"] == lines[0]["text"]


def test_a_list_question_answered_by_one_fact_shows_its_siblings(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["到2027年专项行动有哪些目标？"])
    mode, ids, text = reply.split("|", 2)
    assert mode == "answer"
    assert "ai-manufacturing-2027-models-data" in ids.split(",")
    assert "100个" in text  # the datasets
    assert "1000家" in text  # and the benchmark firms


def test_breadth_words_are_no_subject_of_a_briefing(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["广东技工院校的整体情况介绍一下"])
    assert reply.startswith("overview|techschools-count")  # not 湾区整体竞争力


def test_members_a_fact_only_counts_are_refused(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["联盟专家委员会的23位院士分别是谁？"])
    assert reply.startswith("refusal|")


def test_a_topic_is_not_leant_on_as_a_part_of_its_own(assistant: Assistant) -> None:
    _, second = talk(
        assistant, ["广东技能人才总量有多少？", "另外请问，北京的意见要建多少个工业数据集？"]
    )
    assert not second.startswith("answer|skilled-workforce-total")


def test_a_place_after_a_briefing_gets_its_part_of_the_story(assistant: Assistant) -> None:
    _, second = talk(assistant, ["给我介绍一下南沙那场AI人才交流活动", "那香港呢？"])
    mode, ids = second.split("|")[:2]
    assert mode == "overview"
    assert ids.split(",")[0].startswith("hk-digital-education-")
    assert "hk-digital-education-committee" in ids.split(",")


def test_other_things_are_not_asked_about_the_topic(assistant: Assistant) -> None:
    _, second = talk(assistant, ["粤匠模型是啥？", "华为还有参加什么其他的活动？"])
    assert not second.startswith("answer|yuejiang-model")


@pytest.mark.parametrize(
    "question",
    [
        "What is the ticket price for the December conference?",  # an English detail noun
        "Please name all eight departments behind the AI+manufacturing plan",  # only counted
        "How do I sign up for the first Guangdong AI and robotics skills competition?",  # 报名
        "專家委員會的主任委員是哪位院士？",  # the 23 academicians lead it; no chair is named
    ],
)
def test_english_details_the_sources_lack_are_refused(assistant: Assistant, question: str) -> None:
    assert assistant.reply(question).mode == "refusal"


def test_an_acknowledgement_before_thanks_is_small_talk(assistant: Assistant) -> None:
    _, second = talk(assistant, ["联盟有多少家成员单位？", "great, thanks!"])
    assert second.startswith("smalltalk|")


def test_a_pronoun_may_point_back_within_the_message(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["邓飞是谁？他讲了哪些东西"])
    assert reply.startswith("overview|deng-fei-teacher-exchange")  # not "who is he?"


def test_two_questions_are_answered_each_not_briefed_on(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["赵均宁是哪间学校的校长？他对三地合作有什么看法？"])
    assert reply.startswith("answer|zhao-junning-gba-links")


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("What is coming up in December?", "gba-ai-robotics-conference-2025"),
        ("东莞有什么AI人才新闻？", "skills-exchange-2025"),  # 新闻 frames the topic
    ],
)
def test_briefing_phrasings(assistant: Assistant, question: str, first: str) -> None:
    assert assistant.reply(question).fact_ids[:1] == (first,)


def test_a_question_naming_another_subject_is_not_answered_about_the_topic(
    assistant: Assistant,
) -> None:
    _, second = talk(assistant, ["How many employers came to the Dongguan job fair?",
                                 "What did the CEO of UBTech say?"])  # fmt: skip
    assert second.startswith("refusal|")


def test_a_briefing_verb_before_a_body_is_no_part_of_its_name(assistant: Assistant) -> None:
    (reply,) = talk(assistant, ["總結聯盟的參展情況"])
    assert reply.startswith("overview|")


def test_a_follow_up_about_the_one_answer_just_given_needs_less_evidence(
    assistant: Assistant,
) -> None:
    """目的是什么 alone fits the job fair's purpose best; after the 技研 notice it is the
    notice's purpose, though the words alone fall short of the model's threshold."""
    _, second = talk(
        assistant, ["2024年廣東人社廳聯合哪個部門印發了「技研」合作通知？", "目的是什麼？"]
    )
    assert second.startswith("answer|jiyan-cooperation-notice")


def test_members_counted_but_never_named_are_refused(assistant: Assistant) -> None:
    _, second = talk(assistant, ["联盟专家委员会由多少位院士牵头？", "是哪些院士？"])
    assert second.startswith("refusal|")
    listed = assistant.reply("Which companies went with the alliance to the 2025 World Robot "
                             "Conference in Beijing?")  # fmt: skip
    assert listed.mode == "answer"  # named before 等: a year is no count of them
    assert listed.fact_ids[0] == "alliance-at-world-robot-conference"


@pytest.mark.parametrize(
    "question",
    [
        "南沙活动上有哪些嘉宾发言，各自说了啥",
        "Who spoke at the Nansha forum and what were their main points?",
    ],
)
def test_the_speakers_of_an_event_are_its_briefing(assistant: Assistant, question: str) -> None:
    """The people the Nansha report quotes, though most of their facts never name 南沙."""
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    people = {"zhao-junning-gba-links", "deng-fei-teacher-exchange", "zhang-zesong-hk-universities",
              "chen-xueming-three-integrations"}  # fmt: skip
    assert people <= set(reply.fact_ids)


def test_two_subjects_joined_by_and_are_briefed_on_each(assistant: Assistant) -> None:
    """联盟的中心和平台: the centre and the platform, not the facts naming both words once."""
    reply = assistant.reply("联盟成立以后陆续搞了哪些中心和平台")
    assert reply.mode == "overview"
    assert "gba-scenario-innovation-center" in reply.fact_ids[:2]
    assert "alliance-committees" not in reply.fact_ids[:2]


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("“人工智能+制造”实施意见定了哪些目标", ["1000", "500"]),  # the targets of all three facts
        ("双选会上都签了哪些合作协议？", ["10家", "6家"]),  # with companies and with institutes
        ("What deals were signed at the Dongguan event?", ["10", "6"]),
    ],
)
def test_a_question_after_several_things_of_a_kind_gets_them_all(
    assistant: Assistant, question: str, figures: list[str]
) -> None:
    reply = assistant.reply(question)
    assert reply.mode in {"answer", "overview"}
    assert len(reply.fact_ids) >= 2
    for figure in figures:
        assert figure in reply.text.replace(",", "")


@pytest.mark.parametrize(
    ("question", "mode", "first"),
    [
        (
            "第22届深圳国际电子展有哪些单位跟联盟一起参加？",
            "answer",
            "alliance-at-shenzhen-electronics-fair",
        ),
        ("南沙那次活动有哪些协办单位？", "answer", "gba-ai-talent-exchange-organisers"),
        ("香港在AI教育上做了什么？", "overview", None),  # what a place does: a briefing
        ("東莞嗰個雙選會搞成點？", "overview", None),  # how it went
    ],
)
def test_a_place_and_a_thing_asked_of_get_the_answer_not_a_briefing(
    assistant: Assistant, question: str, mode: str, first: str | None
) -> None:
    """A place makes 有哪些 a briefing only when nothing but the place is named: the firms at
    the Shenzhen fair are one fact's list."""
    reply = assistant.reply(question)
    assert reply.mode == mode, reply.text
    if first is not None:
        assert reply.fact_ids[0] == first


@pytest.mark.parametrize(
    "question", ["联盟成立以后做了哪些事", "What has the alliance done since it was founded?"]
)
def test_what_was_done_is_a_digest_not_one_fact(assistant: Assistant, question: str) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert len(reply.fact_ids) >= 3


@pytest.mark.parametrize(
    "question",
    [
        "联盟接下来有什么活动？",
        "优必选出现在哪些场合？",
        "八部門份文件係咩嚟㗎？",
    ],
)
def test_what_a_thing_is_or_where_it_turns_up_is_a_digest(
    assistant: Assistant, question: str
) -> None:
    """Briefings asked in words the markers lacked: what is to come, where a name appears,
    and Cantonese 係咩嚟 (what is it), once refused."""
    assert assistant.reply(question).mode == "overview"


def test_what_a_named_thing_is_stays_one_answer(assistant: Assistant) -> None:
    assert assistant.reply("「粵匠」大模型係咩嚟？").mode == "answer"


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("邓飞在活动上说了些什么", "deng-fei-teacher-exchange"),  # 活动 says where, not what
        ("What role did Huawei play in all this?", None),
        ("联盟参加了哪些展会", None),
        ("6月联盟成立大会上发布了什么", None),
    ],
)
def test_what_a_name_said_or_did_across_the_stories_is_a_digest(
    assistant: Assistant, question: str, first: str | None
) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "overview", reply.text
    assert len(reply.fact_ids) >= 2
    if first is not None:
        assert reply.fact_ids[0] == first


def test_what_was_signed_at_an_event_is_every_deal(assistant: Assistant) -> None:
    """签咗啲咩协议 asks for the deals: the answer comes with its sibling agreements."""
    reply = assistant.reply("東莞交流會簽咗啲咩協議？")
    assert {"school-enterprise-agreements", "school-research-agreements"} <= set(reply.fact_ids)


def test_a_name_earlier_in_an_english_question_is_its_pronouns_referent(
    assistant: Assistant,
) -> None:
    """'…and who built it?' leans on the first clause, split at the and, not on a chat."""
    reply = assistant.reply("What is the Yuejiang model and who built it?")
    assert (reply.mode, reply.fact_ids[0]) == ("answer", "yuejiang-model")


def test_a_question_naming_nothing_keeps_to_the_story_talked_about(
    assistant: Assistant,
) -> None:
    """采用什么模式 after the December conference is its format, not the job fair's 1天线下+2周
    线上 that the whole base would answer with; a place of its own still moves away."""
    _, second = talk(assistant, ["联盟12月要办什么大会？", "采用什么模式？"])
    assert second.startswith("answer|gba-ai-robotics-conference-2025")
    _, fund = talk(assistant, ["国家人工智能产业投资基金有什么作用？", "广东自己有没有相关基金"])
    assert fund.startswith("answer|gd-intelligent-industry-fund")


def test_a_ceremony_says_when(assistant: Assistant) -> None:
    """The fund started 成立仪式上: that is the when the sources give."""
    reply = assistant.reply("智能產業基金是甚麼時候啟動的？")
    assert (reply.mode, reply.fact_ids[0]) == ("answer", "gd-intelligent-industry-fund")


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("我想了解一下南沙那个AI教育交流活动", "gba-ai-talent-exchange-2025"),
        ("What was the Nansha event on AI education about?", "gba-ai-talent-exchange-2025"),
        ("八部門搞嘅「人工智能+製造」專項行動有啲咩重點？", "ai-manufacturing-plan"),
        ("南沙活动上各位嘉宾都说了啥", None),
    ],
)
def test_wanting_to_learn_about_a_thing_is_a_digest(
    assistant: Assistant, question: str, first: str | None
) -> None:
    """想了解 with nothing asked of the thing, what X was about, its 重点: a briefing, and
    the marker never swallows the topic it frames."""
    reply = assistant.reply(question)
    assert reply.mode == "overview"
    assert len(reply.fact_ids) >= 3
    if first is not None:
        assert reply.fact_ids[0] == first


def test_one_thing_asked_after_wanting_to_learn_is_answered(assistant: Assistant) -> None:
    """想了解…最大的挑战 asks one thing; 重点行业 names the key industries, not 重点."""
    assert assistant.reply("人工智能+製造有咩重點行業？").mode == "answer"
    reply = assistant.reply("我想了解一下澳门培正中学推行AI教育遇到的最大挑战")
    assert (reply.mode, reply.fact_ids[0]) == ("answer", "pui-ching-macau-ai-teachers")


def test_what_a_speaker_said_at_an_event_is_what_they_said(assistant: Assistant) -> None:
    """邓飞's words never name 南沙, but he spoke at the Nansha event; a place his story is
    not about (深圳) is still refused."""
    reply = assistant.reply("What did Tang Fei say about AI education at the Nansha event?")
    assert reply.mode == "overview"
    assert set(reply.fact_ids) == {"deng-fei-data-sharing", "deng-fei-teacher-exchange"}
    said = assistant.reply("What did Zhang Zesong of CityU say?")
    assert (said.mode, said.fact_ids[0]) == ("answer", "zhang-zesong-hk-universities")
    assert assistant.reply("邓飞在深圳说了什么").mode == "refusal"


def test_keyboard_mash_in_a_conversation_leans_on_nothing(assistant: Assistant) -> None:
    """A mash after an answer is no question about its topic; a slot word still is."""
    opening = "粤港澳大湾区人工智能与机器人产业大会什么时候开？"
    _, mash = talk(assistant, [opening, "jdksla;;;fjk"])
    assert mash.startswith("refusal|")
    _, summary = talk(assistant, [opening, "总结一下"])
    assert summary.startswith("overview|gba-ai-robotics-conference-2025")
