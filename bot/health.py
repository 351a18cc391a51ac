"""The container's health check: `python -m bot.health` exits 0 when the bot is ready.

It asks the bot's own HTTP server for /healthz on the loopback address of BAYBRIEF_LISTEN
(0.0.0.0 and :: are where the bot listens, not where to ask), with a short timeout, and
prints nothing on success. Standard library only: it starts in a few tens of milliseconds,
every few seconds, inside the image, and never reads the token or the database.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping

from bot.config import DEFAULT_LISTEN, ConfigError, parse_listen

TIMEOUT = 3.0  # seconds; Docker's HEALTHCHECK --timeout should be a little longer


def health_url(env: Mapping[str, str]) -> str:
    listen = env.get("BAYBRIEF_LISTEN", "").strip()
    host, port = parse_listen(listen) if listen else DEFAULT_LISTEN
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1" if host != "::" else "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/healthz"


def main(env: Mapping[str, str] = os.environ) -> int:
    try:
        url = health_url(env)
    except ConfigError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(f"unhealthy: {url} answered {error.code}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {url}: {getattr(error, 'reason', error)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
