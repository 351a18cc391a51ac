"""Figures in text: what number is stated, and what it counts, in Chinese and in English.

A figure is a value, the family of its unit (people, schools, yuan, US dollars...) and its
bound, whatever way it is written: 66.7万人, 六十六点七万人, 66万7千人, 667,000 students and
0.667 million people are one figure; 148所 and 148万人 are not, nor are 20亿元 and 20亿美元, nor
超600家 (at least 600) and 600家. The fact check compares figures this way, so an answer cannot
state a number its quotes do not hold, move a quote's number to another unit, or drop or add a
"more than" (三亿元, 百分之九十九, 三成半, 三分之一, 翻两番, 壹佰肆拾捌所, "one million" and
"half of" are all checked by value). The same parser gives the matcher the units a fact counts
and the bot the key figures it shows. Measure words live in bot/data/units.yaml.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import yaml

UNITS_FILE: Final = Path(__file__).with_name("data") / "units.yaml"

DIGITS: Final = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9}  # fmt: skip
# The banker's numerals of contracts and cheques (壹佰肆拾捌), read like the common ones.
_FINANCIAL: Final = {"壹": 1, "贰": 2, "貳": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
                     "柒": 7, "捌": 8, "玖": 9}  # fmt: skip
_ALL_DIGITS: Final = {**DIGITS, **_FINANCIAL}
_POWERS: Final = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
_TENS: Final = {"廿": 20, "卅": 30, "卌": 40}  # 廿一 is 21
_SCALES: Final = {"万": 10_000, "亿": 100_000_000, "萬": 10_000, "億": 100_000_000}
_MAGNITUDES: Final = {"十": 10, "百": 100, "千": 1000, "万": 1e4, "亿": 1e8}  # after digits: 3千万
_SCALE_WORDS: Final = {"万": 1e4, "亿": 1e8, "万亿": 1e12, "千万": 1e7, "百万": 1e6}
_FINANCIAL_CHARS: Final = "壹贰貳叁肆伍陆陸柒捌玖拾佰仟"
CHINESE_NUMERAL: Final = f"[〇零一二两三四五六七八九十百千万亿廿卅卌{_FINANCIAL_CHARS}]"
# A run of numerals that may hold 万/亿 inside (一万一千) but not at its end, where they scale it.
_NUMERAL_DIGIT: Final = f"[〇零一二两三四五六七八九十百千廿卅卌{_FINANCIAL_CHARS}]"
_NUMERAL_RUN: Final = f"{_NUMERAL_DIGIT}(?:{CHINESE_NUMERAL}*{_NUMERAL_DIGIT})?"
_ARABIC: Final = r"\d+(?:,\d{3})*(?:\.\d+)?"
_GAP: Final = "[ \t]*"  # 148 万人 is 1.48 million people, not 148 of anything
# Digits with magnitudes, in groups written together: 3千万, 1.5亿, 66万7千 (667,000), 1亿2000万.
_ARABIC_CORE: Final = rf"{_ARABIC}(?:{_GAP}[十百千万亿]+(?:\d+(?:\.\d+)?[十百千万亿]+)*)?"
_ARABIC_GROUP: Final = re.compile(rf"(\d+(?:,\d{{3}})*(?:\.\d+)?){_GAP}([十百千万亿]*)")
# Traditional forms that are one character in simplified text too, so offsets are kept.
_SIMPLER: Final = str.maketrans({"萬": "万", "億": "亿", "兩": "两", "貳": "贰", "陸": "陆"})
_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
_ENGLISH_SMALL: Final = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_ENGLISH_TENS: Final = {
    word: 10 * n
    for n, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_ENGLISH_SCALES: Final = {
    "hundred": 100, "thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000,
    "mn": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
}  # fmt: skip
_ENGLISH_STOP: Final = frozenset("and or of in at to from with for on by as than the a an".split())


# "exact" includes hedges without a direction (约2500人, about 2,500): they state the figure.
# "vague" is a numeral after 数, 几 or 上 (数百所): some hundreds, not a hundred.
Bound = Literal["exact", "at_least", "at_most", "vague"]


@dataclass(frozen=True)
class Figure:
    value: float
    families: frozenset[str]  # empty: a bare number, or a counter without a family (八部门)
    text: str  # as written
    start: int
    end: int
    bound: Bound = "exact"  # 超600家 and 600余家 are at least 600; 近20家 at most 20

    def agrees_with(self, other: Figure) -> bool:
        """Same value (up to float rounding), bounded the same way and, where both say what
        they count, counting the same: 600余家 is not 600家, and 66.7所 is not 66.7万人."""
        same = math.isclose(self.value, other.value, rel_tol=1e-9, abs_tol=1e-9)
        return (
            same
            and self.bound == other.bound
            and (not self.families or not other.families or bool(self.families & other.families))
        )

    @property
    def dated(self) -> bool:
        """A year, month or day: part of a date, not a figure to show on its own."""
        return bool(self.families & {"year", "month", "day"})

    @property
    def counted(self) -> bool:
        """Written in digits with a measure word: the kind of figure worth showing on its own."""
        return bool(self.families) and any(ch.isdigit() for ch in self.text)


@dataclass(frozen=True)
class _Units:
    chinese: dict[str, frozenset[str]]
    counters: frozenset[str]
    english: dict[str, frozenset[str]]


@functools.cache
def units() -> _Units:
    data = yaml.safe_load(UNITS_FILE.read_text(encoding="utf-8"))
    english: dict[str, set[str]] = {}
    for family, words in data["english"].items():
        for word in words:
            english.setdefault(word, set()).add(family)
    return _Units(
        chinese={word: frozenset(families) for word, families in data["chinese"].items()},
        counters=frozenset(data["chinese_counters"]),
        english={word: frozenset(families) for word, families in english.items()},
    )


def unit_families(word: str) -> frozenset[str]:
    """The families a Chinese measure word counts (间: companies and schools); empty if none."""
    return units().chinese.get(word, frozenset())


def chinese_integer(numeral: str) -> int:
    """一百四十八 -> 148, 二零二七 -> 2027 (digit by digit), 一万一千 -> 11000."""
    if len(numeral) > 1 and all(ch in _ALL_DIGITS for ch in numeral):
        return int("".join(str(_ALL_DIGITS[ch]) for ch in numeral))
    total = section = digit = 0
    for ch in numeral:
        if ch in _ALL_DIGITS:
            digit = _ALL_DIGITS[ch]
        elif ch in _POWERS:
            section += (digit or 1) * _POWERS[ch]
            digit = 0
        elif ch in _TENS:
            section += _TENS[ch]
            digit = 0
        else:  # 万 or 亿 closes a section
            total = ((total + section + digit) or 1) * _SCALES[ch]  # 万分之一: 万 alone
            section = digit = 0
    return total + section + digit


@functools.cache
def _chinese_pattern() -> re.Pattern[str]:
    measure = "|".join(sorted(map(re.escape, units().chinese), key=len, reverse=True))
    counters = "".join(sorted(units().counters))
    return re.compile(
        rf"(?P<minus>负|(?<![0-9A-Za-z.,])[-−])?(?P<ordinal>第)?"
        rf"(?:(?P<denominator>万|{_NUMERAL_RUN}|\d+)分之)?"  # 百分之三十, 三分之一, 千分之五
        rf"(?:(?P<arabic>{_ARABIC_CORE})|(?P<chinese>{_NUMERAL_RUN}"
        rf"(?:点[〇零一二三四五六七八九]+)?))"
        rf"(?P<approx>多|余)?(?:{_GAP}(?P<scale>万亿|千万|百万|万|亿))?(?P<approx_after>多|余)?"
        rf"{_GAP}(?:(?P<unit>{measure})|(?P<counter>[{counters}])|(?P<cheng>成半?)"
        rf"|(?P<sign>%|％|‰))?(?P<plus>\+)?"
    )


# 翻两番 is doubled twice; 翻番, 翻倍 and 翻了一番 double.
_FAN: Final = re.compile(rf"翻了?(?P<n>{CHINESE_NUMERAL}+|\d+)番|翻(?:一)?番|翻了?一?倍")
# 一半 and 半数 are half (50%), 半成 five per cent; 半导体 or 半岛 are words.
_HALF: Final = re.compile("过半数?|一半|半数|(?P<cheng>半成)")
# Words that bound a figure: 超600家 is not 600家, nor is 近20家. 约 hedges without a
# direction, like stating the figure itself. Longest first: 不超过 is an upper bound.
_BOUND_BEFORE: Final = re.compile(
    "(?P<at_most>不超过|不到|不足|未满|至多|最多|近|将近|接近|低于|少于)$"
    "|(?P<at_least>超过|超|逾|至少|最少|高于|多于|大于)$"
    "|(?P<vague>几|数)$|(?P<vague_up>上)$"  # 数百所, 几十万, 上千人: some hundreds, not 100
)


@functools.cache
def _vague_scale() -> re.Pattern[str]:
    """数万人, 上万, 几亿: 万 and 亿 alone are no figure, but after these words a vague one."""
    measure = "|".join(sorted(map(re.escape, units().chinese), key=len, reverse=True))
    return re.compile(f"(?:几|数|上)(?P<scale>万|亿)(?:多|余)?(?P<unit>{measure})?")


_BOUND_AFTER: Final = re.compile("^(?:(?P<at_least>以上|有余|多)|(?P<at_most>以下|以内))")


def _bound(match: re.Match[str], before: str, after: str) -> tuple[Bound, int, int]:
    """Which way a Chinese figure is bounded, by 余/多 in it or by words right around it, and
    how many characters those words take before and after it (逾7000个 is the figure shown)."""
    word = _BOUND_BEFORE.search(before)
    chinese = match["chinese"] or ""
    if word and (word["vague"] or word["vague_up"]):
        # 线上两千人 is two thousand people online, 上千人 a thousand or more; 上2000 is 2000
        vague = word["vague"] or chinese[:1] in ("百", "千")
        return ("vague", len(word.group()), 0) if chinese and vague else ("exact", 0, 0)
    inside: Bound | None = None
    if match["approx"] or match["approx_after"] or match["plus"]:
        inside = "at_least"
    if word:
        return inside or ("at_least" if word["at_least"] else "at_most"), len(word.group()), 0
    following = _BOUND_AFTER.match(after)
    if following:
        bound: Bound = "at_least" if following["at_least"] else "at_most"
        return inside or bound, 0, len(following.group())
    return inside or "exact", 0, 0


def _chinese_value(numeral: str) -> float:
    whole, _, fraction = numeral.partition("点")
    value = float(chinese_integer(whole)) if whole else 0.0
    if fraction:
        value += float("0." + "".join(str(DIGITS[ch]) for ch in fraction))
    return value


def _arabic_value(core: str) -> float:
    """3千万 -> 30,000,000; 66万7千 -> 667,000: each group's digits times its magnitudes."""
    total = 0.0
    for digits, magnitudes in _ARABIC_GROUP.findall(core):
        value = float(digits.replace(",", ""))
        for ch in magnitudes:
            value *= _MAGNITUDES[ch]
        total += value
    return total


