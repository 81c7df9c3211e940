"""Fragmented consultation (switch ``meeting_fragmentation``; docs/model.md §7.4; [Verbeta 2024]).

Every overlegtafel (``levers.coordination.overlegtafels``) takes professionals' hours: aanbieders
and expertteams lose ``uncertainties.capacity_loss_per_overlegtafel`` of their capacity per
table (the expertteam at most 0.9), and the gemeenten pay their own delegates'
``meeting_hours_per_table_per_week`` at the professional rate (the aanbieders' hours are
already counted as places they lose, paid through the tariffs).

Off: the tables take no hours and cost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Aanbieder, Expertteam
    from ..model import RegionCosts, ZorgnetwerkModel
    from ..region import Inkoopregio


class MeetingFragmentation(Mechanism):
    switch = "meeting_fragmentation"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        sc = model.spec
        self.tables = sc.levers.coordination.overlegtafels
        self.loss = sc.uncertainties.capacity_loss_per_overlegtafel * self.tables
        self.hours = sc.assumptions.meeting_hours_per_table_per_week
        self.rate = sc.assumptions.professional_cost_eur_per_hour

    def capacity_loss(self, ab: "Aanbieder") -> float:
        return self.loss

    def team_hours_loss(self, team: "Expertteam") -> float:
        return min(0.9, self.loss)

    def region_costs(self, region: "Inkoopregio", week: int, costs: "RegionCosts") -> None:
        costs.coordination += self.tables * self.hours * self.rate * len(region.gemeenten)
