"""Cherry picking under pull (switch ``cherry_picking``; docs/model.md §7.7; Giesen et al.).

When aanbieders pull clients from the wachtlijst (``levers.coordination.allocation = "pull"``)
they take the oldest standard case, and a maatwerk case that is older only with a probability
that grows with their flexibility and their trust in the region's gemeenten
(``Aanbieder.maatwerk_acceptance``; with joint KPIs at least ``joint_kpis_min_acceptance``). So
complex cases wait longest under pull.

Off: places are filled strictly in order of the list, under pull as under push.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..trust import sum_left
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Aanbieder
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio


class CherryPicking(Mechanism):
    switch = "cherry_picking"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.a = model.spec.assumptions
        self.joint_kpis = model.levers.coordination.joint_kpis

    def maatwerk_acceptance(self, ab: "Aanbieder", region: "Inkoopregio") -> float:
        trust = sum_left(region.trust.trust(ab.org_id, g.org_id) for g in region.gemeenten) / len(region.gemeenten)
        floor = self.a.joint_kpis_min_acceptance if self.joint_kpis else 0.0
        return ab.maatwerk_acceptance(self.a.complex_acceptance, trust, self.a.trust_sharing_weight, floor)
