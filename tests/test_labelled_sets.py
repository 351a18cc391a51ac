"""The labelled sets are what their brief (tests/data/FORMAT.md) says: every evidence and key
item verbatim in its article, every answer inside its evidence, and enough of each kind.

This checks the files only; it never asks the bot, so it reads the held-out sets without
spending them (a failure names the file and the entry number, not the question).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.evaluation import canon, load
from tests.conftest import ROOT, SEEDS

DATA = ROOT / "tests" / "data"
BLIND = sorted(p.name for p in DATA.glob("*-tuning.yaml")) + sorted(
    p.name for p in DATA.glob("*-heldout.yaml")
)
ARTICLES = {p.name[:3]: canon(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


def entries(name: str) -> list[tuple[str, dict[str, object]]]:
    found = []
    for number, item in enumerate(yaml.safe_load((DATA / name).read_text(encoding="utf-8"))):
        turns = item.get("turns") or [item]
        found += [(f"{name} entry {number + 1} turn {t + 1}", turn) for t, turn in enumerate(turns)]
    return found


@pytest.mark.parametrize("name", BLIND)
def test_every_label_is_verbatim_in_its_article(name: str) -> None:
    problems = []
    for where, turn in entries(name):
        for part in turn.get("expect") or []:  # type: ignore[attr-defined]
            article = ARTICLES.get(str(part["article"]))
            evidence, answer = canon(str(part["evidence"])), canon(str(part["answer"]))
            if article is None or evidence not in article or answer not in evidence:
                problems.append(where)
        for key in turn.get("key_items") or []:  # type: ignore[attr-defined]
            article = ARTICLES.get(str(key["article"]))
            if article is None or canon(str(key["item"])) not in article:
                problems.append(where)
    assert not problems, problems


@pytest.mark.parametrize("name", BLIND)
def test_each_set_is_large_enough_and_refuses_a_quarter(name: str) -> None:
    cases = load(DATA / name)
    refusals = sum(c.kind == "refusal" for c in cases)
    assert len(cases) >= 100
    assert refusals >= 0.12 * len(cases)  # briefings sets: ~20 overview + dialogue refusals
    if name.startswith(("understanding", "english")):
        assert refusals >= 0.2 * len(cases)


@pytest.mark.parametrize("name", BLIND)
def test_the_status_line_says_whether_the_set_is_spent(name: str) -> None:
    header = (DATA / name).read_text(encoding="utf-8").split("\n- ", 1)[0]
    assert "# STATUS:" in header
    if name.endswith("-heldout.yaml"):
        assert "untouched" in header or "SPENT" in header.upper()


def test_the_brief_is_kept_with_the_sets() -> None:
    assert (DATA / "FORMAT.md").read_text(encoding="utf-8").startswith("# Labelled question sets")
    assert Path(DATA / "FORMAT.md").stat().st_size > 2000


def test_the_writers_validator_agrees_and_catches_a_bad_label() -> None:
    """tests/data/validate.py is what a blind writer runs (it reads no bot code): it passes the
    committed sets and reports a label that is not in its article."""
    from tests.data.validate import canon as writer_canon
    from tests.data.validate import problems_of

    seeds = SEEDS.glob("*.txt")
    articles = {p.name[:3]: writer_canon(p.read_text(encoding="utf-8")) for p in seeds}
    for name in BLIND:
        items = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        assert problems_of(items, articles) == [], name
    invented = [{"q": "x", "expect": [{"article": "000", "evidence": "全省共有技工院校999所",
                                         "answer": "999所"}]}]  # fmt: skip
    assert problems_of(invented, articles) != []
