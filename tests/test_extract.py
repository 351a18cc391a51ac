from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.extract import article_lines, candidates, render
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


def test_unregistered_page_is_cleaned_generically(tmp_path: Path) -> None:
    page = tmp_path / "new_article.txt"
    shutil.copy(SEEDS / "002_92d9c6da6259acf3.txt", page)
    result = run_cli("extract", str(page))
    assert result.returncode == 0, result.stderr
    assert "SUSHUAPOS" not in result.stdout  # the watermark goes even without a profile
    assert "1519所义务教育阶段学校" in result.stdout
    assert "already quoted by" not in result.stdout  # no fact cites an unknown article


def test_extract_reports_unreadable_file(tmp_path: Path) -> None:
    page = tmp_path / "binary.txt"
    page.write_bytes(b"\xff\xfe\x00")
    result = run_cli("extract", str(page))
    assert result.returncode == 2
    assert "cannot read as UTF-8 text" in result.stderr
