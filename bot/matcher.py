"""From a question to the fact that answers it, or an honest abstention.

Two measures over the question's content words (function words and polite wrappers removed),
per fact:

- *coverage*: the share of the question, weighted by how rare each word is, that the fact
  explains. Words no fact holds count as rare, so 双选会的门票多少钱 leaves 门票 and 钱
  unexplained. A missing verb or adverb weighs less than a missing noun: people wrap questions
  in words of their own.
- *relevance*: BM25F-like; a word found in a fact's keywords and title and sample questions
  counts more than one found only in its answer, saturating so no field dominates.

They rank the facts. Whether the best one answers is then decided by a fitted logistic model
(bot/decision.py) over the evidence: coverage, relevance, the margin to the runner-up, whether
the fact carries the kind of answer asked, unexplained nouns and details. Two rules stay
rules, because they are facts about the question rather than judgements: every place,
organisation and figure the question names must occur in the fact or its related facts
(上海, 2024年, 第8届 make a question about something else), and a question asking for a detail
(the secretary-general, the fund's manager, which eight departments) that its best fact does
not hold is refused, saying what is missing.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import math
import re
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bot import decision
from bot.english import stem
from bot.factbase import Fact, FactBase
from bot.factindex import (
    CONTEXT,
    FIELD_WEIGHT,
    KEYWORDS,
    NUMBER,
    QUESTIONS,
    TITLE,
    Evidence,
    FactIndex,
    IndexedFact,
    dates,
    ordinals,
    span_mask,
)
from bot.lexicon import (
    BREAKDOWN,
    DETAIL_NOUNS,
    EXHAUSTIVE,
    FUNCTION_WORDS,
    GENERIC_MODIFIERS,
    HOW_WORDS,
    MEMBER_KINDS,
    MEMBERS,
    ORGANISATION_SUFFIXES,
    PLACES,
    QUESTION_WORD,
    RELATIVE_TIME,
    RELATIVE_TIME_ZH,
    REMAINING,
    REQUIRED_KINDS,
    REQUIRED_MISSING,
    SOME_NAMED,
    AskedKind,
    asked_kinds,
    asked_units,
    entities_in,
    listed_count,
    unwrapped,
)
from bot.segment import NOUN_TAGS, Segmenter, Span
from bot.text import Script, detect_script, normalise

MAX_QUESTION_CHARS: Final = 300
SUGGESTIONS: Final = 3
# Candidates ranked within this share of the first are a near tie that the decision model, which
# sees more than the rank (kind and unit fit, unexplained details), settles: 双选会是线上还是线下
# is the format fact, not the scale fact a word ahead of it.
NEAR_TIE: Final = 0.9
CLEARLY_LIKELIER: Final = 0.2  # and by this much more probably an answer
TALKED_OF_MAX: Final = 3  # facts a follow-up may be about that still make one answer "the talk"
SATURATION: Final = 1.0  # BM25's k: the second field adds less than the first
PART_CREDIT: Final = 0.5  # a fact holding only 世界 and 大会 explains 世界人工智能大会 less
NAMED_PART_CREDIT: Final = 0.2  # ...and hardly explains the name of something else
# Nouns carry what is asked. An unexplained noun changes the question (门票, 秘书长); an
# unexplained verb or adverb is mostly glue around it (跟着, 下面). (found, missing) weights:
POS_WEIGHT: Final = {"noun": (1.0, 1.0), "verb": (0.8, 0.35), "glue": (0.3, 0.15)}
SINGLE_CHARACTER_MISSING: Final = 0.4  # a lone unexplained character is often a typo's remains
# Ranking (not deciding): prefer the fact whose title the question is about, that is the
# natural kind of answer, and that counts what is asked.
TITLE_BONUS: Final = 0.3
KIND_BONUS: Final = 0.3
SOFT_MISMATCH: Final = 0.75
UNIT_BONUS: Final = 0.2
RELEVANCE_SHARE: Final = 0.3  # relevance saturates at this share of ln(1 + facts)
RIVAL_PROBABILITY: Final = 0.05  # ...and about as surely an answer
RIVAL_RANK: Final = 0.97  # a runner-up this close, answering something else, is a real choice
NEAR_SHARE: Final = 0.85  # a fact of the conversation's articles this close to the best wins
SHORTLIST: Final = 12  # facts measured in full, after a cheap first look at all of them
_NAME_MATCH: Final = 80.0
_MISTYPED_MIN: Final = 8  # characters a name needs before two slips in it are forgiven
_OCCASION_KINDS: Final = frozenset({"when", "where", "day"})
_SLACK: Final = 2  # characters the aligned stretch may grow or shrink by at either end
# 哪两个单位 / 举两三间 / 两个例子: how many are asked for, not a figure of the sources
_LISTED_NUMBER: Final = re.compile(
    r"(?:哪|边|which |举|列举|列出|说出)(?P<n>\d+)|(?P<m>\d+)[个间家所位项条种](?:例子|为例)"
)
_HAN: Final = re.compile("[\u3400-\u9fff]")  # 东莞技师学院 is the 东莞市技师学院 of the fact
_STRETCH: Final = re.compile(r"[\s,，;；:：。、()（）“”\"]+")
_HAN_NAME: Final = re.compile("[\u3400-\u9fff]+")  # a name written in Chinese
# two capitals are mostly an abbreviation a reader expects known (HK, GD), not a name
_NAME_WORD: Final = re.compile(r"(?<![A-Za-z])(?:[A-Z][a-z][A-Za-z'-]*|[A-Z]{3,})(?![A-Za-z])")
_SUFFIXES: Final = tuple(ORGANISATION_SUFFIXES)  # for str.endswith, on the question path
_LIST_POSITION: Final = re.compile(r"第(?:\d+|[一二两三四五六七八九十]+)(?=[个项条点种])")
# 1+1等于几: sums are no figures of the sources (1天线下+2周线上 has words in between); not a
# minus or a slash, which write ranges and dates (3-5个大模型, 7/12的活动)
_ARITHMETIC: Final = re.compile(r"\d+(?:\.\d+)?\s*[+*×÷]\s*\d+(?:\.\d+)?")
_SENTENCE_STOPS: Final = ".?!:;。？！：；\n"  # a capital after one starts a sentence


class Verdict(enum.StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"  # two facts answering different things fit: offered as choices
    NOT_FOUND = "not_found"  # nothing fits well enough: closest topics offered
    OUT_OF_SCOPE = "out_of_scope"  # about a place, body or figure the facts do not cover
    MISSING_DETAIL = "missing_detail"  # the topic is known, the asked detail is not
    TOO_LONG = "too_long"
    EMPTY = "empty"  # no words at all: emoji, punctuation, invisible characters


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # 0..1: the model's probability that this fact answers the question
    coverage: float
    relevance: float


@dataclass(frozen=True)
class Outcome:
    question: str
    verdict: Verdict
    script: Script
    matches: tuple[Match, ...] = ()  # answered: the answer first; otherwise choices/suggestions
    unknown: tuple[str, ...] = ()  # out of scope: what the question names that no fact covers
    missing: tuple[str, ...] = ()  # missing detail: the words the best fact does not explain
    features: dict[str, float] | None = None  # of the best candidate, for fitting the model
    named_elsewhere: bool = False  # out of scope: facts on other topics name what is unknown

    @property
    def answered(self) -> bool:
        return self.verdict is Verdict.ANSWERED

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class Question:
    """A question read for matching: canonical text, its words and what it asks."""

    original: str
    text: str
    words: list[Span]
    content: list[Span]
    weights: list[tuple[float, float]]  # (when found, when missing) per content word
    nouns: list[bool]  # per content word: a noun (or the focus of a how-question)
    asked: frozenset[AskedKind]
    units: frozenset[str]
    focus: frozenset[str]  # the content words right next to the question word
    names: frozenset[str]  # words jieba does not know and no fact holds (黄宁生): a name
    written: dict[str, str] = dataclasses.field(default_factory=dict)  # unitre: Unitree

    def as_written(self, word: str) -> str:
        """A word of the question as the reader wrote it, for a reply that names it."""
        return self.written.get(word, word)


@dataclass(frozen=True)
class Candidate:
    index: int
    indexed: IndexedFact
    evidence: Evidence
    coverage: float
    relevance: float
    rank: float
    unknown: frozenset[str]  # names and figures of the question the fact does not cover
    unexplained: tuple[str, ...]  # content words the fact explains less than half
    names: frozenset[str]  # unexplained words jieba does not know and no fact holds (黄宁生)


def _focus(text: str, words: list[Span]) -> frozenset[str]:
    """The content words just before and just after the words that ask (基金管理人是哪家机构:
    管理人; 平均月薪多少: 月薪), skipping function words."""
    focus: set[str] = set()
    content = [(i, w) for i, w in enumerate(words) if w[0] not in FUNCTION_WORDS]
    for asked in QUESTION_WORD.finditer(text):
        before = [w for _, w in content if w[2] <= asked.start()]
        after = [w for _, w in content if w[1] >= asked.end()]
        if before:
            focus.add(before[-1][0])
        if after:
            focus.add(after[0][0])
    return frozenset(focus)


def _abbreviates(name: str, about: str) -> bool:
    """Whether a name is a shortening of one the text holds: its characters in order within
    one stretch of it at most twice as long (广东人工智能联盟 of 广东省人工智能与机器人产业联盟)."""
    for stretch in _STRETCH.split(about):
        for first, ch in enumerate(stretch):
            if ch != name[0]:
                continue
            at, n = 1, first
            while at < len(name) and n + 1 < len(stretch) and n - first < 2 * len(name):
                n += 1
                at += stretch[n] == name[at]
            if at == len(name) and n - first < 2 * len(name):
                return True
    return False


def _unknown_words_joined(words: list[Span], text: str) -> list[Span]:
    """Runs of single characters that are no function words joined into one word: jieba cuts
    a name it does not know (黄宁生, 邮发) into characters, and each character alone would be
    found inside other words (the 宁 of 赵均宁)."""
    joined: list[Span] = []
    in_run = False
    for word, start, end in words:
        single = len(word) == 1 and bool(_HAN.match(word)) and word not in FUNCTION_WORDS
        if single and in_run and joined[-1][2] == start:
            first = joined.pop()[1]
            joined.append((text[first:end], first, end))
        else:
            joined.append((word, start, end))
        in_run = single
    return joined


def _capitalised(question: str) -> dict[str, str]:
    """English words written as names (Unitree, HKUST, Huang Ningsheng): capitalised inside
    a sentence, or in capitals anywhere, as the matcher reads them (folded, stemmed), each
    with the word as written. One the glossary does not put in Chinese and no fact holds is
    a name the sources do not cover."""
    found: dict[str, str] = {}
    for match in _NAME_WORD.finditer(question):
        word = match.group()
        before = question[: match.start()].rstrip(" \t\"'“‘(（")
        initial = not before or before[-1] in _SENTENCE_STOPS
        if word.isupper() or not initial:
            found |= {word.lower(): word, stem(word.lower()): word}
    return found


def _counted_only(noun: str, statement: str) -> bool:
    """Whether a statement counts a noun without naming any of them (由23位院士牵头), as
    against a count after examples (腾讯、科大讯飞…等10家企业) or none at all."""
    if len(noun) < 2:
        return False
    found = re.search(rf"(等)?\d+(?:多|余)?[位所家个项条名间座部类]{re.escape(noun)}", statement)
    return found is not None and found.group(1) is None


def _listed(q: Question, candidate: Candidate) -> frozenset[str]:
    """Who a list question asks is answered by a fact listing its members (哪些单位参与)."""
    listing = "list" in q.asked and "list" in candidate.indexed.carries
    return frozenset({"who"}) if listing else frozenset()


def _names_some(q: Question, indexed: IndexedFact) -> bool:
    """Whether a which-question is answered by the members a fact names before their count
    (哪些部门发的 of 工信部等八部门), the whole list not being asked for (具体是哪八个)."""
    return (
        listed_count(q.text) is None
        and not EXHAUSTIVE.search(q.text)
        and any(re.search(SOME_NAMED.pattern + re.escape(w), indexed.fact.answer) for w in q.focus)
    )


class Matcher:
    """Answers questions from one immutable FactBase; a reload builds a new Matcher."""

    def __init__(
        self,
        base: FactBase,
        *,
        segmenter: Segmenter | None = None,
        model: decision.Model | None = None,
    ) -> None:
        self.base = base
        self.index = FactIndex(base, segmenter=segmenter)
        self.model = model or decision.load()
        self._min_relevance = RELEVANCE_SHARE * self.index.max_idf

    # -- reading the question ------------------------------------------------------------------

    def read(self, question: str) -> Question:
        text = _ARITHMETIC.sub(" ", unwrapped(self.index.canonical(question)))
        segmented = self.index.segmenter.words(text)
        mended = self._places_mended(text, segmented)
        if mended != text:
            text, segmented = mended, self.index.segmenter.words(mended)
        words = _unknown_words_joined(segmented, text)
        joined = {w for w, _, _ in words} - {w for w, _, _ in segmented}
        content = [w for w in words if w[0] not in FUNCTION_WORDS]
        after_how = {end for word, _, end in words if word in HOW_WORDS}
        capitalised = {
            form: written
            for form, written in _capitalised(question).items()
            if self.index.idf(form) is None and not self.index.english.knows(form)
        }
        weights, nouns = [], []
        for span in content:
            weight, noun = self._weight(
                span, focus=span[1] in after_how, name=span[0] in capitalised
            )
            weights.append(weight)
            nouns.append(noun)
        names = frozenset(
            w for w, _, _ in content
            if (w in joined or w in capitalised)
            and self.index.idf(w) is None
            and not self.index.sounds_like(w)
            and not self.index.segmenter.is_common(w)  # 摆摊 is a word, not a name
        )  # fmt: skip
        # what is asked, read before English is put into Chinese too: "which eight
        # departments" asks for a list that 八部门 no longer shows
        asked = asked_kinds(text) | asked_kinds(normalise(question))
        return Question(
            question, text, words, content, weights, nouns, asked, asked_units(text),
            _focus(text, words), names, {w: capitalised[w] for w in names if w in capitalised},
        )  # fmt: skip

    def _places_mended(self, text: str, segmented: list[Span]) -> str:
        """A place typed with a homophone slip (东关 for 东莞) as the place: a place is found
        through the event held there, which a slip in its name never reaches. Only a run of
        characters jieba leaves single (东/关) is looked at: a slip is no word of its own."""
        runs: list[tuple[int, int]] = []
        for word, start, end in segmented:
            if len(word) != 1 or not _HAN.match(word):
                continue
            if runs and runs[-1][1] == start:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        for first, last in runs:
            if last - first < 2:
                continue
            for phrase, start, end in list(self.index.sounds.find(text[first:last])):
                written = text[first + start : first + end]
                if any(ch in FUNCTION_WORDS for ch in written):
                    continue  # 仪式上还上线: 上还 is 上 + 还, no slip for 上环
                if phrase in PLACES and written != phrase and written not in PLACES:
                    text = text[: first + start] + phrase + text[first + end :]
        return text

    def _weight(
        self, span: Span, *, focus: bool = False, name: bool = False
    ) -> tuple[tuple[float, float], bool]:
        """How much a question word matters when a fact has it, and when a fact lacks it.

        Rare words and words no fact holds matter most. The verb after 怎么/如何 is what a
        how-question asks about (粤匠大模型点样下载), so it weighs like a noun; so does an
        English word written as a name (Unitree).
        """
        word = span[0]
        idf = self.index.idf(word)
        if idf is None:
            idf = self.index.max_idf * min(1.0, len(word) / 2)
        tag = self.index.segmenter.tag(word)
        if tag is None and word.isascii() and word.isalpha():
            # an English word the facts do not use: mostly the reader's own phrasing
            tag = "nz" if name else "v"
        noun = focus or tag is None or tag.startswith(NOUN_TAGS)
        if noun:
            found, missing = POS_WEIGHT["noun"]
        else:
            found, missing = POS_WEIGHT["verb" if tag is not None and tag[0] in "va" else "glue"]
        if len(word) == 1 and not focus:
            missing *= SINGLE_CHARACTER_MISSING
        return (idf * found, idf * missing), noun

    # -- matching ------------------------------------------------------------------------------

    def candidates(self, q: Question, *, keep: int = SHORTLIST) -> list[Candidate]:
        """The shortlisted facts, best first by rank."""
        evidence = self.index.gather(q.text, q.words, q.content, q.asked, keep=keep)
        named = entities_in(q.text)
        english_names = {n for n in q.names if n.isascii()}  # Unitree, HKUST: written as names
        explained = 0
        for evidence_of in evidence.values():
            explained |= evidence_of.mask
        # a name no fact explains at all, not a slip for a known name (双旋 of 双旋会)
        names = {
            w
            for w, start, end in q.content
            if w in q.names and not explained & span_mask(start, end)
        }
        found = []
        for index, evidence_of in evidence.items():
            indexed = self.index.fact(index)
            unknown = frozenset(n for n in named if n not in indexed.about)
            unknown |= frozenset(n for n in english_names if n not in indexed.about)
            unknown |= self._unknown_details(q, indexed)
            coverage, relevance, unexplained = self._measure(q, evidence_of, index, unknown)
            bonus = 1 + TITLE_BONUS * self._title_precision(q, evidence_of, indexed)
            bonus *= 1 + KIND_BONUS * bool(q.asked & indexed.best_for)
            if q.asked - REQUIRED_KINDS - {"list"} - indexed.carries:
                bonus *= SOFT_MISMATCH
            if q.units & indexed.units:
                bonus *= 1 + UNIT_BONUS
            required = q.asked & REQUIRED_KINDS
            fit = 0.5 if required and not required & indexed.carries else 1.0
            rank = relevance * coverage * bonus * fit
            found.append(
                Candidate(index, indexed, evidence_of, coverage, relevance, rank, unknown,
                          unexplained, frozenset(w for w in unexplained if w in names))
            )  # fmt: skip
        found.sort(key=lambda c: (-c.rank, c.indexed.fact.id))
        return found

    def match(
        self,
        question: str,
        *,
        named: str = "",
        near: frozenset[str] = frozenset(),
        within: frozenset[str] | None = None,
    ) -> Outcome:
        """The outcome for a question; `named` is what an elliptical follow-up names (AI majors
        in "and AI majors?", resolved to the last question with it): a fact leaving it
        unexplained answers the last question again, not this one. `within` (fact ids) is
        what a follow-up may be about: the conversation's facts and their neighbours."""
        script = detect_script(question[: MAX_QUESTION_CHARS * 2])
        if len(question.strip()) > MAX_QUESTION_CHARS:
            return Outcome(question, Verdict.TOO_LONG, script)
        q = self.read(question)
        if not q.content:
            return Outcome(question, Verdict.EMPTY, script)
        ranked = self.candidates(q, keep=SHORTLIST if within is None else 4 * SHORTLIST)
        if within is not None:  # the conversation's facts first; the others still rival them
            ranked = sorted(ranked, key=lambda c: c.indexed.fact.id not in within)
        if named:
            ranked = self._explaining(q, ranked, named)
        if near and ranked:
            ranked = self._nearest_first(ranked, near)
        talked_of = (  # one answer just given, not a briefing's worth of facts
            within is not None
            and len(within) <= TALKED_OF_MAX
            and bool(ranked)
            and ranked[0].indexed.fact.id in within
        )
        ordered_by_talk = within is not None or bool(named) or bool(near)
        return self._decide(q, script, ranked, talked_of=talked_of, by_rank=not ordered_by_talk)

    def occasion(self, question: str, facts: frozenset[str]) -> Outcome | None:
        """When or where a fact took place, from the one event it happened at that says so
        (粤匠 was released at the 5月7日 job fair in 东莞): None unless the question asks only
        when or where and exactly one event of the facts carries it."""
        q = self.read(question)
        asked = q.asked & REQUIRED_KINDS
        if not asked or not asked <= _OCCASION_KINDS:
            return None
        if any(asked <= self.index.fact(self.index.position(i)).carries for i in facts):
            return None  # the fact says it itself
        events = {e.id: e for i in facts for e in self.index.events_of(i) if e.id not in facts}
        carrying = [
            e for e in events.values()
            if asked <= self.index.fact(self.index.position(e.id)).carries
        ]  # fmt: skip
        if len(carrying) != 1:
            return None
        return Outcome(q.original, Verdict.ANSWERED, detect_script(question),
                       (Match(carrying[0], 1.0, 1.0, 1.0),))  # fmt: skip

    @staticmethod
    def _nearest_first(ranked: list[Candidate], near: frozenset[str]) -> list[Candidate]:
        """咁有冇講基金 after the eight-department document: its fund, not another that fits
        about as well."""
        top = ranked[0].rank

        def close(c: Candidate) -> bool:
            articles = {s.article for s in c.indexed.fact.sources}
            return c.rank >= NEAR_SHARE * top and bool(articles & near) and not c.unknown

        return sorted(ranked, key=lambda c: not close(c))

    def _explaining(self, q: Question, ranked: list[Candidate], named: str) -> list[Candidate]:
        """The candidates, those leaving a word of `named` unexplained counted out of scope."""
        named_words = {w for w, _, _ in self.read(named).content}
        wanted = [  # 加起来 is no referent
            span
            for span, noun in zip(q.content, q.nouns, strict=True)
            if noun and span[0] in named_words
        ]

        def unnamed(c: Candidate) -> frozenset[str]:
            # by the fact itself and whole, not by the occasion it is related to nor pieced
            # together: the WAIC fact does not name the World Robot Conference
            return frozenset(
                word
                for word, start, end in wanted
                if max((c.evidence.support(f, start, end, 0.0)
                        for f in c.evidence.by_field if f != CONTEXT), default=0.0) < 0.5
            )  # fmt: skip

        return [dataclasses.replace(c, unknown=c.unknown | unnamed(c)) for c in ranked]

    def features(self, q: Question, ranked: list[Candidate], at: int = 0) -> dict[str, float]:
        """What the decision model sees of the candidate at `at` (and its runner-up)."""
        top = ranked[at]
        others = [c for n, c in enumerate(ranked) if n != at]
        runner = others[0].rank if others else 0.0
        indexed = top.indexed
        required = q.asked & REQUIRED_KINDS
        total = sum(w for w, _ in q.weights) or 1.0
        unexplained_nouns = sum(
            w
            for (word, _, _), (w, _), noun in zip(q.content, q.weights, q.nouns, strict=True)
            if noun and word in top.unexplained
        )
        rarest = max(
            (w for (word, _, _), (w, _) in zip(q.content, q.weights, strict=True)
             if word in top.unexplained),
            default=0.0,
        )  # fmt: skip
        unit_fits = 0.0
        if q.units and indexed.units:
            unit_fits = 1.0 if q.units & indexed.units else -1.0
        # sample questions, and the keywords and title a fact without any still has
        likely = [*indexed.fields.get(QUESTIONS, []), *indexed.fields.get(KEYWORDS, []),
                  *indexed.fields.get(TITLE, [])]  # fmt: skip
        likeness = max((fuzz.ratio(q.text, other) for other in likely), default=0.0) / 100
        keywords = top.evidence.by_field.get(KEYWORDS, [])
        covered: set[int] = set()
        for start, end, _ in keywords:
            covered.update(range(start, end))
        content_chars = sum(end - start for _, start, end in q.content) or 1
        return {
            "coverage": top.coverage,
            "relevance": top.relevance / (top.relevance + self._min_relevance),
            "margin": 1 - runner / top.rank if top.rank > 0 else 0.0,
            "required_missing": float(bool(required) and not required & indexed.carries),
            "soft_missing": float(bool(q.asked & {"who", "why"} - indexed.carries)),
            "kind_fits": float(bool(q.asked & indexed.best_for)),
            "unit_fits": unit_fits,
            "unexplained_nouns": unexplained_nouns / total,
            "rarest_unexplained": rarest / self.index.max_idf,
            "detail_missing": float(any(w in DETAIL_NOUNS for w in top.unexplained)),
            "list_missing": float(
                "list" in q.asked and "list" not in indexed.carries and not _names_some(q, indexed)
            ),
            "title_precision": self._title_precision(q, top.evidence, indexed),
            "sounded": float(top.evidence.sounded),
            "length": math.log1p(len(q.content)),
            "question_likeness": likeness,
            "keyword_share": min(1.0, len(covered) / content_chars),
            "focus_missing": float(any(w in top.unexplained for w in q.focus)),
            "breakdown": float(bool(BREAKDOWN.search(q.text))),
            "unknown_name": float(bool(top.names)),
        }

    def _measure(
        self, q: Question, found: Evidence, index: int, ignore: frozenset[str]
    ) -> tuple[float, float, tuple[str, ...]]:
        explained_mass = missing_mass = relevance = 0.0
        unexplained = []
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
            if explained < 0.5:
                unexplained.append(word)
            explained_mass += weight * explained
            missing_mass += weight_if_missing * (1 - explained)
            relevance += weight * total * (1 + SATURATION) / (total + SATURATION)
        coverage = explained_mass / (explained_mass + missing_mass or 1.0)
        return coverage, relevance, tuple(unexplained)

    @staticmethod
    def _title_precision(q: Question, found: Evidence, indexed: IndexedFact) -> float:
        """How much of the fact's title the question names (its characters, function words
        aside): a question about the title's subject, not about something the fact mentions."""
        title = indexed.fields[TITLE][0]
        named = {p for start, end, _ in found.by_field.get(TITLE, ()) for p in range(start, end)}
        words = "".join(q.text[p] for p in sorted(named))
        return min(1.0, sum(ch in title for ch in words) / max(len(title), 1) * 2)

    def _modifies_name(self, word: str) -> bool:
        """Whether a word before 大学/联盟 can be part of a proper name: a noun or a word no
        dictionary knows (暨南), not a figure or a verb (12月联盟, 靠大学) nor a word that only
        places or sorts (内地大学, 顶尖高校)."""
        if word in GENERIC_MODIFIERS or NUMBER.search(word):
            return False
        tag = self.index.segmenter.tag(word)
        return tag is None or tag.startswith(NOUN_TAGS)

    def _names_known(self, name: str, about: str) -> bool:
        """Whether the fact names the body, as written or with a homophone slip (既南大学);
        never when the name holds a place the fact does not (上海市…研究院 is not 深圳市's)."""
        if not all(place in about for place in entities_in(name) & PLACES):
            return False
        if fuzz.partial_ratio(name, about) >= _NAME_MATCH:
            return True
        fixed, taken = name, [False] * len(name)  # every slip mended: 南莎维港青腾 -> 南沙维港青藤
        for phrase, start, end in self.index.sounds.find(name):
            if phrase in about and not any(taken[start:end]):
                fixed = fixed[:start] + phrase + fixed[end:]
                taken[start:end] = [True] * (end - start)
                if fuzz.partial_ratio(fixed, about) >= _NAME_MATCH:
                    return True
        return self._mistyped(fixed, about)

    @staticmethod
    def _mistyped(name: str, about: str) -> bool:
        """Whether a long name is one the fact holds with a character or two wrong or left
        out (广东机戒技师学院 for 广东省机械技师学院): edits counted against the best-aligned
        stretch, at most one per four characters."""
        if len(name) < _MISTYPED_MIN:
            return False
        aligned = fuzz.partial_ratio_alignment(name, about)
        if aligned is None:
            return False
        start, end = aligned.dest_start, aligned.dest_end  # the stretch, a little either way
        suffix = next((x for x in ORGANISATION_SUFFIXES if name.endswith(x)), "")
        places = entities_in(name) & PLACES
        for a, b in itertools.product(range(-_SLACK, _SLACK + 1), repeat=2):
            stretch = about[max(0, start + a) : end + b]
            if (
                stretch.endswith(suffix)  # a 学会 is no 研究院, a 上海 body no 深圳 one
                and all(place in stretch for place in places)
                and Levenshtein.distance(name, stretch) <= len(name) // 4
            ):
                return True
        return False

    def _unknown_details(self, q: Question, indexed: IndexedFact) -> frozenset[str]:
        """Figures and names of bodies in the question that the fact does not cover.

        第8届 is not the fact's 第9届, and 中国人工智能学会 is not one of the alliance's members.
        """
        # 第二个是啥 of 三个融合 picks one of the answer's own items: no figure nor edition
        editions = _LIST_POSITION.sub("", q.text)
        unknown = {n for n in NUMBER.findall(editions) if n not in indexed.figures}
        unknown |= {f"第{n}" for n in ordinals(editions) - indexed.ordinals}
        unknown |= dates(q.text) - indexed.dates  # 5月7日 is not the 7月12日 event
        relative = RELATIVE_TIME.findall(q.text)  # 去年: no page can be placed in it...
        unknown |= {t for t in relative if RELATIVE_TIME_ZH.get(t, t) not in indexed.about}
        for listed in _LISTED_NUMBER.finditer(q.text):
            unknown.discard(listed["n"] or listed["m"])
        count = listed_count(q.text)  # 参展的两家研究机构是哪两家: both twos are the count asked
        if count is not None:
            unknown.discard(str(count))
        for word, _, _ in q.content:  # 霍英东集团, a body other facts name, is not this one's
            if (
                len(word) >= 4
                and word.endswith(_SUFFIXES)
                and word in self.index.phrase_owners
                and word not in indexed.about
                and not self.index.owned_within(word, indexed.family)
            ):
                unknown.add(word)
        for word, _, _ in q.content:  # 国家人工智能产业投资基金: a whole name no fact holds
            whole_name = bool(_HAN_NAME.fullmatch(word)) and any(
                word.endswith(s) and len(word) >= len(s) + 4 for s in ORGANISATION_SUFFIXES
            )
            if whole_name and not (
                self._names_known(word, indexed.about) or _abbreviates(word, indexed.about)
            ):
                unknown.add(word)
        for position, (word, _, end) in enumerate(q.content):
            # a body's kind, alone or as jieba keeps it whole after a place (东莞 + 理工学院;
            # 大湾区 + 中小学 names no body)
            if position == 0 or not (
                word in ORGANISATION_SUFFIXES
                or (word.endswith(_SUFFIXES) and q.content[position - 1][0] in PLACES)
            ):
                continue
            start = position
            while (
                start > max(0, position - 3)
                and q.content[start - 1][2] == q.content[start][1]
                and self._modifies_name(q.content[start - 1][0])
            ):
                start -= 1
            name = q.text[q.content[start][1] : end]
            head = q.text[q.content[start][1] : q.content[position][1]]
            # 国家基金 of 国家人工智能产业投资基金: the modifiers and the kind, the rest left out
            shortened = re.search(re.escape(head) + r"[\u4e00-\u9fff]{1,12}?" + re.escape(word),
                                  indexed.about)  # fmt: skip
            if start < position and not shortened and not self._names_known(name, indexed.about):
                unknown.add(name)
        return frozenset(unknown)

    # -- deciding ------------------------------------------------------------------------------

    def _decide(
        self,
        q: Question,
        script: Script,
        ranked: list[Candidate],
        *,
        talked_of: bool = False,
        by_rank: bool = True,
    ) -> Outcome:
        """The verdict on the ranked candidates. A fact the conversation is about (`talked_of`)
        answers from the choice threshold up: the talk is evidence the model never sees. A
        near tie is settled by the model only when the candidates are in rank order (`by_rank`),
        not put in the conversation's order."""

        def match(c: Candidate, p: float) -> Match:
            return Match(c.indexed.fact, p, c.coverage, c.relevance)

        if not ranked:
            return Outcome(q.original, Verdict.NOT_FOUND, script)
        in_scope = [c for c in ranked if not c.unknown]
        features = self.features(q, ranked)
        p_top = self.model.probability(features)
        suggestions = tuple(match(c, 0.0) for c in ranked[:SUGGESTIONS])
        if ranked[0].unknown and p_top >= self.model.choice_threshold:
            best_in_scope = self._probability(q, ranked, in_scope[0]) if in_scope else 0.0
            if best_in_scope < self.model.threshold:
                unknown = tuple(sorted(q.as_written(n) for n in ranked[0].unknown))
                # "nothing on 上海" is said only of what no fact names (the WAIC was in 上海)
                elsewhere = any(self.index.holders(n) for n in unknown)
                return Outcome(q.original, Verdict.OUT_OF_SCOPE, script, suggestions, unknown,
                               features=features, named_elsewhere=elsewhere)  # fmt: skip
        if not in_scope:
            return Outcome(q.original, Verdict.NOT_FOUND, script, suggestions, features=features)
        top, p = self.settle(q, ranked, in_scope if by_rank else in_scope[:1])
        in_scope = [top, *(c for c in in_scope if c is not top)]
        if top is not ranked[0]:
            features = self.features(q, ranked, ranked.index(top))
        missing = self._missing_detail(q, top)
        if missing and p >= self.model.choice_threshold:
            return Outcome(q.original, Verdict.MISSING_DETAIL, script, (match(top, p),),
                           missing=missing, features=features)  # fmt: skip
        threshold = self.model.threshold
        if talked_of:
            threshold = (self.model.threshold + self.model.choice_threshold) / 2
        if p >= threshold:
            rival = self._rival(q, ranked, in_scope)
            if rival is not None:
                choices = (match(top, p), match(rival[0], rival[1]))
                return Outcome(q.original, Verdict.AMBIGUOUS, script, choices, features=features)
            related = tuple(match(c, 0.0) for c in in_scope[1:SUGGESTIONS])
            return Outcome(q.original, Verdict.ANSWERED, script, (match(top, p), *related),
                           features=features)  # fmt: skip
        if p >= self.model.choice_threshold and len(in_scope) > 1:
            second = in_scope[1]
            p2 = self._probability(q, ranked, second)
            different = second.index not in top.indexed.family
            if p2 >= self.model.choice_threshold and different:
                choices = (match(top, p), match(second, p2))
                return Outcome(q.original, Verdict.AMBIGUOUS, script, choices, features=features)
        return Outcome(q.original, Verdict.NOT_FOUND, script, suggestions, features=features)

    @staticmethod
    def _twins(one: Candidate, other: Candidate) -> bool:
        return (
            one.indexed.fact.kind == other.indexed.fact.kind == "person"
            and other.index in one.indexed.family
            and other.unexplained == one.unexplained
        )

    def settle(
        self, q: Question, ranked: list[Candidate], in_scope: list[Candidate]
    ) -> tuple[Candidate, float]:
        """The in-scope candidate the decision is about, and its probability: the first, or
        a near tie the model finds likelier (NEAR_TIE). The model stays fitted on the first
        candidates (bot/calibration.py): fitted on the settled ones it lowered its threshold
        and answered wrongly more often across the labelled sets."""
        top, p = in_scope[0], self._probability(q, ranked, in_scope[0])
        for other in in_scope[1:SUGGESTIONS]:
            if other.rank >= NEAR_TIE * in_scope[0].rank:
                p_other = self._probability(q, ranked, other)
                if p_other > p + CLEARLY_LIKELIER:
                    top, p = other, p_other
        first = min(  # of a person's tied views, the first: a report names the post there
            (c for c in in_scope[:SUGGESTIONS]
             if (c is top or self._twins(top, c)) and c.rank >= NEAR_TIE * top.rank),
            key=lambda c: c.index,
        )  # fmt: skip
        if first is not top:
            top, p = first, self._probability(q, ranked, first)
        if "who" in q.asked:
            # asked who a person is, another of their views explaining the same words is a
            # twin, no runner-up (邓飞是什么身份: both name him 香港立法会议员): the model,
            # fitted on the plain runner-up, sees the margin to the first other fact
            apart = [c for c in ranked if c is top or not self._twins(top, c)]
            p = max(p, self._probability(q, apart, top))
        return top, p

    def _rival(
        self, q: Question, ranked: list[Candidate], in_scope: list[Candidate]
    ) -> tuple[Candidate, float] | None:
        """A runner-up that fits as well and is as surely an answer (签了哪些合作协议: with
        companies, or with research institutes): then the reader chooses. A runner-up clearly
        behind is not one: the better-fitting fact wins (广东技能人才有多少: the total)."""
        if len(in_scope) < 2:
            return None
        top, second = in_scope[0], in_scope[1]
        if second.rank < RIVAL_RANK * top.rank or self._twins(top, second):
            return None
        p_top, p = self._probability(q, ranked, top), self._probability(q, ranked, second)
        return (second, p) if p >= self.model.threshold and p >= p_top - RIVAL_PROBABILITY else None

    def _probability(self, q: Question, ranked: list[Candidate], candidate: Candidate) -> float:
        return self.model.probability(self.features(q, ranked, ranked.index(candidate)))

    @staticmethod
    def _missing_detail(q: Question, top: Candidate) -> tuple[str, ...]:
        """The asked detail the best fact does not hold: a detail noun it leaves unexplained,
        or which members of a set, when the fact lists none (哪八个部门)."""
        details = tuple(w for w in top.unexplained if w in DETAIL_NOUNS)
        if details:
            return details
        wanted = (
            listed_count(q.text)
            or max(  # 那23位院士都是谁: the 23 the fact counts
                (int(n) for n in MEMBERS.findall(q.text) if n in top.indexed.figures), default=None
            )
            if not MEMBER_KINDS.search(q.text)
            else None
        )
        sampled = wanted is None and _names_some(q, top.indexed)
        if (
            "list" in q.asked
            and not sampled
            and ("list" not in top.indexed.carries or (wanted and wanted > top.indexed.list_size))
        ):
            return ("具体名单",)
        if REMAINING.search(q.text) and q.asked & {"list", "who"}:
            # 另外5家是谁: those the fact names are all it names (not: what did MIIT and the
            # other seven departments issue?)
            return ("具体名单",)
        if (
            "list" in q.asked
            and not sampled
            and not MEMBER_KINDS.search(q.text)
            and any(_counted_only(w, top.indexed.fact.answer) for w in q.focus)
        ):
            return ("具体名单",)  # 是哪些院士 of 由23位院士牵头: counted, never named
        # 它在哪发布的 of a fact naming no place: a figure, date, place or sum asked must be
        # carried by the answer, however well the rest of the question (its topic) fits
        lacking = sorted(q.asked & REQUIRED_KINDS - top.indexed.carries - _listed(q, top))
        if lacking:
            return (REQUIRED_MISSING[lacking[0]],)
        if BREAKDOWN.search(q.text) and set(NUMBER.findall(q.text)) & top.indexed.figures:
            return ("其中的细分数字",)  # 那2500人里面…有多少: the fact gives the whole only
        places = entities_in(q.text) & PLACES
        if "count" in q.asked and len(places) == 1 and places <= top.indexed.listed_places:
            return ("其中的细分数字",)  # 江苏有几所 of 来自北京、广东、江苏…的共49所: a total
        return ()
