from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.factbase import KINDS, FactBase
from bot.figures import chinese_figures, unsupported
from bot.problems import FactBaseError
from bot.text import to_simplified
from bot.yamlfile import MAX_FILE_BYTES
from tests.conftest import ROOT, SEEDS, WriteFacts

GOOD = """\
- id: techschools-count
  kind: statistic
  title: 广东技工院校数量
  answer: 广东全省共有技工院校148所，在校生约66.7万人。
  keywords: [技工院校, 技校]
  sources:
    - article: 000_50a960679ae68f1d
      quote: 目前,全省共有技工院校148所,在校生约66.7万人
"""


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(FactBaseError) as caught:
        FactBase.load(folder, SEEDS)
    return [str(p) for p in caught.value.problems]


def only_problem(path: Path) -> str:
    found = problems_of(path.parent)
    assert len(found) == 1, found
    return found[0]


# --- the shipped fact base ------------------------------------------------------------------


def test_shipped_fact_base_is_complete(factbase: FactBase) -> None:
    assert 60 <= len(factbase.facts) <= 100
    assert set(Counter(f.kind for f in factbase.facts)) == set(KINDS)
    cited = {q.article for f in factbase.facts for q in f.sources}
    assert cited == set(factbase.articles)
    assert len(factbase.by_id) == len(factbase.facts)


def test_every_figure_in_the_articles_is_carried_by_an_answer(factbase: FactBase) -> None:
    """The curation promise: no figure of an article's real content is left unanswerable."""
    for article in factbase.articles.values():
        answers = "\n".join(
            to_simplified(f.answer)
            for f in factbase.facts
            if any(q.article == article.id for q in f.sources)
        )
        body = [line for line in article.simplified.splitlines() if line != str(article.published)]
        missing = unsupported(chinese_figures("\n".join(body)), chinese_figures(answers))
        assert not [f.text for f in missing], article.id


def test_event_told_by_two_articles_is_one_fact(factbase: FactBase) -> None:
    event = factbase.by_id["skills-exchange-2025"]
    assert {q.article for q in event.sources} == {"000_50a960679ae68f1d", "001_7f0051f201da3d4c"}
    assert (
        sum("双选会" in f.title and f.kind == "event" and bool(f.when) for f in factbase.facts) == 1
    )


def test_fact_base_is_immutable(factbase: FactBase) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        factbase.facts = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        factbase.by_id["x"] = factbase.facts[0]  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        factbase.facts[0].answer = "改写"  # type: ignore[misc]


def test_when_ranges_cover_month_and_year_precision(factbase: FactBase) -> None:
    conference = factbase.by_id["gba-ai-robotics-conference-2025"]
    assert conference.when_range is not None
    assert [d.isoformat() for d in conference.when_range] == ["2025-12-01", "2025-12-31"]
    event = factbase.by_id["skills-exchange-2025"].when_range
    assert event is not None
    assert event[0] == event[1]


# --- broken files are rejected with file:line -----------------------------------------------


def test_good_file_loads(write_facts: WriteFacts) -> None:
    base = FactBase.load(write_facts(GOOD).parent, SEEDS)
    assert [f.id for f in base.facts] == ["techschools-count"]


def test_bad_yaml_syntax(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("  keywords: [技工院校, 技校]", "  keywords: [技工院校, 技校"))
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: YAML syntax", only_problem(path))


def test_wrong_type_names_line_and_fact(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("keywords: [技工院校, 技校]", "keywords: 技工院校"))
    assert only_problem(path).startswith(f"{path}:5:13: [techschools-count] keywords:")


def test_unknown_kind_and_field(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("kind: statistic", "kind: stats\n  colour: red"))
    found = problems_of(path.parent)
    assert any(p.startswith(f"{path}:2:9: [techschools-count] kind:") for p in found), found
    assert any(f"{path}:3:" in p and "colour: Extra inputs are not permitted" in p for p in found)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("keywords: [技工院校, NO]", "keywords.1: Input should be a valid string"),  # YAML 1.1 bool
        ("keywords: [技工院校, 12:30]", "keywords.1: Input should be a valid string"),  # base 60
        ("keywords: []", "keywords: Tuple should have at least 1 item"),
        ("keywords: [技校, 技校]", "listed twice: 技校"),
        ("keywords: [技工院校, '']", "keywords.1: String should have at least 1 character"),
    ],
)
def test_yaml_surprises_and_empty_keywords(write_facts: WriteFacts, text: str, where: str) -> None:
    path = write_facts(GOOD.replace("keywords: [技工院校, 技校]", text))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:5:"), problem
    assert where in problem, problem


