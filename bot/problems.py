"""The one error type of the fact base: every problem carries `file:line:column` and a fact id.

An editor fixing a fact file wants all problems at once, each pointing at the line to change,
so loading collects problems instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str
    fact_id: str | None = None

    def __str__(self) -> str:
        who = f" [{self.fact_id}]" if self.fact_id else ""
        return f"{self.path}:{self.line}:{self.column}:{who} {self.message}"


class FactBaseError(Exception):
    """Raised with every problem found; the fact base being served stays untouched."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(map(str, self.problems)) or "unknown fact base problem")
