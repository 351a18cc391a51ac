"""Names written with homophones: what pinyin input methods produce when the wrong candidate is
picked (粤将 for 粤匠, 双旋会 for 双选会, 邓菲 for 邓飞, 简厉 for 简历).

Each domain phrase is indexed by the toneless readings of its characters (pypinyin's
character table, every reading of a polyphonic character), and a stretch of a question whose
characters can be read the same way is taken for the phrase. Tones are ignored because input
methods ignore them. This catches the two-character names that one-wrong-character fuzzy
matching cannot tell from chance.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Final

from pypinyin.pinyin_dict import pinyin_dict

MAX_PHRASE: Final = 12
MAX_READINGS: Final = 8  # readings of a phrase indexed, beyond that only the first


@functools.lru_cache(maxsize=16384)
def readings(ch: str) -> tuple[str, ...]:
    """The toneless readings of one character, the usual one first (长: chang, zhang); empty
    if it has none."""
    raw = pinyin_dict.get(ord(ch))
    if raw is None:
        return ()
    plain = unicodedata.normalize("NFD", raw).replace("\u0308", "v")
    toneless = "".join(c for c in plain if not unicodedata.combining(c))
    return tuple(dict.fromkeys(toneless.split(",")))


class SoundIndex:
    """Phrases by the sound of their characters: a dictionary from toneless readings to the
    phrases that can be read so (every reading of a polyphonic character, up to a bound)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases: dict[str, list[str]] = defaultdict(list)
        self._lengths: set[int] = set()
        for phrase in phrases:
            if len(phrase) <= MAX_PHRASE:
                key = _first_reading(phrase)
                if key is not None:
                    self._phrases[key].append(phrase)
                    self._lengths.add(len(phrase))

    def find(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(phrase, start, end) for each stretch of `text` that sounds like a phrase."""
        for length in sorted(self._lengths, reverse=True):
            for start in range(len(text) - length + 1):
                written = text[start : start + length]
                seen: set[str] = set()
                for key in _keys(written):
                    for phrase in self._phrases.get(key, ()):
                        if phrase not in seen and _slips(written, phrase):
                            seen.add(phrase)
                            yield phrase, start, start + length


def _first_reading(text: str) -> str | None:
    """The usual reading of a phrase: how an input method is most likely to spell it."""
    sounds = [readings(ch) for ch in text]
    if not all(sounds):
        return None
    return " ".join(options[0] for options in sounds)


def _keys(text: str) -> Iterator[str]:
    """The ways `text` can be read aloud, as space-joined toneless syllables (bounded)."""
    sounds = [readings(ch) for ch in text]
    if not all(sounds):
        return
    combinations = 1
    for options in sounds:
        combinations *= len(options)
    if combinations > MAX_READINGS:
        sounds = [options[:1] for options in sounds]
    for reading in itertools.product(*sounds):
        yield " ".join(reading)


def _slips(written: str, phrase: str) -> bool:
    """Only a few characters were picked wrongly: 建立 (jian li) is a word of its own, not a
    slip for 简历, but 简厉 is."""
    wrong = sum(a != b for a, b in zip(written, phrase, strict=True))
    return 0 < wrong <= max(1, len(phrase) // 3)
