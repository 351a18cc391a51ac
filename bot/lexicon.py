"""The word lists the matcher reasons with, read once from bot/data/ (normalised form).

- Function words carry no topic: a question is judged by how much of the *rest* a fact explains.
- Wrappers (麻烦问一下, 我是老师) are removed before matching: politeness is never a reason to
  refuse.
- Question words tell what is asked (how many, when, where, who, which ones), so a "how many"
  question is not answered with a fact that holds no figure.
- Places and organisations outside a fact make a question about something else: 上海有多少所
  技工院校 must not get Guangdong's figure. 广东 and China are home ground, never a mismatch.

The lists are data (bot/data/*.txt, *.yaml) so that they can be read, reviewed and extended
without reading code; the names and terms of particular facts are in facts/glossary.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, Literal, get_args

import yaml

from bot.figures import chinese_integer, unit_families

DATA: Final = Path(__file__).with_name("data")
AskedKind = Literal[
    "count", "when", "where", "money", "who", "why", "list", "day", "name", "edition"
]
ASKED_KINDS: Final[tuple[AskedKind, ...]] = get_args(AskedKind)


def words(name: str) -> frozenset[str]:
    """A whitespace-separated word list; `#` starts a comment."""
    text = (DATA / name).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() for w in line.split("#")[0].split())


def data(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def alternation(phrases: Iterable[str]) -> re.Pattern[str]:
    """One regular expression matching any of the phrases, longest first; a Latin phrase only
    as whole words (may is not the may of mayor)."""

    def one(phrase: str) -> str:
        escaped = re.escape(phrase)
        return rf"(?<![a-z]){escaped}(?![a-z])" if phrase[:1].isascii() else escaped

    return re.compile("|".join(one(p) for p in sorted(phrases, key=len, reverse=True)))


FUNCTION_WORDS: Final = words("function_words.txt")
PLACES: Final = words("places.txt")
ORGANISATIONS: Final = words("organisations.txt")
HOME_GROUND: Final = words("home_ground.txt")

_SYNONYM_GROUPS: Final = [
    line.split()
    for line in (DATA / "synonyms.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
SYNONYM_SIMILARITY: Final = 0.9


def synonyms(groups: Iterable[Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Each word of a group stands for every other word of it."""
    found: dict[str, dict[str, None]] = {}
    for group in map(list, groups):
        for word in group:
            found.setdefault(word, {}).update(dict.fromkeys(w for w in group if w != word))
    return {word: tuple(others) for word, others in found.items()}


SYNONYMS: Final = synonyms(_SYNONYM_GROUPS)

_QUESTIONS: Final = data("question_words.yaml")
ASKED: Final[dict[AskedKind, re.Pattern[str]]] = {
    kind: re.compile(pattern) for kind, pattern in _QUESTIONS["asked"].items()
}
REQUIRED_KINDS: Final[frozenset[AskedKind]] = frozenset(_QUESTIONS["required"])
REQUIRED_MISSING: Final[dict[str, str]] = dict(_QUESTIONS["required_missing"])
_MISSING_IN_ENGLISH: Final[dict[str, str]] = dict(_QUESTIONS["missing_in_english"])
ANSWERED_BEST_BY: Final[dict[AskedKind, frozenset[str]]] = {
    kind: frozenset(kinds) for kind, kinds in _QUESTIONS["answered_best_by"].items()
}
KIND_WORDS: Final[dict[str, frozenset[str]]] = {
    kind: frozenset(ws) for kind, ws in _QUESTIONS["kind_words"].items()
}
ASKED_WORDS: Final[dict[AskedKind, frozenset[str]]] = {
    kind: frozenset(ws) for kind, ws in _QUESTIONS["asked_words"].items()
}
KIND_SIMILARITY: Final = 0.8
HOW_WORDS: Final = frozenset(_QUESTIONS["how_words"])
DETAIL_NOUNS: Final = frozenset(_QUESTIONS["detail_nouns"])
BREAKDOWN: Final = re.compile(_QUESTIONS["breakdown"])
REMAINING: Final = re.compile(_QUESTIONS["remaining"])
HAPPENED: Final = re.compile(_QUESTIONS["happened"])
MEMBERS: Final = re.compile(_QUESTIONS["members"])
MEMBER_KINDS: Final = re.compile(_QUESTIONS["member_kinds"])
SOME_NAMED: Final = re.compile(_QUESTIONS["some_named"])
EXHAUSTIVE: Final = re.compile(_QUESTIONS["exhaustive"], re.IGNORECASE)
RELATIVE_TIME: Final = alternation(_QUESTIONS["relative_times"])
RELATIVE_TIME_ZH: Final[dict[str, str]] = dict(_QUESTIONS["relative_times_zh"])
CURRENT_TIME: Final = alternation(_QUESTIONS["current_times"])
# Where a question's focus is: right next to the word that asks (管理人 in 管理人是哪家机构).
QUESTION_WORD: Final = re.compile(
    "什么|啥|哪些|哪个|哪家|哪位|哪里|哪儿|哪|谁|几|多少|怎么|怎样|如何|为什么|为何"
    r"|\b(?:what|which|who|whom|when|where|why|how)\b"
)
ORGANISATION_SUFFIXES: Final = frozenset(_QUESTIONS["organisation_suffixes"])
GENERIC_MODIFIERS: Final = frozenset(_QUESTIONS["generic_modifiers"])

