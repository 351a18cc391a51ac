"""What the fact base holds, indexed so a question can be checked against every fact quickly.

Each fact is read through fields (keywords, title, sample questions, English title, place,
answer) in the same canonical form as questions. The index answers one query: which spans of
a question each fact explains, in which field, and how surely (`Evidence`). Exact words come
from an inverted index over jieba words and every dictionary word inside them; keywords and
short titles are also looked for as phrases, exactly and, near words nothing explains, with one
wrong character (rapidfuzz). What the matcher makes of the evidence is not this module's concern.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from bot.factbase import Fact, FactBase, scope_of
from bot.lexicon import (
    ANSWERED_BEST_BY,
    ASKED_WORDS,
    FUNCTION_WORDS,
    KIND_SIMILARITY,
    KIND_WORDS,
    ORGANISATIONS,
    PLACES,
    SYNONYM_SIMILARITY,
    SYNONYMS,
    UNIT_FAMILIES,
    AskedKind,
    entities_in,
    with_chinese_names,
)
from bot.segment import Segmenter, Span
from bot.text import normalise

KEYWORDS, TITLE, QUESTIONS, ENGLISH, PLACE, ANSWER = "kw", "title", "q", "en", "place", "answer"
CONTEXT = "context"  # the occasion: related events' titles and keywords (交流会上 for a showcase)
KIND = "kind"  # words naming the fact's kind or the kind of answer asked (政策, 哪个城市)
FIELD_WEIGHT: Final = {
    KEYWORDS: 1.0, TITLE: 0.9, QUESTIONS: 0.8, ENGLISH: 0.8, PLACE: 0.8, ANSWER: 0.5, CONTEXT: 0.3,
    KIND: 0.5,
}  # fmt: skip
FIELD_SIMILARITY: Final = {CONTEXT: 0.7}  # context explains a word, but less surely
# Typo tolerance by phrase length: one wrong character in three, or in four and more.
_FUZZY_MIN: Final = {3: 66.0, 4: 74.0}
_FUZZY_DEFAULT: Final = 78.0
FUZZY_SIMILARITY: Final = 0.85  # a phrase found with one wrong character still explains it
_TITLE_PHRASE: Final = 20  # titles up to this long are also looked for as phrases
_FUZZY_CANDIDATES: Final = 400  # phrases sharing a character with an unexplained word
# On a large base, a word in more facts than this (广东, 人工智能) is too common to bring a fact
# forward; it is checked only in the facts that rarer words brought forward.
_COMMON_SHARE: Final = 0.005
_COMMON_MIN: Final = 500
_PHRASE_SCAN_FACTS: Final = 4000  # above this, phrases are only looked for in candidate facts
_CANDIDATE_FACTS: Final = 64

_MONEY = re.compile(r"\d+(?:\.\d+)?[万亿]?元")
_UNIT = re.compile(r"\d+(?:\.\d+)?(?:多|余)?[万亿]?(人次|人|名|位|家|所|间|个|份|条|项|届|元)")
_COUNT = re.compile(
    r"\d+(?:\.\d+)?(?:多|余)?[万亿]?(?:个|家|所|人次|人|位|项|条|届|份|元|名|间|倍|万|亿)"
)
_DATE = re.compile(r"\d+月\d+日|\d{4}年|\d+月")
_VENUE = re.compile(r"在.{1,24}(?:举办|举行|成立|召开|亮相|出席)")
_ACTOR = re.compile(
    "主办|承办|协办|指导|牵头|联合|发布|印发|打造|发起|签订|签署|表示|介绍|认为|指出|建议|由|鼓励"
    "|共建|携手|出席"
)
_PURPOSE = re.compile("旨在|目的|为了|意义|标志着|推动")
_LATIN_PLURAL = re.compile(r"^([a-z]{3,}?)s$")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def canonical(text: str) -> str:
    """The matching form shared by facts and questions (English names in Chinese, too)."""
    return with_chinese_names(normalise(text))


def term(word: str) -> str:
    """Index form of a word: English plurals folded (schools -> school)."""
    return _LATIN_PLURAL.sub(r"\1", word)


def carries(fact: Fact) -> frozenset[AskedKind]:
    """The kinds of question the fact can answer: a figure, a date, a place, an actor..."""
    answer = normalise(fact.answer)  # 第九届 -> 第9届, so figures written in words count
    kinds: set[AskedKind] = set()
    if _COUNT.search(answer):
        kinds.add("count")
    if fact.when or _DATE.search(answer):
        kinds.add("when")
    if fact.place or entities_in(answer) & PLACES or _VENUE.search(answer):
        kinds.add("where")
    if fact.kind in ("organization", "person") or _ACTOR.search(answer):
        kinds.add("who")
    if _PURPOSE.search(answer):
        kinds.add("why")
    if _MONEY.search(answer):
        kinds.add("money")
    return frozenset(kinds)


@dataclass(frozen=True)
class IndexedFact:
    fact: Fact
    fields: dict[str, list[str]]  # canonical texts per field
    about: str  # what the fact and its related facts say: names and figures it covers
    carries: frozenset[AskedKind]
    best_for: frozenset[AskedKind]  # kinds it is the natural answer to (a statistic: count)
    units: frozenset[str]  # families of the units its figures count (people, schools...)
    figures: frozenset[str]  # every number in `about`: a question's 第8届 must be among them
    title_words: int
    family: frozenset[int]  # itself and the facts it is related to, either way round


@dataclass(slots=True)
class Evidence:
    """For one fact: the spans of the question found in each field, with their similarity."""

    by_field: dict[str, list[tuple[int, int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    mask: int = 0  # a bit per question position anything was found for
    strength: float = 0.0  # a rough total of what was found and where, to shortlist facts

    def add(self, field_name: str, start: int, end: int, similarity: float) -> None:
        self.by_field[field_name].append((start, end, similarity))
        self.mask |= span_mask(start, end)
        self.strength += FIELD_WEIGHT[field_name] * similarity * (end - start)

    def add_fields(
        self, field_names: tuple[str, ...], start: int, end: int, similarity: float
    ) -> None:
        """One word found in several fields of the fact (context fields count less surely)."""
        for field_name in field_names:
            sureness = similarity * FIELD_SIMILARITY.get(field_name, 1.0)
            self.by_field[field_name].append((start, end, sureness))
            self.strength += FIELD_WEIGHT[field_name] * sureness * (end - start)
        self.mask |= span_mask(start, end)

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

    def title_precision(self, title_words: int) -> float:
        return min(1.0, len(self.by_field.get(TITLE, ())) / max(title_words, 1))


def span_mask(start: int, end: int) -> int:
    return ((1 << (end - start)) - 1) << start


def _fields(fact: Fact) -> dict[str, list[str]]:
    fields = {
        KEYWORDS: [canonical(k) for k in fact.keywords],
        TITLE: [canonical(fact.title)],
        QUESTIONS: [canonical(q) for q in fact.questions],
        ENGLISH: [canonical(fact.title_en)] if fact.title_en else [],
        PLACE: [canonical(fact.place)] if fact.place else [],
        ANSWER: [canonical(fact.answer)],
    }
    return {name: texts for name, texts in fields.items() if texts}


class FactIndex:
    """Built once per FactBase (at start and on each reload); read-only afterwards."""

    def __init__(self, base: FactBase, *, segmenter: Segmenter | None = None) -> None:
        self.base = base
        fields_of = [_fields(fact) for fact in base.facts]
        domain = {k for fields in fields_of for k in fields[KEYWORDS]}
        self.segmenter = segmenter or Segmenter(
            domain | PLACES | ORGANISATIONS | FUNCTION_WORDS | SYNONYMS.keys()
        )
        position = {fact.id: i for i, fact in enumerate(base.facts)}
        families: list[set[int]] = [{i} for i in range(len(base.facts))]
        for i, fact in enumerate(base.facts):
            for other in fact.related:
                families[i].add(position[other])
                families[position[other]].add(i)

        # word -> the facts holding it, each with the fields it is in
        self._postings: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        self.phrase_owners: dict[str, list[int]] = defaultdict(list)
        document_frequency: dict[str, int] = defaultdict(int)
        facts = []
        for index, (fact, fields) in enumerate(zip(base.facts, fields_of, strict=True)):
            own = self._index_fields(index, fields)
            self._index_context(index, fact, own)
            for word in own:
                document_frequency[word] += 1
            for phrase in {
                *fields[KEYWORDS],
                *(t for t in fields[TITLE] if len(t) <= _TITLE_PHRASE),
            }:
                if len(phrase) >= 2:
                    self.phrase_owners[phrase].append(index)
            related = (base.by_id[other] for other in fact.related)
            # Keywords add aliases (城大 for 香港城市大学); `facts check` makes sure they name no
            # place the fact's own statements do not.
            about = canonical("\n".join([scope_of(fact, related), *fact.keywords]))
            title = fields[TITLE][0]
            title_words = sum(w not in FUNCTION_WORDS for w, _, _ in self.segmenter.words(title))
            kinds = carries(fact)
            best_for = frozenset(k for k in kinds if fact.kind in ANSWERED_BEST_BY[k])
            units = frozenset(UNIT_FAMILIES[u] for u in _UNIT.findall(normalise(fact.answer)))
            family = frozenset(families[index])
            figures = frozenset(NUMBER.findall(about))
            facts.append(
                IndexedFact(
                    fact, fields, about, kinds, best_for, units, figures, title_words, family
                )
            )
        self.facts: tuple[IndexedFact, ...] = tuple(facts)
        total = max(len(facts), 1)
        self.max_idf = math.log(1 + total)
        self._idf = {word: math.log(1 + total / n) for word, n in document_frequency.items()}
        self._common = max(_COMMON_MIN, int(_COMMON_SHARE * total))
        self._phrases = sorted(self.phrase_owners)
        self._phrases_starting: dict[str, list[str]] = defaultdict(list)  # by first character
        for phrase in self._phrases:
            self._phrases_starting[phrase[0]].append(phrase)
        self._phrases_with: dict[str, list[str]] = defaultdict(list)
        for phrase in self._phrases:
            if len(phrase) >= 3:
                for ch in set(phrase):
                    self._phrases_with[ch].append(phrase)

    def _index_fields(self, index: int, fields: dict[str, list[str]]) -> set[str]:
        seen: dict[str, dict[str, None]] = defaultdict(dict)  # word -> its fields, in order
        for field_name, texts in fields.items():
            for text in texts:
                for word, _, _ in self.segmenter.search_words(text):
                    if word not in FUNCTION_WORDS:
                        seen[term(word)][field_name] = None
        for keyword in fields[KEYWORDS]:
            seen[keyword][KEYWORDS] = None
        for word, field_names in seen.items():
            self._postings[word].append((index, tuple(field_names)))
        return set(seen)

    def _index_context(self, index: int, fact: Fact, own: set[str]) -> None:
        """Words of the events a fact belongs to explain a question's 在交流会上, weakly."""
        context: set[str] = set()
        for other in fact.related:
            event = self.base.by_id[other]
            if event.kind != "event":
                continue
            for text in [canonical(event.title), *map(canonical, event.keywords)]:
                for word, _, _ in self.segmenter.search_words(text):
                    if word not in FUNCTION_WORDS and term(word) not in own:
                        context.add(term(word))
        for word in context:
            self._postings[word].append((index, (CONTEXT,)))

    def idf(self, word: str) -> float | None:
        """ln(1 + facts / facts holding the word); None for a word no fact holds."""
        return self._idf.get(term(word))

    def named_elsewhere(self, word: str, index: int) -> bool:
        """Whether the word is the name of something in facts unrelated to this one."""
        owners = self.phrase_owners.get(word, ())
        return bool(owners) and not any(owner in self.facts[index].family for owner in owners)

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
        evidence: dict[int, Evidence] = defaultdict(Evidence)
        common: list[tuple[str, int, int, float]] = []  # too common to bring facts forward
        for span in self.segmenter.expand(words):
            for word, similarity in self._readings(span[0]):
                if len(self._postings.get(word, ())) > self._common:
                    common.append((word, span[1], span[2], similarity))
                else:
                    self._add_postings(evidence, word, span[1], span[2], similarity)
        for phrase, at in self._phrases_in(text, evidence):
            for index in self.phrase_owners[phrase]:
                evidence[index].add(KEYWORDS, at, at + len(phrase), 1.0)
        self._add_typo_phrases(evidence, text, content)
        if not evidence and common:  # only common words: the rarest brings some facts forward
            word, start, end, similarity = min(common, key=lambda s: len(self._postings[s[0]]))
            self._add_postings(evidence, word, start, end, similarity, limit=self._common)
        shortlist = sorted(evidence, key=lambda i: (-evidence[i].strength, i))[:keep]
        kept = {index: evidence[index] for index in shortlist}
        for word, start, end, similarity in common:
            for index, found in kept.items():
                for field_name, texts in self.facts[index].fields.items():
                    if any(word in t for t in texts):
                        found.add(field_name, start, end, similarity)
        for word, start, end in content:
            for index, found in kept.items():
                indexed = self.facts[index]
                if word in KIND_WORDS[indexed.fact.kind] or any(
                    word in ASKED_WORDS[kind] for kind in asked & indexed.carries
                ):
                    found.add(KIND, start, end, KIND_SIMILARITY)
        return kept

    @staticmethod
    def _readings(word: str) -> list[tuple[str, float]]:
        """The word as indexed, and its synonyms, each with how surely it stands for the word."""
        return [(term(word), 1.0), *((s, SYNONYM_SIMILARITY) for s in SYNONYMS.get(word, ()))]

    def _add_postings(
        self,
        evidence: dict[int, Evidence],
        word: str,
        start: int,
        end: int,
        similarity: float,
        *,
        limit: int | None = None,
    ) -> None:
        for index, field_names in self._postings.get(word, ())[:limit]:
            evidence[index].add_fields(field_names, start, end, similarity)

    def _phrases_in(self, text: str, evidence: dict[int, Evidence]) -> Iterable[tuple[str, int]]:
        """Keywords and short titles standing in the question, wherever jieba cut it."""
        if len(self.facts) <= _PHRASE_SCAN_FACTS:  # every phrase that starts at each position
            for at, first in enumerate(text):
                for phrase in self._phrases_starting.get(first, ()):
                    if text.startswith(phrase, at):
                        yield phrase, at
            return
        for phrase in self._candidate_phrases(evidence):  # large base: the likely facts' only
            at = text.find(phrase)
            if at >= 0:
                yield phrase, at

    def _candidate_phrases(self, evidence: dict[int, Evidence]) -> list[str]:
        best = sorted(evidence, key=lambda i: -evidence[i].strength)
        return sorted({p for i in best[:_CANDIDATE_FACTS] for p in self.facts[i].fields[KEYWORDS]})

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
                evidence[index].add(
                    KEYWORDS, alignment.dest_start, alignment.dest_end, FUZZY_SIMILARITY
                )
