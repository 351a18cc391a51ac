"""Top-1 accuracy and refusal rate on the labelled questions (targets: 95% and 95%).

tests/data/questions.yaml was written independently of the matcher and then used to tune it;
tests/data/heldout.yaml was written later by someone who saw neither the matcher nor the first
set, and was only ever scored. Both are printed; run `pytest -s tests/test_evaluation.py`.
"""

from __future__ import annotations

import pytest

from bot.matcher import Matcher
from tests.evaluation import Labelled, Score, load, score

TARGET = 0.95


def run(matcher: Matcher, items: list[Labelled]) -> Score:
    def answer(question: str) -> str | None:
        outcome = matcher.match(question)
        return outcome.matches[0].fact.id if outcome.answered else None

    return score(items, answer)


def test_tuning_set(matcher: Matcher) -> None:
    items = load("questions.yaml")
    assert len(items) >= 200
    assert sum(not i.answerable for i in items) >= 40
    total = run(matcher, items)
    for half in ("dev", "test"):
        print(f"\nquestions.yaml {half} half: {run(matcher, [i for i in items if i.half == half])}")
    print(f"\nquestions.yaml all: {total}")
    for question, expected, got in total.wrong:
        print(f"  {question!r}: expected {expected}, got {got}")
    assert total.accuracy >= TARGET
    assert total.refusal_rate >= TARGET


def test_heldout_set(matcher: Matcher) -> None:
    """Never used for tuning: scored after tuning (80.0% top-1, 92.0% refusals) and again after
    keywords and sample questions were added by a curator who never saw it (89.3%, 92.0%).
    Both are below the 95% targets and reported as such; this floor only catches regressions."""
    items = load("heldout.yaml")
    assert len(items) >= 200
    result = run(matcher, items)
    print(f"\nheldout.yaml: {result}")
    assert result.accuracy >= 0.87
    assert result.refusal_rate >= 0.90


def test_refuses_a_huge_paste(matcher: Matcher) -> None:
    paste = "广东人工智能与机器人产业联盟成立，技工院校148所。" * 400
    assert len(paste) > 10_000
    assert not matcher.match(paste).answered


@pytest.mark.parametrize("tag", ["traditional", "cantonese", "typo", "english", "zerowidth"])
def test_no_kind_of_question_is_left_behind(matcher: Matcher, tag: str) -> None:
    """Each kind of phrasing keeps most of its questions answered (guards against a regression
    hidden by the overall average)."""
    items = [i for i in load("questions.yaml") if tag in i.tags and i.answerable]
    assert len(items) >= 5
    assert run(matcher, items).accuracy >= 0.85
