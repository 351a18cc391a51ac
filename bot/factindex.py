"""What the fact base holds, indexed so a question can be checked against every fact quickly.

Each fact is read through fields (keywords, title, sample questions, English title and answer,
place, answer and quotes, and the events it belongs to) in the same canonical form as
questions. The index answers one query: which spans of a question each fact explains, in which
field, and how surely (`Evidence`).

Fact text is not segmented: an inverted index of character pairs (the CJK bigrams search
engines use) finds the facts that may hold a question word, and a substring test confirms it.
So a word is found inside longer ones (人工智能 in 人工智能与机器人产业联盟), building the index
costs a few microseconds per fact, and 100,000 facts index in seconds. Keywords and short
titles are also looked for as phrases in the question, exactly, with one wrong character near
words nothing explains (rapidfuzz), and by sound (粤将 for 粤匠, see bot/pinyin.py). What the
matcher makes of the evidence is not this module's concern.
"""

from __future__ import annotations

import bisect
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from bot.english import EnglishReader
from bot.factbase import Fact, FactBase, scope_of
from bot.figures import Figure, chinese_figures, chinese_integer
from bot.lexicon import (
    ANSWERED_BEST_BY,
    ASKED_WORDS,
    CURRENT_TIME,
    ENGLISH_WORDS,
    FUNCTION_WORDS,
    HOME_GROUND,
    KIND_SIMILARITY,
    KIND_WORDS,
    ORGANISATION_SUFFIXES,
    ORGANISATIONS,
    PLACES,
    RELATIVE_TIME,
    SYNONYM_SIMILARITY,
    SYNONYMS,
    AskedKind,
    alternation,
    synonyms,
)
from bot.pinyin import SoundIndex
from bot.segment import Segmenter, Span
from bot.text import normalise

KEYWORDS, TITLE, QUESTIONS, ENGLISH, PLACE, ANSWER = "kw", "title", "q", "en", "place", "answer"
CONTEXT = "context"  # the occasion: related events' titles and keywords (交流会上 for a showcase)
KIND = "kind"  # words naming the fact's kind or the kind of answer asked (政策, 哪个城市)
FIELDS: Final = (KEYWORDS, TITLE, QUESTIONS, ENGLISH, PLACE, ANSWER, CONTEXT)
FIELD_WEIGHT: Final = {
    KEYWORDS: 1.0, TITLE: 0.9, QUESTIONS: 0.8, ENGLISH: 0.8, PLACE: 0.8, ANSWER: 0.5, CONTEXT: 0.3,
    KIND: 0.5,
}  # fmt: skip
FIELD_SIMILARITY: Final = {CONTEXT: 0.7}  # context explains a word, but less surely
# Typo tolerance by phrase length: one wrong character in three, or in four and more.
_FUZZY_MIN: Final = {3: 66.0, 4: 74.0}
_FUZZY_DEFAULT: Final = 78.0
FUZZY_SIMILARITY: Final = 0.85  # a phrase found with one wrong character still explains it
SOUND_SIMILARITY: Final = 0.9  # ... and one written with a homophone (粤将) a little more surely
_TITLE_PHRASE: Final = 20  # titles up to this long are also looked for as phrases
_FUZZY_CANDIDATES: Final = 400  # phrases sharing a character with an unexplained word
# On a large base, a word in more facts than this (广东, 人工智能) is too common to bring a fact
# forward; it is checked only in the facts that rarer words brought forward.
_COMMON_SHARE: Final = 0.005
_COMMON_MIN: Final = 500
_PHRASE_SCAN_FACTS: Final = 4000  # above this, phrases are only looked for in candidate facts
_CANDIDATE_FACTS: Final = 64
_SEPARATOR: Final = "\n"
_KEEP_INDEXED: Final = 20_000  # facts whose details are kept computed
_SPELLING_FACTS: Final = 5_000  # facts whose English words a misspelling is checked against
_ENGLISH_WORD: Final = re.compile(r"[a-z][a-z-]{3,}")

