"""A set writer's own check, runnable without reading the bot: every evidence and key item
verbatim in its article, every answer inside its evidence, exactly one of expect / key_items /
refuse per turn; then the counts per tag. It reads only the seeds and the file given.

Copy it with FORMAT.md into the writer's scratch folder; run it as
`python validate.py SET.yaml [SEEDS_DIR]` (the default is the repository's `seeds/`).
tests/test_labelled_sets.py makes the same checks on the sets once they are committed.
"""

from __future__ import annotations

import collections
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import opencc
import yaml

_T2S = opencc.OpenCC("t2s")
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]+\)")
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]")


def canon(text: str) -> str:
    """Width, pinyin glosses, spaces and script do not matter when comparing a label."""
    text = unicodedata.normalize("NFKC", text)
    return str(_T2S.convert(_INVISIBLE.sub("", _PINYIN.sub("", text))))


def problems_of(items: list[dict[str, Any]], articles: dict[str, str]) -> list[str]:
    found = []
    for number, item in enumerate(items, 1):
        for t, turn in enumerate(item.get("turns") or [item], 1):
            where = f"entry {number} turn {t}: {turn.get('q')!r}"
            if sum(bool(turn.get(k)) for k in ("expect", "key_items", "refuse")) != 1:
                found.append(f"{where}: exactly one of expect / key_items / refuse")
            for part in turn.get("expect") or []:
                article = articles.get(str(part.get("article")))
                evidence, answer = canon(str(part.get("evidence"))), canon(str(part.get("answer")))
                if article is None or evidence not in article:
                    found.append(f"{where}: evidence not verbatim: {part.get('evidence')!r}")
                elif answer not in evidence:
                    found.append(f"{where}: answer not inside its evidence: {part.get('answer')!r}")
            for key in turn.get("key_items") or []:
                article = articles.get(str(key.get("article")))
                if article is None or canon(str(key.get("item"))) not in article:
                    found.append(f"{where}: key item not verbatim: {key.get('item')!r}")
    return found


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[2] / "seeds"
    seeds = Path(argv[2]) if len(argv) > 2 else default
    articles = {p.name[:3]: canon(p.read_text(encoding="utf-8")) for p in seeds.glob("*.txt")}
    items = yaml.safe_load(Path(argv[1]).read_text(encoding="utf-8"))
    problems = problems_of(items, articles)
    tags: collections.Counter[str] = collections.Counter()
    for item in items:
        for turn in item.get("turns") or [item]:
            tags.update(turn.get("tags") or [])
    for problem in problems:
        print("PROBLEM", problem)
    print("tags:", dict(sorted(tags.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
