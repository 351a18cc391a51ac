"""Word segmentation: jieba over a trimmed general dictionary plus the fact base's own words.

jieba's full dictionary (349k words) takes 0.6-1.1 s to load, more than the whole start-up
budget. The 30,000 most frequent words of that same dictionary (bot/data/jieba_general_30k.txt,
derived from jieba's MIT-licensed dict.txt, see `write_general_dictionary`) segment questions
the same way and load in about 30 ms; the fact base's keywords and names are added on top so
双选会 or 粤匠 stay whole. Rarer words fall back to jieba's HMM, as with the full dictionary.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import jieba

GENERAL_DICTIONARY = Path(__file__).with_name("data") / "jieba_general_30k.txt"
# Rarer verbs, adjectives, adverbs and set phrases of the same dictionary (摆摊, 搞掂): not used
# to segment, only to tell a word jieba's trimmed dictionary lacks from a name no fact holds.
COMMON_WORDS = Path(__file__).with_name("data") / "jieba_common_words.txt"
_COMMON_TAGS = frozenset({"v", "vn", "vd", "a", "ad", "an", "d", "i", "l"})
_COMMON_MIN_FREQUENCY = 20
NOUN_TAGS = ("n", "eng", "j", "l", "i")  # nouns, English, abbreviations, set phrases, idioms
_DOMAIN_FREQUENCY = 50_000  # above common words, so domain terms win ties in jieba's DAG
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff]", re.IGNORECASE)
# Latin words and numbers are read whole; only the Chinese in between goes to jieba, whose
# dictionary would otherwise split "plan" at the word "an".
_LATIN_OR_NUMBER = re.compile(r"[a-z][a-z0-9'-]*|\d+(?:\.\d+)?", re.IGNORECASE)

jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict" at DEBUG to stderr

Span = tuple[str, int, int]  # a word and its [start, end) in the text


class Segmenter:
    def __init__(self, domain_words: Iterable[str]) -> None:
        tokenizer = jieba.Tokenizer(dictionary=str(GENERAL_DICTIONARY))
        tokenizer.initialize()
        for word in sorted(set(domain_words)):
            if 2 <= len(word) <= 24 and not _LATIN_OR_NUMBER.search(word) and " " not in word:
                tokenizer.add_word(word, freq=_DOMAIN_FREQUENCY)
        self._tokenizer = tokenizer
        self._tags = dict(
            line.split()[::2]
            for line in GENERAL_DICTIONARY.read_text(encoding="utf-8").splitlines()
        )

    def is_common(self, word: str) -> bool:
        """Whether a word is an everyday word (in either list), so never a name."""
        return word in self._tags or word in _common_words()

    def tag(self, word: str) -> str | None:
        """jieba's part-of-speech tag for a general word; None for words it does not know."""
        return self._tags.get(word)

    def frequency(self, word: str) -> int:
        """How common a word is in the dictionary (0: unknown); domain words rank high."""
        return int(self._tokenizer.FREQ.get(word) or 0)

    def words(self, text: str) -> list[Span]:
        """Non-overlapping words, the reading a person would give the text."""
        return self._spans(text)

    def search_words(self, text: str) -> list[Span]:
        """Words plus every dictionary word inside them (技工院校 -> 技工, 院校, 技工院校)."""
        return self.expand(self.words(text))

    def expand(self, words: Iterable[Span]) -> list[Span]:
        """`words` plus every dictionary word inside each of them.

        jieba's own search mode only looks for sub-words of two and three characters, so the
        人工智能 inside 人工智能与机器人产业联盟 would never be found.
        """
        known = self._tokenizer.FREQ
        spans = []
        for word, start, end in words:
            spans.append((word, start, end))
            for i in range(len(word) - 1):
                for j in range(i + 2, len(word) + (i > 0)):
                    if known.get(word[i:j]):
                        spans.append((word[i:j], start + i, start + j))
        return spans

    def _spans(self, text: str) -> list[Span]:
        spans: list[Span] = []
        position = 0
        for latin in _LATIN_OR_NUMBER.finditer(text):
            spans += self._chinese(text[position : latin.start()], position)
            spans.append((latin.group(), latin.start(), latin.end()))
            position = latin.end()
        spans += self._chinese(text[position:], position)
        return spans

    def _chinese(self, text: str, offset: int) -> list[Span]:
        # HMM off: a stretch jieba does not know is read character by character instead of
        # being glued into a made-up word across a measure word (有多少家技师 -> 家技师).
        return [
            (word, offset + start, offset + end)
            for word, start, end in self._tokenizer.tokenize(text, HMM=False)
            if _WORD.search(word)
        ]


@functools.cache
def _common_words() -> frozenset[str]:
    return frozenset(COMMON_WORDS.read_text(encoding="utf-8").split())


def write_general_dictionary(
    path: Path = GENERAL_DICTIONARY, common: Path = COMMON_WORDS, size: int = 30_000
) -> None:
    """Regenerate the trimmed dictionary, and the rarer everyday words after it, from the
    installed jieba's own dict.txt."""
    source = Path(jieba.__file__).parent / "dict.txt"
    rows = [line.split() for line in source.read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda row: (-int(row[1]), row[0]))
    path.write_text("".join(" ".join(row) + "\n" for row in rows[:size]), encoding="utf-8")
    rarer = sorted(
        word
        for word, frequency, tag in rows[size:]
        if tag in _COMMON_TAGS and 2 <= len(word) <= 4 and int(frequency) >= _COMMON_MIN_FREQUENCY
    )
    common.write_text("".join(word + "\n" for word in rarer), encoding="utf-8")


if __name__ == "__main__":
    write_general_dictionary()