_DATE = re.compile(r"\d+月\d+日|\d{4}年|\d+月")
# an occasion says when, as the sources tell it (基金在联盟成立仪式上启动: 几时启动的)
_OCCASION = re.compile(r"仪式上")
_PLACE = alternation(PLACES)
_IN_A_NAME = re.compile(  # a place that opens a body's name: 广州市教育局, 广东省教育厅
    r"(?:省|市|区|特别行政区)?[\u4e00-\u9fff]{0,8}?(?:政府|教育局|教育厅|人社局|人力资源和社会保障[厅局]"
    r"|科技厅|大学|学院|学校|中学|小学|委员会|联会|协会|研究院|集团|公司|联络处)"
)
_VENUE = re.compile(r"在.{1,24}(?:举办|举行|成立|召开|亮相|出席)")
_ACTOR = re.compile(
    "主办|承办|协办|指导|牵头|联合|发布|印发|打造|发起|签订|签署|表示|介绍|认为|指出|建议|由|鼓励"
    "|共建|携手|出席|提出|坦言|告诉|参与|参加|参展|亮相"
)
_PURPOSE = re.compile("旨在|目的|为了|意义|标志着|推动|为实现|为保障")
_LIST_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{1,24}(?:、[\u4e00-\u9fffA-Za-z0-9]{1,24})+")
_PAIR = re.compile("[与和及同]")
_DAY_PRECISE = re.compile(r"\d+月\d+日")
_BODY = re.compile("(?:" + "|".join(sorted(ORGANISATION_SUFFIXES, key=len, reverse=True)) + ")")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ORDINAL = re.compile(r"第(\d+|[一二两三四五六七八九十百]+)")
_FIRST = re.compile(r"首(?=[期届次批个轮])")
_DAY = re.compile(r"(?<!\d)(?P<month>1[0-2]|[1-9])月(?:(?:[12]\d|3[01]|[1-9])日)?")
_DATE_FAMILIES: Final = frozenset({"year", "month", "day"})
_YEARS: Final = (1949, 2100)


def ordinals(text: str) -> frozenset[int]:
    """The ordinals a (normalised) text states: 第9届 -> 9, 第一梯队 -> 1, 首期 -> 1."""
    found = {int(n) if n.isdigit() else chinese_integer(n) for n in _ORDINAL.findall(text)}
    return frozenset(found | ({1} if _FIRST.search(text) else set()))


def dates(text: str) -> frozenset[str]:
    """The dates and months a (normalised) text names: 5月7日, and its month 5月."""
    found: set[str] = set()
    for match in _DAY.finditer(text):
        found.add(match.group())
        found.add(f"{match['month']}月")
    return frozenset(found)


def _located(answer: str) -> bool:
    """Whether the text places something, not only names bodies that carry a place in their
    name (广州市教育局, 香港特别行政区政府教育局 say who, not where)."""
    return any(
        not _IN_A_NAME.match(answer, found.end())
        for found in _PLACE.finditer(answer)
        if found.group() not in HOME_GROUND
    )


def _year_like(figure: Figure) -> bool:
    """A bare year before a name (2025粤港澳大湾区…活动) dates the thing; it counts nothing."""
    return figure.value.is_integer() and _YEARS[0] <= figure.value <= _YEARS[1]