def test_duplicate_id_across_files(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD)
    (path.parent / "again.yaml").write_text("# the same fact twice\n" + GOOD, encoding="utf-8")
    problem = only_problem(path)
    assert problem.startswith(f"{path}:1:7: [techschools-count] duplicate id; first defined at")
    assert f"{path.parent / 'again.yaml'}:2" in problem


def test_duplicate_key_in_a_fact(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("  kind: statistic\n", "  kind: statistic\n  kind: event\n"))
    assert only_problem(path) == f"{path}:3:3: duplicate key 'kind'"


def test_quote_not_in_article(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("在校生约66.7万人\n", "在校生约67万人\n"))
    found = problems_of(path.parent)
    assert f"{path}:8:14: [techschools-count] quote is not in article 000_50a960679ae68f1d" in found


def test_simplified_quote_of_traditional_article_gets_a_hint(write_facts: WriteFacts) -> None:
    text = GOOD.replace("000_50a960679ae68f1d", "001_7f0051f201da3d4c").replace(
        "目前,全省共有技工院校148所", "目前,广东共有技工院校148所"
    )
    problem = only_problem(write_facts(text))
    assert "quote the page's traditional characters: 目前,廣東共有技工院校148所" in problem


def test_figure_not_in_quote(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("技工院校148所，", "技工院校150所，"))
    assert only_problem(path) == (
        f"{path}:4:11: [techschools-count] answer states 150所, which no quote contains"
    )


def test_chinese_numeral_figure_not_in_quote(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD.replace("广东全省共有", "广东三大区共有"))
    assert "answer states 三大, which no quote contains" in only_problem(path)


def test_alias_bomb_is_refused_before_expansion(write_facts: WriteFacts) -> None:
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        bomb.append(f"{name}: &{name} [*{previous},*{previous},*{previous},*{previous}]")
    path = write_facts("\n".join(bomb) + "\n")
    assert only_problem(path) == f"{path}:1:4: YAML anchors (&name) are not allowed"
    path = write_facts(GOOD + "- *x\n")
    assert only_problem(path) == f"{path}:9:3: YAML aliases (*name) are not allowed"


def test_python_tags_are_refused(write_facts: WriteFacts) -> None:
    path = write_facts(
        GOOD.replace("title: 广东技工院校数量", "title: !!python/object/apply:os.getcwd []")
    )
    assert "tag tag:yaml.org,2002:python/object/apply:os.getcwd is not allowed" in only_problem(
        path
    )


def test_impossible_date_becomes_a_problem_not_a_crash(write_facts: WriteFacts) -> None:
    path = write_facts(GOOD + "  when: 2025-13-45\n")
    assert only_problem(path).startswith(f"{path}:9:9: cannot read value '2025-13-45'")


def test_month_precision_when_and_bad_when(write_facts: WriteFacts) -> None:
    dated = "    - article: 000_50a960679ae68f1d\n      quote: 5月7日,才聚湾区•智造未来\n"
    base = FactBase.load(write_facts(GOOD + dated + "  when: 2025-05\n").parent, SEEDS)
    assert base.facts[0].when == "2025-05"  # the month is quoted, the year is the article's
    path = write_facts(GOOD + '  when: "2025-02-30"\n')
    assert only_problem(path).startswith(f"{path}:9:9: [techschools-count] when: Value error, day")
    path = write_facts(GOOD + "  when: 2025-02-30\n")  # unquoted: YAML itself fails to read it
    assert "cannot read value '2025-02-30': day is out of range" in only_problem(path)


def test_oversized_invalid_and_deep_files(write_facts: WriteFacts) -> None:
    path = write_facts("#" * (MAX_FILE_BYTES + 1))
    assert (
        only_problem(path)
        == f"{path}:1:1: file is {MAX_FILE_BYTES + 1} bytes; the limit is {MAX_FILE_BYTES}"
    )
    path.write_bytes(GOOD.encode() + b"  place: \xff\xfe\n")
    assert only_problem(path) == f"{path}:9:10: not valid UTF-8"
    path.write_text("[" * 50_000, encoding="utf-8")
    assert only_problem(path) == f"{path}:1:1: YAML is nested too deeply"


def test_empty_file_and_non_list(write_facts: WriteFacts) -> None:
    path = write_facts("")
    assert only_problem(path) == f"{path}:1:1: expected a list of facts"
    path = write_facts("id: x\n")
    assert only_problem(path) == f"{path}:1:1: expected a list of facts"


def test_unknown_article_and_related(write_facts: WriteFacts) -> None:
    text = (
        GOOD.replace("article: 000_50a960679ae68f1d", "article: 999_missing")
        + "  related: [nope]\n"
    )
    found = problems_of(write_facts(text).parent)
    assert any("unknown article '999_missing'" in p for p in found)
    assert any("related id 'nope' is not another fact" in p for p in found)


