"""The `baybrief` command: the bot, a local console, one-off answers, and curation tools."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.answers import Renderer
from bot.config import ConfigError, Settings
from bot.extract import article_lines, candidates, render
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.problems import FactBaseError
from bot.records import DayCounts
from bot.store import Store

log = logging.getLogger("baybrief")


def _load(settings: Settings) -> FactBase:
    return FactBase.load(settings.facts_dir, settings.seeds_dir)


def _facts_check(settings: Settings) -> int:
    try:
        base = _load(settings)
    except FactBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {settings.facts_dir}", file=sys.stderr)
        return 1
    print(f"ok: {base.summary()}")
    return 0


def _extract(settings: Settings, path: Path) -> int:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    try:
        base: FactBase | None = _load(settings)
    except FactBaseError:
        base = None  # still useful for a brand-new article while facts/ is being edited
    article = base.articles.get(path.stem) if base else None
    found = candidates(article_lines(raw, article), base.facts if base else (), path.stem)
    print(render(found, path.stem), end="")
    return 0


def _answer_json(matcher: Matcher, renderer: Renderer, question: str) -> str:
    """The JSON line contract: question, answered, fact_ids, score, text (and nothing else)."""
    try:
        outcome = matcher.match(question)
        reply = renderer.outcome(outcome, matcher.base)
        best = outcome.best
        record = {
            "question": question,
            "answered": outcome.answered,
            "fact_ids": list(reply.fact_ids),
            "score": round(best.score, 3) if best else 0.0,
            "text": reply.text,
        }
    except Exception:  # one bad line must not cost the answers to all the others
        log.exception("could not answer %r", question[:200])
        record = {"question": question, "answered": False, "fact_ids": [], "score": 0.0,
                  "text": "internal error"}  # fmt: skip
    return json.dumps(record, ensure_ascii=False)


def _questions(stream: BinaryIO) -> Iterable[str]:
    """One question per input line, split on \\n only; undecodable bytes become U+FFFD."""
    for raw in stream:
        yield raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace")


def _ask(settings: Settings, question: str | None, *, as_json: bool, out: TextIO) -> int:
    try:
        base = _load(settings)
    except FactBaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    matcher = Matcher(base)
    renderer = Renderer(html_output=False)
    if not as_json:
        if question is None:
            print("baybrief ask: give a question, or use --json to read questions from stdin",
                  file=sys.stderr)  # fmt: skip
            return 2
        print(renderer.outcome(matcher.match(question), base).text, file=out)
        return 0
    questions = [question] if question is not None else _questions(sys.stdin.buffer)
    for line in questions:
        print(_answer_json(matcher, renderer, line), file=out, flush=True)
    return 0


def _chat(settings: Settings) -> int:
    from bot.console import run

    try:
        base = _load(settings)
    except FactBaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    run(base, lambda: _load(settings))
    return 0


_COLUMNS = [f.name for f in dataclasses.fields(DayCounts)]


def _status(settings: Settings, *, days: int, as_json: bool, out: TextIO) -> int:
    """Briefings per local day (due, sent, retried, failed, lost…), read from the store."""
    if not settings.db_path.exists():
        print(f"no database at {settings.db_path} (BAYBRIEF_DB)", file=sys.stderr)
        return 1
    now = dt.datetime.now(dt.UTC)
    store = Store(settings.db_path)
    try:
        counts = store.counts(since=now.date() - dt.timedelta(days=days - 1), now=now)
        subscriptions, next_due = store.subscription_count(), store.next_due()
    finally:
        store.close()
    if as_json:
        record = {
            "days": [{**dataclasses.asdict(c), "day": c.day.isoformat()} for c in counts],
            "subscriptions": subscriptions,
            "next_due": next_due.isoformat() if next_due else None,
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
    return 0


RunBot = Callable[[Settings], int]


def _run_bot(settings: Settings, run_bot: RunBot | None) -> int:
    if not settings.token:
        print("BAYBRIEF_TOKEN is not set; `baybrief chat` runs the local console", file=sys.stderr)
        return 2
    if run_bot is None:
        print("baybrief run: this entry point has no Telegram side", file=sys.stderr)
        return 2
    return run_bot(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baybrief", description="湾区AI简报")
    commands = parser.add_subparsers(dest="command", required=True)
    facts = commands.add_parser("facts", help="fact base tools")
    facts_commands = facts.add_subparsers(dest="facts_command", required=True)
    facts_commands.add_parser("check", help="validate facts/ against seeds/")
    extract = commands.add_parser("extract", help="candidate facts (YAML) from an article")
    extract.add_argument("file", type=Path)
    ask = commands.add_parser("ask", help="answer one question, or questions on stdin (--json)")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="one JSON object per input line")
    commands.add_parser("chat", help="local console conversation")
    status = commands.add_parser("status", help="briefings per day: due, sent, retried, lost")
    status.add_argument("--days", type=int, default=7, help="days back from today (UTC)")
    status.add_argument("--json", action="store_true", help="one JSON object")
    commands.add_parser("run", help="the Telegram bot (polling); needs BAYBRIEF_TOKEN")
    return parser


def main(argv: Sequence[str] | None = None, *, run_bot: RunBot | None = None) -> int:
    """The domain's commands; `run_bot` is the Telegram side, passed in by `handlers.cli` so
    that bot/ never imports it."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "facts":
        return _facts_check(settings)
    if args.command == "extract":
        return _extract(settings, args.file)
    if args.command == "ask":
        return _ask(settings, args.question, as_json=args.json, out=sys.stdout)
    if args.command == "chat":
        return _chat(settings)
    if args.command == "status":
        return _status(settings, days=args.days, as_json=args.json, out=sys.stdout)
    if args.command == "run":
        return _run_bot(settings, run_bot)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
