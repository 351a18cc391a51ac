"""How the bot does on labelled questions, per kind of question, through the assistant.

Every set was written from the raw articles by a helper session that saw neither the bot's code
nor its facts (tests/data/FORMAT.md). The *-tuning sets and the two older sets have been used to
tune the matcher, the decision and the word lists: their figures flatter the bot and only guard
against regressions. A *-heldout set is scored once, at the end of a round of work, and its
figure is the honest estimate; the tests below it hold a floor just under that figure.

Run `pytest -s tests/test_evaluation.py` to see every figure (the held-out misses are never
printed, so that nobody tunes on them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.evaluation import Case, Judge, Part, Report, asking, evaluate, load
from bot.factbase import FactBase
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
KINDS = ("simplified", "traditional", "cantonese", "typo", "paraphrase", "wrapped", "multipart",
         "english", "mixed", "overview", "followup")  # fmt: skip
TARGET = 0.95  # the target for answers and refusals; not yet met, see the floors
# Regression floors on the sets tuned on, just under what the bot scores on them today.
FLOORS: dict[str, dict[str, float]] = {
    "questions.yaml": {"answer": 0.94, "refusal": 0.93},
    "heldout.yaml": {"answer": 0.93, "refusal": 0.96},
    "understanding-tuning.yaml": {"answer": 0.83, "refusal": 0.96},
    "english-tuning.yaml": {"answer": 0.86, "refusal": 0.95, "language": 0.99},
    "briefings-tuning.yaml": {"answer": 0.86, "refusal": 0.87, "overview": 0.85},
}


# The held-out sets, each scored once on 2026-12-01 at the end of a round (README "Measured").
# All but the fourth round's are spent and have been tuned on since; their floors sit a point or
# two under today's figure and only guard against regressions: the next honest figure needs a
# fresh set written blind (tests/data/FORMAT.md).
HELDOUT_FLOORS: dict[str, dict[str, float]] = {
    "understanding-heldout.yaml": {"answer": 0.85, "refusal": 0.94},
    "english-heldout.yaml": {"answer": 0.88, "refusal": 0.92, "language": 0.99},
    "briefings-heldout.yaml": {"answer": 0.84, "refusal": 0.86, "overview": 0.80},
    # The second round's fresh sets, written blind while the first ones were being tuned on,
    # scored once at aa8eb5f: single questions 83.8/89.4, briefings 87.5/80.3, overviews 79.8.
    # Spent since and tuned on (branch understand3): floors under today's 84.2/90.6, 89.6/85.2.
    "fresh-heldout.yaml": {"answer": 0.84, "refusal": 0.93, "language": 0.98},
    "fresh-briefings-heldout.yaml": {"answer": 0.92, "refusal": 0.85, "overview": 0.83},
    # The third round's blind set (single questions, overviews and dialogues in one file),
    # scored once at 28dca32: answers 84.2, refusals 87.3, overviews 61.4, follow-ups 66.7.
    "third-heldout.yaml": {"answer": 0.87, "refusal": 0.92, "overview": 0.71, "language": 0.98},
    # The fourth round's blind sets (720 single questions; 143 overviews and 52 dialogues),
    # written while round three was tuned on and scored once at 042967e: answers 86.1,
    # refusals 87.2, English 78.5, language 99.6; briefings: overviews 77.6, refusals 95.2,
    # follow-ups 86.9 with 3 wrong referents. Tuned on since.
    "fourth-heldout.yaml": {"answer": 0.85, "refusal": 0.87, "language": 0.98},
    "fourth-briefings-heldout.yaml": {"answer": 0.86, "refusal": 0.93, "overview": 0.78},
    # The fifth round's (725 single questions; 146 overviews and 56 dialogues), written while
    # round four was tuned on, scored once at b9741ba: answers 85.4, refusals 88.5, English
    # 82.2, language 99.1; briefings: overviews 80.4, refusals 85.9, follow-ups 78.5 with 1
    # wrong referent. Tuned on since.
    "fifth-heldout.yaml": {"answer": 0.83, "refusal": 0.86, "language": 0.97},
    "fifth-briefings-heldout.yaml": {"answer": 0.81, "refusal": 0.83, "overview": 0.78},
    # The sixth round's (698 single questions; 144 overviews and 61 dialogues), written while
    # round five was tuned on, scored once at 5a38985: answers 88.6, refusals 94.5, English
    # 81.9, language 98.6; briefings: overviews 78.0, refusals 86.8, follow-ups 81.6 with 1
    # wrong referent. Tuned on since.
    "sixth-heldout.yaml": {"answer": 0.86, "refusal": 0.92, "language": 0.97},
    "sixth-briefings-heldout.yaml": {"answer": 0.82, "refusal": 0.84, "overview": 0.76},
    # The seventh round's (719 single questions; 140 overviews and 56 dialogues), written while
    # round six was tuned on, scored once at f51c52a: answers 86.8, refusals 90.0, English
    # 78.4, paraphrase 69.4, language 98.3; briefings: overviews 82.5, refusals 83.9,
    # follow-ups 80.9 with 5 wrong referents. Tuned on since.
    "seventh-heldout.yaml": {"answer": 0.84, "refusal": 0.88, "language": 0.96},
    "seventh-briefings-heldout.yaml": {"answer": 0.78, "refusal": 0.81, "overview": 0.80},
    # The eighth round's (583 single questions; 133 overviews and 56 dialogues), written while
    # round seven was tuned on, scored once at 9e359dc: answers 82.8, refusals 90.4, English
    # 83.3, Cantonese 79.8, paraphrase 73.6, language 98.9; briefings: overviews 68.8,
    # refusals 95.9, follow-ups 88.3 with 4 wrong referents. Tuned on since.
    "eighth-heldout.yaml": {"answer": 0.80, "refusal": 0.88, "language": 0.96},
    "eighth-briefings-heldout.yaml": {"answer": 0.83, "refusal": 0.93, "overview": 0.66},
    # The ninth round's (634 single questions; 137 overviews and 58 dialogues), written while
    # round eight was tuned on, scored once at 3de1719: answers 87.0, refusals 92.4, English
    # 83.7, paraphrase 74.5, language 98.5; briefings: overviews 71.0, refusals 96.7,
    # follow-ups 87.8 with 2 wrong referents. Tuned on since.
    "ninth-heldout.yaml": {"answer": 0.86, "refusal": 0.90, "language": 0.96},
    "ninth-briefings-heldout.yaml": {"answer": 0.85, "refusal": 0.94, "overview": 0.70},
    # The tenth round's (569 single questions; 136 overviews and 58 dialogues), written while
    # round nine was tuned on, scored once at 2756eaa: answers 82.6, refusals 92.3, English
    # 82.4, Cantonese 79.2, paraphrase 78.2, language 98.3; briefings: overviews 64.7,
    # refusals 90.6, follow-ups 80.6 with 3 wrong referents. Tuned on since.
    "tenth-heldout.yaml": {"answer": 0.80, "refusal": 0.90, "language": 0.96},
    "tenth-briefings-heldout.yaml": {"answer": 0.83, "refusal": 0.88, "overview": 0.62},
    # The eleventh round's (644 single questions; 135 overviews and 61 dialogues), written
    # while round ten was tuned on, scored once at a6a6810: answers 87.3, refusals 93.1,
    # English 88.4, traditional 75.8, paraphrase 82.1, language 97.6; briefings: overviews
    # 76.3, refusals 91.3, follow-ups 81.6 with 6 wrong referents. Tuned on since.
    "eleventh-heldout.yaml": {"answer": 0.85, "refusal": 0.91, "language": 0.95},
    "eleventh-briefings-heldout.yaml": {"answer": 0.78, "refusal": 0.89, "overview": 0.74},
    # The twelfth round's (704 single questions; 130 overviews and 62 dialogues), written
    # while round eleven was tuned on, scored once at d9ff514: answers 90.3, refusals 93.1,
    # English 86.8, traditional 96.6, Cantonese 91.0, paraphrase 83.7, language 97.6;
    # briefings: answers 87.4, overviews 63.8 (English 17/34), refusals 83.3, follow-ups 83.3
    # with 2 wrong referents. Tuned on since.
    "twelfth-heldout.yaml": {"answer": 0.88, "refusal": 0.91, "language": 0.95},
    "twelfth-briefings-heldout.yaml": {"answer": 0.85, "refusal": 0.81, "overview": 0.61},
    # The thirteenth round's (690 single questions; 121 overviews and 60 dialogues), written
    # while round twelve was tuned on, scored once at 6f333d7: answers 85.1, refusals 91.1,
    # English 79.4, paraphrase 76.5, language 100; briefings: answers 88.7, overviews 68.0
    # (English 17/32), refusals 88.7, follow-ups 85.6 with 1 wrong referent. Tuned on since.
    "thirteenth-heldout.yaml": {"answer": 0.83, "refusal": 0.89, "language": 0.98},
    "thirteenth-briefings-heldout.yaml": {"answer": 0.86, "refusal": 0.86, "overview": 0.66},
    # The fourteenth round's (691 single questions; 120 overviews and 61 dialogues), written
    # while round thirteen was tuned on, scored once at 910f256: answers 82.0, refusals 92.1,
    # English 77.7, paraphrase 72.1, mixed 71.4, language 98.4; briefings: answers 91.0,
    # overviews 87.8 (English 22/29), refusals 91.7, follow-ups 89.9 with 3 wrong referents.
    # Tuned on since.
    "fourteenth-heldout.yaml": {"answer": 0.80, "refusal": 0.90, "language": 0.96},
    "fourteenth-briefings-heldout.yaml": {"answer": 0.89, "refusal": 0.89, "overview": 0.85},
    # The fifteenth round's (698 single questions; 125 overviews and 61 dialogues), written
    # while round fourteen was tuned on and scored once at 1b223f5: answers 78.9 (English
    # 61.0), refusals 93.7, language 98.7; briefings: answers 88.9, overviews 71.8,
    # refusals 82.1, follow-ups 81.5 with 3 wrong referents. The latest honest figure.
    "fifteenth-heldout.yaml": {"answer": 0.77, "refusal": 0.91, "language": 0.96},
    "fifteenth-briefings-heldout.yaml": {"answer": 0.86, "refusal": 0.80, "overview": 0.70},
}


def scored(assistant: Assistant, factbase: FactBase, path: Path) -> Report:
    report = evaluate(load(path), asking(assistant), factbase)
    print(f"\n{path.name}:")
    print("\n".join(report.lines(tags=KINDS)))
    return report


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_tuning_sets(assistant: Assistant, factbase: FactBase, name: str) -> None:
    report = scored(assistant, factbase, DATA / name)
    for case, reply in report.misses:
        expected = case.refuse or "; ".join(p.answer for p in case.parts) or ",".join(case.accept)
        print(f"  miss: {case.question!r} expected {expected[:40]!r}, got {reply.mode} "
              f"{list(reply.fact_ids)[:2]}")  # fmt: skip
    for measure, floor in FLOORS[name].items():
        rate = report.language.rate if measure == "language" else report.rate(measure)
        assert rate >= floor, f"{name} {measure}: {rate:.1%} < floor {floor:.0%}"
    assert report.too_long == 0, "a reply longer than one Telegram message"


@pytest.mark.parametrize("name", sorted(HELDOUT_FLOORS))
def test_heldout_sets(assistant: Assistant, factbase: FactBase, name: str) -> None:
    """Per-kind rates only: the misses of a held-out set are never printed."""
    report = scored(assistant, factbase, DATA / name)
    for measure, floor in HELDOUT_FLOORS[name].items():
        rate = report.language.rate if measure == "language" else report.rate(measure)
        assert rate >= floor, f"{name} {measure}: {rate:.1%} < floor {floor:.0%}"
    assert report.too_long == 0, "a reply longer than one Telegram message"


@pytest.mark.parametrize("tag", ["traditional", "cantonese", "typo", "english", "zerowidth"])
def test_no_kind_of_question_is_left_behind(
    assistant: Assistant, factbase: FactBase, tag: str
) -> None:
    """Each kind of phrasing keeps most of its questions answered on the first tuning set
    (guards against a regression hidden by the overall average)."""
    cases = [c for c in load(DATA / "questions.yaml") if tag in c.tags and c.kind == "answer"]
    assert len(cases) >= 5
    report = evaluate(cases, asking(assistant), factbase)
    assert report.rate("answer") >= 0.80


def test_refuses_a_huge_paste(assistant: Assistant) -> None:
    paste = "广东人工智能与机器人产业联盟成立，技工院校148所。" * 400
    assert len(paste) > 10_000
    assert assistant.reply(paste).mode == "refusal"


def test_a_byline_shown_is_an_answer_shown(assistant: Assistant, factbase: FactBase) -> None:
    """Who wrote a report is answered from its byline, which no fact quotes: the judge reads
    the reply itself too, and still tells one reporter from another."""
    reply = assistant.reply("粤匠大模型那篇报道的记者是谁？")
    asked = Case("q", ("simplified",), parts=(Part("000", "记者 周聪 通讯员 粤仁宣", "周聪"),))
    other = Case("q", ("simplified",), parts=(Part("002", "南方财经记者陈梦璇", "陈梦璇"),))
    assert Judge(factbase).correct(asked, reply)
    assert not Judge(factbase).correct(other, reply)
