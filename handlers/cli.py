"""The `baybrief` command: the domain's commands (bot/cli.py) plus the Telegram bot for `run`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot import cli
from bot.config import Settings


def _run_bot(settings: Settings) -> int:
    from handlers.app import run  # python-telegram-bot is imported only when needed

    return run(settings)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, run_bot=_run_bot)


if __name__ == "__main__":
    sys.exit(main())
