"""Administrative burden (switch ``admin_burden``; docs/model.md §7.3; [Q-Consult n.d.]).

Every distinct agreement an aanbieder must manage costs it a share of its places: a base share
plus ``uncertainties.admin_share_per_contract`` per agreement beyond the first (at most
``assumptions.admin_max_share``), and ``transition_admin_share`` more while contracts change
after a tender. With ``levers.coordination.uniform_agreements`` the gemeenten of a region share
one agreement (``Aanbieder.n_contracts``). The gemeenten pay ``contract_admin_eur_per_year``
per contract they manage (shared when the agreements are uniform).

Off: no overhead on places and no contract-management cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Aanbieder
    from ..model import RegionCosts, ZorgnetwerkModel
    from ..region import Inkoopregio


class AdminBurden(Mechanism):
    switch = "admin_burden"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        a, u = model.spec.assumptions, model.spec.uncertainties
        self.max_share, self.base_share = a.admin_max_share, a.admin_base_share
        self.per_contract = u.admin_share_per_contract
        self.transition_share = a.transition_admin_share

    def capacity_loss(self, ab: "Aanbieder") -> float:
        share = min(self.max_share, self.base_share + self.per_contract * (ab.n_contracts() - 1))
        if self.model.week < ab.transition_until:
            share += self.transition_share
        return share

    def region_costs(self, region: "Inkoopregio", week: int, costs: "RegionCosts") -> None:
        costs.contracts += len(region.aanbieders) * self.model.spec.assumptions.contract_admin_eur_per_year / 52.0
