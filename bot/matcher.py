"""From a question to the fact that answers it, or an honest abstention.

Two measures over the question's content words (function words removed), per fact:

- *coverage*: the share of the question, weighted by how rare each word is, that the fact
  explains. Words no fact holds count as rare, so 双选会的门票多少钱 leaves 门票 and 钱
  unexplained and is refused rather than answered with some figure about the fair. A missing
  verb or adverb weighs less than a missing noun: people wrap questions in words of their own.
- *relevance*: BM25F-like; a word found in a fact's keywords and title and sample questions
  counts more than one found only in its answer, saturating so no field dominates.

Before answering: the kind of answer asked (how many / when / where / how much) must be one the
fact carries; every place, organisation and figure the question names must occur in the fact or
its related facts; and the runner-up must be clearly behind, or both are offered as choices.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from bot.factbase import Fact, FactBase
from bot.factindex import (
    FIELD_WEIGHT,
    NUMBER,
    Evidence,
    FactIndex,
    IndexedFact,
    canonical,
)
from bot.lexicon import (
    FUNCTION_WORDS,
    HOW_WORDS,
    ORGANISATION_SUFFIXES,
    REQUIRED_KINDS,
    asked_kinds,
    asked_unit,
    entities_in,
)
from bot.segment import NOUN_TAGS, Segmenter, Span
from bot.text import Script, detect_script

MAX_QUESTION_CHARS: Final = 300
SUGGESTIONS: Final = 3
SATURATION: Final = 1.0  # BM25's k: the second field adds less than the first
PART_CREDIT: Final = 0.5  # a fact holding only 世界 and 大会 explains 世界人工智能大会 less
NAMED_PART_CREDIT: Final = 0.2  # ...and hardly explains the name of something else
# Nouns carry what is asked. An unexplained noun changes the question (门票, 秘书长); an
# unexplained verb or adverb is mostly glue around it (跟着, 下面). (found, missing) weights:
POS_WEIGHT: Final = {"noun": (1.0, 1.0), "verb": (0.8, 0.35), "glue": (0.3, 0.15)}
SINGLE_CHARACTER_MISSING: Final = 0.4  # a lone unexplained character is often a typo's remains
TITLE_BONUS: Final = 0.3  # prefer the fact whose title the question is about
KIND_BONUS: Final = 0.3  # a statistic answers "how many" better than an event mentioning one
SOFT_MISMATCH: Final = 0.75  # asked who or why, and the fact names no actor or purpose
UNIT_BONUS: Final = 0.2  # 多少人 prefers a fact counting people over one counting companies
# Decisions, tuned on the facts' sample questions and the labelled set in tests/data.
MIN_COVERAGE: Final = 0.7
MIN_RELEVANCE_SHARE: Final = 0.3  # of ln(1 + facts): a word found in one fact in three
AMBIGUITY_RATIO: Final = 0.94  # runner-up this close to the best: ask which one was meant
SHORTLIST: Final = 12  # facts measured in full, after a cheap first look at all of them
_NAME_MATCH: Final = 80.0  # 东莞技师学院 is the 东莞市技师学院 of the fact


class Verdict(enum.StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"  # two or more facts fit equally well: offered as choices
    NOT_FOUND = "not_found"  # nothing fits well enough: closest topics offered
    OUT_OF_SCOPE = "out_of_scope"  # about a place, body or figure the facts do not cover
    TOO_LONG = "too_long"
    EMPTY = "empty"  # no words at all: emoji, punctuation, invisible characters


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # 0..1: coverage discounted by how weak the evidence is
    coverage: float
    relevance: float


@dataclass(frozen=True)
class Outcome:
    question: str
    verdict: Verdict
    script: Script
    matches: tuple[Match, ...] = ()  # answered: the answer first; otherwise choices/suggestions
    unknown: tuple[str, ...] = ()  # out of scope: what the question names that no fact covers

    @property
    def answered(self) -> bool:
        return self.verdict is Verdict.ANSWERED

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class _Question:
    text: str
    content: list[Span]
    weights: list[tuple[float, float]]  # (when found, when missing) per content word


@dataclass(frozen=True)
class _Ranked:
    rank: float
    match: Match
    unknown: frozenset[str]


class Matcher:
    """Answers questions from one immutable FactBase; a reload builds a new Matcher."""

    def __init__(self, base: FactBase, *, segmenter: Segmenter | None = None) -> None:
        self.base = base
        self.index = FactIndex(base, segmenter=segmenter)
        self._min_relevance = MIN_RELEVANCE_SHARE * self.index.max_idf

    def match(self, question: str) -> Outcome:
        script = detect_script(question[: MAX_QUESTION_CHARS * 2])
        if len(question.strip()) > MAX_QUESTION_CHARS:
            return Outcome(question, Verdict.TOO_LONG, script)
        text = canonical(question)
        words = self.index.segmenter.words(text)
        content = [w for w in words if w[0] not in FUNCTION_WORDS]
        if not content:
            return Outcome(question, Verdict.EMPTY, script)
        after_how = {end for word, _, end in words if word in HOW_WORDS}
        weights = [self._weight(span, focus=span[1] in after_how) for span in content]
        asked = asked_kinds(text)
        unit = asked_unit(text)
        evidence = self.index.gather(text, words, content, asked, keep=SHORTLIST)
        q = _Question(text, content, weights)
        named = entities_in(text)
        ranked = []
        for index, found in evidence.items():
            indexed = self.index.facts[index]
            unknown = frozenset(n for n in named if n not in indexed.about)
            unknown |= self._unknown_details(q, indexed)
            # A question about 上海's schools would fit the Guangdong fact but for 上海: judge
            # the fit without the names the fact does not cover, and say what is missing.
            coverage, relevance = self._measure(q, found, index, ignore=unknown)
            score = coverage * relevance / (relevance + self._min_relevance)
            required = asked & REQUIRED_KINDS
            if required and not (required & indexed.carries):
                coverage = min(coverage, MIN_COVERAGE / 2)  # knows the topic, not the answer
            bonus = 1 + TITLE_BONUS * found.title_precision(indexed.title_words)
            bonus *= 1 + KIND_BONUS * bool(asked & indexed.best_for)
            if asked - REQUIRED_KINDS - indexed.carries:
                bonus *= SOFT_MISMATCH
            if unit in indexed.units:
                bonus *= 1 + UNIT_BONUS
            match = Match(indexed.fact, score, coverage, relevance)
            ranked.append(_Ranked(relevance * coverage * bonus, match, unknown))
        ranked.sort(key=lambda r: (-r.rank, r.match.fact.id))
        return self._decide(question, script, ranked)

    def _weight(self, span: Span, *, focus: bool = False) -> tuple[float, float]:
        """How much a question word matters when a fact has it, and when a fact lacks it.

        Rare words and words no fact holds matter most. The verb after 怎么/如何 is what a
        how-question asks about (粤匠大模型点样下载), so it weighs like a noun.
        """
        word = span[0]
        idf = self.index.idf(word)
        if idf is None:
            idf = self.index.max_idf * min(1.0, len(word) / 2)
        tag = self.index.segmenter.tag(word)
        if focus or tag is None or tag.startswith(NOUN_TAGS):
            found, missing = POS_WEIGHT["noun"]
        else:
            found, missing = POS_WEIGHT["verb" if tag[0] in "va" else "glue"]
        if len(word) == 1 and not focus:
            missing *= SINGLE_CHARACTER_MISSING
        return idf * found, idf * missing

    def _measure(
        self, q: _Question, found: Evidence, index: int, *, ignore: frozenset[str]
    ) -> tuple[float, float]:
        explained_mass = missing_mass = relevance = 0.0
        for (word, start, end), (weight, weight_if_missing) in zip(
            q.content, q.weights, strict=True
        ):
            if word in ignore:
                continue
            named = self.index.named_elsewhere(word, index)
            credit = NAMED_PART_CREDIT if named else PART_CREDIT
            support = {name: found.support(name, start, end, credit) for name in found.by_field}
            total = sum(value * FIELD_WEIGHT[name] for name, value in support.items())
            explained = max(support.values(), default=0.0)
            explained_mass += weight * explained
            missing_mass += weight_if_missing * (1 - explained)
            relevance += weight * total * (1 + SATURATION) / (total + SATURATION)
        return explained_mass / (explained_mass + missing_mass or 1.0), relevance

    @staticmethod
    def _unknown_details(q: _Question, indexed: IndexedFact) -> frozenset[str]:
        """Figures and names of bodies in the question that the fact does not cover.

        第8届 is not the fact's 第9届, and 中国人工智能学会 is not one of the alliance's members.
        """
        unknown = {n for n in NUMBER.findall(q.text) if n not in indexed.figures}
        for position, (word, _, end) in enumerate(q.content):
            if word not in ORGANISATION_SUFFIXES or position == 0:
                continue
            start = position
            while start > max(0, position - 3) and q.content[start - 1][2] == q.content[start][1]:
                start -= 1
            name = q.text[q.content[start][1] : end]
            if start < position and fuzz.partial_ratio(name, indexed.about) < _NAME_MATCH:
                unknown.add(name)
        return frozenset(unknown)

    def _decide(self, question: str, script: Script, ranked: list[_Ranked]) -> Outcome:
        def fits(match: Match) -> bool:
            return match.coverage >= MIN_COVERAGE and match.relevance >= self._min_relevance

        suggestions = tuple(r.match for r in ranked[:SUGGESTIONS])
        in_scope = [r for r in ranked if not r.unknown]
        best_fits_elsewhere = ranked and ranked[0].unknown and fits(ranked[0].match)
        if best_fits_elsewhere and not (in_scope and fits(in_scope[0].match)):
            unknown = tuple(sorted(ranked[0].unknown))
            return Outcome(question, Verdict.OUT_OF_SCOPE, script, suggestions, unknown)
        fitting = [r for r in in_scope if fits(r.match)]
        if not fitting:
            return Outcome(question, Verdict.NOT_FOUND, script, suggestions)
        top, *rest = fitting
        close = [r.match for r in rest if r.rank >= AMBIGUITY_RATIO * top.rank]
        if close:
            return Outcome(question, Verdict.AMBIGUOUS, script, (top.match, *close[:2]))
        related = tuple(r.match for r in rest[: SUGGESTIONS - 1])
        return Outcome(question, Verdict.ANSWERED, script, (top.match, *related))
