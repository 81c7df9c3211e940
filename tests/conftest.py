"""Shared fixtures: short horizons keep the suite fast on small machines."""

from __future__ import annotations

import pytest

#: ``klas`` over 1.5 years with half a year of warm-up: about a tenth of a second per run.
SHORT = {"run.years": 1.5, "run.warmup_years": 0.5}


@pytest.fixture
def short() -> dict[str, float]:
    """Overrides that make a shipped scenario short enough for a unit test."""
    return dict(SHORT)
