"""Text normalisation and script handling.

Facts and questions go through the *same* `normalise()` so that whatever a person pastes
(traditional characters, Taiwan or Hong Kong phrasing, full-width forms, zero-width characters
from chat apps) lands in one canonical simplified, case-folded form before matching.
"""

from __future__ import annotations

import enum
import functools
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, Final

import opencc
import yaml
from opencc import OpenCC

from bot.figures import DIGITS, chinese_integer

_DATA = Path(__file__).with_name("data")


def _data(name: str) -> Any:
    return yaml.safe_load((_DATA / name).read_text(encoding="utf-8"))


__all__ = [
    "Script",
    "chinese_numerals_to_digits",
    "detect_script",
    "normalise",
    "strip_invisible",
    "to_script",
    "to_simplified",
    "to_traditional",
]


class Script(enum.StrEnum):
    """How a reader writes, and so how the bot answers them (stored per chat)."""

    SIMPLIFIED = "zh-hans"
    TRADITIONAL = "zh-hant"
    ENGLISH = "en"

    @property
    def tag(self) -> str:
        """The BCP 47 tag `ask --json` reports: zh-Hans, zh-Hant or en."""
        return {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant", "en": "en"}[self.value]

    @property
    def chinese(self) -> Script:
        """The Chinese script to show Chinese text in (an English reader sees simplified)."""
        return Script.TRADITIONAL if self is Script.TRADITIONAL else Script.SIMPLIFIED


# Variation selectors are category Mn, not Cf, but are just as invisible once pasted.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACES = re.compile(r"[^\S\n]+")
_HAS_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_REGIONAL_WORDS: dict[str, str] = _data("regional.yaml")
_REGIONAL_RE = re.compile("|".join(sorted(_REGIONAL_WORDS, key=len, reverse=True)))
# Cantonese words, in simplified form, and their Mandarin equivalents, so that 双选会喺边度举办
# and 双选会在哪里举办 are the same question (bot/data/cantonese.yaml).
_CANTONESE_DATA = _data("cantonese.yaml")
_CANTONESE_WORDS: dict[str, str] = _CANTONESE_DATA["words"]
_CANTONESE_RE = re.compile("|".join(sorted(_CANTONESE_WORDS, key=len, reverse=True)))
# Chinese numerals where they count something (一百四十八所, 二零二七年, 第二十二届), turned into
# digits so they meet the figures in the facts; 四川 or 统一 are left alone.
_NUMERAL = "[〇零一二两三四五六七八九十百千万亿]"
_COUNTED = re.compile(  # not after 几/数/上/多/哪: 几百人 is vague, 哪两家 a question, not 100 or 2
    rf"(?<![几数上多哪])(?P<whole>{_NUMERAL}+?)(?:点(?P<fraction>[〇零一二三四五六七八九]+))?(?P<unit>[万亿]?)"
    "(?=[个家所人位项条届级年月日号份名次间批倍元大方部])"
)
# Cantonese words that mark a Hong Kong or Macau writer even when no character in the question
# has a distinct traditional form (喺度 alone has none; 雙選會喺邊度舉辦 has several).
_CANTONESE = re.compile("|".join(sorted(_CANTONESE_DATA["markers"], key=len, reverse=True)))


@functools.cache
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def strip_invisible(text: str) -> str:
    """Drop characters that render as nothing but break exact and fuzzy comparison."""
    text = _VARIATION_SELECTORS.sub("", text)
    if text.replace("\n", "").replace("\t", "").isprintable():  # the common case, in C
        return text
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn")
    )


def to_simplified(text: str) -> str:
    """Character-level traditional -> simplified, keeping the article's own wording."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Simplified -> Hong Kong traditional, the standard most of our traditional readers use.

    Converted word by word: OpenCC matches its phrases across word boundaries, so a whole
    sentence would come out with 人参加 as 人蔘加 (ginseng), 3家具有 as 3傢俱有 (furniture) and
    并发布 as 併發佈. Words come from jieba's general dictionary (bot/data/), in which these
    words are whole and these phrases are split.
    """
    convert = _converter("s2hk").convert
    return "".join(str(convert(word)) for word in _words_for_conversion(text))


@functools.cache
def _conversion_tokenizer() -> Any:
    import jieba  # the general dictionary only: conversion must not depend on the fact base

    jieba.setLogLevel(logging.WARNING)  # it logs "Building prefix dict" to stderr otherwise
    tokenizer = jieba.Tokenizer(dictionary=str(_DATA / "jieba_general_30k.txt"))
    tokenizer.initialize()
    return tokenizer


def _words_for_conversion(text: str) -> list[str]:
    if not _HAS_CJK.search(text):
        return [text]
    return list(_conversion_tokenizer().cut(text, HMM=False))


def to_script(text: str, script: Script) -> str:
    return to_traditional(text) if script is Script.TRADITIONAL else text


@functools.lru_cache(maxsize=8192)
def _char_kind(ch: str) -> int:
    """+1 for a character only traditional writers use, -1 for simplified-only, 0 for shared."""
    if ch < "\u3400":
        return 0
    if _converter("t2s").convert(ch) != ch:
        return 1
    if _converter("s2t").convert(ch) != ch:
        return -1
    return 0


