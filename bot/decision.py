"""Whether to answer: a logistic model over the evidence, fitted on labelled questions.

The matcher ranks facts well; deciding whether the best one *answers* is the hard part, and
hand-set thresholds decided it badly (they refused questions whose answer they had found). The
features below describe how well the best fact explains the question and how clearly it beats
the runner-up; `python -m bot.calibration` fits their weights and the answer threshold on the
tuning sets with cross-validation and writes bot/data/decision.json. The model is a dot product
and a sigmoid: no dependency at run time, and every weight can be read and questioned.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

MODEL_FILE: Final = Path(__file__).with_name("data") / "decision.json"

# What the model sees of the best candidate (and of the runner-up, through `margin`).
FEATURES: Final = (
    "coverage",  # share of the question (idf-weighted) the fact explains
    "relevance",  # BM25F-like relevance, as a share saturating at 1
    "margin",  # how far ahead of the runner-up the fact ranks (1: no runner-up)
    "required_missing",  # asked how many / when / where / how much, and the fact lacks it
    "soft_missing",  # asked who / why, and the fact names no actor or purpose
    "kind_fits",  # the fact's kind is the natural answer (a statistic for how many)
    "unit_fits",  # +1 the fact counts what is asked (多少人: people), -1 it counts other things
    "unexplained_nouns",  # share of the question's weight in nouns the fact does not explain
    "rarest_unexplained",  # idf of the rarest unexplained word, as a share of the maximum
    "detail_missing",  # an unexplained word asks for a detail (秘书长, 管理人, 门票)
    "list_missing",  # asks which ones (哪八个部门) and the fact lists none
    "title_precision",  # share of the fact's title the question names
    "sounded",  # found only through a typo or a homophone
    "length",  # ln(1 + content words)
    "question_likeness",  # closest sample question (or keyword, or title) of the fact, 0..1
    "keyword_share",  # share of the question explained by the fact's keywords
    "focus_missing",  # the words next to the question word are unexplained (月薪多少)
    "breakdown",  # asks for a part of a total (那2500人里面…有多少)
    "unknown_name",  # a word no dictionary and no fact knows, no slip for a known one (黄宁生)
)


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]  # bias first, then one per feature
    threshold: float  # answer when the probability reaches this
    choice_threshold: float  # offer choices between plausible facts above this
    summary: Mapping[str, Any]  # how it was fitted and cross-validated, for people

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.weights[0] + sum(
            w * features[name] for w, name in zip(self.weights[1:], FEATURES, strict=True)
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def vector(features: Mapping[str, float]) -> list[float]:
    return [features[name] for name in FEATURES]


@functools.cache
def load(path: Path = MODEL_FILE) -> Model:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if tuple(raw["features"]) != FEATURES:
        raise ValueError(
            f"{path} was fitted for other features; run `make data` (python -m bot.calibration)"
        )
    return Model(
        weights=tuple(float(w) for w in raw["weights"]),
        threshold=float(raw["threshold"]),
        choice_threshold=float(raw["choice_threshold"]),
        summary=raw.get("summary", {}),
    )


def save(model: Model, path: Path = MODEL_FILE) -> None:
    raw = {
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in model.weights],
        "threshold": round(model.threshold, 4),
        "choice_threshold": round(model.choice_threshold, 4),
        "summary": model.summary,
    }
    path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def default() -> Model:
    """A neutral model, for fitting from scratch: coverage alone decides."""
    weights = [0.0] * (len(FEATURES) + 1)
    weights[0], weights[1] = -4.0, 6.0
    return Model(tuple(weights), 0.5, 0.3, {"fitted": False})


def dot(weights: Sequence[float], row: Sequence[float]) -> float:
    return weights[0] + sum(w * x for w, x in zip(weights[1:], row, strict=True))