_WRAPPERS: Final = data("wrappers.yaml")
_ROLES: Final = "|".join(sorted(map(re.escape, _WRAPPERS["roles"]), key=len, reverse=True))
WRAPPER: Final = re.compile(
    rf"(?:我是|我系|作为|身为)(?:一名|一个|一位|个|名)?(?:[^,，?？]{{0,6}}?的?)?(?:{_ROLES})"
    rf"(?:这边|这里)?(?:的话|的)?[,，]?"
    rf"|(?:{_ROLES})(?:这边|这里)(?:的)?[,，]?"
    rf"|(?:{alternation(_WRAPPERS['phrases']).pattern})[,，:：]?"
    rf"|{'|'.join(_WRAPPERS['english'])}"
)

# The measure word of a "how many" question tells what is counted: 多少人 wants people.
_ASKED_UNIT: Final = re.compile(r"(?:多少|几|几多)(人次|人|名|位|家|所|间|个|份|条|项|届|元)")


def asked_units(text: str) -> frozenset[str]:
    """The families of the unit a count question asks for (几多间: companies or schools)."""
    found = _ASKED_UNIT.search(text)
    return unit_families(found.group(1)) if found else frozenset()


def unwrapped(text: str) -> str:
    """The question without the polite and self-introducing words around it."""
    stripped = WRAPPER.sub(" ", text).strip(" ,，:：")
    return stripped or text


_ENTITY: Final = alternation(PLACES | ORGANISATIONS | HOME_GROUND)


def entities_in(text: str) -> set[str]:
    """Places and organisations named in normalised text, longest names first, not home ground."""
    return {name for name in _ENTITY.findall(text) if name not in HOME_GROUND}


_LISTED_COUNT: Final = re.compile(
    r"(?:哪|which |who (?:are|were) the (?:\w+ )?)"
    r"(?P<n>\d+|[一二两三四五六七八九十]+|two|three|four|five|six|seven|eight|nine|ten)"
)
_ENGLISH_COUNTS: Final = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten".split()
)}  # fmt: skip


def listed_count(text: str) -> int | None:
    """How many members a which-question asks for (哪八个部门: 8, which four universities: 4)."""
    found = _LISTED_COUNT.search(text)
    if found is None:
        return None
    n = found["n"]
    if n.isdigit():
        return int(n)
    return _ENGLISH_COUNTS.get(n) or chinese_integer(n)


def missing_in_english(label: str) -> str:
    """A missing detail as an English refusal names it: the label's English, else the English
    word that reads into it (门票: ticket), else a plain "that detail"."""
    if label in _MISSING_IN_ENGLISH:
        return _MISSING_IN_ENGLISH[label]
    words = [en for en, zh in ENGLISH_WORDS.items() if zh == label and " " not in en]
    return f"the {min(words, key=len)}" if words else "that detail"


def asked_kinds(text: str) -> frozenset[AskedKind]:
    return frozenset(kind for kind, pattern in ASKED.items() if pattern.search(text))


ENGLISH_WORDS: Final[dict[str, str]] = {str(k): str(v) for k, v in data("english.yaml").items()}
