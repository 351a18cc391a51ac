"""Reading English: words folded to the base form a glossary knows, then put in Chinese.

English questions meet Chinese facts by being read into the facts' words: "How many technical
schools are there in Guangdong?" becomes 多少 技工院校 广东 for the matcher. Inflections are
folded against the vocabulary itself first (organised -> organise only if the glossary knows
"organise"), and phrases are replaced longest first. Words the vocabulary does not know get a
light stem, the same for questions and for the facts' English text, so they still meet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Final

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.lexicon import FUNCTION_WORDS

_LATIN_WORD: Final = re.compile(r"[a-z][a-z0-9'-]*")
_HAS_LATIN: Final = re.compile(r"[a-z]{2}")
_SPELLING_MIN: Final = 5  # shorter words are too easily another word one letter away
_SPELLING_SCORE: Final = 85.0
_SLIP_MIN: Final = 4  # one letter off a word this long is a slip for it (chng: ching)
_COMMON_ENGLISH: Final = frozenset(w for w in FUNCTION_WORDS if w.isascii())
_COMMON_LONG: Final = sorted(w for w in _COMMON_ENGLISH if len(w) >= _SPELLING_MIN)
_IRREGULAR: Final = {
    "held": "hold", "took": "take", "taken": "take", "came": "come", "made": "make",
    "built": "build", "began": "begin", "begun": "begin", "set": "set", "led": "lead",
    "won": "win", "gave": "give", "given": "give", "met": "meet", "went": "go", "gone": "go",
    "going": "go", "men": "man", "women": "woman", "people": "people", "children": "child",
    "data": "data",
}  # fmt: skip


def _candidates(word: str) -> Iterable[str]:
    """Base forms a word may have, most specific first (companies: company, companie...)."""
    if word in _IRREGULAR:
        yield _IRREGULAR[word]
    if word.endswith("'s"):
        word = word[:-2]
        yield word
    for suffix, replacements in (
        ("ies", ("y",)), ("ied", ("y",)), ("ses", ("s", "se")), ("xes", ("x",)),
        ("ches", ("ch",)), ("shes", ("sh",)), ("es", ("e", "")), ("s", ("",)),
        ("ing", ("", "e")), ("ed", ("", "e")), ("er", ("e", "")), ("ers", ("er", "e", "")),
    ):  # fmt: skip
        if word.endswith(suffix) and len(word) > len(suffix) + (1 if suffix == "s" else 2):
            stem = word[: -len(suffix)]
            for replacement in replacements:
                yield stem + replacement
            if len(stem) > 2 and stem[-1] == stem[-2]:  # planned -> plan
                yield stem[:-1]


def stem(word: str) -> str:
    """A light, deterministic stem for words no vocabulary knows, applied to questions and
    facts alike so that their inflections meet (raised and raise, phases and phase)."""
    stemmed = word.removesuffix("'s")
    if stemmed.endswith(("ies", "ied")) and len(stemmed) > 4:
        return stemmed[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if (
            stemmed.endswith(suffix)
            and len(stemmed) - len(suffix) >= 3
            and not stemmed.endswith(("ss", "us", "is"))
        ):
            stemmed = stemmed[: -len(suffix)]
            break
    if len(stemmed) > 3 and stemmed.endswith("e"):
        stemmed = stemmed[:-1]
    if len(stemmed) > 3 and stemmed[-1] == stemmed[-2] and stemmed[-1] not in "lsz":
        stemmed = stemmed[:-1]  # planned -> plann -> plan
    return stemmed


def fold(word: str, vocabulary: Mapping[str, str] | frozenset[str]) -> str:
    """The word's base form if the vocabulary knows it (schools -> school), else the word."""
    if word in vocabulary:
        return word
    return next((c for c in _candidates(word) if c in vocabulary), word)


class EnglishReader:
    """Replaces English words and phrases by the Chinese terms the facts use; a misspelt word
    (techincal, aliance, guangdon) is read as the known word it is one or two letters from."""

    def __init__(self, vocabulary: Mapping[str, str], known: Iterable[str] = ()) -> None:
        self._vocabulary = dict(vocabulary)
        single = {w for w in self._vocabulary if " " not in w}
        self._words = frozenset(single) | frozenset(w for p in self._vocabulary for w in p.split())
        self._known = sorted(self._words | {w for w in known if len(w) >= _SPELLING_MIN})
        phrases = sorted(self._vocabulary, key=lambda p: (-len(p.split()), -len(p)))
        self._phrase = re.compile(
            r"(?<![a-z0-9])(" + "|".join(map(re.escape, phrases)) + r")(?![a-z0-9])"
            if phrases
            else r"(?!x)x"
        )

    def fold_words(self, text: str) -> str:
        return _LATIN_WORD.sub(lambda m: self._read(m.group()), text)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - one reader per fact base, kept for its life
    def _read(self, word: str) -> str:
        folded = fold(word, self._words)
        if folded in self._words or word in _COMMON_ENGLISH:
            return folded
        found = None
        if len(word) >= _SPELLING_MIN:
            found = process.extractOne(
                word, self._known, scorer=fuzz.ratio, score_cutoff=_SPELLING_SCORE
            )
        if found is not None:
            corrected = fold(found[0], self._words)
            return corrected if corrected in self._words else stem(corrected)
        if len(word) >= _SPELLING_MIN:  # peopel, wihch: a slip in a word that carries nothing
            common = process.extractOne(word, _COMMON_LONG, scorer=OSA.distance, score_cutoff=1)
            if common is not None and len(common[0]) == len(word):  # bother is no other
                return str(common[0])
        if "-" in word.strip("-"):  # skilled-worker: the glossary's "skilled worker"
            return " ".join(self._read(part) for part in word.split("-") if part)
        return stem(word)

    def knows(self, word: str) -> bool:
        """Whether a word is the vocabulary's, or one slip from one of its words (a letter
        missing, wrong or swapped: Pui Chng, Nansah): a reader's word, not a name the sources
        lack."""
        if fold(word, self._words) in self._words:
            return True
        return len(word) >= _SLIP_MIN and (
            process.extractOne(word, self._words, scorer=OSA.distance, score_cutoff=1) is not None
        )

    def to_chinese(self, text: str) -> str:
        """Lower-case text with its known English words and phrases in Chinese."""
        if not _HAS_LATIN.search(text):
            return text
        folded = self.fold_words(text)
        return self._phrase.sub(lambda m: self._vocabulary[m.group()], folded)