def carries(fact: Fact) -> frozenset[AskedKind]:
    """The kinds of question the fact can answer: a figure, a date, a place, an actor..."""
    answer = normalise(fact.answer)  # 第九届 -> 第9届, so figures written in words count
    figures = chinese_figures(answer)
    kinds: set[AskedKind] = set()
    if any(f.families - _DATE_FAMILIES or not (f.families or _year_like(f)) for f in figures):
        kinds.add("count")
    if (
        fact.when
        or _DATE.search(answer)
        or RELATIVE_TIME.search(answer)
        or CURRENT_TIME.search(answer)
        or _OCCASION.search(answer)
    ):
        kinds.add("when")
    if fact.place or _located(answer) or _VENUE.search(answer):
        kinds.add("where")
    if fact.kind in ("organization", "person") or _ACTOR.search(answer):
        kinds.add("who")
    if _PURPOSE.search(answer):
        kinds.add("why")
    if any("money" in f.families for f in figures):
        kinds.add("money")
    if list_size(answer) >= 2:
        kinds.add("list")
    if _DAY_PRECISE.search(answer) or _DAY_PRECISE.search(
        normalise(" ".join(q.quote for q in fact.sources))
    ):
        kinds.add("day")
    if _names_itself(fact):
        kinds.add("name")
    if _EDITION.search(answer):
        kinds.add("edition")
    return frozenset(kinds)


_QUOTE_MARKS: Final = re.compile(r"[“”\"]")
_EDITION: Final = re.compile(r"第\d+[届次期轮批]|首[届次期轮批]")


def _names_itself(fact: Fact) -> bool:
    """Whether the fact's title is the full name of what it is about, as its quotes write it
    (《“人工智能+制造”专项行动实施意见》, the 5月7日 event's long name): the answer to 全称."""
    title = normalise(fact.title)
    if "《" in title:
        return True
    name = _QUOTE_MARKS.sub("", title)
    quoted = _QUOTE_MARKS.sub("", normalise(" ".join(q.quote for q in fact.sources)))
    return fact.kind in ("event", "organization") and len(name) >= 6 and name in quoted


def listed_places(text: str) -> frozenset[str]:
    """Places an enumeration names side by side (来自北京、广东、江苏、浙江…与香港、澳门的共49所):
    a figure next to them is their total, none of them alone."""
    found: set[str] = set()
    for run in _LIST_RUN.findall(text):
        members = [set(_PLACE.findall(member)) for member in run.split("、")]
        if sum(bool(m) for m in members) >= 2:
            found.update(*members)
    return frozenset(found)


def list_size(text: str) -> int:
    """The most members one enumeration of the text names (A、B、C: 3; A与B, two bodies: 2)."""
    runs = [len(run.split("、")) for run in _LIST_RUN.findall(text)]
    semicolons = text.count("；") + text.count(";")  # X融合，…；Y融合，…；Z融合，…
    runs.append(semicolons + 1 if semicolons >= 2 else 0)
    pairs = 2 if len(_BODY.findall(text)) >= 2 and _PAIR.search(text) else 0
    return max([*runs, pairs, 0])


@dataclass(frozen=True)
class IndexedFact:
    """What the matcher needs to know of one fact; computed when the fact is first looked at."""

    fact: Fact
    fields: dict[str, list[str]]  # canonical texts per field
    joined: dict[str, str]  # the same, one string per field: one substring search, not many
    about: str  # what the fact and its related facts say: names and figures it covers
    carries: frozenset[AskedKind]
    best_for: frozenset[AskedKind]  # kinds it is the natural answer to (a statistic: count)
    units: frozenset[str]  # families of the units its figures count (people, schools...)
    figures: frozenset[str]  # every number in `about`: a question's 第8届 must be among them
    ordinals: frozenset[int]  # every 第N (and 首, first) in `about`: 第四梯队 needs a 4th
    dates: frozenset[str]  # every 5月7日 and 7月 in `about`: a question's date must be one
    list_size: int  # the most members one enumeration of its answer names
    listed_places: frozenset[str]  # places it names only as one of several (北京、广东、江苏)
    family: frozenset[int]  # itself and the facts it is related to, either way round


