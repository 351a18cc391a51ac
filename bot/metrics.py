"""What an operator graphs: Prometheus counters and histograms of this process.

Each instance counts its own work; Prometheus adds the instances up (`sum by (mode)`), so
nothing here is shared through the store. The web server (handlers/web.py) serves them at
`/metrics` in the text format. Names follow Prometheus' conventions: `_total` for counters,
`_seconds` for durations, a few bounded label values each (never a chat id).
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Histogram

# Replies to questions take milliseconds; a Telegram request a few hundred; a slow one seconds.
_FAST: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_NETWORK: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

ANSWERS: Final = Counter(
    "baybrief_answers", "Replies to questions, by mode (answer, overview, choices, ...)", ["mode"]
)
REFUSALS: Final = Counter(
    "baybrief_refusals", "Questions the fact base has no answer for (a plain 'I don't have that')"
)
ANSWER_SECONDS: Final = Histogram(
    "baybrief_answer_seconds", "Time to understand a question and compose its reply", buckets=_FAST
)
BRIEFINGS: Final = Counter(
    "baybrief_briefings",
    "Daily briefings by what happened: due (enqueued by this instance), sent, retried, failed, "
    "cancelled, unknown (a send that timed out, maybe delivered)",
    ["outcome"],
)
BRIEFING_SEND_SECONDS: Final = Histogram(
    "baybrief_briefing_send_seconds",
    "Time Telegram took to accept one briefing (after the pacer let it go)",
    buckets=_NETWORK,
)
RELOADS: Final = Counter(
    "baybrief_reloads",
    "Fact base reloads: ok, failed (the old facts stay), refused (not an admin), propagated "
    "(another instance's /reload applied here), mismatch (this instance's files differ)",
    ["result"],
)
WEBHOOK_REQUESTS: Final = Counter(
    "baybrief_webhook_requests",
    "Requests to the webhook: accepted, forbidden (wrong or missing secret), invalid, not_ready",
    ["result"],
)
WEBHOOK_SECONDS: Final = Histogram(
    "baybrief_webhook_seconds", "Time to accept one update posted to the webhook", buckets=_FAST
)


def answered(mode: str, seconds: float) -> None:
    ANSWERS.labels(mode).inc()
    if mode == "refusal":
        REFUSALS.inc()
    ANSWER_SECONDS.observe(seconds)