def _counts(match: re.Match[str]) -> bool:
    """Whether a Chinese numeral counts something: before a measure word or counter, after 第
    or 分之, or with 万/亿. Banker's numerals count in runs of two or more (队伍 holds no 5)."""
    chinese = match["chinese"]
    if chinese is None:
        return True
    marked = match["unit"] or match["counter"] or match["cheng"] or match["sign"]
    if not (marked or match["ordinal"] or match["denominator"] or match["scale"]):
        return False
    if len(chinese) == 1 and chinese in _FINANCIAL_CHARS:
        return False
    if chinese != "一":
        return True
    # 一批, 一个: the indefinite article; but 一成, 一倍 and 一% are shares and multiples.
    share = match["cheng"] or match["sign"] or match["unit"] == "倍"
    return bool(match["ordinal"] or match["scale"] or match["denominator"] or share)


def chinese_figures(text: str) -> list[Figure]:
    """Figures in (simplified) Chinese text. A Chinese numeral counts only where it counts
    something (see `_counts`): 四川 and 统一 hold none, and a lone 一 before a measure word is
    the indefinite article (一批, 一个). A figure is bounded when the text says so (超600家,
    近20家, 800余名): that is part of what it states."""
    text = text.translate(_SIMPLER)
    found = []
    for match in _chinese_pattern().finditer(text):
        if not _counts(match):
            continue
        arabic, chinese = match["arabic"], match["chinese"]
        value = _arabic_value(arabic) if arabic else _chinese_value(chinese or "")
        if match["scale"]:
            value *= _SCALE_WORDS[match["scale"]]
        families: frozenset[str] = frozenset()
        if match["denominator"]:
            denominator = match["denominator"]
            over = float(denominator) if denominator.isdecimal() else chinese_integer(denominator)
            value, families = (value / over * 100 if over else math.inf), frozenset({"percent"})
        elif match["sign"]:
            value = value / 10 if match["sign"] == "‰" else value
            families = frozenset({"percent"})
        elif match["cheng"]:
            value = value * 10 + (5 if match["cheng"] == "成半" else 0)
            families = frozenset({"percent"})
        elif match["unit"]:
            families = unit_families(match["unit"])
        if match["minus"]:
            value = -value
        before, after = text[max(0, match.start() - 3) : match.start()], text[match.end() :][:2]
        bound, ahead, behind = _bound(match, before, after)
        start, end = match.start() - ahead, match.end() + behind
        found.append(Figure(value, families, text[start:end], start, end, bound))
    for match in _FAN.finditer(text):
        n = match["n"]
        times = 1 if n is None else int(n) if n.isdecimal() else chinese_integer(n)
        found.append(Figure(2.0**times, frozenset({"times"}), match.group(), *match.span()))
    for match in _vague_scale().finditer(text):
        value, families = _SCALE_WORDS[match["scale"]], unit_families(match["unit"] or "")
        found.append(Figure(value, families, match.group(), *match.span(), "vague"))
    for match in _HALF.finditer(text):
        value = 5.0 if match["cheng"] else 50.0
        half: Bound = "at_least" if match.group().startswith("过") else "exact"
        found.append(Figure(value, frozenset({"percent"}), match.group(), *match.span(), half))
    return found


