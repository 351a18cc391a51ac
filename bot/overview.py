"""Briefings on a topic: 给我讲讲双选会, 广东有哪些AI政策, 六月有什么活动, "tell me about…".

A topic is read as filters and a subject: kinds of fact (政策, 活动, 数据), places (东莞, 香港),
months (六月), and whatever words remain (双选会, 邓飞, 产业基金). The facts that pass the
filters and explain the subject are the digest: the fact most about the subject first, then
figures, then dated events, then the rest, at most `max_items`. A topic naming a place or body
no selected fact covers (北京的AI人才政策) gets no digest, and is refused like any question.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final

from bot.factbase import Fact, Kind
from bot.factindex import KEYWORDS, TITLE
from bot.lexicon import (
    FUNCTION_WORDS,
    HOME_GROUND,
    KIND_WORDS,
    PLACES,
    alternation,
    data,
    entities_in,
    unwrapped,
)
from bot.matcher import Matcher
from bot.text import normalise

_DATA: Final = data("overview.yaml")
_STRONG: Final = re.compile("|".join(_DATA["strong"]))
_WEAK: Final = re.compile("|".join(_DATA["weak"]))
_FRAMING: Final = alternation(_DATA["framing"])
_MONTHS: Final = {
    alias: int(month) for month, aliases in _DATA["months"].items() for alias in aliases
}
_MONTH: Final = alternation(_MONTHS)
MAX_ITEMS: Final = int(_DATA["max_items"])
MIN_SUBJECT_COVERAGE: Final = 0.5  # a fact explains at least half of the subject's words
_KIND_ORDER: Final[dict[Kind, int]] = {
    "statistic": 0, "event": 1, "initiative": 2, "policy": 3, "organization": 4, "person": 5,
}  # fmt: skip
# Words too general to be a subject (every fact is about AI in Guangdong).
_GENERAL: Final = HOME_GROUND | {"人工智能", "ai", "机器人", "人才", "广东省", "数据", "资料"}


class Wish(enum.StrEnum):
    STRONG = "strong"  # 讲讲, 介绍, overview: a digest even if one fact would answer
    WEAK = "weak"  # 有哪些, 怎么样: a digest when no single fact answers confidently


def wants_overview(text: str) -> Wish | None:
    canonical = normalise(text)
    if _STRONG.search(canonical):
        return Wish.STRONG
    if _WEAK.search(canonical):
        return Wish.WEAK
    return None


@dataclass(frozen=True)
class Digest:
    topic: str  # the topic as the reader named it, for the headline
    facts: tuple[Fact, ...]
    unknown: tuple[str, ...] = ()  # places and bodies the topic names that no fact covers
    broad: bool = False  # about a kind, a place or a month: a digest even for 有哪些/怎么样


class Overviews:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.base = matcher.base

    @staticmethod
    def _strip(text: str) -> str:
        stripped = _FRAMING.sub(" ", _WEAK.sub(" ", _STRONG.sub(" ", unwrapped(text))))
        return re.sub(r"[\s,，。?？!！:：、]+", " ", stripped).strip()

    def topic(self, text: str) -> str:
        """The topic in the matcher's words (English read into Chinese)."""
        return self._strip(self.matcher.index.canonical(text))

    def digest(self, text: str) -> Digest:
        topic = self.topic(text)
        shown = self._strip(normalise(text))  # the reader's own words, for the headline
        kinds = {kind for kind, words in KIND_WORDS.items() if any(w in topic for w in words)}
        months = {_MONTHS[m] for m in _MONTH.findall(topic)}
        named = entities_in(topic)
        places = named & PLACES
        subject = _MONTH.sub(" ", topic)
        for words in KIND_WORDS.values():
            for word in sorted(words, key=len, reverse=True):
                if len(word) > 1:
                    subject = subject.replace(word, " ")
        for place in places:
            subject = subject.replace(place, " ")
        if months:
            kinds.discard("event")  # 六月有什么活动: whatever happened in June, founding included
        pool = [
            f
            for f in self.base.facts
            if (not kinds or f.kind in kinds or (f.kind == "initiative" and "policy" in kinds))
            and (not months or self._in_month(f, months))
        ]
        pool = [f for f in pool if all(p in self._about(f) for p in places)]
        chosen = self._by_subject(subject, pool)
        unknown = tuple(sorted(n for n in named if not any(n in self._about(f) for f in chosen)))
        broad = bool(kinds or months or places)
        if unknown or not chosen:
            return Digest(shown, (), unknown or tuple(sorted(named)), broad)
        return Digest(shown, tuple(chosen[:MAX_ITEMS]), broad=broad)

    def _about(self, fact: Fact) -> str:
        index = self.matcher.index
        return index.fact(index.position(fact.id)).about

    @staticmethod
    def _in_month(fact: Fact, months: set[int]) -> bool:
        if fact.when and len(fact.when) >= 7 and int(fact.when[5:7]) in months:
            return True
        quoted = normalise(" ".join([fact.answer, *(q.quote for q in fact.sources)]))
        return any(re.search(rf"(?<!\d){m}月", quoted) for m in months)

    def _by_subject(self, subject: str, pool: list[Fact]) -> list[Fact]:
        """The pool's facts about the subject, most about it first; all of them, by kind and
        date, when the topic is only a kind, a place or a month."""
        words = [w for w in subject.split() if w and w not in FUNCTION_WORDS]
        if not words or all(w in _GENERAL for w in words):
            return sorted(pool, key=self._importance)
        allowed = {f.id for f in pool}
        q = self.matcher.read(" ".join(words))
        if not q.content:
            return sorted(pool, key=self._importance)
        ranked = self.matcher.candidates(q, keep=4 * MAX_ITEMS)
        fitting = [
            c for c in ranked
            if c.indexed.fact.id in allowed and not c.unknown
            and c.coverage >= MIN_SUBJECT_COVERAGE
        ]  # fmt: skip
        if not fitting:
            return []
        head = fitting[0]
        family = [self.base.facts[i] for i in sorted(head.indexed.family)]
        named = [
            c.indexed.fact
            for c in fitting
            if c is not head and (KEYWORDS in c.evidence.by_field or TITLE in c.evidence.by_field)
        ]
        first = head.indexed.fact
        others = {f.id: f for f in [*family, *named] if f.id in allowed and f is not first}
        in_family = {f.id for f in family}
        rest = sorted(others.values(), key=lambda f: (f.id not in in_family, self._importance(f)))
        return [first, *rest]

    @staticmethod
    def _importance(fact: Fact) -> tuple[int, str]:
        """Figures first, then events by date, then plans, bodies and people."""
        return _KIND_ORDER[fact.kind], fact.when or "9999"
