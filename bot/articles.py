"""Turning a saved web page into the article it carries.

The seeds are pages as they were scraped: page chrome, a watermark glued to every paragraph,
pinyin glued after traditional characters (`產(chǎn)業(yè)`), a known mojibake, photo captions,
bylines and lists of unrelated news. Generic passes remove what can be recognised anywhere; what
only a reader can decide (where the article starts and ends, which line is a caption, where a
newspaper column break split a sentence) is written down per source in `facts/sources.yaml` as
line markers, so adding an article needs data, not code.
"""

from __future__ import annotations

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
    drop: tuple[NonEmpty, ...] = ()
    join: tuple[NonEmpty, ...] = ()


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


class CleaningError(ValueError):
    """A marker in the source profile does not match the page (the page or profile changed)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def remove_pinyin(text: str) -> str:
    for broken, repaired in _MOJIBAKE.items():
        text = text.replace(broken, repaired)
    return _PINYIN.sub("", text)


def _watermarks(lines: Sequence[str]) -> list[str]:
    """Strings that end at least three lines: a site stamping its name on every paragraph."""
    candidates = {line for line in lines if len(line) >= _WATERMARK_MIN_CHARS}
    found = [
        mark
        for mark in candidates
        if sum(line.endswith(mark) for line in lines) >= _REPEATS_MAKE_CHROME
    ]
    return sorted(found, key=len, reverse=True)


def generic_lines(raw: str) -> list[str]:
    """The page's non-empty lines with glosses, watermarks and repeated captions removed."""
    lines = [line.replace("\xa0", " ").strip() for line in remove_pinyin(raw).splitlines()]
    lines = [line for line in lines if line]
    for mark in _watermarks(lines):
        lines = [line.removesuffix(mark).strip() for line in lines]
    counts = Counter(lines)
    return [line for line in lines if line and counts[line] < _REPEATS_MAKE_CHROME]


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
        simplified=to_simplified(text),
    )
