"""Splitting a long reply into Telegram messages, measured the way Telegram measures them.

Telegram refuses a message longer than 4096 UTF-16 code units *after entity parsing*: the tags
of its HTML subset count for nothing, `&amp;` counts as one, a character outside the Basic
Multilingual Plane (most emoji, rare CJK) as two. A reload reply listing thousands of ids, or a
problem line longer than a message, must still arrive whole and valid, so a reply is cut:

- where a reader would: after a line end if the part has one, else after a space or a
  punctuation mark, else between any two characters (never before a combining mark or inside
  a joined emoji, unless nothing else fits);
- never inside a tag or an entity: they are atoms;
- with every tag open at a cut closed at the end of its part and opened again, with the same
  attributes, at the start of the next, so each part is balanced HTML on its own.

Only the tags and entities Telegram knows are markup (its tags; &lt; &gt; &amp; &quot; and
numeric references); anything else is text (our texts escape it, so it never occurs). The
parts rejoin to the text: concatenated, minus the tags a cut added, they are the text
character for character (a line end at a cut ends its part).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Final, NamedTuple

TELEGRAM_LIMIT: Final = 4096  # UTF-16 code units after entity parsing
TELEGRAM_TAGS: Final = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote".split()
)
_MARKUP: Final = re.compile(
    r"(?P<tag><(?P<closing>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);)"  # all Telegram decodes
)
_ZWJ: Final = "\u200d"
_LINE, _SPACE, _PUNCTUATION, _ANYWHERE = 3, 2, 1, 0  # how good a cut after an atom is


class _Tag(NamedTuple):
    name: str
    text: str  # the opening tag as written, attributes and all
    closing: bool


class _Atom(NamedTuple):
    """A piece of the text that is never cut: one character, one entity or one tag."""

    start: int
    end: int
    width: int  # UTF-16 code units Telegram counts for it
    cut_after: int  # _LINE, _SPACE, _PUNCTUATION or _ANYWHERE
    joined: bool  # must stay with the atom before it (a combining mark, a ZWJ sequence)
    tag: _Tag | None


Stack = tuple[_Tag, ...]


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts (an astral character is two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cut_after(ch: str) -> int:
    if ch == "\n":
        return _LINE
    if ch.isspace():
        return _SPACE
    return _PUNCTUATION if unicodedata.category(ch)[0] == "P" else _ANYWHERE


def _joins(ch: str, before: str) -> bool:
    """Whether `ch` belongs to the character before it on screen."""
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch == _ZWJ
        or before == _ZWJ
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"  # skin tones
        or "\U000e0020" <= ch <= "\U000e007f"  # emoji tag sequences
    )


def _characters(text: str, start: int, end: int) -> Iterator[_Atom]:
    for at in range(start, end):
        ch = text[at]
        before = text[at - 1] if at > 0 else ""
        width = 2 if ord(ch) > 0xFFFF else 1
        yield _Atom(at, at + 1, width, _cut_after(ch), _joins(ch, before), None)


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    at = 0
    for found in _MARKUP.finditer(text):
        if found["tag"] and found["name"].lower() not in TELEGRAM_TAGS:
            continue  # not markup Telegram knows: its characters are text
        atoms.extend(_characters(text, at, found.start()))
        if found["tag"]:
            tag = _Tag(found["name"].lower(), found.group(), bool(found["closing"]))
            atoms.append(_Atom(found.start(), found.end(), 0, _ANYWHERE, False, tag))
        else:
            width = utf16_length(html.unescape(found.group()))
            atoms.append(_Atom(found.start(), found.end(), width, _ANYWHERE, False, None))
        at = found.end()
    atoms.extend(_characters(text, at, len(text)))
    return atoms


def _after(stack: Stack, tag: _Tag | None) -> Stack:
    """The tags open after `tag`: an opening tag is pushed, a closing one pops its element."""
    if tag is None:
        return stack
    if not tag.closing:
        return (*stack, tag)
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].name == tag.name:
            return stack[:depth]
    return stack  # a closing tag nothing opened: left as it is


def _cut(atoms: Sequence[_Atom], start: int, opened: Stack, limit: int) -> tuple[int, Stack] | None:
    """Where the part beginning at atom `start` ends, and the tags open there; None if the
    rest fits. Prefers the last line end, then the last space, then punctuation."""
    width = 0
    stack = opened
    best: list[tuple[int, Stack] | None] = [None] * 4  # the last cut of each kind
    for k in range(start, len(atoms)):
        atom = atoms[k]
        previous = atoms[k - 1]
        if k > start and previous.width and not atom.joined:
            best[previous.cut_after] = (k, stack)
        if width + atom.width > limit and k > start:
            return next((c for c in reversed(best) if c is not None), (k, stack))
        width += atom.width
        stack = _after(stack, atom.tag)
    return None


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """`text` (Telegram HTML, or plain text) as parts of at most `limit` UTF-16 code units each
    after entity parsing; see the module's docstring for where they are cut."""
    if limit < 2:
        raise ValueError("limit must leave room for one character (2 UTF-16 code units)")
    atoms = _atoms(text)
    parts: list[str] = []
    start = 0
    opened: Stack = ()
    while (found := _cut(atoms, start, opened, limit)) is not None:
        end, stack = found
        while end < len(atoms) and (tag := atoms[end].tag) is not None and tag.closing:
            stack = _after(stack, tag)  # a closing tag right after the cut stays with its part
            end += 1
        body = text[atoms[start].start : atoms[end - 1].end]
        reopen = "".join(t.text for t in opened)
        close = "".join(f"</{t.name}>" for t in reversed(stack))
        parts.append(reopen + body + close)
        start, opened = end, stack
    rest = text[atoms[start].start :] if start < len(atoms) else ""
    parts.append("".join(t.text for t in opened) + rest)
    return parts
