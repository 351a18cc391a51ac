"""Briefings on a topic: 给我讲讲双选会, 广东有哪些AI政策, 六月有什么活动, "tell me about…".

A topic is read as filters and a subject: kinds of fact (政策, 活动, 数据), places (东莞, 香港),
months (六月), and whatever words remain (双选会, 邓飞, 产业基金). The facts that pass the
filters and explain the subject are the digest: the fact most about the subject first, then
figures, then dated events, then the rest, at most `max_items`. A topic naming a place or body
no selected fact covers (北京的AI人才政策) gets no digest, and is refused like any question.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, TypeVar

from bot.factbase import Fact, Kind
from bot.factindex import KEYWORDS, PLACE, TITLE
from bot.figures import chinese_figures
from bot.lexicon import (
    FUNCTION_WORDS,
    HOME_GROUND,
    PLACES,
    RELATIVE_TIME,
    alternation,
    data,
    entities_in,
    unwrapped,
)
from bot.matcher import Matcher
from bot.text import normalise

_K = TypeVar("_K")  # what facts are grouped by: an article, a kind
_DATA: Final = data("overview.yaml")
_STRONG: Final = re.compile("|".join(_DATA["strong"]))
_WEAK: Final = re.compile("|".join(_DATA["weak"]))
_NAMED: Final = re.compile("|".join(_DATA["named"]))
_FRAMING_WORDS: Final = frozenset(_DATA["framing"])
_SETTINGS: Final = re.compile("|".join(_DATA["settings"]))
_DOINGS: Final = re.compile("|".join(_DATA["doings"]))
_EVERYTHING: Final = re.compile("|".join(_DATA["everything"]))
_GOING: Final = re.compile("|".join(_DATA["going"]))
_DEEDS_ASKED: Final = re.compile("|".join(_DATA["deeds"]))
_DEEDS: Final[frozenset[Kind]] = frozenset({"event", "initiative"})
_KINDS: Final[dict[Kind, frozenset[str]]] = {
    kind: frozenset(words) for kind, words in _DATA["kinds"].items()
}
_KIND_WORDS: Final = frozenset(itertools.chain.from_iterable(_KINDS.values()))
_MONTHS: Final = {
    alias: int(month) for month, aliases in _DATA["months"].items() for alias in aliases
}
_MONTH: Final = alternation(_MONTHS)
_RELATIVE: Final = RELATIVE_TIME
_HAN: Final = re.compile("[\u3400-\u9fff]")
_AND: Final = r"\s*(?:和|与|跟|同|及|、|以及|and|&|\+)\s*"  # between two subjects of one topic
_FIGURE: Final = re.compile(r"\d+(?:\.\d+)?(?!\d|\.\d|\s*[月日号])")
LEAD_WINDOW: Final = 8  # candidates a story's lead may be among to head a subject's digest
MAX_ITEMS: Final = int(_DATA["max_items"])
MIN_SUBJECT_COVERAGE: Final = 0.5  # a fact explains at least half of the subject's words
FOREIGN_WORDS: Final = 2  # subject words no fact holds that make a topic foreign to the sources
_KIND_ORDER: Final[dict[Kind, int]] = {
    "statistic": 0, "event": 1, "initiative": 2, "policy": 3, "organization": 4, "person": 5,
}  # fmt: skip
_FIGURE_KINDS: Final[frozenset[Kind]] = frozenset({"statistic"})
_ASKING: Final = re.compile(  # a question word: the message asks something of the name
    "什么|啥|吗|呢|哪|谁|几|多少|怎|如何|是否|是不是|有没有|咩|乜|边|点样|[?？]"
    r"|\b(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did)\b"
)
# Words too general to be a subject (every fact is about AI in Guangdong).
_GENERAL: Final = HOME_GROUND | {"人工智能", "ai", "机器人", "人才", "广东省", "数据", "资料"}


def _figures_first(fact: Fact) -> tuple[bool, str]:
    """Facts stating figures before the others: a digest's readers look for numbers."""
    return not any(f.counted for f in chinese_figures(fact.answer)), fact.id


def _in_turn(queues: Iterable[list[Fact]]) -> list[Fact]:
    """The first of each queue, then the second of each, and so on."""
    lists = list(queues)
    return [q[n] for n in range(max(map(len, lists), default=0)) for q in lists if n < len(q)]


