from __future__ import annotations

import hashlib
import re

import pytest

from bot.articles import CleaningError, SourceProfile, clean, generic_lines, remove_pinyin
from bot.factbase import FactBase
from bot.text import to_simplified
from tests.conftest import SEEDS

# Copied byte-for-byte from ../shared/seeds; a changed byte changes every quote's meaning.
SEED_SHA256 = {
    "000_50a960679ae68f1d": "71bed75d8920107b4edf953bb2d66cf43f18e51d4322b5e5b418d720052edd53",
    "001_7f0051f201da3d4c": "a77d539f9a2bcd0374d725fa349404556facda8f0b15c628576313e4321850f1",
    "002_92d9c6da6259acf3": "d7f89e9d6abaaeb7db263e402efe4bdf0e858756390856742a9ffdf9442a0367",
    "003_e4cacd47aa45c301": "ef6a5333b33cea25b8ae127dc6b25951b0dcdf840edd69967171118cef8e9f0a",
    "004_63350820a088568a": "7f594d14d33473a48ad2abd9834599427cc6de1a3180b13713a77d3034a4dd5b",
}
PINYIN_LEFT = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")

# Phrases from the chrome, bylines, watermarks and unrelated news around each article.
NOISE = {
    "000_50a960679ae68f1d": [
        "相关内容",
        "江苏",
        "高招",
        "电竞",
        "海尔",
        "包头",
        "佳县",
        "粉面",
        "记者 周聪",
        "2025-06-23",
    ],
    "001_7f0051f201da3d4c": [
        "央廣網",
        "編輯",
        "長按二維碼",
        "400-800-0088",
        "版權聲明",
        "關注精彩",
    ],
    "002_92d9c6da6259acf3": [
        "SUSHUAPOS",
        "速刷资讯",
        "超长裙",
        "搭配",
        "比基尼",
        "生肖",
        "台风",
        "上一篇",
        "下一篇",
        "设置",
        "日夜间",
        "本文链接",
        "声明",
        "热门资讯",
        "陈梦璇",
        "10:23:56",
    ],
    "003_e4cacd47aa45c301": [
        "黄宁生",
        "工会",
        "标题新闻",
        "国家铁路局",
        "外卖平台",
        "南方工報",
        "统一刊号",
        "投稿邮箱",
        "劳模工匠足迹",
        "视觉",
        "星期一",
    ],
    "004_63350820a088568a": ["經濟新聞精選", "2025年09月", "岳桐", "統戰新語"],
}
KEPT = {
    "001_7f0051f201da3d4c": ["(來源:廣東人社)", "產業技能人才"],
    "002_92d9c6da6259acf3": ["暨大港澳子弟学校(广州/东莞/佛山)", "智汇湾区・科创未来"],
    "003_e4cacd47aa45c301": [
        "(以下简称《意见》)",
        "在夯实人工智能赋能底座方面",
        "构建智能体分类分级",
    ],
    "004_63350820a088568a": [
        "(北京)",
        "(四川、安徽、重慶)",
        "(XAIR獎)",
        "領域實現更大發展",
        "(以下簡稱“聯盟”)",
    ],
}


@pytest.mark.parametrize(("article_id", "digest"), sorted(SEED_SHA256.items()))
def test_seeds_are_byte_for_byte(article_id: str, digest: str) -> None:
    assert hashlib.sha256((SEEDS / f"{article_id}.txt").read_bytes()).hexdigest() == digest


def test_every_seed_has_a_source_profile(factbase: FactBase) -> None:
    assert sorted(factbase.articles) == sorted(SEED_SHA256)


@pytest.mark.parametrize("article_id", sorted(SEED_SHA256))
def test_cleaned_article_has_no_pinyin_or_noise(factbase: FactBase, article_id: str) -> None:
    article = factbase.articles[article_id]
    assert not PINYIN_LEFT.findall(article.text)
    assert "?" not in article.text.replace("有没有搞头?", "")  # the mojibake is repaired
    for phrase in NOISE[article_id]:
        assert phrase not in article.text, phrase
    for phrase in KEPT.get(article_id, []):
        assert phrase in article.text, phrase
    assert article.simplified == to_simplified(article.text)


def test_titles_and_dates_are_kept(factbase: FactBase) -> None:
    for article in factbase.articles.values():
        lines = article.text.splitlines()
        if article.title:
            assert lines[0] == article.title
        if article.published:
            assert article.published.isoformat() in lines[:2]
    assert factbase.articles["002_92d9c6da6259acf3"].published.isoformat() == "2025-07-14"  # type: ignore[union-attr]
    assert factbase.articles["003_e4cacd47aa45c301"].title == "八部门推进“人工智能+制造”专项行动"
    assert factbase.articles["001_7f0051f201da3d4c"].title is None  # the page has no headline


def test_traditional_articles_lose_every_gloss(factbase: FactBase) -> None:
    raw = (SEEDS / "004_63350820a088568a.txt").read_text(encoding="utf-8")
    assert raw.count("(yè)") > 40
    text = factbase.articles["004_63350820a088568a"].text
    assert "產業" in text
    assert "(yè)" not in text
    assert "(chǎn)" not in text
    simplified = factbase.articles["004_63350820a088568a"].simplified
    assert "广东省人工智能与机器人产业联盟" in simplified


def test_remove_pinyin_leaves_real_parentheses() -> None:
    glossed = "產(chǎn)業(yè)在2025世界機器人大會(北京)與第三梯隊(四川、安徽)及(XAIR獎)和嘅(de)"
    assert (
        remove_pinyin(glossed)
        == "產業在2025世界機器人大會(北京)與第三梯隊(四川、安徽)及(XAIR獎)和嘅"
    )
    assert remove_pinyin("AI (beta) test") == "AI (beta) test"  # not after a Han character


def test_watermark_and_repeated_captions_are_removed() -> None:
    mark = "vH2速刷资讯——每天刷点最新资讯"
    raw = (
        f"正文一。{mark}\n\n正文二。{mark}\n{mark}\n活动现场\n正文三。{mark}\n活动现场\n活动现场\n"
    )
    assert generic_lines(raw) == ["正文一。", "正文二。", "正文三。"]


def _profile(**changes: object) -> SourceProfile:
    base: dict[str, object] = {
        "id": "x",
        "title": None,
        "publisher": "p",
        "script": "simplified",
        "start": "第一",
        "end": "第三",
    }
    return SourceProfile.model_validate(base | changes)


def test_markers_must_match_exactly_one_line() -> None:
    raw = "页眉\n第一段。\n第二段\n续完。\n第三段。\n页脚"
    article = clean(raw, _profile(start="第一", end="第三", join=["第二段"]))
    assert article.text == "第一段。\n第二段续完。\n第三段。"
    with pytest.raises(CleaningError, match="start marker '不存在' matches no line"):
        clean(raw, _profile(start="不存在"))
    with pytest.raises(CleaningError, match="matches 2 lines"):
        clean(raw + "\n第一段又一次", _profile(start="第一", end="第一段又"))
    with pytest.raises(CleaningError, match="title must be the first line"):
        clean(raw, _profile(title="另一个标题"))
