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


class Verbatim(str):
    """A field value shown exactly as it is, never converted to traditional characters:
    what a user typed, an id, a name (`message(..., topic=Verbatim(typed))`)."""


def message(key: str, script: Script, **values: object) -> str:
    """The message `key` for a reader of `script`, with its fields filled in (unescaped).

    A traditional reader gets the message converted with its values, except `Verbatim` ones.
    """
    entry = _messages()[key]
    if script is Script.ENGLISH:
        return entry["en"].format(**values)
    kept = {name: f"\x00{name}\x00" for name, v in values.items() if isinstance(v, Verbatim)}
    text = entry["zh"].format(**{**values, **kept})
    if script is Script.TRADITIONAL:
        text = to_traditional(text)
    for name, mark in kept.items():
        text = text.replace(mark, str(values[name]))
    return text


def keys() -> frozenset[str]:
    return frozenset(_messages())
