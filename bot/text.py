"""Text normalisation and script handling.

Facts and questions go through the *same* `normalise()` so that whatever a person pastes
(traditional characters, Taiwan or Hong Kong phrasing, full-width forms, zero-width characters
from chat apps) lands in one canonical simplified, case-folded form before matching.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from pathlib import Path

import opencc
from opencc import OpenCC

from bot.figures import DIGITS, chinese_integer

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
    SIMPLIFIED = "zh-hans"
    TRADITIONAL = "zh-hant"


# Variation selectors are category Mn, not Cf, but are just as invisible once pasted.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACES = re.compile(r"[^\S\n]+")
_HAS_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Taiwan and Hong Kong words for things the articles name in mainland terms (simplified form).
_REGIONAL_WORDS = {
    "人工智慧": "人工智能", "机械人": "机器人", "软体": "软件", "硬体": "硬件", "数位": "数字",
    "晶片": "芯片", "演算法": "算法", "网路": "网络", "程式": "程序", "伺服器": "服务器",
    "资料库": "数据库", "云端": "云", "视讯": "视频",
}  # fmt: skip
_REGIONAL_RE = re.compile("|".join(sorted(_REGIONAL_WORDS, key=len, reverse=True)))
# Cantonese function words, in simplified form, and their Mandarin equivalents, so that
# 双选会喺边度举办 and 双选会在哪里举办 are the same question. Only unambiguous words: 系 alone is
# also Mandarin (系统), so only 系咪/系唔系 are mapped.
_CANTONESE_WORDS = {
    "有冇": "有没有", "冇": "没有", "喺": "在", "边度": "哪里", "边处": "哪里", "边间": "哪间",
    "几时": "什么时候", "几多": "多少", "边个": "谁", "边位": "谁", "乜嘢": "什么", "咩": "什么",
    "嘅": "的", "咗": "了", "啲": "些", "点样": "怎样", "点解": "为什么", "系咪": "是不是",
    "系唔系": "是不是", "唔系": "不是", "唔": "不", "佢哋": "他们", "佢": "他", "我哋": "我们",
    "而家": "现在", "嚟": "来", "睇": "看", "揾": "找", "搵": "找",
}  # fmt: skip
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
_CANTONESE = re.compile("[喺嘅咗冇啲乜嚟噉]|邊度|幾時|點解|邊個|幾多")


@functools.cache
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def strip_invisible(text: str) -> str:
    """Drop characters that render as nothing but break exact and fuzzy comparison."""
    text = _VARIATION_SELECTORS.sub("", text)
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn")
    )


def to_simplified(text: str) -> str:
    """Character-level traditional -> simplified, keeping the article's own wording."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Simplified -> Hong Kong traditional, the standard most of our traditional readers use."""
    return str(_converter("s2hk").convert(text))


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


def detect_script(text: str) -> Script:
    """The script to answer in: traditional only when the writer clearly used it."""
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
        text = chinese_numerals_to_digits(text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", text).strip()