def _grouped(facts: list[Fact], key: Callable[[Fact], _K]) -> dict[_K, list[Fact]]:
    groups: dict[_K, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(key(fact), []).append(fact)
    return groups


def _article(fact: Fact) -> str:
    return fact.sources[0].article if fact.sources else ""


def _across_stories(facts: list[Fact]) -> list[Fact]:
    """The facts taken in turn from each article (in order of each one's first fact), so a
    briefing on all policies or all figures is not eight lines of one document."""
    return _in_turn(_grouped(facts, _article).values())


def _joined(words: list[str], written: str) -> str:
    """Topic words for a headline: Chinese run together as written (东莞AI人才, not 东莞 ai
    人才), a space only beside a Latin word, which keeps the reader's capitals (AI, WAIC)."""
    shown = ""
    for word in words:
        if word.isascii():
            found = re.search(re.escape(word), written, re.IGNORECASE)
            word = found.group() if found else word
        if shown and (_latin(shown[-1]) or _latin(word[0])):
            shown += " "
        shown += word
    return shown


def _latin(text: str) -> bool:
    return text.isascii() and text.isalpha()


def _kind_by_kind(facts: list[Fact]) -> list[Fact]:
    """The facts taken a kind at a time, events first, keeping their order within a kind: a
    briefing on a place or a month is its events, a figure, a deal and its bodies, not eight
    figures of one job fair."""
    kinds = _grouped(facts, lambda f: f.kind)
    order = sorted(kinds, key=lambda kind: (kind != "event", _KIND_ORDER[kind]))
    return _in_turn(kinds[kind] for kind in order)


class Wish(enum.StrEnum):
    STRONG = "strong"  # 讲讲, 介绍, overview: a digest even if one fact would answer
    WEAK = "weak"  # 有哪些, 怎么样: a digest when no single fact answers confidently
    # a name alone (华为? 双选会), what X was about: a digest when several facts hold the name
    BARE = "bare"


def wants_overview(text: str) -> Wish | None:
    canonical = normalise(text)
    if _STRONG.search(canonical):
        return Wish.STRONG
    if _NAMED.search(canonical):
        return Wish.BARE
    if _WEAK.search(canonical):
        return Wish.WEAK
    return None


@dataclass(frozen=True)
class Digest:
    topic: str  # the topic as the reader named it, for the headline
    facts: tuple[Fact, ...]
    unknown: tuple[str, ...] = ()  # places and bodies the topic names that no fact covers
    broad: bool = False  # about a kind, a place or a month: a digest even for 有哪些/怎么样
    specific: bool = False  # names a thing besides (深圳电子展上有哪些企业): one fact may do
    deeds: bool = False  # asks what was done (联盟成立以后做了哪些事): its doings, not one fact


class Overviews:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.base = matcher.base

    def _words(self, text: str) -> list[str]:
        """The topic's words: markers, settings and framing words out, whole words only (the
        会 of 双选会 is no kind word, the 上 of 上海 no framing)."""
        stripped = _SETTINGS.sub(
            r" \g<named> ", _WEAK.sub(" ", _NAMED.sub(" ", _STRONG.sub(" ", unwrapped(text))))
        )
        return [
            w
            for w, _, _ in self.matcher.index.segmenter.words(stripped)
            if w not in _FRAMING_WORDS and (w not in FUNCTION_WORDS or w in _KIND_WORDS)
        ]  # (people is a function word, and a kind asked for: the key people at the event)

    def _unheard(self, subject: list[str], text: str) -> str | None:
        """A word the dictionary and the facts lack, which jieba read character by character
        (航展 -> 航, 展), when the subject is nothing else: those characters alone would find
        facts that merely share them. A homophone of a phrase (双旋会) is a typo, not this."""
        if len(subject) < 2 or any(len(w) > 1 for w in subject):
            return None
        index = self.matcher.index
        slips = [(start, end) for _, start, end in index.sounds.find(text)]
        run: list[tuple[str, int, int]] = []
        for word, start, end in [*index.segmenter.words(text), ("", -1, -1)]:
            single = len(word) == 1 and word not in FUNCTION_WORDS and _HAN.match(word)
            if single and (not run or run[-1][2] == start):
                run.append((word, start, end))
                continue
            joined = "".join(w for w, _, _ in run)
            first, last = (run[0][1], run[-1][2]) if run else (0, 0)
            if (
                len(run) > 1
                and joined not in _FRAMING_WORDS
                and not index.holders(joined)
                and not any(a < last and first < b for a, b in slips)
            ):
                return joined
            run = [(word, start, end)] if single else []
        return None

    def bare_topic(self, text: str) -> bool:
        """A message that only names one thing (华为? 双选会, the alliance) and asks nothing of
        it: the reader wants what the sources say about it."""
        canonical = normalise(text).rstrip("?？!！。. ")
        if not canonical or _ASKING.search(canonical):
            return False
        q = self.matcher.read(text)
        words = [w for w, _, _ in q.content if w not in _GENERAL]
        owners = self.matcher.index.phrase_owners
        return (
            not q.asked and len(words) == 1 and (words[0] in owners or bool(entities_in(words[0])))
        )

    def topic(self, text: str) -> str:
        """The topic in the matcher's words (English read into Chinese)."""
        return " ".join(self._words(self.matcher.index.canonical(text)))

    def digest(self, text: str) -> Digest:
        canonical = self.matcher.index.canonical(text)
        words = self._words(canonical)
        shown = _joined(self._words(normalise(text)), text) or normalise(text)  # reader's words
        every = words or [  # "give me the key figures": the kind is inside the marker
            w for w, _, _ in self.matcher.index.segmenter.words(canonical)
        ]
        kinds = {  # a kind word, or a word ending in one (人工智能政策)
            kind for kind, kind_words in _KINDS.items()
            if any(w in kind_words or any(w.endswith(k) for k in kind_words if len(k) > 1)
                   for w in every)
        }  # fmt: skip
        months = {_MONTHS[m] for m in _MONTH.findall(canonical)}
        named = entities_in(" ".join(words))
        places = named & PLACES
        relative = sorted(set(_RELATIVE.findall(canonical)))
        subject = [
            w for w in words
            if not _MONTH.fullmatch(w) and not w.isdigit() and w != "月" and w not in places
            and not any(w in k for k in _KINDS.values()) and w not in _GENERAL
        ]  # fmt: skip
        broad = bool(kinds or months or places)
        unheard = self._unheard(subject, canonical)  # 珠海航展, 广州车展: a word no fact holds
        if unheard is not None:
            return Digest(shown, (), (unheard,), broad)
        if "person" in kinds:
            kinds.discard("event")  # 南沙活动的嘉宾: the event's speakers, not its events
        if months:
            kinds.discard("event")  # 六月有什么活动: whatever happened in June, founding included
        if relative:  # 去年, last year: a time the sources cannot be placed in
            return Digest(shown, (), tuple(relative), broad)
        if not (subject or kinds or months or places) and (
            any(w in _GENERAL for w in words) or (not words and _EVERYTHING.search(canonical))
        ):  # tell me about the Greater Bay Area, 给我一份简报: everything, a story at a time
            return Digest(shown, self._story_leads[:MAX_ITEMS], broad=True)
        ranked = self._narrowed(self._by_subjects(subject, canonical), kinds, months, places)
        if not ranked and subject and months:  # 八月联盟有什么动作: the month says enough
            ranked = self._narrowed(None, kinds, months, places)  # (a place does not: 澳门的基金)
        unknown = tuple(sorted(n for n in named if not any(self.covers(f, n) for f in ranked)))
        figures = set(_FIGURE.findall(canonical))  # 2030的目标: no fact's figure (8月 is a date)
        holding = [f for f in ranked if all(n in self._about(f) for n in figures)]
        if figures and holding:  # the 12 policy measures: the facts about those twelve
            ranked = holding
        unknown += tuple(sorted(n for n in figures if not any(n in self._about(f) for f in ranked)))
        if kinds and not any(self._of_kind(f, kinds) for f in ranked[:MAX_ITEMS]):
            ranked = []  # 北京的AI人才政策: facts about 北京, but no policy among them
        if not ranked:  # name only what no fact names at all: 香港 is covered, its 动作 not
            nowhere = tuple(sorted(n for n in named if not self.matcher.index.holders(n)))
            return Digest(shown, (), nowhere, broad)
        if unknown:
            return Digest(shown, (), unknown, broad)
        if len(subject) == 1 and not (kinds or months or places):
            # 给我讲讲联盟: the story the name leads (its founding), then the rest
            leads = [
                f for f in ranked[:LEAD_WINDOW]
                if f.id in self._article_leads and subject[0] in normalise(f.title)
            ]  # fmt: skip
            ranked = list(dict.fromkeys([*leads[:1], *ranked]))
        doings = bool(_DOINGS.search(normalise(text)))
        if doings:  # what was done: the deeds after the subject's head
            ranked[1:] = sorted(ranked[1:], key=lambda f: f.kind not in _DEEDS)
        asked_going = doings or bool(_GOING.search(canonical))
        # 有哪些举措 asks for a kind; 南沙活动有哪些协办单位 for one thing of the event
        last = words[-1] if words else ""  # 人工智能政策 too, but 保障措施 names one thing
        asked_kind = any(
            last in k or any(last.endswith(w) and last[: -len(w)] in _GENERAL for w in k)
            for k in _KINDS.values()
        )
        specific = bool(subject) and not asked_kind and not asked_going
        return Digest(
            shown,
            tuple(ranked[:MAX_ITEMS]),
            broad=broad,
            specific=specific,
            deeds=bool(_DEEDS_ASKED.search(normalise(text))),
        )

    def _narrowed(
        self, ranked: list[Fact] | None, kinds: set[Kind], months: set[int], places: set[str]
    ) -> list[Fact]:
        """The subject's facts (or, with no subject, all of a kind) in the months and places
        the topic names, with the facts related to those."""
        subject = ranked is not None
        if ranked is None:  # no subject: a kind, a place or a month alone
            only_kind = not (months or places)
            ranked = [f for f in self.base.facts if not only_kind or self._of_kind(f, kinds)]
            ranked.sort(key=self._importance)
            ranked = _across_stories(ranked)
        # The kind asked for first, the exact kind before its kin; with a subject, only figures
        # (双选会的招聘数据): 八部门那份文件 names its subject by a kind, its targets are figures.
        if kinds and (not subject or kinds <= _FIGURE_KINDS):
            ranked.sort(key=lambda f: (f.kind not in kinds, not self._of_kind(f, kinds)))
        if months:
            ranked = self._with_families([f for f in ranked if self._in_month(f, months)], ranked)
        for place in sorted(
            places
        ):  # facts about the place, else (东莞双选会的主办方) facts naming it
            about = [f for f in ranked if self._is_about(f, place)]
            about = about or [f for f in ranked if place in self._about(f)]
            if not about:  # what 邓飞 said at the Nansha event: the people of its story
                about = [f for f in ranked if f.kind == "person" and self._in_story_about(f, place)]
            if "person" in kinds:  # the people a report on the place quotes spoke there
                stories = {s.article for f in about for s in f.sources[:1]}
                about += [f for f in ranked if f.kind == "person" and f.sources
                          and f.sources[0].article in stories and f not in about]  # fmt: skip
            ranked = self._with_families(about, ranked)
            ranked.sort(  # people asked for still first: 南沙的嘉宾 who do not name 南沙
                key=lambda f, place=place: (  # type: ignore[misc]
                    "person" in kinds and f.kind != "person",
                    self._crowd(f, place),
                )
            )
        if not subject and not kinds:  # 东莞有什么AI动态: its event, then a figure, a deal...
            tiers = itertools.groupby(  # ...among the facts as much about the place
                ranked, key=lambda f: tuple(self._crowd(f, p) for p in sorted(places))
            )
            ranked = [f for _, tier in tiers for f in _kind_by_kind(list(tier))]
        if months:  # 6月发生了什么: what is dated in June first, then what its quotes place there
            ranked.sort(key=lambda f: not self._dated_in(f, months))
        return ranked

    def _crowd(self, fact: Fact, place: str) -> tuple[bool, int]:
        """How little a fact is about one place: facts that do not name it last, and among
        those that do, the ones naming fewer other places first (东莞's job fair before the
        list of five core cities)."""
        about = self._about(fact)
        others = {p for p in entities_in(about) & PLACES if place not in p and p not in place}
        return place not in about, len(others)

    def covers(self, fact: Fact, name: str) -> bool:
        """Whether the fact names the name, or (a place) comes from a story about it."""
        return name in self._about(fact) or (name in PLACES and self._in_story_about(fact, name))

    def _in_story_about(self, fact: Fact, place: str) -> bool:
        """Whether the fact comes from a story with a fact about the place: 邓飞 spoke at
        the Nansha event though none of his words name 南沙."""
        story = _article(fact)
        return any(_article(f) == story and self._is_about(f, place) for f in self.base.facts)

    @staticmethod
    def _of_kind(fact: Fact, kinds: set[Kind]) -> bool:
        return fact.kind in kinds or (fact.kind == "initiative" and "policy" in kinds)

    def _about(self, fact: Fact) -> str:
        index = self.matcher.index
        return index.fact(index.position(fact.id)).about

    def _is_about(self, fact: Fact, place: str) -> bool:
        """Whether the fact is about the place (its place, title or keywords name it), not
        merely mentions it (schools from 北京 signing an initiative in 南沙)."""
        index = self.matcher.index
        fields = index.fact(index.position(fact.id)).fields
        named = (entities_in(t) for name in (PLACE, TITLE, KEYWORDS) for t in fields.get(name, ()))
        return any(place in found for found in named)  # 北京大学 is no fact about 北京

    def _with_families(self, heads: list[Fact], pool: list[Fact]) -> list[Fact]:
        """The heads and the facts of the pool related to them, in the pool's order (the fund
        launched at the alliance's founding ceremony happened in June too)."""
        index = self.matcher.index
        wanted = {f.id for f in heads}
        for head in heads:
            wanted |= {self.base.facts[i].id for i in index.fact(index.position(head.id)).family}
        return [f for f in pool if f.id in wanted]

    @staticmethod
    def _dated_in(fact: Fact, months: set[int]) -> bool:
        return fact.when is not None and len(fact.when) >= 7 and int(fact.when[5:7]) in months

    @staticmethod
    def _in_month(fact: Fact, months: set[int]) -> bool:
        if Overviews._dated_in(fact, months):
            return True
        quoted = normalise(" ".join([fact.answer, *(q.quote for q in fact.sources)]))
        return any(re.search(rf"(?<!\d){m}月", quoted) for m in months)

    def _by_subjects(self, subject: list[str], text: str) -> list[Fact] | None:
        """The facts about the subject; two words joined by 和 (联盟的中心和平台) are two
        subjects sharing the rest, their facts taken in turn, when each has facts of its own."""
        for first, second in itertools.pairwise(subject):
            if not re.search(re.escape(first) + _AND + re.escape(second), text) or not all(
                self.matcher.index.holders(w) for w in (first, second)
            ):
                continue  # 超长裙和连衣裙: words no fact holds make no subjects of their own
            rest = [w for w in subject if w not in (first, second)]
            each = [self._by_subject([*rest, word]) for word in (first, second)]
            if all(each):
                return list(dict.fromkeys(_in_turn(f for f in each if f)))
        return self._by_subject(subject)

    def _by_subject(self, subject: list[str]) -> list[Fact] | None:
        """The facts about the subject, the one most about it first, then the facts related
        to it, then the others that name it; None when there is no subject to look for."""
        q = self.matcher.read(" ".join(subject)) if subject else None
        if q is None or not q.content:
            return None
        index = self.matcher.index
        fitting = [
            c for c in self.matcher.candidates(q, keep=4 * MAX_ITEMS)
            if not c.unknown and c.coverage >= MIN_SUBJECT_COVERAGE
            and sum(  # words no fact holds (export controls): a topic the sources lack
                len(w) > 1 and not index.holders(w) and not index.sounds_like(w)
                for w in c.unexplained
            ) < FOREIGN_WORDS
        ]  # fmt: skip
        if not fitting:
            return []
        head = fitting[0]
        family = {i for i in head.indexed.family if i != head.index}
        related = sorted((self.base.facts[i] for i in family), key=_figures_first)
        named = [c.indexed.fact for c in fitting if c is not head]
        return list(dict.fromkeys([head.indexed.fact, *related, *named]))

    @functools.cached_property
    def _article_leads(self) -> frozenset[str]:
        """Each article's first fact: what its story is (the fact base lists the lead first)."""
        return frozenset(
            facts[0].id for facts in _grouped(list(self.base.facts), _article).values()
        )

    @functools.cached_property
    def _story_leads(self) -> tuple[Fact, ...]:
        """Every story's lead, then its figures, then the rest, a story at a time: a briefing
        on everything is what happened, in order (5月7日 in 东莞, 6月6日 the alliance...), then
        a figure of each. The fact base lists each article's facts lead first; two
        reports whose leads are related (000 and 001 on one job fair) are one story."""
        index = self.matcher.index
        stories: list[list[Fact]] = []
        for facts in _grouped(list(self.base.facts), _article).values():
            lead = index.fact(index.position(facts[0].id)).family
            same = next((s for s in stories if index.position(s[0].id) in lead), None)
            if same is None:
                stories.append(list(facts))
            else:
                same += facts
        stories.sort(key=lambda story: story[0].when or "9999")  # in the order they happened
        queues = [
            [story[0], *sorted(story[1:], key=lambda f: f.kind not in _FIGURE_KINDS)]
            for story in stories
        ]
        return tuple(_in_turn(queues))  # the base never changes: a reload builds new Overviews

    @staticmethod
    def _importance(fact: Fact) -> tuple[int, str]:
        """Figures first, then events by date, then plans, bodies and people."""
        return _KIND_ORDER[fact.kind], fact.when or "9999"
