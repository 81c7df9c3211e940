"""The engine equivalence check (benchmarks/equivalence.py): this engine against the recorded reference
engine on `klas`, and the check's power to see a real change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import equivalence  # noqa: E402

from zorgnetwerk_sim import run  # noqa: E402

REFERENCE = ROOT / "benchmarks" / "reference" / "klas-ecef12e.json"
SEEDS = 4


@pytest.fixture(scope="module")
def reference() -> dict:
    data = json.loads(REFERENCE.read_text())
    data["runs"], data["seeds"] = data["runs"][:SEEDS], data["seeds"][:SEEDS]
    return data


def _runs(reference: dict, **overrides) -> list[dict[str, float]]:
    return [{k: run(reference["scenario"], seed=s, years=reference["years"], overrides=overrides).summary[k]
             for k in reference["kpis"]} for s in reference["seeds"]]


def test_this_engine_gives_the_reference_engines_model_on_klas(reference):
    ok, lines = equivalence.compare(reference, _runs(reference), alpha=0.01)
    assert ok, "\n".join(lines)


def test_the_check_sees_a_real_change_of_the_model(reference):
    fewer_staff = _runs(reference, **{"uncertainties.staff_availability": 0.85})
    ok, lines = equivalence.compare(reference, fewer_staff, alpha=0.01)
    assert not ok
    assert any("wait_weeks_mean" in line and "**no**" in line for line in lines)


def test_holm_adjusts_in_order_and_caps_at_one():
    assert equivalence.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert equivalence.holm([0.5, 0.9]) == [1.0, 1.0]
