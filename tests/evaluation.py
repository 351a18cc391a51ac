"""Scoring the matcher on a labelled question set (used by the tests and by bench/)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Labelled:
    question: str
    expect: str | None
    accept: frozenset[str]
    tags: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return self.expect is not None

    @property
    def half(self) -> str:
        """A fixed split of the tuning set: 'dev' was read while tuning, 'test' only scored."""
        return (
            "dev"
            if int(hashlib.sha256(self.question.encode()).hexdigest(), 16) % 2 == 0
            else "test"
        )


def load(name: str) -> list[Labelled]:
    raw: list[dict[str, Any]] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return [
        Labelled(
            item["q"],
            item["expect"],
            frozenset(filter(None, [item["expect"], *item.get("accept", [])])),
            tuple(item.get("tags", ())),
        )
        for item in raw
    ]


@dataclass
class Score:
    answerable: int = 0
    correct: int = 0
    refusable: int = 0
    refused: int = 0
    wrong: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.answerable if self.answerable else 1.0

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.refusable if self.refusable else 1.0

    def __str__(self) -> str:
        return (
            f"top-1 {self.correct}/{self.answerable} = {self.accuracy:.1%}, "
            f"refusals {self.refused}/{self.refusable} = {self.refusal_rate:.1%}"
        )


def score(items: Iterable[Labelled], answer: Callable[[str], str | None]) -> Score:
    """`answer` gives the id of the fact a question is answered with, or None for a refusal."""
    result = Score()
    for item in items:
        got = answer(item.question)
        right = got in item.accept if item.answerable else got is None
        if item.answerable:
            result.answerable += 1
            result.correct += right
        else:
            result.refusable += 1
            result.refused += right
        if not right:
            result.wrong.append((item.question, item.expect, got))
    return result