_SMALL_WORD: Final = (
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|"
    r"six|seven|eight|nine))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
)
_SCALE_WORD: Final = r"hundred|thousand|million|billion"
_ORDINAL_WORDS: Final = {
    word: n
    for n, word in enumerate(
        "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
        start=3,
    )
}
# "half of the schools" is 一半, "a third" 三分之一: shares, in per cent like the Chinese.
_SHARES: Final = {"half": 50.0, "third": 100 / 3, "thirds": 200 / 3, "quarter": 25.0,
                  "quarters": 75.0}  # fmt: skip
_TIMES_WORDS: Final = {"twice": 2, "double": 2, "doubled": 2, "triple": 3, "tripled": 3,
                       "threefold": 3, "quadruple": 4, "quadrupled": 4, "fourfold": 4,
                       "fivefold": 5, "tenfold": 10}  # fmt: skip
# "hundreds of schools" states some hundreds, as 数百所 does: vague, not 100.
_VAGUE_WORDS: Final = {"tens": 10, "dozens": 12, "hundreds": 100, "thousands": 1_000,
                       "millions": 1_000_000, "billions": 1_000_000_000}  # fmt: skip
_ENGLISH_NUMBER: Final = re.compile(
    r"(?<![\d.,])(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<ordinal>st|nd|rd|th)?"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|bn|mn|m|k)\b)?"
    r"(?:\s*(?P<percent>%|per\s?cent))?"
    r"|(?<!first\s)(?<!second\s)\b(?P<share>half(?=\s+of\b)|(?:a|one)\s+(?:third|quarter)|"
    r"two[\s-]thirds|three[\s-]quarters)\b"
    rf"|\b(?P<words>(?:{_SMALL_WORD}|(?:a|one)(?=\s+(?:{_SCALE_WORD})\b))"
    rf"(?:\s+(?:{_SCALE_WORD}))*)\b(?:\s*(?P<words_percent>%|per\s?cent))?"
    rf"|\bhalf\s+an?\s+(?P<half>million|billion)\b"
    rf"|\b(?P<ordinal_word>{'|'.join(_ORDINAL_WORDS)})\b"
    rf"|\b(?P<times>{'|'.join(_TIMES_WORDS)})\b"
    rf"|\b(?P<vague>{'|'.join(_VAGUE_WORDS)})(?:\s+of\s+(?P<vague_of>thousands|millions|billions))?\b",
    re.IGNORECASE,
)
_ENGLISH_WORD: Final = re.compile(r"[a-z][a-z-]*", re.IGNORECASE)
_MONTH_NAME: Final = re.compile(
    r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
# Currencies written before or after an amount; yuan is "money", others have their own family.
_CURRENCY_BEFORE: Final = re.compile(
    r"(?:(?P<hkd>hk\$|hkd)|(?P<usd>us\$|usd|\$)|(?P<mop>mop\$?)|(?P<eur>€|eur)|(?P<gbp>£|gbp)"
    r"|(?P<money>rmb|cny|¥|￥))\s*$",
    re.IGNORECASE,
)
_CURRENCY_AFTER: Final = re.compile(
    r"^\s*(?:(?P<hkd>(?:hong\s+kong|hk)\s+dollars?|hkd)|(?P<mop>patacas?|mop)"
    r"|(?P<usd>(?:us\s+|american\s+)?dollars?|usd)|(?P<eur>euros?|eur)|(?P<gbp>pounds?|gbp)"
    r"|(?P<money>yuan|rmb|cny|renminbi))\b",
    re.IGNORECASE,
)
_BOUND_WORDS_BEFORE: Final = re.compile(
    r"\b(?:(?P<at_most>no\s+more\s+than|not\s+more\s+than|up\s+to|at\s+most|nearly|almost|"
    r"close\s+to|just\s+under|under|fewer\s+than|less\s+than|below)"
    r"|(?P<at_least>more\s+than|over|above|at\s+least|upwards\s+of|in\s+excess\s+of|exceeding))"
    r"\s+(?:rmb|cny|us\$|hk\$|mop\$?|\$|¥|￥|€|£)?\s*$",
    re.IGNORECASE,
)
_BOUND_WORDS_AFTER: Final = re.compile(  # 11,000+ jobs; 600 companies or more
    r"^(?:\+|\s*plus\b|(?:\s+[a-z-]+){0,3}?\s+(?:or|and)\s+(?:more|above|over)\b)", re.IGNORECASE
)
_PHRASE_END: Final = re.compile(r"[^\sA-Za-z-]")
_OF: Final = re.compile(r"^\s*of\b", re.IGNORECASE)
_DIGIT_NEAR: Final = re.compile(r"\d")
_WINDOW: Final = 40  # characters either side of a number that may say what it is


def _english_words_value(words: str) -> float:
    """three hundred million -> 300,000,000; forty-two -> 42."""
    value = 0.0
    for part in words.lower().split():
        if part in _ENGLISH_SCALES:
            value = (value or 1) * _ENGLISH_SCALES[part]
        elif part in ("a", "one"):
            value = 1
        else:
            tens, _, ones = part.partition("-")
            value += _ENGLISH_TENS.get(tens, 0) + _ENGLISH_SMALL.get(tens, 0)
            value += _ENGLISH_SMALL.get(ones, 0)
    return value


def _english_families(after: str) -> frozenset[str]:
    """The family of the noun phrase right after a number ("4,000 job seekers": people)."""
    families: frozenset[str] = frozenset()
    phrase = _PHRASE_END.split(after[:_WINDOW], maxsplit=1)[0]
    for word in _ENGLISH_WORD.findall(phrase)[:3]:
        word = word.lower()
        if word in _ENGLISH_STOP:
            break
        families = units().english.get(word, families)
    return families


def _currency(before: str, after: str) -> frozenset[str]:
    for found in (_CURRENCY_BEFORE.search(before), _CURRENCY_AFTER.match(after)):
        if found:
            name = next(key for key, value in found.groupdict().items() if value)
            return frozenset({"money" if name == "money" else f"money-{name}"})
    return frozenset()


def _english_value(match: re.Match[str]) -> tuple[float, frozenset[str], Bound | None]:
    """The value of a number match, and its family and bound when the number's form says."""
    if match["times"]:
        return float(_TIMES_WORDS[match["times"].lower()]), frozenset({"times"}), "exact"
    if match["share"]:
        share = _SHARES[re.split(r"[\s-]", match["share"].lower())[-1]]
        return share, frozenset({"percent"}), None
    if match["vague"]:
        value = float(_VAGUE_WORDS[match["vague"].lower()])
        scale = match["vague_of"]
        return value * (_VAGUE_WORDS[scale.lower()] if scale else 1), frozenset(), "vague"
    if match["half"]:
        return _ENGLISH_SCALES[match["half"].lower()] / 2, frozenset(), None
    if match["ordinal_word"]:
        return float(_ORDINAL_WORDS[match["ordinal_word"].lower()]), frozenset(), None
    if match["digits"]:
        value = float(match["digits"].replace(",", ""))
        if match["scale"]:
            value *= _ENGLISH_SCALES[match["scale"].lower()]
    else:
        value = _english_words_value(match["words"])
    percent = match["percent"] or match["words_percent"]
    return value, frozenset({"percent"}) if percent else frozenset(), None


def english_figures(text: str) -> list[Figure]:
    """Figures in English text, with the unit family of the noun that follows them and the
    bound the words around them set (more than 600, nearly 20). Month names count as months
    (7 May: the day 7 and the month 5); "one", "a" and "first" are ordinary words, as a lone
    一 is in Chinese, unless a scale follows (one million)."""
    found = []
    for match in _ENGLISH_NUMBER.finditer(text):
        value, families, bound = _english_value(match)
        before = text[max(0, match.start() - _WINDOW) : match.start()]
        after = text[match.end() : match.end() + _WINDOW]
        if not families:  # what the noun after it counts: 11,000+ jobs, thousands of students
            noun = _OF.sub("", after) if match["vague"] else after.lstrip("+")
            families = _currency(before, after) or _english_families(noun)
        start, end = match.span()
        if bound is None:
            below, above = _BOUND_WORDS_BEFORE.search(before), _BOUND_WORDS_AFTER.match(after)
            bound = "exact"
            if below:  # "more than 7,000" is the figure shown, not "7,000"
                bound = "at_least" if below["at_least"] else "at_most"
                start = match.start() - len(before) + below.start()
            elif above:
                bound, end = "at_least", end + above.end()
        found.append(Figure(value, families, text[start:end], start, end, bound))
    for match in _MONTH_NAME.finditer(text):
        name = match.group().lower()
        near = text[max(0, match.start() - 4) : match.end() + 4]
        if name == "may" and not _DIGIT_NEAR.search(near):
            continue  # the verb "may"
        month = float(_MONTHS[name])
        found.append(Figure(month, frozenset({"month"}), match.group(), *match.span()))
    return found


def unsupported(claimed: Iterable[Figure], evidence: Iterable[Figure]) -> Iterator[Figure]:
    """The claimed figures that no evidence figure agrees with."""
    held = list(evidence)
    for figure in claimed:
        if not any(figure.agrees_with(other) for other in held):
            yield figure
