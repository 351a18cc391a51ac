"""What the bot says: answers, choices, refusals and lists, in the script the user wrote in.

Every text here is written in simplified characters and converted (OpenCC s2hk) for readers
who wrote in traditional ones. The same rendering serves Telegram (HTML, escaped) and the
console (plain). Nothing is shown that the sources do not say: an answer carries its figures,
its source and the verbatim sentence it rests on, and a date is only shown when the quoted
sentence contains its figures (the year of 5月7日 is our inference, not the article's).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bot.articles import Article
from bot.briefing import SIZE, Selection, select
from bot.chunks import TELEGRAM_LIMIT as TELEGRAM_LIMIT  # re-exported: handlers and tests
from bot.chunks import split_message as split_message  # import both from here
from bot.commands import Command, CommandTable, commands
from bot.factbase import Fact, FactBase, FactDiff, quoted_figures
from bot.figures import chinese_figures, english_figures, unsupported
from bot.kinds import KIND_NAMES
from bot.lexicon import ENGLISH_WORDS, HOME_GROUND, PLACES, missing_in_english
from bot.matcher import MAX_QUESTION_CHARS, Match, Outcome, Verdict
from bot.messages import Verbatim, message
from bot.overview import Digest
from bot.problems import FactBaseError
from bot.text import Script, to_simplified, to_traditional

QUOTE_CHARS: Final = 120


def _place_names() -> dict[str, str]:
    """Each place's English name for replies: the first english.yaml gives (香港: Hong Kong,
    not the HK or HKSAR a reader may type), capitalised word by word (Xi'an)."""
    names: dict[str, str] = {}
    for english, chinese in ENGLISH_WORDS.items():
        if chinese in PLACES or chinese in HOME_GROUND:
            names.setdefault(chinese, " ".join(w[:1].upper() + w[1:] for w in english.split()))
    return names


_PLACE_NAMES: Final = _place_names()
DIGEST_ANSWER_CHARS: Final = 160  # an answer in a digest, before it is shortened


@dataclass(frozen=True)
class Choice:
    """Something the user can pick next (a button in Telegram, a numbered line on the console)."""

    fact_id: str
    label: str


Mode = Literal["answer", "overview", "choices", "refusal", "smalltalk"]
ANSWERING_MODES: Final = frozenset({"answer", "overview"})  # replies that give the facts asked


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    fact_ids: tuple[str, ...] = ()  # the facts the reply shows, in order
    mode: Mode = "refusal"
    script: Script = Script.SIMPLIFIED
    score: float = 0.0  # how sure the bot is of an answer (the decision's probability)

    @property
    def language(self) -> str:
        return self.script.tag


@functools.lru_cache(maxsize=4096)
def in_script(text: str, script: Script) -> str:
    """Our own (simplified) wording in the reader's script."""
    return to_traditional(text) if script is Script.TRADITIONAL else text


def to_script(text: str, script: Script) -> str:
    """Text of either script (quotes, article titles) in the reader's script."""
    return to_traditional(text) if script is Script.TRADITIONAL else to_simplified(text)


class Renderer:
    """Renders for one output: HTML for Telegram or plain text for the console."""

    def __init__(self, *, html_output: bool) -> None:
        self.html = html_output

    def _esc(self, text: str) -> str:
        return html.escape(text, quote=False) if self.html else text

    def _bold(self, text: str) -> str:
        return f"<b>{self._esc(text)}</b>" if self.html else text

    def escape(self, text: str) -> str:
        """Any text for this output, as it is (what a user typed, ids, problems)."""
        return self._esc(text)

    def bold(self, text: str) -> str:
        return self._bold(text)

    def _italic(self, text: str) -> str:
        return f"<i>{self._esc(text)}</i>" if self.html else f"「{text}」"

    def say(self, text: str, script: Script) -> str:
        return self._esc(in_script(text, script))

    # -- facts --------------------------------------------------------------------------------

    def fact(
        self, fact: Fact, base: FactBase, script: Script, *, new: bool = False, asked: str = ""
    ) -> str:
        english = script is Script.ENGLISH
        title, answer = self.title(fact, script), self.answer(fact, script)
        lines = [self._bold(("🆕 " if new else "") + title), self._esc(answer)]
        shown = english_figures(answer) if english and fact.answer_en else chinese_figures(answer)
        figures = list(dict.fromkeys(f.text for f in shown if f.counted and not f.dated))
        if len(figures) > 1:
            lines.append(self.message("key_figures", script, figures=" · ".join(figures)))
        when = _when_text(fact, english=english)
        details = []
        if when and not any(
            unsupported(chinese_figures(_when_text(fact) or ""), quoted_figures(fact))
        ):
            details.append(f"📅 {when}")
        place = english_place(fact.place) if english and fact.place else fact.place
        if place:
            details.append(f"📍 {place if english else in_script(place, script)}")
        if details:
            lines.append(self._esc("  ".join(details)))
        lines.extend(self._source(fact, base, script, asked))
        return "\n".join(lines)

    def title(self, fact: Fact, script: Script) -> str:
        if script is Script.ENGLISH and fact.title_en:
            return fact.title_en
        return in_script(fact.title, script)

    def answer(self, fact: Fact, script: Script) -> str:
        if script is Script.ENGLISH and fact.answer_en:
            return fact.answer_en
        return in_script(fact.answer, script)

    def message(self, key: str, script: Script, **values: object) -> str:
        """One of the bot's own messages (bot/data/messages.yaml), escaped for the output."""
        return self._esc(message(key, script, **values))

    def _source(self, fact: Fact, base: FactBase, script: Script, asked: str) -> list[str]:
        """Where the fact comes from, and the quote that holds what was asked, verbatim in
        the page's own script (a reader checking it will find exactly these characters)."""
        quote = _shorten(best_quote(fact, asked), QUOTE_CHARS)
        cited = "；".join(dict.fromkeys(_cite(base.articles[s.article]) for s in fact.sources))
        return [
            self.message("source", script, cited=to_script(cited, script.chinese)),
            self.message("quote", script) + self._italic(quote),
        ]

    def help(
        self,
        base: FactBase,
        script: Script,
        table: CommandTable | None = None,
        *,
        admin: bool = False,
    ) -> str:
        """What the bot knows and how to ask, and every command of the table (bot/commands.py)
        the reader may use: administrators see theirs too."""
        table = table or commands()
        span, dated = "", message("help_undated", script)
        years = [int(f.when[:4]) for f in base.facts if f.when]
        published = sorted(a.published for a in base.articles.values() if a.published)
        # A valid base may date no fact or no article: then there is no span to state. The
        # parts are filled into the summary unescaped; the summary is escaped once.
        if years:
            span = message("help_span", script, first=min(years), last=max(years))
        if published:
            first, last = published[0].isoformat(), published[-1].isoformat()
            dated = message("help_dated", script, first=first, last=last)
        counts = self.kind_counts(base, script)
        summary = message(
            "help_counts", script, articles=len(base.articles), facts=len(base.facts),
            kinds=counts, span=span, dated=dated,
        )  # fmt: skip
        lines = [
            self._bold(message("help_title", script)),
            self._esc(summary),
            self.message("help_ask", script),
            self.message("help_examples", script),
            self.message("help_examples_other", script),  # the other languages, as written
        ]
        shown = table.for_admin(admin)
        lines.append(self.message("help_commands", script))
        lines += [self._command_line(c, script) for c in shown if c.who != "bot_admins"]
        if any(c.who == "bot_admins" for c in shown):
            lines.append(self.message("help_admin_commands", script))
            lines += [self._command_line(c, script) for c in shown if c.who == "bot_admins"]
        return "\n".join(lines)

    def _command_line(self, command: Command, script: Script) -> str:
        line = command.help_line(script)
        if command.who == "group_admins":
            line += message("help_group_admins", script)
        return self._esc(line)

    def kind_counts(self, base: FactBase, script: Script) -> str:
        """活动12、数据20… / 12 events, 20 figures…: the fact base by kind, most first."""
        kinds = Counter(f.kind for f in base.facts)
        return message("list_separator", script).join(
            message("kind_count", script, name=KIND_NAMES[k].of(script), count=n)
            for k, n in kinds.most_common()
        )

    def about(self, base: FactBase, script: Script) -> str:
        lines = [self._bold(message("about_heading", script))]
        for number, article in enumerate(base.articles.values(), start=1):
            cited = sum(any(q.article == article.id for q in f.sources) for f in base.facts)
            title = to_script(article.title, script.chinese) if article.title else None
            date = article.published.isoformat() if article.published else None
            entry = message(
                "about_entry", script, number=number,
                title=title or message("untitled", script),
                publisher=to_script(article.publisher, script.chinese),
                date=date or message("undated", script), count=cited,
            )  # fmt: skip
            lines.append(self._esc(entry))
        return "\n".join(lines)

    def choices(self, facts: Iterable[Fact], script: Script) -> tuple[Choice, ...]:
        return tuple(Choice(f.id, self.title(f, script)) for f in facts)

    def facts_list(
        self, heading: str, facts: Sequence[Fact], script: Script, *, start: int = 1
    ) -> str:
        """A numbered list of facts under a heading already in the reader's language."""
        lines = [self._bold(heading)]
        english = script is Script.ENGLISH
        for number, fact in enumerate(facts, start=start):
            when = _when_text(fact, english=english)
            dated = message("briefing_when", script, when=when) if when else ""
            lines.append(self._esc(f"{number}. {self.title(fact, script)}{dated}"))
        return "\n".join(lines)

    # -- briefings ----------------------------------------------------------------------------

    def briefing(self, selection: Selection, script: Script) -> str:
        day = selection.day
        date = f"{day.day} {day:%B} {day.year}"
        title = message("briefing_title", script, year=day.year, month=day.month, day=day.day,
                        date=date)  # fmt: skip
        lines = [self._bold(title)]
        count, fresh = len(selection.facts), selection.fresh
        if selection.unseen > selection.fresh:
            lines.append(self.message("briefing_fresh", script, count=count, fresh=fresh))
        elif selection.unseen:  # the last unseen ones: say so, or the rotation is a surprise
            lines.append(self.message("briefing_last_fresh", script, count=count, fresh=fresh))
        else:
            lines.append(self.message("briefing_all_seen", script, count=count))
        if selection.upcoming:
            lines.append(self._bold(message("briefing_upcoming", script)))
            lines.extend(self._item(f, selection, script) for f in selection.upcoming)
        for category, facts in selection.sections:
            lines.append(self._bold(category.section.of(script)))
            lines.extend(self._item(f, selection, script) for f in facts)
        lines.append(self.message("briefing_footer", script))
        return "\n".join(lines)

    def _item(self, fact: Fact, selection: Selection, script: Script) -> str:
        new = "🆕 " if fact.id in selection.new else ""
        when = _when_text(fact, english=script is Script.ENGLISH)
        dated = ""
        if when and fact.id in selection.past:
            dated = message("briefing_past", script, when=when)
        elif when and fact in selection.upcoming:
            dated = message("briefing_when", script, when=when)
        title = self._bold(f"{new}{self.title(fact, script)}{dated}")
        return f"• {title}\n  {self._esc(self.answer(fact, script))}"

    def compose_briefing(
        self,
        base: FactBase,
        *,
        day: dt.date,
        seen: Mapping[str, str],
        new: frozenset[str],
        wanted: Callable[[Fact], bool],
        script: Script,
    ) -> tuple[str, Selection]:
        """The day's briefing, shortened by whole facts until it fits one Telegram message."""
        for size in range(SIZE, 0, -1):
            selection = select(base, day=day, seen=seen, new=new, wanted=wanted, size=size)
            text = self.briefing(selection, script)
            if len(text) <= TELEGRAM_LIMIT:
                break
        return text, selection

    # -- reloads ------------------------------------------------------------------------------

    def reloaded(self, diff: FactDiff, base: FactBase, script: Script = Script.SIMPLIFIED) -> str:
        lines = [message("reloaded", script, count=len(base.facts))]
        if not diff:
            lines.append(message("reload_unchanged", script))
        for key, ids in (
            ("reload_added", diff.added),
            ("reload_removed", diff.removed),
            ("reload_changed", diff.changed),
        ):
            if ids:
                lines.append(message(key, script, count=len(ids), ids=", ".join(ids)))
        return self._esc("\n".join(lines))

    def reload_failed(
        self, error: FactBaseError, limit: int = 20, script: Script = Script.SIMPLIFIED
    ) -> str:
        shown = [str(p) for p in error.problems[:limit]]
        more = len(error.problems) - len(shown)
        lines = [message("reload_failed", script, count=len(error.problems)), *shown]
        if more:
            lines.append(message("reload_more", script, count=more))
        return self._esc("\n".join(lines))

    # -- outcomes of a question ----------------------------------------------------------------

    def outcome(self, outcome: Outcome, base: FactBase) -> Reply:
        script = outcome.script
        ids = tuple(m.fact.id for m in outcome.matches)
        choices = self.choices((m.fact for m in outcome.matches), script)
        score = outcome.best.score if outcome.best else 0.0
        if outcome.verdict is Verdict.ANSWERED:
            best = outcome.matches[0]
            text = self.fact(best.fact, base, script, asked=outcome.question)
            buttons = self.choices(self.related(best.fact, base, outcome.matches[1:]), script)
            return Reply(text, buttons, (best.fact.id,), "answer", script, score)
        if outcome.verdict is Verdict.AMBIGUOUS:
            text = self.message("choose", script)
            return Reply(self._numbered(text, choices), choices, ids, "choices", script, score)
        if outcome.verdict is Verdict.MISSING_DETAIL:
            best = outcome.matches[0]
            if script is Script.ENGLISH:
                missing = " or ".join(dict.fromkeys(map(missing_in_english, outcome.missing)))
            else:
                missing = "、".join(f"「{w}」" for w in outcome.missing)
            text = self.message(
                "missing_detail", script, title=self.title(best.fact, script), missing=missing
            )
            body = self.fact(best.fact, base, script, asked=outcome.question)
            return Reply(f"{text}\n\n{body}", choices, ids, "refusal", script, score)
        if outcome.verdict is Verdict.OUT_OF_SCOPE:
            named = _naming(outcome.unknown, script)
            key = "out_of_topic" if outcome.named_elsewhere else "out_of_scope"
            text = self.message(key, script, named=named)
            return self._with_suggestions(text, choices, script, ids)
        if outcome.verdict is Verdict.TOO_LONG:
            return Reply(self.message("too_long", script, limit=MAX_QUESTION_CHARS), script=script)
        if outcome.verdict is Verdict.EMPTY:
            return Reply(self.message("empty", script), script=script)
        return self._with_suggestions(self.message("not_found", script), choices, script, ids)

    def overview(self, digest: Digest, base: FactBase, script: Script) -> Reply:
        """A digest in one message: a headline, one line per fact with its figures, and the
        sources; a button opens each fact in full."""
        topic = digest.topic if script is Script.ENGLISH else in_script(digest.topic, script)
        heading = message("overview_heading", script, topic=topic, count=len(digest.facts))
        lines = [self._bold(heading)]
        for fact in digest.facts:
            answer = _shorten(self.answer(fact, script), DIGEST_ANSWER_CHARS)
            lines.append(f"• {self._bold(self.title(fact, script))}：{self._esc(answer)}")
        articles = dict.fromkeys(s.article for f in digest.facts for s in f.sources)
        cited = "；".join(_cite(base.articles[a]) for a in articles)
        lines.append(self.message("source", script, cited=to_script(cited, script.chinese)))
        lines.append(self.message("overview_hint", script))
        text = "\n".join(lines)
        while len(text) > TELEGRAM_LIMIT and len(lines) > 4:  # whole items out, never mid-line
            del lines[-3]
            text = "\n".join(lines)
        ids = tuple(f.id for f in digest.facts)
        return Reply(text, self.choices(digest.facts, script), ids, "overview", script, 1.0)

    def not_covered(self, digest: Digest, script: Script) -> Reply:
        named = _naming(digest.unknown or (digest.topic,), script)
        text = self.message("not_covered", script, named=named)
        return Reply(f"{text}\n{self.message('try_help', script)}", script=script)

    def attribution(self, fact: Fact, base: FactBase, script: Script) -> Reply:
        """Who wrote and published the reports a fact comes from: publisher, title and date,
        the byline verbatim as the page prints it, and the link."""
        lines = [self.message("attribution", script, title=self.title(fact, script))]
        for article_id in dict.fromkeys(s.article for s in fact.sources):
            article = base.articles[article_id]
            cited = to_script(_cite(article), script.chinese)
            lines.append(self.message("source", script, cited=cited))
            if article.byline:
                lines.append(self.message("byline", script, byline=Verbatim(article.byline)))
            if article.url:
                lines.append(self.message("link", script, url=Verbatim(article.url)))
        choices = self.choices([fact], script)
        return Reply("\n".join(lines), choices, (fact.id,), "answer", script)

    def no_referent(self, script: Script) -> Reply:
        return Reply(self.message("no_referent", script), script=script)

    def answers(self, facts: Sequence[Fact], base: FactBase, script: Script, asked: str) -> str:
        """Several facts answering the parts of one question, each with its source."""
        return "\n\n".join(self.fact(f, base, script, asked=asked) for f in facts)

    @staticmethod
    def related(fact: Fact, base: FactBase, also: Iterable[Match] = ()) -> list[Fact]:
        """What a reader may want next: the runners-up, then the fact's related facts."""
        more = [base.by_id[i] for i in fact.related if i in base.by_id]
        return list(dict.fromkeys([*(m.fact for m in also), *more]))[:3]

    def _with_suggestions(
        self, text: str, choices: tuple[Choice, ...], script: Script, ids: tuple[str, ...]
    ) -> Reply:
        if not choices:
            return Reply(f"{text}\n{self.message('try_help', script)}", script=script)
        text = self._numbered(f"{text}\n{self.message('maybe', script)}", choices)
        return Reply(text, choices, ids, "refusal", script)

    def _numbered(self, text: str, choices: Iterable[Choice]) -> str:
        lines = [text, *(f"{n}. {self._esc(c.label)}" for n, c in enumerate(choices, start=1))]
        return "\n".join(lines)


def best_quote(fact: Fact, asked: str = "") -> str:
    """The source quote that holds the answer: the one sharing most with the question and
    holding most of the answer's figures (a fact told by two articles, or in two sentences,
    has several quotes, and the first one need not hold the asked figure)."""
    if len(fact.sources) == 1:
        return fact.sources[0].quote
    wanted = _bigrams(to_simplified(asked)) if asked else set()
    figures = chinese_figures(to_simplified(fact.answer))

    def fit(quote: str) -> tuple[int, int, int]:
        simplified = to_simplified(quote)
        held = chinese_figures(simplified)
        shared_figures = sum(any(f.agrees_with(h) for h in held) for f in figures)
        return len(wanted & _bigrams(simplified)), shared_figures, -len(quote)

    return max((s.quote for s in fact.sources), key=fit)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _when_text(fact: Fact, *, english: bool = False) -> str | None:
    if fact.when is None:
        return None
    parts = [int(p) for p in fact.when.split("-")]
    if english:
        year, month, day = [*parts, 0, 0][:3]
        named = dt.date(year, month or 1, 1).strftime("%B") if month else ""
        return " ".join(str(p) for p in (day or "", named, year) if p)
    return "".join(f"{value}{unit}" for value, unit in zip(parts, "年月日", strict=False))


def _date_is_quoted(fact: Fact) -> bool:
    """A date is shown only when its quote states it: the year of 5月7日 is our inference."""
    when = _when_text(fact)
    return bool(when) and not any(unsupported(chinese_figures(when or ""), quoted_figures(fact)))


def _naming(words: Iterable[str], script: Script) -> str:
    """What a refusal says the sources lack, as the reader would write it: 「东莞」, or for an
    English reader “Dongguan” (a place the question named in English was read into Chinese)."""
    if script is Script.ENGLISH:
        return ", ".join(f"“{(w in PLACES and english_place(w)) or w}”" for w in words)
    return "、".join(f"「{w}」" for w in words)


def english_place(place: str) -> str | None:
    """The English names of the places a Chinese place string names (广州市南沙区: Nansha,
    Guangzhou), or None when none is known."""
    names = [_PLACE_NAMES[p] for p in sorted(_PLACE_NAMES, key=place.find) if p in place]
    return ", ".join(dict.fromkeys(reversed(names))) or None


def _cite(article: Article) -> str:
    title = f"《{article.title}》" if article.title else ""
    date = f" {article.published.isoformat()}" if article.published else ""
    return f"{article.publisher}{title}{date}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
