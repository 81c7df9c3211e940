"""Prevention with delay and diminishing returns (docs/model.md §7.11; [Verbeta 2024], [Q-Consult n.d.]).

Spending per youth enters a pipeline: it starts to work after ``delay`` weeks and builds up
with a first-order time constant (Homer & Hirsch 2006; Milstein et al. 2011). The effective
level reduces incidence with a saturating curve E = max · S / (S + half), so the first euros
do the most. A region that spent little for years starts with that small effect in place.
"""

from __future__ import annotations

import numpy as np


class PreventionPipeline:
    """Vectorised over the gemeenten of the model."""

    def __init__(self, n_gemeenten: int, history_eur_per_youth: np.ndarray, delay_weeks: int,
                 buildup_weeks: float, max_reduction: float, half_effect_eur: float, enabled: bool) -> None:
        self.enabled = enabled
        self.delay = max(int(delay_weeks), 0)
        self.alpha = 1.0 / max(buildup_weeks, 1.0)
        self.max_reduction, self.half = max_reduction, half_effect_eur
        history = np.asarray(history_eur_per_youth, dtype=float)
        self.pipeline = np.tile(history, (self.delay + 1, 1))  # ring buffer of past spending
        self.level = history.copy()
        self._pos = 0

    def step(self, spend_eur_per_youth_year: np.ndarray) -> None:
        if not self.enabled:
            return
        self.pipeline[self._pos] = spend_eur_per_youth_year
        self._pos = (self._pos + 1) % len(self.pipeline)
        arrived = self.pipeline[self._pos]  # spending from ``delay`` weeks ago
        self.level += self.alpha * (arrived - self.level)

    def reduction(self) -> np.ndarray:
        """Share of incidence prevented, per gemeente."""
        if not self.enabled:
            return np.zeros_like(self.level)
        return self.max_reduction * self.level / (self.level + self.half)
