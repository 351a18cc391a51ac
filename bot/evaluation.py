"""Scoring the bot on labelled question sets: answers, refusals, overviews and dialogues.

Two label formats are read. The older sets (tests/data/questions.yaml, heldout.yaml) name the
fact id that answers. The newer ones were written from the raw articles by people who never saw
the fact base, so they name the *statement* that answers instead: a verbatim stretch of the
article (`evidence`) and its decisive words (`answer`). A reply is right when a fact it shows
quotes that statement, so the labels stay valid however the facts are split or renamed.

The scorer sees the bot only through `Ask`, the same call the bot's every front end makes, so
what is measured is what readers get. Results are reported per kind of question (script,
typos, paraphrases...), never only as an average.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Final, Protocol

import yaml

from bot.answers import ANSWERING_MODES
from bot.articles import remove_pinyin
from bot.assistant import Assistant
from bot.dialogue import Context
from bot.factbase import FactBase
from bot.text import to_simplified

KEY_ITEM_SHARE: Final = 0.75  # an overview carries its topic when it holds 3/4 of the key items
EVIDENCE_SHARE: Final = 0.5  # a quote holds a statement when it shares half of its evidence
_NOISE: Final = re.compile(r"[\s\W_]+", re.UNICODE)


class Answered(Protocol):
    """What the scorer reads of a reply (`bot.assistant.Reply` has these)."""

    @property
    def mode(self) -> str: ...
    @property
    def fact_ids(self) -> Sequence[str]: ...
    @property
    def language(self) -> str: ...
    @property
    def text(self) -> str: ...


Ask = Callable[[str, str | None], Answered]  # question, conversation id (None: no context)


@functools.lru_cache(maxsize=65536)
def canon(text: str) -> str:
    """Comparable form of article text, labels and replies: simplified, no pinyin glosses,
    no spaces or punctuation."""
    return _NOISE.sub("", to_simplified(remove_pinyin(unicodedata.normalize("NFKC", text))))


@dataclass(frozen=True)
class Part:
    """One thing a question asks, as the article states it."""

    article: str
    evidence: str
    answer: str


@dataclass(frozen=True)
class Case:
    question: str
    tags: tuple[str, ...]
    parts: tuple[Part, ...] = ()  # answerable, labelled by statement
    accept: frozenset[str] = frozenset()  # answerable, labelled by fact id (older sets)
    refuse: str | None = None
    key_items: tuple[str, ...] = ()  # an overview question
    conversation: str | None = None
    turn: int = 0

    @property
    def kind(self) -> str:
        if self.refuse is not None:
            return "refusal"
        return "overview" if self.key_items else "answer"


def _case(item: Mapping[str, Any], conversation: str | None = None, turn: int = 0) -> Case:
    tags = tuple(item.get("tags") or ())
    expect = item.get("expect")
    if "key_items" in item:
        keys = tuple(str(k["item"]) for k in item["key_items"])
        return Case(item["q"], tags, key_items=keys, conversation=conversation, turn=turn)
    if "refuse" in item or expect is None:
        reason = str(item.get("refuse") or next((t for t in tags if t != "refuse"), "refuse"))
        return Case(item["q"], tags, refuse=reason, conversation=conversation, turn=turn)
    if isinstance(expect, str):  # an older set: the id of the fact that answers
        accept = frozenset([expect, *item.get("accept", ())])
        return Case(item["q"], tags, accept=accept, conversation=conversation, turn=turn)
    parts = tuple(Part(str(p["article"]), str(p["evidence"]), str(p["answer"])) for p in expect)
    return Case(item["q"], tags, parts=parts, conversation=conversation, turn=turn)


def load(path: Path) -> list[Case]:
    """A set's cases in order; the turns of a dialogue share its conversation id."""
    cases = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        if "dialogue" in item:
            name = f"{path.stem}:{item['dialogue']}"
            cases += [_case(t, name, n) for n, t in enumerate(item["turns"])]
        else:
            cases.append(_case(item))
    return cases


