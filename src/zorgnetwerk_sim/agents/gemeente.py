"""Gemeente: buys and steers youth care for its youth (docs/model.md §2.1).

Holds the youth population as single-year age cohorts (no person-level population), the
toegang (wijkteam) with limited assessment capacity, its budget and prevention policy, and the
weekly counters of its KPIs.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..metrics import COSTS, FLOWS, STOCKS
from ..trust import sum_left

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio
    from .aanbieder import Aanbieder

AGE_BANDS = ((0, 4), (4, 12), (12, 18), (18, 23))  # 0-3, 4-11, 12-17, 18-22


class Gemeente(mesa.Agent):
    def __init__(self, model: "ZorgnetwerkModel", index: int, org_id: int, name: str, inhabitants: int,
                 region: "Inkoopregio") -> None:
        super().__init__(model)
        a = model.spec.assumptions
        self.index = index
        self.org_id = org_id
        self.name = name
        self.inhabitants = inhabitants
        self.region = region
        max_age = a.max_age_years
        youth = inhabitants * a.youth_share_of_inhabitants
        # Stylised stationary age structure: equal single-year cohorts.
        self.cohorts = np.full(max_age, youth / max_age)
        self.youth = float(self.cohorts.sum())  # kept in step with the cohorts (age_cohorts)
        self.large = inhabitants >= a.large_gemeente_min_inhabitants
        self.budget_eur_per_year = self.youth * a.budget_per_youth_eur_per_year
        self.toegang: deque = deque()
        self.toegang_credit = 0.0
        self.prevention_cut = False
        self.year_spend = 0.0
        self.stock = [0] * len(STOCKS)
        self.flow = [0] * len(FLOWS)
        self.cost = [0.0] * len(COSTS)
        self.cost_rate = 0.0       # care tariffs per week of its jongeren in care
        self.pool_rate = 0.0       # part of cost_rate that is poolable (expensive care)

    def band_youth(self) -> np.ndarray:
        return np.array([self.cohorts[lo:hi].sum() for lo, hi in AGE_BANDS])

    def age_cohorts(self) -> None:
        """Once a year everyone is a year older; births keep the youngest cohort stationary."""
        newborn = self.cohorts[0]
        self.cohorts[1:] = self.cohorts[:-1].copy()
        self.cohorts[0] = newborn
        self.youth = float(self.cohorts.sum())

    def assessment_capacity(self) -> float:
        return self.youth / 1000.0 * self.model.spec.assumptions.assessments_per_1000_youth_per_week

    def choose_aanbieder(self, providers: list["Aanbieder"], care: int) -> "Aanbieder":
        """Push allocation: with regie and shared data the gemeente picks the aanbieder with the
        shortest expected wait; otherwise it follows its relations (size × trust)."""
        model = self.model
        if len(providers) == 1:
            return providers[0]
        trust = self.region.trust
        # Aanbieders share their queue data with a gemeente they trust (docs/model.md §7.9), so
        # informed allocation needs both regie and trust.
        # Trust in each provider is looked up once and used twice (the lookup is the hot spot of
        # a referral).
        trusts = trust.trust_in(self.org_id, providers)
        shared = sum_left(trusts) / len(providers)
        if model.streams.allocation.u() < self.region.regie_strength * shared:
            return min(providers, key=lambda a: a.expected_wait(care))
        weights = [a.size_share[care] * t for a, t in zip(providers, trusts)]
        x = model.streams.allocation.u() * sum_left(weights)
        for a, w in zip(providers, weights):
            x -= w
            if x < 0:
                return a
        return providers[-1]
