"""The answer decision is fitted, cross-validated and current.

bot/data/decision.json must be what `make data` (python -m bot.calibration) fits on today's
facts, word lists and tuning sets: a change to any of them without a refit fails here, so the
model the bot runs is always the one whose figures the summary states.
"""

from __future__ import annotations

import math

from bot import decision
from bot.calibration import TUNING_SETS, _solve, calibrate, fit
from bot.factbase import FactBase
from tests.conftest import ROOT


def test_the_shipped_decision_is_fitted_on_the_current_data(factbase: FactBase) -> None:
    shipped = decision.load()
    refitted = calibrate(factbase, [ROOT / "tests" / "data" / name for name in TUNING_SETS])
    assert math.isclose(refitted.threshold, shipped.threshold, abs_tol=1e-4)
    for mine, theirs in zip(refitted.weights, shipped.weights, strict=True):
        assert math.isclose(mine, theirs, abs_tol=1e-3), "run `make data` and commit the result"
    rates = shipped.summary["cross_validated"]
    assert rates["answer_accuracy"] > 0.8  # out-of-fold: the model generalises beyond its rows
    assert rates["refusal_rate"] > 0.8


def test_no_unspent_held_out_set_is_tuned_on() -> None:
    """A held-out set is fitted on only once it is spent (its one honest score taken)."""
    for name in TUNING_SETS:
        if "heldout" in name and name != "heldout.yaml":
            header = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8")[:2000]
            assert "STATUS: SPENT" in header, f"{name} is not spent: never tune on it"


def test_newton_solves_a_small_system() -> None:
    assert [round(x, 6) for x in _solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0])] == [0.8, 1.4]


def test_the_fit_separates_what_can_be_separated() -> None:
    from bot.calibration import Row
    from bot.evaluation import Case

    width = len(decision.FEATURES)
    rows = [Row(Case(f"q{n}", ()), [1.0 if n % 2 else 0.0] * width, bool(n % 2)) for n in range(40)]
    weights = fit(rows)
    assert decision.dot(weights, [1.0] * width) > 0 > decision.dot(weights, [0.0] * width)
