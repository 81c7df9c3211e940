"""Relapse (switch ``relapse``; docs/model.md §7.13; an assumption).

A completed trajectory comes back with probability ``assumptions.relapse_share``, after
``relapse_after_weeks_mean`` weeks (exponential), with the same severity, as the same jongere
(if still young enough).

Off: completed trajectories never return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Mechanism

if TYPE_CHECKING:
    from ..agents.jongere import Jongere
    from ..model import ZorgnetwerkModel


class Relapse(Mechanism):
    switch = "relapse"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        a = model.spec.assumptions
        self.share, self.after = a.relapse_share, a.relapse_after_weeks_mean

    def completed(self, j: "Jongere", week: int) -> None:
        if j.u() < self.share:
            self.model.pathway.schedule_return(j, week, self.after, j.severity, "relapse")
