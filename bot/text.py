"""Text normalisation and script handling.

Facts and questions go through the *same* `normalise()` so that whatever a person pastes
(traditional characters, Taiwan or Hong Kong phrasing, full-width forms, zero-width characters
from chat apps) lands in one canonical simplified, case-folded form before matching.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata

from opencc import OpenCC

__all__ = [
    "Script",
    "detect_script",
    "normalise",
    "strip_invisible",
    "to_script",
    "to_simplified",
    "to_traditional",
]


class Script(enum.StrEnum):
    SIMPLIFIED = "zh-hans"
    TRADITIONAL = "zh-hant"


# Variation selectors are category Mn, not Cf, but are just as invisible once pasted.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACES = re.compile(r"[^\S\n]+")
# Cantonese words that mark a Hong Kong or Macau writer even when no character in the question
# has a distinct traditional form (喺度 alone has none; 雙選會喺邊度舉辦 has several).
_CANTONESE = re.compile("[喺嘅咗冇啲乜嚟噉]|邊度|幾時|點解|邊個|幾多")


@functools.cache
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def strip_invisible(text: str) -> str:
    """Drop characters that render as nothing but break exact and fuzzy comparison."""
    text = _VARIATION_SELECTORS.sub("", text)
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn")
    )


def to_simplified(text: str) -> str:
    """Character-level traditional -> simplified, keeping the article's own wording."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Simplified -> Hong Kong traditional, the standard most of our traditional readers use."""
    return str(_converter("s2hk").convert(text))


def to_script(text: str, script: Script) -> str:
    return to_traditional(text) if script is Script.TRADITIONAL else text


@functools.lru_cache(maxsize=8192)
def _char_kind(ch: str) -> int:
    """+1 for a character only traditional writers use, -1 for simplified-only, 0 for shared."""
    if ch < "\u3400":
        return 0
    if _converter("t2s").convert(ch) != ch:
        return 1
    if _converter("s2t").convert(ch) != ch:
        return -1
    return 0


def detect_script(text: str) -> Script:
    """The script to answer in: traditional only when the writer clearly used it."""
    balance = sum(_char_kind(ch) for ch in text)
    if balance > 0 or (balance == 0 and _CANTONESE.search(text)):
        return Script.TRADITIONAL
    return Script.SIMPLIFIED


def _canonical_chinese(text: str) -> str:
    # tw2sp maps Taiwan phrasing to mainland words (人工智慧 -> 人工智能, 軟體 -> 软件) as well
    # as characters; hk2s then catches Hong Kong variant characters that tw2sp leaves behind.
    return str(_converter("hk2s").convert(_converter("tw2sp").convert(text)))


def normalise(text: str) -> str:
    """The canonical matching form: NFKC, no invisibles, simplified, case-folded, single spaces.

    OpenCC's phrase tables are not guaranteed to be idempotent on their own output, so the
    conversion is repeated (at most three times) until it reaches a fixed point; the result is
    then stable under a second `normalise()`.
    """
    text = strip_invisible(unicodedata.normalize("NFKC", text))
    for _ in range(3):
        converted = _canonical_chinese(text)
        if converted == text:
            break
        text = converted
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", text).strip()
