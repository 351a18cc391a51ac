from __future__ import annotations

import re

import pytest

from bot.answers import Renderer
from bot.factbase import FactBase, quoted_figures
from bot.figures import chinese_figures, english_figures, unsupported
from bot.matcher import Matcher
from bot.text import Script, to_simplified

HTML = Renderer(html_output=True)
PLAIN = Renderer(html_output=False)


@pytest.mark.parametrize("script", list(Script))
def test_no_rendered_figure_is_missing_from_the_quotes(factbase: FactBase, script: Script) -> None:
    """The promise of the product: every figure shown is in the sentence the fact quotes."""
    for fact in factbase.facts:
        body = PLAIN.fact(fact, factbase, script).split("📰")[0]  # the source line cites dates
        shown = (
            english_figures(body)
            if script is Script.ENGLISH
            else chinese_figures(to_simplified(body))
        )
        assert not [f.text for f in unsupported(shown, quoted_figures(fact))], fact.id


def test_event_date_shown_only_when_quoted(factbase: FactBase) -> None:
    # 2025年6月6日 is in the alliance's quote; the year of 5月7日 is only our inference
    assert "📅 2025年6月6日" in PLAIN.fact(
        factbase.by_id["gd-ai-robotics-alliance"], factbase, Script.SIMPLIFIED
    )
    assert "📅" not in PLAIN.fact(
        factbase.by_id["skills-exchange-2025"], factbase, Script.SIMPLIFIED
    )


def test_answer_in_the_readers_script(factbase: FactBase, matcher: Matcher) -> None:
    traditional = PLAIN.outcome(matcher.match("雙選會喺邊度舉辦？"), factbase).text
    assert "雙選會" in traditional
    assert "东莞" not in traditional
    assert "東莞" in traditional
    simplified = PLAIN.outcome(matcher.match("产业联盟什么时候成立？"), factbase).text
    ours, quoted = simplified.split("原文：")
    assert "联盟" in ours
    assert "聯盟" not in ours
    # the quote is verbatim, in the page's own (traditional) script
    assert quoted.startswith("「2025年6月6日,廣東省人工智能與機器人產業聯盟")


def test_html_is_escaped(factbase: FactBase, matcher: Matcher) -> None:
    reply = HTML.outcome(matcher.match("<b>广东</b>有多少所技工院校 & 学生？"), factbase)
    assert reply.text.startswith("<b>")
    assert re.fullmatch(r"(?s)(?:[^<]|<b>|</b>|<i>|</i>)*", reply.text)
    about = HTML.about(factbase, Script.SIMPLIFIED)
    assert "&" not in about.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_refusals_name_what_is_missing_and_offer_topics(
    factbase: FactBase, matcher: Matcher
) -> None:
    reply = PLAIN.outcome(matcher.match("上海有多少所技工院校？"), factbase)
    assert "「上海」" in reply.text
    assert reply.choices
    assert reply.choices[0].fact_id == "techschools-count"
    nothing = PLAIN.outcome(matcher.match("asdfgh qwerty"), factbase)
    assert "do not answer" in nothing.text  # Latin letters only: answered in English


@pytest.mark.parametrize(
    "question",
    [
        "How many of the 331 member units are private companies?",
        "Which eight departments issued the AI plus manufacturing opinions?",
        "how much is a ticket to the job fair",
    ],
)
def test_an_english_refusal_names_the_missing_detail_in_english(
    factbase: FactBase, matcher: Matcher, question: str
) -> None:
    outcome = matcher.match(question)
    text = PLAIN.outcome(outcome, factbase).text
    first_line = text.splitlines()[0]
    assert first_line.startswith("Sorry")
    assert not re.search(r"[\u4e00-\u9fff]", first_line.split("cover")[-1].split("”")[-1])


def test_help_states_sources_and_date_range(factbase: FactBase) -> None:
    text = PLAIN.help(factbase, Script.TRADITIONAL)
    assert "5篇報道" in text
    assert f"{len(factbase.facts)}條資料" in text
    assert "2024年至2027年" in text