@dataclass(slots=True)
class Evidence:
    """For one fact: the spans of the question found in each field, with their similarity."""

    by_field: dict[str, list[tuple[int, int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    mask: int = 0  # a bit per question position anything was found for
    strength: float = 0.0  # a rough total of what was found and where, to shortlist facts
    sounded: bool = False  # found through a typo or a homophone

    def add(self, field_name: str, start: int, end: int, similarity: float) -> None:
        sureness = similarity * FIELD_SIMILARITY.get(field_name, 1.0)
        self.by_field[field_name].append((start, end, sureness))
        self.mask |= span_mask(start, end)
        self.strength += FIELD_WEIGHT[field_name] * sureness * (end - start)

    def support(self, field_name: str, start: int, end: int, part_credit: float) -> float:
        """How well one question word is found in a field: whole, or only its parts."""
        whole = 0.0
        parts: dict[int, float] = {}
        for s, e, similarity in self.by_field.get(field_name, ()):
            if s <= start and end <= e:
                whole = max(whole, similarity)
            elif start <= s and e <= end:
                for p in range(s, e):
                    parts[p] = max(parts.get(p, 0.0), similarity)
        part = part_credit * sum(parts.values()) / (end - start) if parts else 0.0
        return max(whole, part)


def span_mask(start: int, end: int) -> int:
    return ((1 << (end - start)) - 1) << start


def _grams(text: str) -> set[str]:
    """Character pairs, and single characters (so one-character words are found too)."""
    return {text[i : i + 2] for i in range(len(text) - 1)} | set(text)


class FactIndex:
    """Built once per FactBase (at start and on each reload); read-only afterwards."""

    def __init__(self, base: FactBase, *, segmenter: Segmenter | None = None) -> None:
        self.base = base
        glossary_english = {alias: e.term for e in base.glossary for alias in e.en}
        self.english = EnglishReader(
            {**ENGLISH_WORDS, **glossary_english},
            known=_ENGLISH_WORD.findall(
                " ".join(f"{f.title_en or ''} {f.answer_en or ''} {' '.join(f.questions)}"
                         for f in base.facts[:_SPELLING_FACTS]).casefold()
            ),
        )  # fmt: skip
        self.synonyms = synonyms(
            [*([w, *others] for w, others in SYNONYMS.items()),
             *([normalise(e.term), *map(normalise, e.zh)] for e in base.glossary if e.zh)]
        )  # fmt: skip
        self._position = {fact.id: i for i, fact in enumerate(base.facts)}
        self._texts: list[str] = []  # per fact: its fields' canonical texts, one per line
        self._shape: list[tuple[int, ...]] = []  # per fact: how many lines each field has
        self.phrase_owners: dict[str, list[int]] = defaultdict(list)
        postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        for index, fact in enumerate(base.facts):
            texts = self._field_texts(fact)
            lines = (t.replace(_SEPARATOR, " ") for ts in texts for t in ts)
            joined = self.canonical(_SEPARATOR.join(lines))
            self._texts.append(joined)
            self._shape.append(tuple(map(len, texts)))
            for gram in _grams(joined):
                postings[gram].append(index)
            keyword_lines = joined.split(_SEPARATOR)[: len(texts[0]) + len(texts[1])]
            for phrase in keyword_lines:
                if 2 <= len(phrase) <= _TITLE_PHRASE:
                    self.phrase_owners[phrase].append(index)
        self._postings = dict(postings)
        self.segmenter = segmenter or Segmenter(
            set(self.phrase_owners) | PLACES | ORGANISATIONS | FUNCTION_WORDS | self.synonyms.keys()
        )
        total = max(len(base.facts), 1)
        self.size = total
        self.max_idf = math.log(1 + total)
        self._common = max(_COMMON_MIN, int(_COMMON_SHARE * total))
        self._indexed: dict[int, IndexedFact] = {}
        self._families = self._related_families()
        self._events_of: dict[str, list[Fact]] = defaultdict(list)  # the events a fact was at
        for fact in base.facts:
            for other in fact.related:
                if fact.kind == "event":
                    self._events_of[other].append(fact)
                if base.by_id[other].kind == "event":
                    self._events_of[fact.id].append(base.by_id[other])
        self._phrases_starting: dict[str, list[str]] = defaultdict(list)  # by first character
        self._phrases_with: dict[str, list[str]] = defaultdict(list)
        for phrase in sorted(self.phrase_owners):
            self._phrases_starting[phrase[0]].append(phrase)
            if len(phrase) >= 3:
                for ch in set(phrase):
                    self._phrases_with[ch].append(phrase)
        self.sounds = SoundIndex(p for p in self.phrase_owners if 2 <= len(p) <= 12)

    def canonical(self, text: str) -> str:
        """The matching form shared by facts and questions (English read into Chinese)."""
        return self.english.to_chinese(normalise(text))

    @staticmethod
    def _field_texts(fact: Fact) -> list[list[str]]:
        """The fact's text per field, in FIELDS order; keywords and title come first."""
        return [
            list(fact.keywords),
            [fact.title],
            list(fact.questions),
            [t for t in (fact.title_en, fact.answer_en) if t],
            [fact.place] if fact.place else [],
            [fact.answer, *(q.quote for q in fact.sources)],
            [],  # context: filled from related events when the fact is first looked at
        ]

    def _related_families(self) -> list[frozenset[int]]:
        families: list[set[int]] = [{i} for i in range(len(self.base.facts))]
        for i, fact in enumerate(self.base.facts):
            for other in fact.related:
                families[i].add(self._position[other])
                families[self._position[other]].add(i)
        return [frozenset(f) for f in families]

    def position(self, fact_id: str) -> int:
        return self._position[fact_id]

    def fact(self, index: int) -> IndexedFact:
        """The fact at `index` with everything the matcher weighs, computed when first needed
        (a large base keeps only the most recently used, so memory stays bounded)."""
        found = self._indexed.pop(index, None)
        if found is None:
            found = self._index_fact(index)
            if len(self._indexed) >= _KEEP_INDEXED:
                del self._indexed[next(iter(self._indexed))]
        self._indexed[index] = found  # most recently used last
        return found

    def _index_fact(self, index: int) -> IndexedFact:
        fact = self.base.facts[index]
        lines = iter(self._texts[index].split(_SEPARATOR))
        fields = {
            name: [next(lines) for _ in range(n)]
            for name, n in zip(FIELDS, self._shape[index], strict=False)
        }
        events = [self.base.by_id[i] for i in fact.related if self.base.by_id[i].kind == "event"]
        fields[CONTEXT] = [self.canonical(" ".join([e.title, *e.keywords])) for e in events]
        fields = {name: texts for name, texts in fields.items() if texts}
        related = [self.base.by_id[other] for other in fact.related]
        at = self.events_of(fact.id)
        about = self.canonical("\n".join([scope_of(fact, related, at), *fact.keywords]))
        kinds = carries(fact)
        return IndexedFact(
            fact=fact,
            fields=fields,
            joined={name: _SEPARATOR.join(texts) for name, texts in fields.items()},
            about=about,
            carries=kinds,
            best_for=frozenset(k for k in kinds if fact.kind in ANSWERED_BEST_BY[k]),
            units=frozenset(u for f in chinese_figures(normalise(fact.answer)) for u in f.families),
            figures=frozenset(NUMBER.findall(about)),
            ordinals=ordinals(about),
            dates=dates(about),
            list_size=list_size(normalise(fact.answer)),
            listed_places=listed_places(normalise(fact.answer)),
            family=self._families[index],
        )

    # -- words and their facts -----------------------------------------------------------------

    def _candidates(self, word: str) -> array[int] | None:
        """Facts that may hold the word: those holding its rarest character pair."""
        grams = [word[i : i + 2] for i in range(len(word) - 1)] or [word]
        lists = [self._postings.get(g) for g in grams]
        if any(found is None for found in lists):
            return None
        return min((found for found in lists if found is not None), key=len)

    def events_of(self, fact_id: str) -> list[Fact]:
        """The events a fact happened at (linked either way): where and when it took place."""
        return list(dict.fromkeys(self._events_of.get(fact_id, ())))

    def holders(self, word: str) -> list[int]:
        """The facts whose text holds the word."""
        candidates = self._candidates(word)
        if candidates is None:
            return []
        texts = self._texts
        return [i for i in candidates if word in texts[i]]

    def idf(self, word: str) -> float | None:
        """ln(1 + facts / facts holding the word); None for a word no fact holds."""
        candidates = self._candidates(word)
        if candidates is None:
            return None
        count = len(self.holders(word)) if len(candidates) <= self._common else len(candidates)
        return math.log(1 + self.size / count) if count else None

    def sounds_like(self, word: str) -> bool:
        """Whether the word is a homophone slip for one of the fact base's phrases."""
        return any(True for _ in self.sounds.find(word))

    def owned_within(self, phrase: str, family: frozenset[int]) -> bool:
        """Whether one of these facts holds the phrase as a keyword or title. The owners are
        in index order, so each of the few facts is looked up, not the many owners."""
        owners = self.phrase_owners.get(phrase, ())
        for index in family:
            at = bisect.bisect_left(owners, index)
            if at < len(owners) and owners[at] == index:
                return True
        return False

    def named_elsewhere(self, word: str, index: int) -> bool:
        """Whether the word is the name of something in facts unrelated to this one."""
        owners = self.phrase_owners.get(word, ())
        return bool(owners) and not any(owner in self._families[index] for owner in owners)

    # -- evidence for one question ------------------------------------------------------------

    def gather(
        self,
        text: str,
        words: Sequence[Span],
        content: Sequence[Span],
        asked: frozenset[AskedKind],
        *,
        keep: int,
    ) -> dict[int, Evidence]:
        """The evidence for the `keep` facts that explain most of the question."""
        readings = [
            (reading, start, end, similarity)
            for word, start, end in self.segmenter.expand(words)
            if word not in FUNCTION_WORDS
            for reading, similarity in self._readings(word)
        ]
        strength: dict[int, float] = defaultdict(float)
        for reading, start, end, similarity in readings:
            candidates = self._candidates(reading)
            if candidates is None or len(candidates) > self._common:
                continue  # too common to bring a fact forward on its own
            for index in self.holders(reading):
                strength[index] += similarity * (end - start)
        phrases = list(self._phrases_in(text, strength))
        for phrase, _ in phrases:
            for index in self.phrase_owners[phrase]:
                strength[index] += 2 * len(phrase)
        sounded = self._sound_phrases(text, content, phrases)
        for phrase, at, end, similarity in sounded:
            for index in self.phrase_owners[phrase]:
                strength[index] += similarity * (end - at)
        if not strength:  # only common words: the rarest brings some facts forward
            common = [r for r in readings if self._candidates(r[0]) is not None]
            if common:
                rarest = min(common, key=lambda r: len(self._candidates(r[0]) or ()))
                for index in self.holders(rarest[0])[: self._common]:
                    strength[index] += 1.0
        shortlist = sorted(strength, key=lambda i: (-strength[i], i))[:keep]
        kept: dict[int, Evidence] = {}
        for index in shortlist:
            kept[index] = found = Evidence()
            indexed = self.fact(index)
            for reading, start, end, similarity in readings:
                for field_name, joined in indexed.joined.items():
                    if _SEPARATOR not in reading and reading in joined:
                        found.add(field_name, start, end, similarity)
            for phrase, at in phrases:
                if index in self.phrase_owners[phrase]:
                    found.add(KEYWORDS, at, at + len(phrase), 1.0)
            for phrase, at, end, similarity in sounded:
                if index in self.phrase_owners[phrase]:
                    found.add(KEYWORDS, at, end, similarity)
                    found.sounded = True
                    continue
                if len(phrase) >= 3 and any(  # the keyword 线下双选会 holds 双选会
                    phrase in indexed.joined.get(name, "") for name in (KEYWORDS, TITLE)
                ):
                    found.add(KEYWORDS, at, end, similarity)
                    found.sounded = True
            for word, start, end in content:
                if word in KIND_WORDS[indexed.fact.kind] or any(
                    word in ASKED_WORDS.get(kind, ()) for kind in asked & indexed.carries
                ):
                    found.add(KIND, start, end, KIND_SIMILARITY)
        self._add_typo_phrases(kept, text, content)
        return kept

    def _readings(self, word: str) -> list[tuple[str, float]]:
        """The word, and its synonyms, each with how surely it stands for the word."""
        return [(word, 1.0), *((s, SYNONYM_SIMILARITY) for s in self.synonyms.get(word, ()))]

    def phrases_in(self, text: str) -> list[tuple[str, int]]:
        """Keywords and short titles standing in a (canonical) text, with their positions."""
        return list(self._phrases_in(text, {}))

    def _phrases_in(self, text: str, strength: dict[int, float]) -> Iterable[tuple[str, int]]:
        """Keywords and short titles standing in the question, wherever jieba cut it."""
        if len(self.base.facts) <= _PHRASE_SCAN_FACTS:  # every phrase that starts at each position
            for at, first in enumerate(text):
                for phrase in self._phrases_starting.get(first, ()):
                    if text.startswith(phrase, at):
                        yield phrase, at
            return
        best = sorted(strength, key=lambda i: -strength[i])[:_CANDIDATE_FACTS]
        for phrase in sorted({p for i in best for p in self.fact(i).fields.get(KEYWORDS, ())}):
            at = text.find(phrase)
            if at >= 0:
                yield phrase, at

    def _sound_phrases(
        self, text: str, content: Sequence[Span], exact: Sequence[tuple[str, int]]
    ) -> list[tuple[str, int, int, float]]:
        """Phrases the question writes with homophones (双旋会 for 双选会), where no exact
        phrase already explains those characters."""
        covered = 0
        for phrase, at in exact:
            covered |= span_mask(at, at + len(phrase))
        found = []
        for phrase, start, end in self.sounds.find(text):
            if not covered & span_mask(start, end) and text[start:end] != phrase:
                found.append((phrase, start, end, SOUND_SIMILARITY))
        return found

    def _add_typo_phrases(
        self, evidence: dict[int, Evidence], text: str, content: Sequence[Span]
    ) -> None:
        """Phrases found with one wrong character, only near words nothing explains exactly."""
        explained = 0
        for found in evidence.values():
            explained |= found.mask
        unexplained = [s for s in content if ~explained & span_mask(s[1], s[2])]
        if not unexplained:
            return
        # Phrases sharing the unexplained words' rarest characters first, up to the cap: on a
        # large base a common character is in tens of thousands of phrases.
        lists = sorted(
            (self._phrases_with.get(ch, []) for word, _, _ in unexplained for ch in word), key=len
        )
        candidates: dict[str, None] = {}
        for phrases in lists:
            candidates.update(dict.fromkeys(phrases[: _FUZZY_CANDIDATES - len(candidates)]))
            if len(candidates) >= _FUZZY_CANDIDATES:
                break
        hits = process.extract(
            text,
            list(candidates),
            scorer=fuzz.partial_ratio,
            score_cutoff=_FUZZY_MIN[3],
            limit=None,
        )
        for phrase, score, _ in hits:
            if score < _FUZZY_MIN.get(len(phrase), _FUZZY_DEFAULT) or phrase in text:
                continue
            alignment = fuzz.partial_ratio_alignment(phrase, text)
            if alignment is None or alignment.src_end - alignment.src_start < len(phrase) - 1:
                continue  # the question is inside the phrase, not the phrase in the question
            for index in self.phrase_owners[phrase]:
                typo = evidence.setdefault(index, Evidence())
                typo.add(KEYWORDS, alignment.dest_start, alignment.dest_end, FUZZY_SIMILARITY)
                typo.sounded = True
