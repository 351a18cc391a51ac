"""The curated fact base: schema, loading with `file:line` errors, verification, and diffing.

Every answer the bot gives is one of these facts, and every fact quotes its article verbatim, so
an answer can always be traced back to a sentence somebody published. Loading either yields a
complete, verified, immutable `FactBase` or raises `FactBaseError` listing every problem; a
running bot swaps in a new base only on success.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal, NamedTuple, TypeVar, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.articles import Article, CleaningError, NonEmpty, SourceProfile, clean
from bot.figures import Figure, chinese_figures, english_figures, unsupported
from bot.lexicon import ENGLISH_WORDS, HOME_GROUND, PLACES, alternation, entities_in
from bot.problems import FactBaseError, Problem
from bot.reading import Budget, ReadRefused, read_bounded
from bot.text import normalise, to_simplified
from bot.yamlfile import Positions, position_of, read_yaml

SOURCES_FILE = "sources.yaml"
GLOSSARY_FILE = "glossary.yaml"
DATA_FILES = frozenset({SOURCES_FILE, GLOSSARY_FILE})  # in facts/, but not facts
_Model = TypeVar("_Model", bound=BaseModel)
Kind = Literal["event", "policy", "statistic", "organization", "initiative", "person"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Slug = Annotated[NonEmpty, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]

_WHEN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
# What readers see of a fact, in Chinese and in English: every figure in these must be a figure
# of its quotes, with the same value and unit (bot/figures.py).
CHINESE_SHOWN: Final = ("title", "answer")
ENGLISH_SHOWN: Final = ("title_en", "answer_en")


def _when_text(value: object) -> object:
    """Accept `2025-05-07` whether YAML read it as a date or a string; keep month precision."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _check_when(value: str) -> str:
    if not _WHEN.match(value):
        raise ValueError("when must be YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = ([*value.split("-"), "01", "01"])[:3]
    dt.date(int(year), int(month), int(day))  # raises on 2025-13 or 2025-02-30
    return value


When = Annotated[str, BeforeValidator(_when_text), AfterValidator(_check_when)]


def _distinct(values: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    if repeated:
        raise ValueError(f"listed twice: {', '.join(repeated)}")
    return values


class Quote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    article: NonEmpty
    quote: Annotated[NonEmpty, Field(min_length=4)]


class Fact(BaseModel):
    """One answerable fact. `answer` is written in simplified characters; quotes in the page's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    kind: Kind
    title: NonEmpty
    answer: NonEmpty
    keywords: Annotated[tuple[NonEmpty, ...], Field(min_length=1), AfterValidator(_distinct)]
    sources: Annotated[tuple[Quote, ...], Field(min_length=1)]
    # Optional: what people would type (matched like keywords), when it happens or happened,
    # where, an English title, and ids of facts a reader will want next.
    questions: Annotated[tuple[NonEmpty, ...], AfterValidator(_distinct)] = ()
    when: When | None = None
    place: NonEmpty | None = None
    title_en: NonEmpty | None = None
    answer_en: NonEmpty | None = None
    related: Annotated[tuple[Slug, ...], AfterValidator(_distinct)] = ()

    @property
    def when_range(self) -> tuple[dt.date, dt.date] | None:
        """First and last day the (possibly month- or year-precise) `when` covers."""
        if self.when is None:
            return None
        parts = [int(p) for p in self.when.split("-")]
        if len(parts) == 3:
            day = dt.date(*parts)
            return day, day
        if len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def _lower(value: str) -> str:
    return value.strip().casefold()


EnglishAlias = Annotated[NonEmpty, AfterValidator(_lower), Field(pattern=r"^[\x20-\x7e]+$")]


class GlossaryEntry(BaseModel):
    """A term of the domain and what readers call it: Chinese aliases are read as the term,
    English ones replaced by it (technical school -> 技工院校)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: NonEmpty
    zh: Annotated[tuple[NonEmpty, ...], AfterValidator(_distinct)] = ()
    en: Annotated[tuple[EnglishAlias, ...], AfterValidator(_distinct)] = ()


def scope_of(fact: Fact, related: Iterable[Fact], events: Iterable[Fact] = ()) -> str:
    """What a fact is about: what it states (title, place, answer, quotes), with its related
    facts' titles and places (the organisers of the 南沙 event are about 南沙), but not what
    those say in passing: the alliance is not about 浙江 because the index it published ranks
    浙江. Keywords and sample questions are search aids: they are checked against it, not part
    of it. `events` are the events the fact happened at (linked either way): their place and
    date are the fact's too (the 293 signed on 5月7日 in 东莞)."""
    own = [fact.title, fact.title_en or "", fact.place or "", fact.answer]
    own += [q.quote for q in fact.sources]
    at = [f"{e.title} {e.place or ''} {_date_text(e.when)}" for e in events]
    return "\n".join([*own, *(f"{r.title} {r.place or ''}" for r in related), *at])


def _date_text(when: str | None) -> str:
    """A `when` as the articles write it: 2025-05-07 -> 2025年5月7日."""
    if not when:
        return ""
    parts = [int(p) for p in when.split("-")]
    return "".join(f"{n}{unit}" for n, unit in zip(parts, "年月日", strict=False))


def quoted_figures(fact: Fact) -> list[Figure]:
    """The figures a fact's quotes hold: all that its shown fields may state."""
    return [f for q in fact.sources for f in chinese_figures(_simplified(q.quote))]


def unsupported_figures(fact: Fact) -> dict[str, list[Figure]]:
    """Per shown field, the figures that no quote of the fact states with that value and unit."""
    held = quoted_figures(fact)
    found = {}
    for name in (*CHINESE_SHOWN, *ENGLISH_SHOWN):
        text = getattr(fact, name)
        if not text:
            continue
        claimed = (
            chinese_figures(_simplified(text))
            if name in CHINESE_SHOWN
            else (english_figures(unicodedata.normalize("NFKC", text)))
        )
        missing = list(unsupported(claimed, held))
        if missing:
            found[name] = missing
    return found


_YEAR: Final = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def _years_in(article: Article) -> frozenset[int]:
    """The years an article states or was published in: where a `when`'s year may come from
    when its quote says only 5月7日 (the year is then the article's, an inference we allow)."""
    found = {int(y) for y in _YEAR.findall(article.text)}
    return frozenset(found | ({article.published.year} if article.published else set()))


DateParts = frozenset[tuple[float, str]]  # (value, family) of dated or bare figures; "" bare


def date_parts(figures: Iterable[Figure]) -> DateParts:
    """What figures can say of a date: 2025年 (a year), 5月, 7日, or a bare 7."""
    parts: set[tuple[float, str]] = set()
    for figure in figures:
        if not figure.families:
            parts.add((figure.value, ""))
        parts.update((figure.value, f) for f in figure.families & {"year", "month", "day"})
    return frozenset(parts)


def unquoted_date(fact: Fact, held: Iterable[DateParts], years: Iterable[int]) -> list[str]:
    """The parts of a fact's `when` that its evidence does not state: the month and the day
    must be in a quote (of the fact, or of a related fact: the talks of an event dated by the
    event's fact), the year too, or at least in a cited article."""
    if not fact.when:
        return []
    year, *rest = (int(part) for part in fact.when.split("-"))
    evidence = list(held)

    def said(value: int, family: str) -> bool:
        return any((value, family) in e or (value, "") in e for e in evidence)

    named = zip(rest, ("month", "day"), strict=False)
    missing = [f"{name} {n}" for n, name in named if not said(n, name)]
    if not said(year, "year") and year not in set(years):
        missing.insert(0, f"year {year}")
    return missing


_INVISIBLE: Final = frozenset({"Cf", "Cc", "Co", "Cs", "Cn"})


def hidden_characters(fact: Fact) -> dict[str, str]:
    """Per shown field, the first character that renders as nothing (or reorders what
    follows): 1\u20608所 reads as 18所 but holds the figures 1 and 8, and U+202E turns 841 into
    148 on screen. No curated sentence needs one, so none may be in what readers see."""
    found = {}
    for name in ("place", *CHINESE_SHOWN, *ENGLISH_SHOWN):
        text = getattr(fact, name) or ""
        hidden = next(
            (c for c in text if c not in "\n\t" and unicodedata.category(c) in _INVISIBLE), None
        )
        if hidden:
            found[name] = hidden
    return found


def _simplified(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text))


# English names of places (Nansha, Hong Kong), and the Chinese name a quote would use.
_ENGLISH_PLACES: Final = {
    english: chinese for english, chinese in ENGLISH_WORDS.items() if chinese in PLACES
}
_ENGLISH_PLACE: Final = alternation(_ENGLISH_PLACES)


def places_named(text: str, *, english: bool = False) -> set[str]:
    """The places (not home ground) a shown field names, by their Chinese names."""
    if english:
        return {_ENGLISH_PLACES[n] for n in _ENGLISH_PLACE.findall(normalise(text))}
    return entities_in(normalise(text)) & PLACES


# Short forms a quote names places by: 港澳 is Hong Kong and Macao, 穗 is Guangzhou.
_SHORT_NAMES: Final = {"港澳": ("香港", "澳门"), "深港": ("深圳", "香港"),
                       "珠澳": ("珠海", "澳门"), "穗": ("广州",), "羊城": ("广州",),
                       "莞": ("东莞",), "鹏城": ("深圳",)}  # fmt: skip


def quoted_places(fact: Fact) -> frozenset[str]:
    """The places the quotes of a fact name, by full name."""
    quoted = normalise("\n".join(q.quote for q in fact.sources))
    named = entities_in(quoted) & PLACES
    named.update(p for short, full in _SHORT_NAMES.items() if short in quoted for p in full)
    return frozenset(named)


def unquoted_places(fact: Fact, held: frozenset[str]) -> dict[str, list[str]]:
    """Per shown field, the places it names that are not `held`: named by its quotes or its
    related facts' quotes. An answer set in 深圳 when the quotes say 东莞 is as invented as a
    figure, while the talks of the 东莞 job fair (related to it) may say where they were."""
    found = {}
    for name in (*CHINESE_SHOWN, *ENGLISH_SHOWN):
        text = getattr(fact, name)
        if text:
            missing = sorted(places_named(text, english=name in ENGLISH_SHOWN) - held)
            if missing:
                found[name] = missing
    return found


class Location(NamedTuple):
    """Where a fact was defined, for problems found after all files are read."""

    path: str
    line: int
    column: int


class _Written(NamedTuple):
    """The file, list index and field positions of a fact, for problems in its fields."""

    path: Path
    item: int  # its index in the file's list
    positions: Positions


# What a `place` must name at least one of: a place, or home ground longer than 粤 or 省.
_KNOWN_PLACES: Final = PLACES | {p for p in HOME_GROUND if len(p) > 1}


def _places_in(normalised: str, known: Iterable[str] = PLACES) -> frozenset[str]:
    """The places a normalised text contains (as substrings, as a scope is searched)."""
    return frozenset(p for p in known if p in normalised)


@dataclass(frozen=True)
class FactDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Draft:
    """A candidate fact marked `draft: true` (by `baybrief extract --out`): listed by `facts
    check`, never served and never an error, until an editor confirms it by deleting the mark.
    `todo` says what the check would still refuse."""

    path: str
    line: int
    id: str
    todo: tuple[str, ...]

    def __str__(self) -> str:
        todo = "; ".join(self.todo) if self.todo else "ready: delete `draft: true` to serve it"
        return f"{self.path}:{self.line}: [{self.id}] draft: {todo}"


@dataclass(frozen=True)
class FactBase:
    facts: tuple[Fact, ...]
    articles: Mapping[str, Article]
    glossary: tuple[GlossaryEntry, ...] = ()
    drafts: tuple[Draft, ...] = ()
    by_id: Mapping[str, Fact] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({f.id: f for f in self.facts}))

    @classmethod
    def load(cls, facts_dir: Path, seeds_dir: Path) -> FactBase:
        return _Loader(facts_dir, seeds_dir).load()

    def of_kind(self, *kinds: Kind) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.kind in kinds)

    def diff(self, newer: FactBase) -> FactDiff:
        """What a reload changed, by id; a fact whose content changed counts as changed."""
        old, new = self.by_id, newer.by_id
        return FactDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(i for i in old.keys() & new.keys() if old[i] != new[i])),
        )

    def fact_digests(self) -> dict[str, str]:
        """Per fact, a fingerprint of its content: a reload compares these to find changes."""
        return {
            f.id: hashlib.sha256(f.model_dump_json().encode()).hexdigest()[:16] for f in self.facts
        }

    def digest(self) -> str:
        """A short fingerprint of the content, to tell versions apart in logs and replies."""
        blob = "\n".join(f.model_dump_json() for f in self.facts)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def summary(self) -> str:
        kinds = Counter(f.kind for f in self.facts)
        drafts = f"; {len(self.drafts)} draft(s), not served" if self.drafts else ""
        per_article = Counter(a for f in self.facts for a in {q.article for q in f.sources})
        by_kind = ", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k])
        by_article = ", ".join(f"{a} {per_article[a]}" for a in sorted(self.articles))
        return f"{len(self.facts)} facts ({by_kind}); per article: {by_article}{drafts}"


