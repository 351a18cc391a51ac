"""The curation loop's to-do list: questions kept without who asked them, for as long as the
admin set, variants of one question counted together, with the closest facts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest

from bot.answers import Renderer
from bot.curation import group, key_words, render
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.records import Asked, Verdict
from bot.store import Store
from bot.text import Script

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
_tokens = (f"t{n}" for n in itertools.count())


@pytest.fixture
def store(db_target: str) -> Iterator[Store]:
    """The curation loop's queries on both engines (SQLite, and a real PostgreSQL)."""
    fresh = Store(db_target)
    yield fresh
    fresh.close()


def asked(
    matcher: Matcher,
    question: str,
    *,
    verdict: Verdict = "unanswered",
    facts: tuple[str, ...] = (),
    reason: str | None = None,
    ago: float = 1.0,
) -> Asked:
    return Asked(
        token=next(_tokens), question=question, normalised=key_words(matcher, question),
        fact_ids=facts, mode="refusal", verdict=verdict, reason=reason,
        asked_at=NOW - dt.timedelta(hours=ago),
    )  # fmt: skip


def test_variants_of_one_question_count_together(matcher: Matcher) -> None:
    schools = ("techschools-count", "techschools-robotics-majors")
    rows = [
        asked(matcher, "上海有多少所技工院校？", facts=schools),
        asked(matcher, "上海的技工院校有几所", facts=schools),
        asked(matcher, "How many technical schools are there in Shanghai?", facts=schools),
        asked(matcher, "上海技工院校数量是多少", facts=schools[:1]),
        asked(matcher, "北京有多少所技工院校？", facts=schools),  # another place: another gap
        asked(matcher, "雙選會的門票多少錢？", facts=("job-fair-resumes",)),
        asked(matcher, "双选会门票多少钱", verdict="down", reason="fact",
              facts=("skills-exchange-2025",)),
        asked(matcher, "上海"),  # one word is no variant of every question naming it
    ]  # fmt: skip
    gaps = group(rows)
    assert [g.count for g in gaps] == [4, 2, 1, 1]
    shanghai, tickets = gaps[0], gaps[1]
    assert shanghai.question == "上海有多少所技工院校？"
    assert set(shanghai.variants) == {
        "上海的技工院校有几所",
        "How many technical schools are there in Shanghai?",
        "上海技工院校数量是多少",
    }
    assert shanghai.fact_ids == schools  # most offered first
    assert {tickets.question, *tickets.variants} == {"雙選會的門票多少錢？", "双选会门票多少钱"}
    assert (tickets.down, tickets.reasons) == (1, (("fact", 1),))
    assert {g.question for g in gaps[2:]} == {"北京有多少所技工院校？", "上海"}


def test_the_list_names_the_closest_facts_and_escapes_what_was_typed(
    factbase: FactBase, matcher: Matcher
) -> None:
    rows = [asked(matcher, "<b>上海</b>有多少所技工院校", facts=("techschools-count",))] * 2
    html = render(group(rows), factbase, Renderer(html_output=True), Script.TRADITIONAL,
                  days=7, kept_days=30)  # fmt: skip
    assert "×2 &lt;b&gt;上海&lt;/b&gt;有多少所技工院校" in html  # as typed: not converted
    assert "<b>上海</b>" not in html
    assert "廣東技工院校數量和在校生 (techschools-count)" in html
    assert "保留30天" in html
    empty = render([], factbase, Renderer(html_output=False), Script.ENGLISH, days=7, kept_days=30)
    assert "No unanswered or 👎 questions in the last 7 days" in empty


def test_the_store_keeps_no_identity_and_forgets_after_the_retention(store: Store) -> None:
    for token, verdict, days in [
        ("old-gap", "unanswered", 31), ("gap", "unanswered", 29), ("old-answer", "answered", 3),
        ("answer", "answered", 1), ("old-down", "down", 31), ("down", "down", 29),
    ]:  # fmt: skip
        store.record_question(
            token=token, question=token, normalised=token, fact_ids=["f"], mode="answer",
            verdict=verdict, at=NOW - dt.timedelta(days=days),  # type: ignore[arg-type]
        )  # fmt: skip
    [row] = store._db.execute("SELECT * FROM questions WHERE token = 'gap'").fetchall()
    columns = set(dict(row))  # type: ignore[call-overload]
    assert "question" in columns
    assert not {c for c in columns if "chat" in c or "user" in c}
    pruned = store.prune_questions(
        kept_after=NOW - dt.timedelta(days=30), votes_after=NOW - dt.timedelta(days=2)
    )
    assert pruned == 3
    kept = store.asked(
        since=NOW - dt.timedelta(days=60), verdicts=("unanswered", "answered", "down")
    )
    assert {a.token for a in kept} == {"gap", "answer", "down"}


def test_votes_change_an_answer_only(store: Store) -> None:
    for token, verdict in (("answer", "answered"), ("refusal", "unanswered")):
        store.record_question(
            token=token, question="q", normalised="q", fact_ids=[], mode="answer",
            verdict=verdict, at=NOW,  # type: ignore[arg-type]
        )  # fmt: skip
    assert not store.rate(token="refusal", up=False, at=NOW)  # nothing to vote on
    assert not store.rate(token="unknown", up=True, at=NOW)
    assert not store.give_reason(token="answer", reason="fact")  # not voted down yet
    assert store.rate(token="answer", up=False, at=NOW)
    assert store.give_reason(token="answer", reason="wrong")
    assert store.verdict_counts(since=NOW - dt.timedelta(days=1)) == {"down": 1, "unanswered": 1}
    [down] = store.asked(since=NOW - dt.timedelta(days=1), verdicts=("down",))
    assert down.reason == "wrong"
    assert store.rate(token="answer", up=True, at=NOW)  # changed their mind: the last vote
    assert store.asked(since=NOW - dt.timedelta(days=1), verdicts=("down",)) == []
