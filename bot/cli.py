"""The `baybrief` command: the bot, a local console, one-off answers, and curation tools."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO, NoReturn, TextIO

from bot.answers import ANSWERING_MODES, Renderer
from bot.assistant import Assistant
from bot.config import ConfigError, Settings
from bot.coverage import MIN_COVERED, statements, uncovered
from bot.curation import group
from bot.curation import render as render_gaps
from bot.dialogue import Context
from bot.extract import article_lines, candidates, render
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.problems import FactBaseError
from bot.reading import ReadRefused, read_bounded
from bot.records import DayCounts
from bot.report import read_store
from bot.report import render as render_status
from bot.startup import check_database
from bot.store import Store
from bot.text import Script

log = logging.getLogger("baybrief")
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a program ended by SIGPIPE
EXIT_INTERRUPTED = 128 + 2  # and by SIGINT (Ctrl-C)


def _load(settings: Settings) -> FactBase:
    return FactBase.load(settings.facts_dir, settings.seeds_dir)


def _broken(exc: FactBaseError, settings: Settings) -> str:
    """A broken fact base in one line: a command that needs the facts cannot start, and the
    curator's full list is one `facts check` away."""
    first = exc.problems[0] if exc.problems else "unknown problem"
    return (
        f"the fact base in {settings.facts_dir} has {len(exc.problems)} problem(s), the first: "
        f"{first}; `baybrief facts check` lists them all"
    )


def _plain(text: str) -> str:
    """Text from argv or a pipe as valid Unicode: undecodable bytes arrive as lone surrogates
    (surrogateescape), which no output encoding accepts; they become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _facts_check(settings: Settings) -> int:
    try:
        base = _load(settings)
    except FactBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {settings.facts_dir}", file=sys.stderr)
        return 1
    print(f"ok: {base.summary()}")
    for draft in base.drafts:
        print(draft)
    found = statements(base)
    quoted = sum(s.covered >= MIN_COVERED for s in found)
    print(f"statements quoted: {quoted}/{len(found)} (`baybrief facts coverage` lists the rest)")
    return 0


def _facts_coverage(settings: Settings) -> int:
    """The statements no fact quotes yet: the curator's to-do list."""
    try:
        base = _load(settings)
    except FactBaseError as exc:
        print(_broken(exc, settings), file=sys.stderr)
        return 1
    missing = uncovered(base)
    for statement in missing:
        print(statement)
    print(f"{len(missing)} statement(s) not yet quoted by any fact")
    return 1 if missing else 0


def _extract(settings: Settings, path: Path, *, out: Path | None = None) -> int:
    """Candidate facts from a page: a regular file of UTF-8 text, read as seeds are read (a
    FIFO or /dev/zero given by mistake is refused, not waited on or read forever). With
    `out`, written there as a draft fact file (`facts check` lists its drafts)."""
    try:
        raw = read_bounded(path, inside=None).decode("utf-8")
    except (ReadRefused, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    try:
        base: FactBase | None = _load(settings)
    except FactBaseError:
        base = None  # still useful for a brand-new article while facts/ is being edited
    article = base.articles.get(path.stem) if base else None
    facts, glossary = (base.facts, base.glossary) if base else ((), ())
    found = candidates(article_lines(raw, article), facts, path.stem, glossary)
    text = render(found, path.stem)
    if out is None:
        print(text, end="")
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"{out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(found)} draft facts to {out}; `baybrief facts check` lists them as "
          "drafts until an editor removes their `draft: true`")  # fmt: skip
    return 0


def _answer_json(assistant: Assistant, line: str, talks: dict[str, Context | None]) -> str:
    """The JSON line contract: question, answered, mode, language, fact_ids, score, text.

    A line is a question on its own, or `{"text": ..., "conversation": id}`: lines sharing a
    conversation id are one conversation, in order, with the context a Telegram chat has.
    """
    question, conversation = _parse_line(line)
    try:
        context = talks.get(conversation) if conversation is not None else None
        reply, context = assistant.converse(question, context, now=time.time())
        if conversation is not None:
            talks[conversation] = context
        record = {
            "question": question,
            "answered": reply.mode in ANSWERING_MODES,
            "mode": reply.mode,
            "language": reply.language,
            "fact_ids": list(reply.fact_ids),
            "score": round(reply.score, 3),
            "text": reply.text,
        }
    except Exception:  # one bad line must not cost the answers to all the others
        log.exception("could not answer %r", question[:200])
        record = {"question": question, "answered": False, "mode": "refusal",
                  "language": "zh-Hans", "fact_ids": [], "score": 0.0,
                  "text": "internal error"}  # fmt: skip
    return json.dumps(record, ensure_ascii=False)


