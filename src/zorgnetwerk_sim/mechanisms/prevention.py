"""Prevention with delay and diminishing returns (switch ``prevention``; docs/model.md §7.11;
[Verbeta 2024], [Q-Consult n.d.]).

Each gemeente spends ``levers.prevention.budget_share`` of its jeugd budget per youth on
prevention (less by ``prevention_cut_when_overspent`` while it cuts, see ``budget_pressure``).
Spending enters a pipeline: it starts to work after ``prevention_delay_weeks`` and builds up
with a first-order time constant ``prevention_buildup_weeks`` (Homer & Hirsch 2006; Milstein et
al. 2011). The effective level S lowers incidence by E = max · S / (S + half), so the first
euros do the most, and shifts new needs from severe towards lighter ones. A region that spent
little for years starts with that small effect in place
(``prevention_share_before_start``).

Off: no reduction and no prevention cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..metrics import C
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Gemeente
    from ..model import ZorgnetwerkModel

C_PREVENTION = C["cost_prevention"]


class PreventionPipeline:
    """The delayed, saturating effect of spending, vectorised over the gemeenten."""

    def __init__(self, history_eur_per_youth: np.ndarray, delay_weeks: int, buildup_weeks: float,
                 max_reduction: float, half_effect_eur: float) -> None:
        self.delay = max(int(delay_weeks), 0)
        self.alpha = 1.0 / max(buildup_weeks, 1.0)
        self.max_reduction, self.half = max_reduction, half_effect_eur
        history = np.asarray(history_eur_per_youth, dtype=float)
        self.pipeline = np.tile(history, (self.delay + 1, 1))  # ring buffer of past spending
        self.level = history.copy()
        self._pos = 0

    def step(self, spend_eur_per_youth_year: np.ndarray) -> None:
        self.pipeline[self._pos] = spend_eur_per_youth_year
        self._pos = (self._pos + 1) % len(self.pipeline)
        arrived = self.pipeline[self._pos]  # spending from ``delay`` weeks ago
        self.level += self.alpha * (arrived - self.level)

    def reduction(self) -> np.ndarray:
        """Share of incidence prevented, per gemeente."""
        return self.max_reduction * self.level / (self.level + self.half)


class Prevention(Mechanism):
    switch = "prevention"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.a = model.spec.assumptions
        self.share = model.levers.prevention.budget_share
        self.pipeline: PreventionPipeline | None = None

    def start(self) -> None:
        a = self.a
        # The region's past spending is already working at the start; a new policy starts now.
        history = np.full(len(self.model.gemeenten), a.prevention_share_before_start * a.budget_per_youth_eur_per_year)
        self.pipeline = PreventionPipeline(history, a.prevention_delay_weeks, a.prevention_buildup_weeks,
                                           a.prevention_max_reduction, a.prevention_half_effect_eur_per_youth)

    def spend_per_youth(self, g: "Gemeente") -> float:
        """EUR per youth per year the gemeente spends on prevention now."""
        share = self.share
        if g.prevention_cut:
            share *= 1.0 - self.a.prevention_cut_when_overspent
        return share * self.a.budget_per_youth_eur_per_year

    def week_start(self, week: int) -> None:
        self.pipeline.step(np.array([self.spend_per_youth(g) for g in self.model.gemeenten]))

    def needs_reduction(self) -> np.ndarray:
        return self.pipeline.reduction()

    def gemeente_costs(self, g: "Gemeente", week: int, cost: list[float]) -> None:
        cost[C_PREVENTION] += self.spend_per_youth(g) * g.youth / 52.0