class Judge:
    """Decides whether a reply is right, from the fact base the reply was given from."""

    def __init__(self, base: FactBase) -> None:
        self._quotes = {f.id: [canon(q.quote) for q in f.sources] for f in base.facts}

    def same_statement(self, fact_id: str, accepted: frozenset[str]) -> bool:
        """For sets labelled by fact id: a fact quoting what an accepted fact quotes answers
        as well (facts are re-curated; a statement keeps its words)."""
        if fact_id in accepted:
            return True
        mine = self._quotes.get(fact_id, [])
        return any(
            a in b or b in a
            for other in accepted
            for a in self._quotes.get(other, [])
            for b in mine
        )

    def holds(self, fact_id: str, part: Part) -> bool:
        """Whether a fact quotes the statement a part of the question asks about."""
        return any(_states(quote, part) for quote in self._quotes.get(fact_id, ()))

    def correct(self, case: Case, reply: Answered) -> bool:
        if case.kind == "refusal":
            return reply.mode not in ANSWERING_MODES
        if case.kind == "overview":
            return reply.mode in ANSWERING_MODES and self.key_share(case, reply) >= KEY_ITEM_SHARE
        if reply.mode != "answer" or not reply.fact_ids:
            return False
        if case.accept:
            return self.same_statement(reply.fact_ids[0], case.accept)
        shown = canon(reply.text)  # a byline (这篇报道是谁写的) is shown, not quoted by a fact
        return all(
            any(self.holds(f, part) for f in reply.fact_ids) or _states(shown, part)
            for part in case.parts
        )

    def key_share(self, case: Case, reply: Answered) -> float:
        """The share of key items the digest carries: in its text, or (in an English digest,
        whose figures read 345 employers, not 345家) stated by a fact it shows."""
        text = canon(reply.text)
        quoted = [q for f in reply.fact_ids for q in self._quotes.get(f, ())]
        english = reply.language == "en"

        def carried(item: str) -> bool:
            key = canon(item)
            return key in text or (english and any(key in q for q in quoted))

        return sum(map(carried, case.key_items)) / len(case.key_items)


def _states(text: str, part: Part) -> bool:
    """Whether canonical text holds a part's answer and enough of its evidence around it."""
    answer, evidence = canon(part.answer), canon(part.evidence)
    if answer not in text:
        return False
    shared = SequenceMatcher(None, evidence, text, autojunk=False).find_longest_match()
    return shared.size >= min(len(evidence), max(len(answer), EVIDENCE_SHARE * len(evidence)))


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.right}/{self.total} = {self.rate:.1%}"


@dataclass
class Report:
    """Rates per kind of case and per tag; the misses, for reading while tuning."""

    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_tag: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    refusals_by_reason: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    followups: Tally = field(default_factory=Tally)
    wrong_referent: int = 0
    language: Tally = field(default_factory=Tally)
    too_long: int = 0
    misses: list[tuple[Case, Answered]] = field(default_factory=list)

    def add(self, case: Case, reply: Answered, right: bool, *, language: str | None) -> None:
        self.by_kind[case.kind].right += right
        self.by_kind[case.kind].total += 1
        if case.kind == "refusal":
            self.refusals_by_reason[case.refuse or "refuse"].right += right
            self.refusals_by_reason[case.refuse or "refuse"].total += 1
        else:
            for tag in case.tags:
                self.by_tag[tag].right += right
                self.by_tag[tag].total += 1
        if "followup" in case.tags:
            self.followups.right += right
            self.followups.total += 1
            self.wrong_referent += reply.mode == "answer" and not right and case.kind != "refusal"
        if language is not None:
            self.language.right += reply.language.startswith(language)
            self.language.total += 1
        self.too_long += len(reply.text) > 4096
        if not right:
            self.misses.append((case, reply))

    def rate(self, kind: str) -> float:
        return self.by_kind[kind].rate

    def lines(self, *, tags: Iterable[str] | None = None) -> list[str]:
        out = [f"{kind:>10}: {tally}" for kind, tally in sorted(self.by_kind.items())]
        for tag in tags if tags is not None else sorted(self.by_tag):
            if tag in self.by_tag:
                out.append(f"{'':>10}  {tag}: {self.by_tag[tag]}")
        for reason, tally in sorted(self.refusals_by_reason.items()):
            out.append(f"{'':>10}  refuse {reason}: {tally}")
        if self.followups.total:
            out.append(
                f"{'follow-ups':>10}: {self.followups}, wrong referent {self.wrong_referent}"
            )
        if self.language.total:
            out.append(f"{'language':>10}: {self.language}")
        return out


def expected_language(case: Case) -> str | None:
    """The language a reply must be in, where the set says: English questions in English."""
    if "english" in case.tags:
        return "en"
    if "mixed" in case.tags:
        return "zh"
    return None


def asking(assistant: Assistant) -> Ask:
    """The scorer's view of the assistant: dialogue turns share their conversation's context,
    exactly as `ask --json` and a Telegram chat keep it (one minute apart)."""
    talks: dict[str, Context | None] = {}
    clock = iter(range(0, 10**9, 60))

    def ask(question: str, conversation: str | None) -> Answered:
        context = talks.get(conversation) if conversation is not None else None
        reply, context = assistant.converse(question, context, now=float(next(clock)))
        if conversation is not None:
            talks[conversation] = context
        return reply

    return ask


def evaluate(cases: Sequence[Case], ask: Ask, base: FactBase) -> Report:
    """Ask every case in order (dialogue turns with their conversation) and score the replies."""
    judge, report = Judge(base), Report()
    for case in cases:
        reply = ask(case.question, case.conversation)
        report.add(case, reply, judge.correct(case, reply), language=expected_language(case))
    return report
