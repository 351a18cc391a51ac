"""The curation loop's to-do list: questions readers asked that got no good answer, grouped.

Every refusal and every choice of facts is kept, and every answer a reader voted 👎 (with what
was wrong, if they said), for `BAYBRIEF_GAPS_DAYS`: the question as typed, its normalised
words, the facts offered and when, never who asked (bot/store.py, migration 4). `/gaps` and
`baybrief gaps` group the variants of one question (上海有多少所技工院校 / 上海的技工院校有几所 /
How many technical schools are there in Shanghai?) so that each group counts how often it was
asked, most often first, with the facts the bot found closest: what the next round of
curation should add or fix.

Variants are told apart by their normalised words (the matcher's content words, after its
normalisation: script, English glossary terms, Cantonese, numerals), compared as sorted word
lists with rapidfuzz's token_sort_ratio. token_set_ratio would call a one-word question (上海)
a variant of every longer one containing the word.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from bot.answers import Renderer
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.messages import Verbatim, message
from bot.records import Asked
from bot.text import Script, normalise

SIMILAR: Final = 80  # token_sort_ratio from which two questions are one (measured: see tests)
MAX_GROUPS: Final = 15  # groups /gaps shows
MAX_VARIANTS: Final = 3
MAX_FACTS: Final = 3
QUESTION_CHARS: Final = 300  # what a kept question is cut to
REASONS: Final = ("fact", "wrong", "part", "other")  # what a 👎 may say was wrong


def key_words(matcher: Matcher, question: str) -> str:
    """The normalised form a question is kept under: its content words, sorted (variants
    that use the same words in another order, script or language share it)."""
    words = sorted({word for word, _, _ in matcher.read(question).content})
    return " ".join(words) or normalise(question).strip()


@dataclass(frozen=True)
class Gap:
    """One question and its variants, as the to-do list shows it."""

    question: str  # the wording asked most (the latest, on a tie)
    count: int
    variants: tuple[str, ...]  # other wordings, most asked first
    down: int  # of the count, answers voted 👎
    reasons: tuple[tuple[str, int], ...]  # what those said was wrong, most said first
    fact_ids: tuple[str, ...]  # the facts offered, most offered first
    last_at: dt.datetime


def group(rows: Iterable[Asked], *, similar: int = SIMILAR) -> list[Gap]:
    """Rows of one normalised form together, then forms as close as `similar` to a group's
    most asked one joined to it (compared with that one, so a chain of small differences
    cannot drift into another question); the groups asked most first."""
    by_key: dict[str, list[Asked]] = {}
    for row in rows:
        by_key.setdefault(row.normalised or normalise(row.question), []).append(row)

    def weight(key: str) -> tuple[int, dt.datetime]:
        return len(by_key[key]), max(r.asked_at for r in by_key[key])

    groups: list[list[str]] = []
    for key in sorted(by_key, key=weight, reverse=True):
        home = next((g for g in groups if fuzz.token_sort_ratio(key, g[0]) >= similar), None)
        if home is None:
            groups.append([key])
        else:
            home.append(key)
    gaps = [_gap([row for key in keys for row in by_key[key]]) for keys in groups]
    return sorted(gaps, key=lambda g: (g.count, g.last_at), reverse=True)


def _gap(rows: Sequence[Asked]) -> Gap:
    latest = {r.question: r.asked_at for r in sorted(rows, key=lambda r: r.asked_at)}
    wordings = sorted(
        Counter(r.question for r in rows).items(),
        key=lambda item: (item[1], latest[item[0]]),
        reverse=True,
    )
    offered: Counter[str] = Counter()
    first_place: dict[str, int] = {}
    for row in rows:
        offered.update(row.fact_ids)
        for place, fact_id in enumerate(row.fact_ids):
            first_place[fact_id] = min(place, first_place.get(fact_id, place))
    facts = sorted(offered, key=lambda f: (-offered[f], first_place[f], f))
    down = [r for r in rows if r.verdict == "down"]
    reasons = Counter(r.reason for r in down if r.reason)
    return Gap(
        question=wordings[0][0],
        count=len(rows),
        variants=tuple(w for w, _ in wordings[1 : 1 + MAX_VARIANTS]),
        down=len(down),
        reasons=tuple(reasons.most_common()),
        fact_ids=tuple(facts[:MAX_FACTS]),
        last_at=max(r.asked_at for r in rows),
    )


def reason_label(reason: str, script: Script) -> str:
    return message(f"reason_{reason}", script) if reason in REASONS else reason


def render(
    gaps: Sequence[Gap],
    base: FactBase | None,
    renderer: Renderer,
    script: Script,
    *,
    days: int,
    kept_days: int,
) -> str:
    """The to-do list in the reader's language; what readers typed is escaped, never
    converted (the editor sees the question as it was asked)."""
    if not gaps:
        none = renderer.message("gaps_none", script, days=days)
        return f"{none}\n{renderer.message('gaps_kept', script, days=kept_days)}"
    total = sum(g.count for g in gaps)
    heading = message("gaps_heading", script, days=days, total=total, groups=len(gaps))
    lines = [renderer.bold(heading)]
    separator = message("list_separator", script)
    for number, gap in enumerate(gaps[:MAX_GROUPS], start=1):
        asked = Verbatim(gap.question)
        item = renderer.message("gaps_item", script, number=number, count=gap.count, question=asked)
        lines.append(item)
        if gap.variants:
            variants = Verbatim(separator.join(gap.variants))
            lines.append("   " + renderer.message("gaps_variants", script, variants=variants))
        if gap.down:
            said = separator.join(f"{reason_label(r, script)} {n}" for r, n in gap.reasons)
            key = "gaps_down_reasons" if said else "gaps_down"
            lines.append("   " + renderer.message(key, script, count=gap.down, reasons=said))
        titles = [_title(fact_id, base, renderer, script) for fact_id in gap.fact_ids]
        closest = (
            renderer.message("gaps_closest", script, facts=Verbatim(separator.join(titles)))
            if titles
            else renderer.message("gaps_nothing_close", script)
        )
        lines.append("   " + closest)
    lines.append(renderer.message("gaps_kept", script, days=kept_days))
    return "\n".join(lines)


def _title(fact_id: str, base: FactBase | None, renderer: Renderer, script: Script) -> str:
    fact = base.by_id.get(fact_id) if base else None
    return f"{renderer.title(fact, script)} ({fact_id})" if fact else fact_id
