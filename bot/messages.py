"""The bot's own words in the reader's language, from bot/data/messages.yaml.

Chinese is written once, in simplified characters, and converted for traditional readers, as
all our Chinese text is; English is written out. Keeping the words in one data file means a
reply reads the same from every front end and a translation is one place to fix.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

import yaml

from bot.text import Script, to_traditional

MESSAGES_FILE: Final = Path(__file__).with_name("data") / "messages.yaml"


@functools.cache
def _messages() -> dict[str, dict[str, str]]:
    raw = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    return {key: {"zh": str(v["zh"]), "en": str(v["en"])} for key, v in raw.items()}


def message(key: str, script: Script, **values: object) -> str:
    """The message `key` for a reader of `script`, with its fields filled in (unescaped)."""
    entry = _messages()[key]
    if script is Script.ENGLISH:
        return entry["en"].format(**values)
    text = entry["zh"].format(**values)
    return to_traditional(text) if script is Script.TRADITIONAL else text


def keys() -> frozenset[str]:
    return frozenset(_messages())