def _parse_line(line: str) -> tuple[str, str | None]:
    """(text, conversation id) of an input line: plain text, or a JSON object."""
    if line.lstrip().startswith("{"):
        try:
            value = json.loads(line)
        except ValueError:
            return line, None
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            conversation = value.get("conversation")
            return value["text"], None if conversation is None else str(conversation)
    return line, None


def _questions(stream: BinaryIO) -> Iterable[str]:
    """One question per input line, split on \\n only; undecodable bytes become U+FFFD."""
    for raw in stream:
        yield raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace")


def _ask(settings: Settings, question: str | None, *, as_json: bool, out: TextIO) -> int:
    if not as_json and question is None:
        print("baybrief ask: give a question, or use --json to read questions from stdin",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        base = _load(settings)
    except FactBaseError as exc:
        print(_broken(exc, settings), file=sys.stderr)
        return 1
    assistant = Assistant(base, Matcher(base), Renderer(html_output=False))
    question = None if question is None else _plain(question)
    if not as_json:
        print(assistant.reply(question or "").text, file=out)
        return 0
    questions = [question] if question is not None else _questions(sys.stdin.buffer)
    talks: dict[str, Context | None] = {}
    for line in questions:
        print(_answer_json(assistant, line, talks), file=out, flush=True)
    return 0


def _ready(settings: Settings) -> FactBase | int:
    """The fact base, once it loads and the store can be written; else the exit status, after
    one line saying why (`run` and `chat` check the same, before anything starts)."""
    try:
        base = _load(settings)
    except FactBaseError as exc:
        print(_broken(exc, settings), file=sys.stderr)
        return 1
    try:
        check_database(settings.database)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return base


def _chat(settings: Settings) -> int:
    """The console, on the bot's own store: checked first as `run` checks it."""
    from bot.console import run

    base = _ready(settings)
    if isinstance(base, int):
        return base
    # Typed bytes that are not UTF-8 become U+FFFD instead of ending the conversation.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    run(settings, base, stream=stdin)
    return 0


def _open_store(settings: Settings) -> Store | int:
    """The store for reading (`status`, `gaps`), or the exit status after saying why not:
    looking never creates a database."""
    if settings.db_url is None and not settings.db_path.exists():
        print(f"no database at {settings.db_path} (BAYBRIEF_DB)", file=sys.stderr)
        return 1
    try:
        check_database(settings.database)  # a directory, a broken file, no server: one line
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return Store(settings.database)


_COLUMNS = [f.name for f in dataclasses.fields(DayCounts)]


def _status(settings: Settings, *, days: int, as_json: bool, out: TextIO, script: Script) -> int:
    """Briefings per local day (due, sent, retried, failed, lost…), then what else the store
    knows: facts and their generation, chats, today's briefings, the questions of the week."""
    store = _open_store(settings)
    if isinstance(store, int):
        return store
    now = dt.datetime.now(dt.UTC)
    try:
        counts = store.counts(since=now.date() - dt.timedelta(days=days - 1), now=now)
        subscriptions, next_due = store.subscription_count(), store.next_due()
        stored = read_store(store, now=now, zone=settings.timezone)
    finally:
        store.close()
    if as_json:
        record = {
            "days": [{**dataclasses.asdict(c), "day": c.day.isoformat()} for c in counts],
            "subscriptions": subscriptions,
            "next_due": next_due.isoformat() if next_due else None,
            "facts": stored.facts,
            "generation": stored.generation,
            "chats": stored.chats,
            "today": {s.value: n for s, n in stored.statuses.items()} | {"day": str(stored.day)},
            "questions": stored.verdicts,
        }
        print(json.dumps(record), file=out)
        return 0
    rows = [_COLUMNS, *([str(v) for v in dataclasses.astuple(c)] for c in counts)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    for row in rows:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)), file=out)
    if not counts:
        print(f"(no briefings in the last {days} days)", file=out)
    due = next_due.isoformat(timespec="seconds") if next_due else "-"
    print(f"subscriptions: {subscriptions}; next due (UTC): {due}", file=out)
    plain = Renderer(html_output=False)
    print(render_status(stored, plain, script, zone=settings.timezone), file=out)
    return 0


