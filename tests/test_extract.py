from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.extract import article_lines, candidates, figure_note, render
from bot.factbase import FactBase
from tests.conftest import SEEDS
from tests.test_factbase import run_cli


def test_candidates_carry_figures_titles_and_coverage(factbase: FactBase) -> None:
    article = factbase.articles["003_e4cacd47aa45c301"]
    found = candidates(article_lines("", article), factbase.facts, article.id)
    targets = next(c for c in found if "推广500个典型应用场景" in c.quote)
    assert {"100个", "500个"} <= {f.text for f in targets.figures}
    assert targets.covered_by == ("ai-manufacturing-2027-models-data",)
    plan = next(c for c in found if "专项行动实施意见" in c.quote)
    assert plan.kind == "policy"
    assert "《“人工智能+制造”专项行动实施意见》" in plan.titles
    assert all(c.quote in article.text for c in found)


def test_rendered_candidates_are_fact_shaped_yaml(factbase: FactBase) -> None:
    article = factbase.articles["004_63350820a088568a"]
    found = candidates(article_lines("", article), factbase.facts, article.id)
    entries = yaml.safe_load(render(found, article.id))
    assert len(entries) == len(found) > 10
    fund = next(e for e in entries if "目標規模100億元" in e["sources"][0]["quote"])
    assert "广东省智能产业基金正式启动,目标规模100亿元" in fund["answer"]  # simplified
    assert set(fund) == {"id", "draft", "kind", "title", "answer", "keywords", "sources"}
    assert fund["draft"] is True  # not served until an editor confirms it


@pytest.mark.e2e
def test_unregistered_page_is_cleaned_generically(tmp_path: Path) -> None:
    page = tmp_path / "new_article.txt"
    shutil.copy(SEEDS / "002_92d9c6da6259acf3.txt", page)
    result = run_cli("extract", str(page))
    assert result.returncode == 0, result.stderr
    assert "SUSHUAPOS" not in result.stdout  # the watermark goes even without a profile
    assert "1519所义务教育阶段学校" in result.stdout
    assert "already quoted by" not in result.stdout  # no fact cites an unknown article


@pytest.mark.e2e
def test_extract_reports_unreadable_file(tmp_path: Path) -> None:
    page = tmp_path / "binary.txt"
    page.write_bytes(b"\xff\xfe\x00")
    result = run_cli("extract", str(page))
    assert result.returncode == 2
    assert "cannot read as UTF-8 text" in result.stderr


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        (
            "第九届“创客广东”人工智能与机器人中小企业创新创业大赛将推动中小微企业创业创新。",
            "initiative",
        ),
        ("2025年5月7日,首届广东省人工智能与机器人技能大赛在广州举行。", "event"),
        ("联盟发起的2025年度广东省卓越人工智能与机器人奖(XAIR奖),将评选优秀成果。", "initiative"),
        ("2025年6月6日,广东省人工智能与机器人产业联盟在广州正式成立。", "organization"),
        ("澳门培正中学校长高锦辉介绍,该校在大湾区有10多所姐妹学校。", "person"),
        ("工信部等八部门联合印发《“人工智能+制造”专项行动实施意见》。", "policy"),
        ("49所中小学代表联合发起《内地与港澳AI科创人才协同培养倡议》。", "initiative"),
        ("目前,全省共有技工院校148所,在校生约66.7万人。", "statistic"),
    ],
)
def test_kinds_by_what_a_sentence_does(sentence: str, kind: str) -> None:
    [found] = candidates([sentence])
    assert found.kind == kind


def test_guessed_kinds_agree_with_the_curated_facts(factbase: FactBase) -> None:
    """Over every sentence a curated fact quotes, the kind proposed is one of those facts'
    kinds (measured: 59 of 66; the rules were written looking at these articles, so a new
    article will do somewhat worse)."""
    agree = total = 0
    for article in factbase.articles.values():
        lines = article_lines("", article)
        for found in candidates(lines, factbase.facts, article.id, factbase.glossary):
            if found.covered_by:
                total += 1
                agree += found.kind in {factbase.by_id[i].kind for i in found.covered_by}
    assert total > 50
    assert agree / total >= 0.85


def test_keywords_are_names_and_terms(factbase: FactBase) -> None:
    [fair] = candidates(
        ["5月7日,才聚湾区·智造未来——第九届广东省技能人才双选会在东莞举办,一个平台两大板块。"],
        glossary=factbase.glossary,
    )
    assert {"双选会", "东莞"} <= set(fair.keywords)
    assert not {"一个", "九届", "第九届", "两大"} & set(fair.keywords)
    [base] = candidates(
        ["活动现场,东莞市技师学院与华为技术有限公司共建的数字经济人才培养基地正式揭牌。"]
    )
    assert {"东莞市技师学院", "数字经济人才培养基地", "华为技术有限公司"} <= set(base.keywords)


def test_figures_come_with_their_units(factbase: FactBase) -> None:
    [jobs] = candidates(["线下双选会共吸引345家企事业单位,提供就业岗位逾7000个,目标规模100亿元。"])
    notes = [figure_note(f) for f in jobs.figures]
    assert notes == [
        "345家 = 345 bodies/schools", "逾7000个 = at least 7000 items",
        "100亿元 = 1e+10 money",
    ]  # fmt: skip
    assert "# figures: 345家 = 345 bodies/schools" in render([jobs], "x_1")


def test_a_draft_file_is_listed_by_the_check_and_never_served(scratch_facts: Path) -> None:
    out = scratch_facts / "zz-drafts.yaml"
    result = run_cli("extract", str(SEEDS / "003_e4cacd47aa45c301.txt"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    drafts = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert drafts
    assert all(d["draft"] is True for d in drafts)
    base = FactBase.load(scratch_facts, SEEDS)
    assert len(base.drafts) == len(drafts)
    assert not {d["id"] for d in drafts} & set(base.by_id)  # not served
    assert "title is still TODO" in str(base.drafts[0])
    checked = run_cli("facts", "check", facts=scratch_facts)
    assert checked.returncode == 0, checked.stderr  # drafts are not errors
    assert f"{len(drafts)} draft(s), not served" in checked.stdout
    assert f"{out}:" in checked.stdout

    # The editor confirms the first one: it is then a fact, checked as every fact is.
    first = {k: v for k, v in drafts[0].items() if k != "draft"} | {"title": "新的资料"}
    out.write_text(yaml.safe_dump([first, *drafts[1:]], allow_unicode=True), encoding="utf-8")
    confirmed = FactBase.load(scratch_facts, SEEDS)
    assert first["id"] in confirmed.by_id
    assert len(confirmed.drafts) == len(drafts) - 1