def test_keywords_and_questions_name_only_places_the_fact_is_about(write_facts: WriteFacts) -> None:
    text = GOOD.replace("keywords: [技工院校, 技校]", "keywords: [技工院校, 上海技校]")
    problem = only_problem(write_facts(text + "  questions: [广东有几多间技校？]\n"))
    assert "keywords: '上海技校' names 上海, which the fact is not about" in problem
    questions = GOOD + "  questions: [深圳有多少所技工院校？]\n"
    assert "questions: '深圳有多少所技工院校？' names 深圳" in only_problem(write_facts(questions))


def test_all_problems_are_reported_at_once(write_facts: WriteFacts) -> None:
    second = GOOD.replace("techschools-count", "second-fact").replace("148所，", "149所，")
    path = write_facts(GOOD.replace("kind: statistic", "kind: nonsense") + second)
    found = problems_of(path.parent)
    assert len(found) == 2
    assert found[0].startswith(f"{path}:2:")
    assert found[1].startswith(f"{path}:12:")


def test_broken_source_profile_points_at_sources_yaml(scratch_facts: Path) -> None:
    sources = scratch_facts / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(
        text.replace("end: 踏浪前行,勇立潮頭。", "end: 不在页面上"), encoding="utf-8"
    )
    found = problems_of(scratch_facts)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "踏浪前行" in s)
    assert (
        f"{sources}:{line}:8: [004_63350820a088568a] end marker '不在页面上' matches no line"
        in " ".join(found)
    )
    # facts quoting the now-missing article are reported too, not silently dropped
    assert any("unknown article '004_63350820a088568a'" in p for p in found)


# --- reloads and the command line -----------------------------------------------------------


def test_diff_names_added_removed_and_changed(scratch_facts: Path, factbase: FactBase) -> None:
    path = scratch_facts / "skills-exchange-2025.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("双选会现场签约293人。", "双选会现场签约293人（现场数据）。")
    text = text.replace("job-fair-resumes", "job-fair-cvs")  # the id and every reference to it
    path.write_text(text, encoding="utf-8")
    diff = factbase.diff(FactBase.load(scratch_facts, SEEDS))
    assert diff.added == ("job-fair-cvs",)
    assert diff.removed == ("job-fair-resumes",)
    assert "job-fair-signed" in diff.changed
    assert not factbase.diff(factbase)


def run_cli(*args: str, facts: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BAYBRIEF_FACTS_DIR": str(facts or ROOT / "facts")}
    env["BAYBRIEF_SEEDS_DIR"] = str(SEEDS)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.mark.e2e
def test_facts_check_command(write_facts: WriteFacts) -> None:
    good = run_cli("facts", "check")
    assert good.returncode == 0, good.stderr
    assert re.fullmatch(
        r"ok: \d+ facts \(event \d+, .*\); per article: .*\nstatements quoted: \d+/\d+ .*\n",
        good.stdout,
    )
    path = write_facts(GOOD.replace("148所，", "150所，") + GOOD.replace("statistic", "stat"))
    bad = run_cli("facts", "check", facts=path.parent)
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert lines[0].startswith(f"{path}:4:11: [techschools-count] answer states 150")
    assert lines[1].startswith(f"{path}:10:")
    assert lines[-1] == f"2 problem(s) in {path.parent}"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("answer_en", "Guangdong has 148 technical schools and 1.5 million students.",
         "answer_en states 1.5 million, which no quote contains"),
        ("title_en", "The 150 technical schools", "title_en states 150, which no quote contains"),
        ("answer", "广东全省共有技工院校66.7所，在校生148万人。",
         "answer states 66.7所, 148万人, which no quote contains"),
        ("answer", "广东技工院校在校生三成来自外省。",
         "answer states 三成, which no quote contains"),
        ("place", "深圳", "place '深圳' is not named in any quote"),
    ],
)  # fmt: skip
def test_every_shown_field_is_checked(
    write_facts: WriteFacts, field: str, value: str, message: str
) -> None:
    """Invented figures, figures moved to another unit, and places no quote names."""
    text = GOOD.replace("  keywords:", f"  {field}: {value}\n  keywords:")
    if field == "answer":
        text = GOOD.replace("广东全省共有技工院校148所，在校生约66.7万人。", value)
    assert only_problem(write_facts(text)).endswith(message)


def test_an_english_answer_with_the_quotes_figures_verifies(write_facts: WriteFacts) -> None:
    english = "Guangdong has 148 technical schools with about 667,000 students."
    path = write_facts(GOOD.replace("  keywords:", f"  answer_en: {english}\n  keywords:"))
    assert FactBase.load(path.parent, SEEDS).by_id["techschools-count"].answer_en == english
