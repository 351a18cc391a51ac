"""Figures in text: what number is stated, and what it counts, in Chinese and in English.

A figure is a value and the family of its unit (people, schools, money...), whatever way it is
written: 66.7万人, 六十六点七万人, 667,000 students and 0.667 million people are one figure;
148所 and 148万人 are not. The fact check compares figures this way, so an answer cannot state a
number its quotes do not hold, nor move a quote's number to another unit (三亿元, 百分之九十九,
三成 and 翻两番 are all checked by value). The same parser gives the matcher the units a fact
counts and the bot the key figures it shows. Measure words live in bot/data/units.yaml.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

UNITS_FILE: Final = Path(__file__).with_name("data") / "units.yaml"

DIGITS: Final = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9}  # fmt: skip
_POWERS: Final = {"十": 10, "百": 100, "千": 1000}
_SCALES: Final = {"万": 10_000, "亿": 100_000_000}
_SCALE_WORDS: Final = {"万": 1e4, "亿": 1e8, "万亿": 1e12, "千万": 1e7, "百万": 1e6}
CHINESE_NUMERAL: Final = "[〇零一二两三四五六七八九十百千万亿]"
# A run of numerals that may hold 万/亿 inside (一万一千) but not at its end, where they scale it.
_NUMERAL_DIGIT: Final = "[〇零一二两三四五六七八九十百千]"
_NUMERAL_RUN: Final = f"{_NUMERAL_DIGIT}(?:{CHINESE_NUMERAL}*{_NUMERAL_DIGIT})?"
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


@dataclass(frozen=True)
class Figure:
    value: float
    families: frozenset[str]  # empty: a bare number, or a counter without a family (八部门)
    text: str  # as written
    start: int
    end: int

    def agrees_with(self, other: Figure) -> bool:
        """Same value (up to float rounding) and, where both say what they count, the same."""
        same = math.isclose(self.value, other.value, rel_tol=1e-9, abs_tol=1e-9)
        return same and (
            not self.families or not other.families or bool(self.families & other.families)
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
    if len(numeral) > 1 and all(ch in DIGITS for ch in numeral):
        return int("".join(str(DIGITS[ch]) for ch in numeral))
    total = section = digit = 0
    for ch in numeral:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in _POWERS:
            section += (digit or 1) * _POWERS[ch]
            digit = 0
        else:  # 万 or 亿 closes a section
            total = (total + section + digit) * _SCALES[ch]
            section = digit = 0
    return total + section + digit


@functools.cache
def _chinese_pattern() -> re.Pattern[str]:
    measure = "|".join(sorted(map(re.escape, units().chinese), key=len, reverse=True))
    counters = "".join(sorted(units().counters))
    return re.compile(
        rf"(?P<ordinal>第)?(?P<percent>百分之)?"
        rf"(?:(?P<arabic>\d+(?:,\d{{3}})*(?:\.\d+)?)|(?P<chinese>{_NUMERAL_RUN}"
        rf"(?:点[〇零一二三四五六七八九]+)?))"
        rf"(?P<approx>多|余)?(?P<scale>万亿|千万|百万|万|亿)?(?:多|余)?"
        rf"(?:(?P<unit>{measure})|(?P<counter>[{counters}])|(?P<cheng>成)|(?P<sign>%))?"
    )


_FAN: Final = re.compile(rf"翻(?P<n>{CHINESE_NUMERAL}+|\d+)番")


def _chinese_value(numeral: str) -> float:
    whole, _, fraction = numeral.partition("点")
    value = float(chinese_integer(whole)) if whole else 0.0
    if fraction:
        value += float("0." + "".join(str(DIGITS[ch]) for ch in fraction))
    return value


def chinese_figures(text: str) -> list[Figure]:
    """Figures in (simplified) Chinese text. A Chinese numeral counts only where it counts
    something (before a measure word or counter, after 第 or 百分之, with 万/亿): 四川 and 统一
    hold none, and a lone 一 before a measure word is the indefinite article (一批, 一个)."""
    found = []
    for match in _chinese_pattern().finditer(text):
        arabic, chinese = match["arabic"], match["chinese"]
        marked = match["unit"] or match["counter"] or match["cheng"] or match["sign"]
        if chinese is not None:
            if not (marked or match["ordinal"] or match["percent"] or match["scale"]):
                continue
            if chinese == "一" and not (match["ordinal"] or match["scale"]):
                continue
        value = float(arabic.replace(",", "")) if arabic else _chinese_value(chinese or "")
        if match["scale"]:
            value *= _SCALE_WORDS[match["scale"]]
        families: frozenset[str] = frozenset()
        if match["percent"] or match["sign"]:
            families = frozenset({"percent"})
        elif match["cheng"]:
            value, families = value * 10, frozenset({"percent"})
        elif match["unit"]:
            families = unit_families(match["unit"])
        found.append(Figure(value, families, match.group(), match.start(), match.end()))
    for match in _FAN.finditer(text):  # 翻两番: doubled twice
        n = match["n"]
        times = int(n) if n.isdigit() else chinese_integer(n)
        found.append(Figure(2.0**times, frozenset({"times"}), match.group(), *match.span()))
    return found


_ENGLISH_NUMBER: Final = re.compile(
    r"(?<![\w.])(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<ordinal>st|nd|rd|th)?"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|bn|mn|m|k)\b)?"
    r"(?:\s*(?P<percent>%|per\s?cent))?"
    r"|\b(?P<words>(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|"
    r"three|four|five|six|seven|eight|nine))?|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a\s+hundred)"
    r"(?:\s+(?:hundred|thousand|million|billion))?)\b"
    r"|\b(?P<twice>twice|double|doubled|triple|tripled)\b",
    re.IGNORECASE,
)
_ENGLISH_WORD: Final = re.compile(r"[a-z][a-z-]*", re.IGNORECASE)
_MONTH_NAME: Final = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b")
_MONEY_BEFORE: Final = re.compile(r"(?:rmb|cny|¥)\s*$", re.IGNORECASE)
_MONEY_AFTER: Final = re.compile(r"^\s*(?:yuan|rmb|cny)\b", re.IGNORECASE)
_PHRASE_END: Final = re.compile(r"[^\sA-Za-z-]")
_DIGIT_NEAR: Final = re.compile(r"\d")


def _english_words_value(words: str) -> float:
    value = 0.0
    for part in words.lower().split():
        if part in ("hundred", "thousand", "million", "billion"):
            value = (value or 1) * _ENGLISH_SCALES[part]
        elif part == "a":
            value = 1
        else:
            tens, _, ones = part.partition("-")
            value += _ENGLISH_TENS.get(tens, 0) + _ENGLISH_SMALL.get(tens, 0)
            value += _ENGLISH_SMALL.get(ones, 0)
    return value


def _english_families(after: str) -> frozenset[str]:
    """The family of the noun phrase right after a number ("4,000 job seekers": people)."""
    families: frozenset[str] = frozenset()
    phrase = _PHRASE_END.split(after[:40], maxsplit=1)[0]
    for word in _ENGLISH_WORD.findall(phrase)[:3]:
        word = word.lower()
        if word in _ENGLISH_STOP:
            break
        families = units().english.get(word, families)
    return families


def english_figures(text: str) -> list[Figure]:
    """Figures in English text, with the unit family of the noun that follows them. Month
    names count as months (7 May: the day 7 and the month 5); "one", "a" and "first" are
    ordinary words, as a lone 一 is in Chinese."""
    found = []
    for match in _ENGLISH_NUMBER.finditer(text):
        if match["twice"]:
            value = 3.0 if match["twice"].lower().startswith("trip") else 2.0
            found.append(Figure(value, frozenset({"times"}), match.group(), *match.span()))
            continue
        if match["digits"]:
            value = float(match["digits"].replace(",", ""))
            if match["scale"]:
                value *= _ENGLISH_SCALES[match["scale"].lower()]
        else:
            value = _english_words_value(match["words"])
        if match["percent"]:
            families = frozenset({"percent"})
        elif _MONEY_BEFORE.search(text[: match.start()]) or _MONEY_AFTER.match(text[match.end() :]):
            families = frozenset({"money"})
        else:
            families = _english_families(text[match.end() :])
        found.append(Figure(value, families, match.group(), *match.span()))
    for match in _MONTH_NAME.finditer(text.lower()):
        month = _MONTHS[match.group()]
        near = text[max(0, match.start() - 4) : match.end() + 4]
        if match.group() == "may" and not _DIGIT_NEAR.search(near):
            continue  # the verb "may"
        found.append(Figure(float(month), frozenset({"month"}), match.group(), *match.span()))
    return found


def unsupported(claimed: Iterable[Figure], evidence: Iterable[Figure]) -> Iterator[Figure]:
    """The claimed figures that no evidence figure agrees with."""
    held = list(evidence)
    for figure in claimed:
        if not any(figure.agrees_with(other) for other in held):
            yield figure
