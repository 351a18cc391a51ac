"""Who wrote or published a report: answered from the articles' bylines and publishers
(facts/sources.yaml), verbatim as the pages print them, for journalists checking a source."""

from __future__ import annotations

import pytest

from bot.assistant import Assistant
from bot.dialogue import Context


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("这篇南沙报道是哪个记者写的？", "南方财经记者陈梦璇、研究员陶杨"),
        ("Which reporter wrote the Yuejiang model story?", "记者 周聪 通讯员 粤仁宣"),
        ("这篇讲产业联盟的文章来源是哪个公众号？", "“统战新语”微信公众号"),
    ],
)
def test_the_byline_answers_who_wrote_it(assistant: Assistant, question: str, shown: str) -> None:
    reply = assistant.reply(question)
    assert reply.mode == "answer"
    assert shown in reply.text


def test_this_report_is_the_one_just_talked_about(assistant: Assistant) -> None:
    first, context = assistant.converse("双选会在哪里举办？", None, now=0.0)
    second, _ = assistant.converse("这篇报道是谁写的", context, now=60.0)
    assert first.fact_ids[0] == "skills-exchange-2025"
    assert second.fact_ids == ("skills-exchange-2025",)
    assert "周聪" in second.text


def test_a_byline_stays_in_the_pages_script(assistant: Assistant) -> None:
    reply = assistant.reply("這篇講產業聯盟的文章來源是哪個公眾號？")
    assert "岳桐" in reply.text
    assert reply.language == "zh-Hant"


def test_no_report_named_and_none_before_is_not_guessed(assistant: Assistant) -> None:
    reply, _ = assistant.converse("这篇报道是谁写的", Context(at=0.0), now=1.0)
    assert "署名" not in reply.text
