"""Long replies split as Telegram counts: UTF-16 after entity parsing, never inside markup.

The parts are checked with the standard library's HTML parser, not with the splitter's own
reading of the text: each part must be balanced, fit the limit in UTF-16 code units of what a
reader sees, and together show every character of the text with the formatting it had.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from bot.answers import TELEGRAM_LIMIT, Renderer
from bot.answers import split_message as reexported
from bot.chunks import split_message, utf16_length
from bot.factbase import FactBase, FactDiff
from bot.problems import FactBaseError, Problem

Shown = list[tuple[str, tuple[str, ...]]]  # each character a reader sees, inside which tags


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.shown: Shown = []
        self.unbalanced = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag + "".join(f" {k}={v}" for k, v in attrs))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1].split(" ")[0] != tag:
            self.unbalanced = True
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.shown.extend((ch, tuple(self.open)) for ch in data)


def read(part: str) -> tuple[Shown, bool]:
    """What a reader sees of an HTML text, and whether its tags are balanced."""
    reader = _Reader()
    reader.feed(part)
    reader.close()
    return reader.shown, not reader.unbalanced and not reader.open


_COMPLETE_MARKUP = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


def markup_is_whole(part: str) -> bool:
    """Every < and & of the part begins a complete tag or entity (the text escapes the rest)."""
    rest = _COMPLETE_MARKUP.sub("", part)
    return "<" not in rest and ">" not in rest and "&" not in rest


# Text as our renderer makes it: escaped, with astral characters, combining marks and ZWJ
# emoji, numeric references, line ends and spaces; wrapped in nested Telegram tags.
_PIECES = ["字", "a", " ", "\n", "&", "<", ">", '"', "😀", "𠀋", "e\u0301", "👩\u200d💻", "，",
           "字" * 70, "id-1, " * 15]  # fmt: skip
_letters = st.lists(st.sampled_from(_PIECES), max_size=40).map(
    lambda pieces: html.escape("".join(pieces), quote=False)
)
_leaves = st.one_of(_letters, st.sampled_from(["&#128512;", "&#x4e2d;", "&quot;", "&amp;"]))
_TAGS = ["b", "i", "u", "s", "code", "pre", "tg-spoiler", 'a href="https://example.org/?a=1&amp;b"']


def _wrapped(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def wrap(tag: str, inner: list[str]) -> str:
        return f"<{tag}>{''.join(inner)}</{tag.split(' ')[0]}>"

    return st.builds(wrap, st.sampled_from(_TAGS), st.lists(children, max_size=4))


telegram_html = st.lists(st.recursive(_leaves, _wrapped, max_leaves=30), max_size=8).map("".join)
limits = st.integers(min_value=64, max_value=400)


@given(telegram_html, limits)
def test_html_parts_fit_balance_and_rejoin(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    shown: Shown = []
    for part in parts:
        seen, balanced = read(part)
        assert balanced, part
        assert markup_is_whole(part), part
        assert utf16_length("".join(ch for ch, _ in seen)) <= limit
        shown += seen
    whole, _ = read(text)
    assert shown == whole  # every character once, in order, inside the same tags


_plain = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(exclude_characters="<&"), max_size=30),
        st.sampled_from(["\n", " ", "😀" * 40, "字" * 100, "e\u0301" * 30]),
    ),
    max_size=40,
).map("".join)


@given(_plain, limits)
def test_plain_text_parts_fit_and_rejoin_exactly(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert "".join(parts) == text
    assert all(utf16_length(p) <= limit for p in parts)
    assert all(p for p in parts) or parts == [""]


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|a|tg-emoji|code|pre"
                  r"|blockquote)(?:\s[^<>]*)?>", re.IGNORECASE)  # fmt: skip


def visible_length(part: str) -> int:
    """Telegram's count: its tags are nothing, each of its entities one character."""
    return utf16_length(_ENTITY.sub(lambda m: html.unescape(m.group()), _TAG.sub("", part)))


@given(st.text(alphabet=st.sampled_from("ab <>&;#x1字😀\n/"), max_size=3000), limits)
def test_any_text_is_split_within_the_limit_without_cutting_an_entity(
    text: str, limit: int
) -> None:
    """Text that is neither plain nor valid HTML (a stray < or &) still comes back whole."""
    parts = split_message(text, limit)
    assert all(visible_length(p) <= limit for p in parts)
    if _TAG.search(text):
        return  # a tag open at a cut is closed and reopened: checked on valid HTML above
    assert "".join(parts) == text
    ends = {0}
    for part in parts:
        ends.add(max(ends) + len(part))
    for entity in _ENTITY.finditer(text):
        assert not any(entity.start() < end < entity.end() for end in ends)


def test_utf16_is_what_counts() -> None:
    parts = split_message("😀" * 3000)  # 6000 UTF-16 code units, 3000 characters
    assert [utf16_length(p) for p in parts] == [4096, 6000 - 4096]
    assert "".join(parts) == "😀" * 3000


def test_entities_count_as_one_and_tags_as_nothing() -> None:
    text = "<b>" + "&amp;" * 5000 + "</b>"
    parts = split_message(text)
    assert len(parts) == 2
    assert parts[0] == "<b>" + "&amp;" * 4096 + "</b>"
    assert parts[1] == "<b>" + "&amp;" * 904 + "</b>"


def test_a_cut_prefers_a_line_end_then_a_space() -> None:
    lines = [f"<b>第{n}行</b> " + "字" * 90 for n in range(200)]
    parts = split_message("\n".join(lines))
    assert len(parts) > 1
    assert all(p.endswith("\n") for p in parts[:-1])
    assert "".join(parts) == "\n".join(lines)
    words = " ".join(f"id-{n}" for n in range(2000))
    assert all(p.endswith(" ") for p in split_message(words, 100)[:-1])
    huge = split_message("字" * (TELEGRAM_LIMIT * 2 + 5))
    assert [len(p) for p in huge] == [TELEGRAM_LIMIT, TELEGRAM_LIMIT, 5]
    assert split_message("") == [""]
    assert reexported is split_message


def test_a_reload_listing_thousands_of_ids_arrives_whole(factbase: FactBase) -> None:
    ids = tuple(f"fact-{n:05d}-&-<x>" for n in range(5000))
    text = Renderer(html_output=True).reloaded(FactDiff(ids, (), ()), factbase)
    parts = split_message(text)
    assert len(parts) > 1
    shown = "".join(html.unescape(p) for p in parts)
    assert all(i in shown for i in ids)
    assert all(utf16_length(html.unescape(p)) <= TELEGRAM_LIMIT for p in parts)
    assert all(markup_is_whole(p) for p in parts)


def test_a_problem_longer_than_a_message_is_split_not_lost() -> None:
    problem = Problem("facts/x.yaml", 3, 4, "answer states " + "😀&" * 5000, "x")
    text = Renderer(html_output=True).reload_failed(FactBaseError([problem]))
    parts = split_message(text)
    assert parts[1].endswith("answer states ")  # the last space before the limit
    assert len(parts) == 2 + -(-5000 * 3 // TELEGRAM_LIMIT)  # 😀 is two, &amp; one
    assert "".join(parts) == text
    assert all(utf16_length(html.unescape(p)) <= TELEGRAM_LIMIT for p in parts)
    assert all(markup_is_whole(p) for p in parts)
