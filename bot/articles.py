"""Turning a saved web page into the article it carries.

The seeds are pages as they were scraped: page chrome, a watermark glued to every paragraph,
pinyin glued after traditional characters (`產(chǎn)業(yè)`), a known mojibake, photo captions,
bylines and lists of unrelated news. Generic passes remove what can be recognised anywhere; what
only a reader can decide (where the article starts and ends, which line is a caption, where a
newspaper column break split a sentence) is written down per source in `facts/sources.yaml` as
line markers, so adding an article needs data, not code.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr

from bot.text import to_simplified

NonEmpty = Annotated[StrictStr, Field(min_length=1)]

# Pages that were once decoded in the wrong code page; the broken bytes are recognisable and
# always stand for the same word, so they are repaired before anything else looks at the text.
_MOJIBAKE = {"?qū)崿F(xiàn)": "實現"}
# A pinyin gloss is lower-case Latin (with tone marks) in parentheses right after a Han
# character; real parentheses hold Chinese, digits or capitals: (北京) (XAIR獎) (广州/东莞/佛山).
_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])\((?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]*|[a-z]{1,6})\)"
)
_WATERMARK_MIN_CHARS = 8
_REPEATS_MAKE_CHROME = 3
# A page stamps one or two watermarks; past this many, the rest are not stripped (the page is
# not one a reader decided about, and stripping each from every line would cost lines × marks).
MAX_WATERMARKS = 16
# A profile lists what a reader decided about one page: a few markers, not thousands, each of
# which costs a pass over the page's lines.
MAX_MARKERS = 200


def _to_date(value: object) -> object:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class SourceProfile(BaseModel):
    """What a reader decided about one page; markers match the start of a cleaned line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmpty = Field(pattern=r"^[0-9A-Za-z_.-]+$")
    title: NonEmpty | None  # the headline as printed; None when the page carries none
    publisher: NonEmpty
    byline: NonEmpty | None = None
    published: Annotated[dt.date | None, BeforeValidator(_to_date)] = None
    url: NonEmpty | None = None
    script: Literal["simplified", "traditional"]
    start: NonEmpty
    end: NonEmpty
    drop: Annotated[tuple[NonEmpty, ...], Field(max_length=MAX_MARKERS)] = ()
    join: Annotated[tuple[NonEmpty, ...], Field(max_length=MAX_MARKERS)] = ()


@dataclass(frozen=True)
class Article:
    id: str
    title: str | None
    publisher: str
    published: dt.date | None
    url: str | None
    script: Literal["simplified", "traditional"]
    text: str  # cleaned, in the page's own script: title, date, then one paragraph per line
    simplified: str  # the same text in simplified characters
    byline: str | None = None  # who wrote it, verbatim from the page (记者 周聪 通讯员 粤仁宣)


class CleaningError(ValueError):
    """A marker in the source profile does not match the page (the page or profile changed)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def remove_pinyin(text: str) -> str:
    for broken, repaired in _MOJIBAKE.items():
        text = text.replace(broken, repaired)
    return _PINYIN.sub("", text)


def _watermarks(lines: Sequence[str]) -> tuple[list[str], frozenset[str]]:
    """Strings that end at least three lines: a site stamping its name on every paragraph.

    A candidate is a whole line of at least eight characters. Sorted reversed, the lines that
    end with a candidate are one run, found with two binary searches, so a long page costs
    n log n, not n². Returned apart: the marks glued to the end of other lines (to strip, the
    longest first, at most MAX_WATERMARKS of them) and the marks that only ever stand alone
    (a caption repeated on its own lines), which simply go.
    """
    backwards = sorted(line[::-1] for line in lines)
    standing = Counter(lines)
    glued, alone = [], set()
    for mark in standing:
        if len(mark) < _WATERMARK_MIN_CHARS:
            continue
        key = mark[::-1]
        first = bisect.bisect_left(backwards, key)
        past = bisect.bisect_right(backwards, key, lo=first, key=lambda line: line[: len(key)])
        if past - first < _REPEATS_MAKE_CHROME:
            continue
        if past - first > standing[mark]:
            glued.append(mark)
        else:
            alone.add(mark)
    glued.sort(key=lambda mark: (-len(mark), mark))
    return glued[:MAX_WATERMARKS], frozenset(alone)


def generic_lines(raw: str) -> list[str]:
    """The page's non-empty lines with glosses, watermarks and repeated captions removed."""
    lines = [line.replace("\xa0", " ").strip() for line in remove_pinyin(raw).splitlines()]
    lines = [line for line in lines if line]
    glued, alone = _watermarks(lines)
    lines = [line for line in lines if line not in alone]
    for mark in glued:
        lines = [line.removesuffix(mark).strip() for line in lines]
    counts = Counter(lines)
    return [line for line in lines if line and counts[line] < _REPEATS_MAKE_CHROME]


# OpenCC converts between its separators, and a run without any costs more than its length;
# text is converted in batches of this many characters, cut at separators (a run of prose
# this long without a space or punctuation mark is cut anywhere, which no real page has).
CONVERT_CHARS = 2000
_SEPARATORS = r"\s,.?!，。、；：？！…“”"
_PIECES = re.compile(f"[^{_SEPARATORS}]{{1,{CONVERT_CHARS}}}|[{_SEPARATORS}]+")


def simplified(text: str) -> str:
    """`to_simplified(text)`, in linear time however long the text and its lines are."""
    converted: list[str] = []
    batch: list[str] = []
    size = 0
    for piece in _PIECES.findall(text):
        if size + len(piece) > CONVERT_CHARS and batch:
            converted.append(to_simplified("".join(batch)))
            batch, size = [], 0
        batch.append(piece)
        size += len(piece)
    converted.append(to_simplified("".join(batch)))
    return "".join(converted)


def _only_match(lines: Sequence[str], marker: str, field: str, after: int = 0) -> int:
    hits = [i for i, line in enumerate(lines) if i >= after and line.startswith(marker)]
    if len(hits) != 1:
        found = "no line" if not hits else f"{len(hits)} lines"
        raise CleaningError(field, f"{field} marker {marker!r} matches {found}; it must match one")
    return hits[0]


def clean(raw: str, profile: SourceProfile) -> Article:
    lines = generic_lines(raw)
    first = _only_match(lines, profile.start, "start")
    last = _only_match(lines, profile.end, "end", after=first)
    body = lines[first : last + 1]
    for marker in profile.drop:
        del body[_only_match(body, marker, "drop")]
    for marker in profile.join:
        hits = [i for i, line in enumerate(body[:-1]) if line.endswith(marker)]
        if len(hits) != 1:
            raise CleaningError("join", f"join marker {marker!r} must end exactly one line")
        body[hits[0] : hits[0] + 2] = [body[hits[0]] + body[hits[0] + 1]]
    if profile.title is not None and body[0] != profile.title:
        raise CleaningError("title", f"title must be the first line, verbatim; it is {body[0]!r}")
    if profile.published is not None:
        body.insert(1 if profile.title is not None else 0, profile.published.isoformat())
    text = "\n".join(body)
    return Article(
        id=profile.id,
        title=profile.title,
        publisher=profile.publisher,
        published=profile.published,
        url=profile.url,
        script=profile.script,
        text=text,
        simplified=simplified(text),
        byline=profile.byline,
    )
