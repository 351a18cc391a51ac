from __future__ import annotations

from pathlib import Path

import jieba
import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.factbase import FactBase
from bot.segment import GENERAL_DICTIONARY
from bot.text import (
    Script,
    _canonical_chinese,
    _converter,
    _may_change,
    chinese_numerals_to_digits,
    detect_script,
    is_english,
    normalise,
    strip_invisible,
    to_simplified,
    to_traditional,
)
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("雙選會喺邊度舉辦？", "双选会在哪里举办?"),
        ("產業聯盟幾時成立？", "产业联盟什么时候成立?"),
        ("有冇技工院校開工業機械人專業？", "有没有技工院校开工业机器人专业?"),
        ("人工智慧與數位教育", "人工智能与数字教育"),
        ("ＡＩ產業聯盟　members 多少", "ai产业联盟 members 多少"),
        ("广东有多少所\u200b技工\u2060院校\ufeff", "广东有多少所技工院校"),
        ("怎麼樣", "怎么样"),  # not 怎幺样, as OpenCC's tw2sp would have it
        ("核心技术", "核心技术"),  # not 内核技术
        ("联盟七月份成立了什么", "联盟7月成立了什么"),  # a month is named as the facts name it
        ("技校學生讀緊咩專業", "技校学生在读什么专业"),
    ],
)
def test_normalise(raw: str, canonical: str) -> None:
    assert normalise(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("一百四十八所", "148所"),
        ("二零二七年", "2027年"),
        ("二〇二七年", "2027年"),
        ("第二十二届", "第22届"),
        ("六十六点七万人", "66.7万人"),
        ("两万人", "2万人"),
        ("一万一千个岗位", "11000个岗位"),
        ("三千零五家", "3005家"),
        ("十二条", "12条"),
        ("一个平台", "一个平台"),  # 一 before a measure word is an article, not a figure
        ("四川", "四川"),
        ("万人", "万人"),
    ],
)
def test_chinese_numerals_in_number_context(raw: str, digits: str) -> None:
    assert chinese_numerals_to_digits(raw) == digits


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("广东有多少所技工院校？", Script.SIMPLIFIED),
        ("廣東有幾多間技工院校？", Script.TRADITIONAL),
        ("喺度有冇人？", Script.TRADITIONAL),  # Cantonese without distinctly traditional characters
        ("How many schools?", Script.ENGLISH),
        ("", Script.SIMPLIFIED),
    ],
)
def test_detect_script(text: str, script: Script) -> None:
    assert detect_script(text) is script


def test_fast_path_skips_opencc_only_when_nothing_can_change() -> None:
    """Every OpenCC table entry that changes text contains a character of `_may_change()`."""
    folder = Path(opencc.__file__).parent / "dictionary"
    trigger = _may_change()
    for name in (
        "TSCharacters.txt",
        "HKVariantsRev.txt",
        "TSPhrases.txt",
        "HKVariantsRevPhrases.txt",
    ):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            if any(value != key for value in values.split()):
                assert trigger.intersection(key), (name, key)


def test_fast_path_agrees_with_opencc_on_the_articles() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    for line in text.splitlines():
        assert _canonical_chinese(line) == _canonical_chinese_slow(line)


def _canonical_chinese_slow(text: str) -> str:
    from bot.text import _REGIONAL_RE, _REGIONAL_WORDS

    converted = str(_converter("hk2s").convert(text))
    return _REGIONAL_RE.sub(lambda m: _REGIONAL_WORDS[m.group()], converted)


INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufe0f"])
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@given(st.text(max_size=80))
def test_normalise_is_idempotent_on_any_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(
    st.text(alphabet=st.one_of(CHINESE, st.sampled_from("０１２ＡＢａｂ，。？ 　")), max_size=40)
)
def test_normalise_is_idempotent_on_chinese(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(0, 60), INVISIBLE), max_size=6))
def test_invisible_characters_never_matter(text: str, insertions: list[tuple[int, str]]) -> None:
    noisy = text
    for position, char in insertions:
        noisy = noisy[:position] + char + noisy[position:]
    assert normalise(noisy) == normalise(text)
    assert strip_invisible(noisy) == strip_invisible(text)


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("约2500人参加了交流会", "約2500人參加了交流會"),  # not 人蔘 (ginseng)
        ("培育2至3家具有全球影响力的企业", "培育2至3家具有全球影響力的企業"),  # not 傢俱
        ("并发布人工智能应用指南", "並發佈人工智能應用指南"),  # not 併發
        ("头发", "頭髮"),  # a word's own conversion is kept
        ("智能制造", "智能製造"),
    ],
)
def test_conversion_to_traditional_never_crosses_a_word(simplified: str, traditional: str) -> None:
    assert to_traditional(simplified) == traditional


def test_every_fact_reads_right_in_both_scripts(factbase: FactBase) -> None:
    """Every fact's title and answer, converted to traditional, converts back to itself and
    holds no character that only a phrase across two words would produce (人蔘, 傢俱, 併發)."""
    convert = _converter("s2hk").convert
    tokenizer = jieba.Tokenizer(dictionary=str(GENERAL_DICTIONARY))
    found = []
    for fact in factbase.facts:
        for text in (fact.title, fact.answer):
            traditional = to_traditional(text)
            assert to_simplified(traditional) == to_simplified(text), fact.id
            whole = convert(text)  # OpenCC on the whole sentence, phrases across words
            by_word = "".join(convert(w) for w in tokenizer.cut(text, HMM=False))
            found += [
                (fact.id, text[max(0, i - 1) : i + 2], ours)
                for i, (w, b, ours) in enumerate(zip(whole, by_word, traditional, strict=True))
                if w != b and ours == w  # a character only the crossing phrase gives
            ]
    assert not found


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Who is Tang Fei (邓飞)?", True),  # a name glossed in brackets
        ("tell me about 高锦辉, the Macau principal", True),  # a name in an English sentence
        ("ｈｏｗ ｍａｎｙ ｓｃｈｏｏｌｓ", True),  # full-width Latin letters
        ("粤匠大模型是哪两家单位 jointly developed 的", False),  # Chinese around English
        ("Guangdong AI robot alliance 有幾多個 member？", False),  # asked in Chinese words
        ("WAIC上广东联盟带了哪些企业？", False),
    ],
)
def test_english_around_a_chinese_name_is_english(text: str, english: bool) -> None:
    assert is_english(text) is english