def _gaps(settings: Settings, *, days: int, as_json: bool, out: TextIO, script: Script) -> int:
    """The curation loop's to-do list, from the store: what readers asked that got no good
    answer in the last `days` days, variants grouped, with the facts closest to each."""
    if not 1 <= days <= settings.gaps_days:
        print(f"baybrief gaps: --days must be 1 to {settings.gaps_days} (BAYBRIEF_GAPS_DAYS)",
              file=sys.stderr)  # fmt: skip
        return 2
    store = _open_store(settings)
    if isinstance(store, int):
        return store
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    try:
        found = group(store.asked(since=since, verdicts=("unanswered", "down")))
    finally:
        store.close()
    if as_json:
        for gap in found:
            record = {**dataclasses.asdict(gap), "last_at": gap.last_at.isoformat()}
            print(json.dumps(record, ensure_ascii=False), file=out)
        return 0
    try:
        base: FactBase | None = _load(settings)
    except FactBaseError:
        base = None  # the list still stands; the closest facts are shown by id
    plain = Renderer(html_output=False)
    kept = settings.gaps_days
    print(render_gaps(found, base, plain, script, days=days, kept_days=kept), file=out)
    return 0


RunBot = Callable[[Settings], int]


def _run_bot(settings: Settings, run_bot: RunBot | None) -> int:
    """Start the Telegram side once what it needs is known to work: a fact base that loads
    and a database it can write; each failure is one line, before PTB prints anything."""
    if not settings.token:
        print("BAYBRIEF_TOKEN is not set; `baybrief chat` runs the local console", file=sys.stderr)
        return 2
    if run_bot is None:
        print("baybrief run: this entry point has no Telegram side", file=sys.stderr)
        return 2
    ready = _ready(settings)
    return ready if isinstance(ready, int) else run_bot(settings)


class _Parser(argparse.ArgumentParser):
    """argparse, but a misuse is one line (and the exit status 2), not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


_LANGUAGES = [script.value for script in Script]


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="baybrief", description="湾区AI简报")
    commands = parser.add_subparsers(dest="command", required=True)
    facts = commands.add_parser("facts", help="fact base tools")
    facts_commands = facts.add_subparsers(dest="facts_command", required=True)
    facts_commands.add_parser("check", help="validate facts/ against seeds/")
    facts_commands.add_parser("coverage", help="article statements no fact quotes yet")
    extract = commands.add_parser("extract", help="candidate facts (YAML) from an article")
    extract.add_argument("file", type=Path)
    extract.add_argument(
        "--out", type=Path, help="write a draft fact file (facts check lists it as drafts)"
    )
    ask = commands.add_parser("ask", help="answer one question, or questions on stdin (--json)")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="one JSON object per input line")
    commands.add_parser("chat", help="local console conversation")
    status = commands.add_parser("status", help="briefings per day, facts, chats, questions")
    status.add_argument("--days", type=int, default=7, help="days back from today (UTC)")
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.add_argument("--language", choices=_LANGUAGES, default="en")
    gaps = commands.add_parser("gaps", help="questions without a good answer, grouped")
    gaps.add_argument("--days", type=int, default=7, help="days back from now")
    gaps.add_argument("--json", action="store_true", help="one JSON object per group")
    gaps.add_argument("--language", choices=_LANGUAGES, default="en")
    commands.add_parser("run", help="the Telegram bot (polling); needs BAYBRIEF_TOKEN")
    return parser


def main(argv: Sequence[str] | None = None, *, run_bot: RunBot | None = None) -> int:
    """The domain's commands; `run_bot` is the Telegram side, passed in by `handlers.cli` so
    that bot/ never imports it. A reader that stops reading (`ask --json | head -1`) or
    Ctrl-C ends the command quietly, with the exit status a shell expects."""
    try:
        return _main(argv, run_bot)
    except BrokenPipeError:
        # Nothing more can be written; point stdout at /dev/null so that the interpreter's
        # final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None, run_bot: RunBot | None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "facts":
        if args.facts_command == "coverage":
            return _facts_coverage(settings)
        return _facts_check(settings)
    if args.command == "extract":
        return _extract(settings, args.file, out=args.out)
    if args.command == "ask":
        return _ask(settings, args.question, as_json=args.json, out=sys.stdout)
    if args.command == "chat":
        return _chat(settings)
    if args.command == "status":
        script = Script(args.language)
        return _status(settings, days=args.days, as_json=args.json, out=sys.stdout, script=script)
    if args.command == "gaps":
        script = Script(args.language)
        return _gaps(settings, days=args.days, as_json=args.json, out=sys.stdout, script=script)
    if args.command == "run":
        return _run_bot(settings, run_bot)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