def _loc_text(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


class _Loader:
    """One load: collects every problem across files before deciding."""

    def __init__(self, facts_dir: Path, seeds_dir: Path) -> None:
        self.facts_dir = facts_dir
        self.seeds_dir = seeds_dir
        self.problems: list[Problem] = []
        self.article_ids: frozenset[str] = frozenset()
        self.budget = Budget()  # every file of this load, together (bot/reading.py)
        self.budget_told = False  # a spent budget is one problem, not one per file unread
        self.drafts: list[Draft] = []

    def _read(self, path: Path) -> tuple[Any, Positions] | None:
        try:
            return read_yaml(path, shown_as=str(path), inside=self.facts_dir, budget=self.budget)
        except FactBaseError as exc:
            self.problems.extend(exc.problems)
            self.budget_told |= self.budget.spent
            return None

    def _items(self, path: Path, what: str) -> Iterator[tuple[int, Any, Positions]]:
        loaded = self._read(path)
        if loaded is None:
            return
        data, positions = loaded
        if not isinstance(data, list) or not data:
            self.problems.append(Problem(str(path), 1, 1, f"expected a list of {what}"))
            return
        for index, item in enumerate(data):
            yield index, item, positions

    def _validation_problems(
        self, path: Path, index: int, positions: Positions, exc: ValidationError, name: str | None
    ) -> None:
        for error in exc.errors():
            loc = (index, *error["loc"])
            line, column = position_of(positions, loc)
            where = _loc_text(error["loc"]) or "entry"
            message = f"{where}: {error['msg']}"
            self.problems.append(Problem(str(path), line, column, message, name))

    def _validated(
        self, model: type[_Model], path: Path, index: int, item: Any, positions: Positions
    ) -> tuple[_Model | None, str | None]:
        """The item as `model`, or None after recording its problems; and its id for messages."""
        name = (item.get("id") or item.get("term")) if isinstance(item, dict) else None
        name = name if isinstance(name, str) else None
        try:
            return model.model_validate(item), name
        except ValidationError as exc:
            self._validation_problems(path, index, positions, exc, name)
            return None, name

    def _articles(self) -> dict[str, Article]:
        path = self.facts_dir / SOURCES_FILE
        articles: dict[str, Article] = {}
        for index, item, positions in self._items(path, "sources"):
            profile, name = self._validated(SourceProfile, path, index, item, positions)
            if profile is None:
                continue
            line, column = position_of(positions, (index, "id"))
            seed = self.seeds_dir / f"{profile.id}.txt"
            try:
                raw = read_bounded(seed, inside=self.seeds_dir, budget=self.budget)
                articles[profile.id] = clean(raw.decode("utf-8"), profile)
            except ReadRefused as exc:
                message = f"{seed}: {exc}"
                self.problems.append(Problem(str(path), line, column, message, name))
                self.budget_told |= self.budget.spent
            except UnicodeDecodeError:
                message = f"{seed} is not valid UTF-8"
                self.problems.append(Problem(str(path), line, column, message, name))
            except CleaningError as exc:
                line, column = position_of(positions, (index, exc.field))
                self.problems.append(Problem(str(path), line, column, str(exc), name))
        return articles

    def load(self) -> FactBase:
        if not self.facts_dir.is_dir():
            raise FactBaseError([Problem(str(self.facts_dir), 1, 1, "fact folder not found")])
        articles = self._articles()
        facts: list[Fact] = []
        first_seen: dict[str, Location] = {}  # where each id was defined
        written: dict[str, _Written] = {}  # and the positions of its fields
        self.article_ids = frozenset(articles)
        glossary = self._glossary()
        fact_files = sorted(p for p in self.facts_dir.glob("*.yaml") if p.name not in DATA_FILES)
        if not fact_files:
            self.problems.append(Problem(str(self.facts_dir), 1, 1, "no fact files (*.yaml)"))
        for path in fact_files:
            if self.budget.spent:
                if not self.budget_told:
                    message = f"stopped before {path.name}: {self.budget.total} bytes read in all"
                    self.problems.append(Problem(str(self.facts_dir), 1, 1, message))
                break
            for index, item, positions in self._items(path, "facts"):
                if isinstance(item, dict) and item.get("draft") is True:
                    self._draft(path, index, item, positions, articles)
                    continue
                if isinstance(item, dict) and item.get("draft") is False:  # confirmed
                    item = {k: v for k, v in item.items() if k != "draft"}
                fact, _ = self._validated(Fact, path, index, item, positions)
                if fact is None:
                    continue
                line, column = position_of(positions, (index, "id"))
                if fact.id in first_seen:
                    first = first_seen[fact.id]
                    message = f"duplicate id; first defined at {first.path}:{first.line}"
                    self.problems.append(Problem(str(path), line, column, message, fact.id))
                    continue
                first_seen[fact.id] = Location(str(path), line, column)
                written[fact.id] = _Written(path, index, positions)
                self._verify(fact, articles, path, index, positions)
                facts.append(fact)
        self._verify_related(facts, first_seen)
        self._verify_places(facts, written)
        self._verify_dates(facts, written, articles)
        if self.problems:
            raise FactBaseError(self.problems)
        return FactBase(
            facts=tuple(facts),
            articles=MappingProxyType(articles),
            glossary=tuple(glossary),
            drafts=tuple(self.drafts),
        )

    def _draft(
        self,
        path: Path,
        index: int,
        item: dict[str, Any],
        positions: Positions,
        articles: Mapping[str, Article],
    ) -> None:
        """A draft is checked as a fact would be, but what the check finds is its to-do list,
        not the load's problems: a draft never stops the facts around it from being served."""
        line, _ = position_of(positions, (index, "id"))
        name = str(item.get("id") or f"entry {index + 1}")
        found, self.problems = self.problems, []
        try:
            fact, _ = self._validated(
                Fact, path, index, {k: v for k, v in item.items() if k != "draft"}, positions
            )
            if fact is not None:
                self._verify(fact, articles, path, index, positions)
            todo = [p.message for p in self.problems]
            if fact is not None and "TODO" in fact.keywords:
                todo.insert(0, "keywords are still TODO")
            if fact is not None and fact.title == "TODO":
                todo.insert(0, "title is still TODO")
        finally:
            self.problems = found
        self.drafts.append(Draft(str(path), line, name, tuple(todo)))

    def _glossary(self) -> list[GlossaryEntry]:
        path = self.facts_dir / GLOSSARY_FILE
        if not path.exists():
            return []
        entries: list[GlossaryEntry] = []
        meaning: dict[str, str] = {}  # alias -> the term it stands for, first seen
        for index, item, positions in self._items(path, "glossary entries"):
            entry, name = self._validated(GlossaryEntry, path, index, item, positions)
            if entry is None:
                continue
            for alias in (*entry.zh, *entry.en):
                key = normalise(alias)
                if meaning.setdefault(key, entry.term) != entry.term:
                    line, column = position_of(positions, (index, "term"))
                    message = f"alias {alias!r} already stands for {meaning[key]!r}"
                    self.problems.append(Problem(str(path), line, column, message, name))
            entries.append(entry)
        return entries

    def _verify(
        self,
        fact: Fact,
        articles: Mapping[str, Article],
        path: Path,
        index: int,
        positions: Positions,
    ) -> None:
        def report(loc: tuple[str | int, ...], message: str) -> None:
            line, column = position_of(positions, (index, *loc))
            self.problems.append(Problem(str(path), line, column, message, fact.id))

        quoted: list[str] = []
        for n, source in enumerate(fact.sources):
            article = articles.get(source.article)
            if article is None:
                report(("sources", n, "article"), f"unknown article {source.article!r}")
                continue
            quoted.append(to_simplified(source.quote))
            if source.quote in article.text:
                continue
            hint = ""
            if source.quote in article.simplified and article.script == "traditional":
                start = article.simplified.index(source.quote)
                original = article.text[start : start + len(source.quote)]
                hint = f"; quote the page's traditional characters: {original}"
            report(("sources", n, "quote"), f"quote is not in article {article.id}{hint}")
        for name, ch in hidden_characters(fact).items():
            report((name,), f"{name} contains the invisible character U+{ord(ch):04X}")
        if len(quoted) == len(fact.sources):
            for name, missing in unsupported_figures(fact).items():
                stated = ", ".join(dict.fromkeys(f.text for f in missing))
                report((name,), f"{name} states {stated}, which no quote contains")
            if fact.place and normalise(fact.place) not in normalise("\n".join(quoted)):
                report(("place",), f"place {fact.place!r} is not named in any quote")
            elif fact.place and not _places_in(normalise(fact.place), _KNOWN_PLACES):
                message = f"place {fact.place!r} names no known place (bot/data/places.txt)"
                report(("place",), message)

    def _verify_places(self, facts: list[Fact], written: Mapping[str, _Written]) -> None:
        """Places, once every fact is read (a related fact may be defined later):

        - a shown field (title, answer, English title and answer) must not name a place that
          neither its quotes nor its related facts' quotes name (`unquoted_places`);
        - a keyword or sample question must not name a place the fact is not about
          (`scope_of`): the matcher would then take questions about that place for this fact.

        Each fact's text is read once, so a fact base where every fact relates to every other
        costs what its size costs, not its size squared.
        """
        by_id = {f.id: f for f in facts}
        own = {f.id: _places_in(normalise(scope_of(f, ()))) for f in facts}
        quoted = {f.id: quoted_places(f) for f in facts}
        about = {
            f.id: _places_in(normalise(f"{f.title} {f.place or ''} {f.answer}")) for f in facts
        }
        for fact in facts:
            related = [by_id[i] for i in fact.related if i in by_id]
            path, index, positions = written[fact.id]
            if all(q.article in self.article_ids for q in fact.sources):
                held = quoted[fact.id].union(*(quoted[r.id] for r in related))
                for name, places in unquoted_places(fact, held).items():
                    line, column = position_of(positions, (index, name))
                    message = f"{name} names {'、'.join(places)}, which no quote names"
                    self.problems.append(Problem(str(path), line, column, message, fact.id))
            scope = own[fact.id].union(*(about[r.id] for r in related))
            line, column = position_of(positions, (index, "id"))
            for name, texts in (("keywords", fact.keywords), ("questions", fact.questions)):
                for text in texts:
                    for place in sorted(entities_in(normalise(text)) & PLACES - scope):
                        message = f"{name}: {text!r} names {place}, which the fact is not about"
                        self.problems.append(Problem(str(path), line, column, message, fact.id))

    def _verify_dates(
        self, facts: list[Fact], written: Mapping[str, _Written], articles: Mapping[str, Article]
    ) -> None:
        """A `when` is shown in every list of facts, so it is checked like a figure
        (`unquoted_date`), against the quotes of the fact and of the facts related to it,
        either way round."""
        by_id = {f.id: f for f in facts}
        linked: dict[str, set[str]] = {f.id: set(f.related) for f in facts}
        for fact in facts:  # either way: the event's fact lists its talks, or they list it
            for other in fact.related:
                linked.setdefault(other, set()).add(fact.id)
        years = {a.id: _years_in(a) for a in articles.values()}
        quoted: dict[str, DateParts] = {}  # each fact's quotes are parsed once

        def parts_of(fact_id: str) -> DateParts:
            if fact_id not in quoted:
                figures = quoted_figures(by_id[fact_id]) if fact_id in by_id else []
                quoted[fact_id] = date_parts(figures)
            return quoted[fact_id]

        for fact in facts:
            if not fact.when or not all(q.article in articles for q in fact.sources):
                continue
            held = [parts_of(i) for i in (fact.id, *linked[fact.id])]
            stated = frozenset().union(*(years[q.article] for q in fact.sources))
            missing = unquoted_date(fact, held, stated)
            if missing:
                path, index, positions = written[fact.id]
                line, column = position_of(positions, (index, "when"))
                message = (
                    f"when {fact.when}: {', '.join(missing)} is in no quote of the fact or of "
                    "a fact related to it"
                )
                self.problems.append(Problem(str(path), line, column, message, fact.id))

    def _verify_related(self, facts: list[Fact], defined: Mapping[str, Location]) -> None:
        for fact in facts:
            for other in fact.related:
                if other not in defined or other == fact.id:
                    at = defined[fact.id]
                    message = f"related id {other!r} is not another fact"
                    self.problems.append(Problem(at.path, at.line, at.column, message, fact.id))
