"""Candidate facts from an article, for an editor to curate (never loaded as facts directly).

It proposes every sentence that carries what facts are made of (figures with units, dates,
《titles》, organisers), already shaped like a fact with its verbatim quote, and says which
sentences an existing fact already quotes so the editor can skip them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

import yaml

from bot.articles import Article, generic_lines
from bot.factbase import Fact, Kind
from bot.text import to_simplified

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?:多|余)?[万亿]?(?:个|家|所|人次|人|位|项|条|届|级|份|元|名|万|亿|年)"
    r"|[一二两三四五六七八九十百千]+(?:个|家|所|位|项|条|届|级|大|方面)"
)
_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|\d{1,2}月")
_TITLE = re.compile(r"《[^》]{2,60}》")
_ORGANISER = re.compile(r"主办|承办|协办|指导|牵头|联合|印发|发布|成立|启动|签订|签署|揭牌|上线")
_MIN_CHARS = 12
_OVERLAP_CHARS = 20  # a shared run this long means a fact already quotes the sentence


@dataclass(frozen=True)
class Candidate:
    kind: Kind
    quote: str
    figures: tuple[str, ...]
    dates: tuple[str, ...]
    titles: tuple[str, ...]
    covered_by: tuple[str, ...]


def _guess_kind(simplified: str, has_figures: bool) -> Kind:
    if _TITLE.search(simplified) and re.search("印发|出台|意见|通知|政策", simplified):
        return "policy"
    if re.search("举办|举行|大会|展|大赛", simplified) and _DATE.search(simplified):
        return "event"
    if re.search("成立|联盟|委员会", simplified):
        return "organization"
    return "statistic" if has_figures else "initiative"


def _overlaps(sentence: str, quote: str) -> bool:
    match = SequenceMatcher(None, sentence, quote, autojunk=False).find_longest_match()
    return match.size >= min(_OVERLAP_CHARS, len(sentence), len(quote))


def sentences(lines: Iterable[str]) -> list[str]:
    return [s.strip() for line in lines for s in _SENTENCE_END.split(line) if s.strip()]


def candidates(
    lines: Iterable[str], facts: Iterable[Fact] = (), article_id: str = ""
) -> list[Candidate]:
    quoted = [(f.id, q.quote) for f in facts for q in f.sources if q.article == article_id]
    found = []
    for sentence in sentences(lines):
        simplified = to_simplified(sentence)
        figures = tuple(_FIGURE.findall(simplified))
        dates = tuple(_DATE.findall(simplified))
        titles = tuple(_TITLE.findall(simplified))
        organised = bool(_ORGANISER.search(simplified))
        if len(sentence) < _MIN_CHARS or not (figures or dates or titles or organised):
            continue
        covered = tuple(sorted({fid for fid, quote in quoted if _overlaps(sentence, quote)}))
        kind = _guess_kind(simplified, bool(figures))
        found.append(Candidate(kind, sentence, figures, dates, titles, covered))
    return found


def article_lines(raw: str, article: Article | None) -> list[str]:
    """The curated article when its source is registered, else the page minus generic chrome."""
    return article.text.splitlines() if article is not None else generic_lines(raw)


def render(found: Iterable[Candidate], article_id: str) -> str:
    """YAML an editor can paste into `facts/` after writing title, answer and keywords."""
    parts = [
        f"# Candidate facts from {article_id}. Curate before use: write a short title, an answer\n"
        "# in simplified characters whose figures all appear in the quote, and the words people\n"
        "# would type as keywords. Delete candidates that are noise or already covered.\n"
    ]
    for n, candidate in enumerate(found, start=1):
        entry: Mapping[str, object] = {
            "id": f"{article_id.split('_')[0]}-candidate-{n:03d}",
            "kind": candidate.kind,
            "title": "TODO",
            "answer": to_simplified(candidate.quote),
            "keywords": list(dict.fromkeys([*candidate.titles, *candidate.figures])) or ["TODO"],
            "sources": [{"article": article_id, "quote": candidate.quote}],
        }
        notes = []
        if candidate.covered_by:
            notes.append(f"# already quoted by: {', '.join(candidate.covered_by)}")
        if candidate.dates:
            notes.append(f"# dates: {', '.join(candidate.dates)}")
        block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000)
        parts.append("\n".join([*notes, block]))
    return "\n".join(parts)