def is_english(text: str) -> bool:
    """Latin letters and no Chinese but a name or two: a question to answer in English. An
    English sentence may gloss a name in Chinese (Who is Tang Fei (邓飞)?, tell me about 高锦辉,
    the Macau principal); mixed ones such as 粤匠大模型是哪两家单位 jointly developed 的 are
    answered in Chinese."""
    text = unicodedata.normalize("NFKC", text)
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    if letters < 2:
        return False
    if not _HAS_CJK.search(text):
        return True
    unglossed = _GLOSSED.sub("", text)
    chinese = _HAS_CJK.findall(unglossed)
    words = _ENGLISH_WORD.findall(text)
    starts_english = bool(_ENGLISH_START.match(text))
    grammar = _CHINESE_GRAMMAR.search(unglossed)  # …alliance 有幾多個 member: asked in Chinese
    return (
        starts_english and not grammar
        and len(words) >= _ENGLISH_WORDS and len(chinese) <= _NAME_CHARS
    )  # fmt: skip


_GLOSSED: Final = re.compile(r"[(（\[【「“\"'][^)）\]】」”\"']{1,12}[)）\]】」”\"']")
_ENGLISH_WORD: Final = re.compile(r"[A-Za-z]{2,}")
_ENGLISH_START: Final = re.compile(r"^\W*[A-Za-z]{2,}")
_CHINESE_GRAMMAR: Final = re.compile("[吗嗎呢几幾哪谁誰咩乜边邊嘅咗的是有么麼]|什么|什麼|多少")
_ENGLISH_WORDS: Final = 4  # English words a sentence needs to be English around a name
_NAME_CHARS: Final = 4  # Chinese characters outside brackets that are still only a name


def detect_script(text: str) -> Script:
    """The script to answer in: English for English, traditional only when the writer
    clearly used it, else simplified."""
    if is_english(text):
        return Script.ENGLISH
    balance = sum(_char_kind(ch) for ch in text)
    if balance > 0 or (balance == 0 and _CANTONESE.search(text)):
        return Script.TRADITIONAL
    return Script.SIMPLIFIED


@functools.cache
def _may_change() -> frozenset[str]:
    """Characters without which hk2s leaves a text untouched, read from OpenCC's own tables.

    OpenCC-python walks a parse tree per dictionary and costs tens of microseconds for a short
    question; most questions are already simplified, so they skip it. A character may change
    if any reading of it differs, or if it is part of a phrase that changes although none of
    its characters do on their own (沈默 -> 沉默).
    """
    folder = Path(opencc.__file__).parent / "dictionary"
    chars: set[str] = set()
    for name in ("TSCharacters.txt", "HKVariantsRev.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            if any(value != key for value in values.split()):
                chars.add(key)
    for name in ("TSPhrases.txt", "HKVariantsRevPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            if not chars.intersection(key) and any(value != key for value in values.split()):
                chars.update(key)
    return frozenset(chars)


def _canonical_chinese(text: str) -> str:
    # hk2s: traditional and Hong Kong variant characters to simplified. OpenCC's tw2sp would
    # also map Taiwan phrasing, but it rewrites ordinary mainland text too (么 -> 幺, 核心 ->
    # 内核, 效能 -> 性能), so the few regional words that matter here are mapped explicitly.
    if _may_change().intersection(text):
        text = str(_converter("hk2s").convert(text))
    return _REGIONAL_RE.sub(lambda m: _REGIONAL_WORDS[m.group()], text)


def chinese_numerals_to_digits(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        whole, fraction, unit = match.group("whole", "fraction", "unit")
        if (whole == "一" and not fraction) or not whole.strip("万亿"):
            return match.group()  # the 一 of 一个 is an article, and 万人 has no figure
        value = str(chinese_integer(whole))
        if fraction:
            value += "." + "".join(str(DIGITS[ch]) for ch in fraction)
        return value + unit  # 万 and 亿 stay units, as the articles write them (66.7万人)

    return _COUNTED.sub(replace, text)


_MONTH_OF_YEAR: Final = re.compile(r"(?<=\d)月份")
_DAY_OF_MONTH: Final = re.compile(r"(?<=\d月\d)号|(?<=\d月\d\d)号")  # 5月7号 is 5月7日


def normalise(text: str) -> str:
    """The canonical matching form: NFKC, no invisibles, simplified, case-folded, single spaces.

    OpenCC's phrase tables are not guaranteed to be idempotent on their own output, so the
    conversion is repeated (at most three times) until it reaches a fixed point; the result is
    then stable under a second `normalise()`. Text without CJK skips OpenCC, which is slow.
    """
    text = strip_invisible(unicodedata.normalize("NFKC", text))
    if _HAS_CJK.search(text):
        for _ in range(3):
            converted = _canonical_chinese(text)
            if converted == text:
                break
            text = converted
        text = _CANTONESE_RE.sub(lambda m: _CANTONESE_WORDS[m.group()], text)
        text = _MONTH_OF_YEAR.sub("月", chinese_numerals_to_digits(text))  # 7月份 is 7月
        text = _DAY_OF_MONTH.sub("日", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", text).strip()
