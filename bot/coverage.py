"""Which statements of the articles the fact base can answer.

The curation promise is that every in-scope statement of an article (what a named person said,
what a plan requires or encourages, what an event aimed at, not only the figures) is quoted by
some fact, so any question about it can be answered rather than refused. A statement is a
sentence or a clause between semicolons of a cleaned article; headings (short lines without a
sentence end) and the title and date lines are not statements. A statement counts as covered
when the facts' quotes span nearly all of its characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from bot.articles import Article
from bot.factbase import FactBase

MIN_COVERED: Final = 0.8  # a clause may keep a few connecting words no quote repeats
MAX_OCCURRENCES: Final = 64
_HEADING_CHARS: Final = 24
_SENTENCE: Final = re.compile(r"[^。！？!?；;]+[。！？!?；;]*")
_SENTENCE_END: Final = re.compile(r"[。！？!?；;]")
_PUNCTUATION: Final = re.compile(r"[\s\W_]", re.UNICODE)
_ASIDE: Final = re.compile(r"^[(（][^()（）]*[)）][。]?$")  # (來源:廣東人社): a source note


@dataclass(frozen=True)
class Statement:
    article: str
    text: str
    start: int  # in the article's text
    covered: float  # share of its characters inside some fact's quote

    def __str__(self) -> str:
        return f"{self.article} ({self.covered:.0%} quoted): {self.text}"


def _statement_spans(article: Article) -> Iterator[tuple[int, int]]:
    offset = 0
    lines = article.text.split("\n")
    for number, line in enumerate(lines):
        heading = len(line) <= _HEADING_CHARS and not _SENTENCE_END.search(line)
        metadata = line in (article.title, str(article.published))
        if not (heading or metadata or (number == 0 and article.title)):
            for match in _SENTENCE.finditer(line):
                if _PUNCTUATION.sub("", match.group()) and not _ASIDE.match(match.group()):
                    yield offset + match.start(), offset + match.end()
        offset += len(line) + 1


def _quoted(article: Article, quotes: Iterable[str]) -> list[bool]:
    """Per character of the article, whether some quote spans it. Occurrences are marked as
    intervals (a difference array), not position by position, so a long quote found many
    times in a repetitive page costs its occurrences, not their lengths; and a quote is
    looked for at most MAX_OCCURRENCES times (a sentence recurs once or twice in a real page,
    and counting fewer only reports less as covered)."""
    text = article.text
    delta = [0] * (len(text) + 1)
    for quote in set(quotes):
        start, seen = text.find(quote), 0
        while start >= 0 and seen < MAX_OCCURRENCES:
            delta[start] += 1
            delta[start + len(quote)] -= 1
            start, seen = text.find(quote, start + 1), seen + 1
    covered, depth = [], 0
    for change in delta[:-1]:
        depth += change
        covered.append(depth > 0)
    return covered


def statements(base: FactBase) -> list[Statement]:
    """Every statement of every article, with how much of it the facts quote."""
    found = []
    for article in base.articles.values():
        quotes = [q.quote for f in base.facts for q in f.sources if q.article == article.id]
        quoted = _quoted(article, quotes)
        for start, end in _statement_spans(article):
            text = article.text[start:end]
            letters = [i for i in range(start, end) if _PUNCTUATION.sub("", article.text[i])]
            share = sum(quoted[i] for i in letters) / len(letters)
            found.append(Statement(article.id, text, start, share))
    return found


def uncovered(base: FactBase) -> list[Statement]:
    return [s for s in statements(base) if s.covered < MIN_COVERED]
