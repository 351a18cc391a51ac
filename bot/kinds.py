"""The kinds of facts and the categories readers browse them by, from bot/data/kinds.yaml.

One table serves the browse commands (bot/browse.py), the briefing's sections and the topic
words of /subscribe (bot/briefing.py), and the counts in /help (bot/answers.py), so a new
category or a renamed heading is one edit. The table is checked when it is read: every kind
of the fact schema has a name and belongs to exactly one category, so no fact is left out of
browsing or briefings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from bot.factbase import KINDS, Kind
from bot.text import Script, to_traditional

KINDS_FILE: Final = Path(__file__).with_name("data") / "kinds.yaml"


@dataclass(frozen=True)
class Words:
    """One phrase in simplified Chinese and in English; traditional is converted."""

    zh: str
    en: str

    def of(self, script: Script) -> str:
        if script is Script.ENGLISH:
            return self.en
        return to_traditional(self.zh) if script is Script.TRADITIONAL else self.zh


@dataclass(frozen=True)
class Category:
    name: str  # also its browse command: /events
    kinds: tuple[Kind, ...]
    heading: Words
    section: Words
    share: int
    topic: tuple[str, ...]


def _words(raw: object, where: str) -> Words:
    if not isinstance(raw, dict) or set(raw) != {"zh", "en"}:
        raise ValueError(f"{KINDS_FILE}: {where} needs exactly zh and en")
    return Words(str(raw["zh"]), str(raw["en"]))


def _load() -> tuple[dict[Kind, Words], dict[str, Category], tuple[Category, ...]]:
    raw = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    names = {kind: _words(raw["kinds"].get(kind), f"kind {kind}") for kind in KINDS}
    if set(raw["kinds"]) != set(KINDS):
        raise ValueError(f"{KINDS_FILE}: kinds must be exactly {', '.join(KINDS)}")
    categories: dict[str, Category] = {}
    for name, item in raw["categories"].items():
        kinds = tuple(item["kinds"])
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"{KINDS_FILE}: category {name}: unknown kinds {sorted(unknown)}")
        categories[name] = Category(
            name=name,
            kinds=kinds,
            heading=_words(item["heading"], f"{name}.heading"),
            section=_words(item["section"], f"{name}.section"),
            share=int(item["share"]),
            topic=tuple(str(word) for word in item["topic"]),
        )
    placed = [kind for category in categories.values() for kind in category.kinds]
    if sorted(placed) != sorted(KINDS):
        raise ValueError(f"{KINDS_FILE}: every kind must be in exactly one category")
    order = tuple(categories[name] for name in raw["briefing_order"])
    if sorted(c.name for c in order) != sorted(categories):
        raise ValueError(f"{KINDS_FILE}: briefing_order must list every category once")
    return names, categories, order


KIND_NAMES, CATEGORIES, BRIEFING_ORDER = _load()


def category_of(kind: Kind) -> Category:
    """The one category a kind belongs to (the table guarantees there is one)."""
    return next(c for c in CATEGORIES.values() if kind in c.kinds)
