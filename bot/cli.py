"""The `baybrief` command: the bot, a local console, one-off answers, and curation tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.extract import article_lines, candidates, render
from bot.factbase import FactBase
from bot.problems import FactBaseError


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baybrief", description="湾区AI简报")
    commands = parser.add_subparsers(dest="command", required=True)
    facts = commands.add_parser("facts", help="fact base tools")
    facts_commands = facts.add_subparsers(dest="facts_command", required=True)
    facts_commands.add_parser("check", help="validate facts/ against seeds/")
    extract = commands.add_parser("extract", help="candidate facts (YAML) from an article")
    extract.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
