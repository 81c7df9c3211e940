"""Aanbieder: a youth-care provider (docs/model.md §2.2).

Its places per care type are its nominal capacity net of overhead: what the mechanisms take
(administrative burden and the extra work while contracts change, ``mechanisms/admin_burden.py``;
professionals' hours in overlegtafels, ``mechanisms/meeting_fragmentation.py``). It keeps its
own wachtlijsten (when the region does not use a central list) and a financial position:
sustained losses make it shrink and finally exit (``mechanisms/aanbieder_finance.py``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from ..caretypes import N_CARE_TYPES
from ..queues import WaitList

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio
    from .jongere import Jongere


class Aanbieder(mesa.Agent):
    def __init__(self, model: "ZorgnetwerkModel", org_id: int, name: str, region: "Inkoopregio",
                 care_types: list[int], size: float, flexibility: float) -> None:
        super().__init__(model)
        self.org_id = org_id
        self.name = name
        self.region = region
        self.care_types = sorted(care_types)
        self.size = size
        self.flexibility = flexibility
        self.size_share = [0.0] * N_CARE_TYPES   # share of regional capacity per care type
        self.nominal = [0.0] * N_CARE_TYPES      # places before overhead
        self.contract_nominal = [0.0] * N_CARE_TYPES  # places agreed in the contract
        self.year_start_nominal = [0.0] * N_CARE_TYPES  # places when the year began (growth limit)
        self.capacity = [0] * N_CARE_TYPES       # places available for care
        self.occupied = [0] * N_CARE_TYPES
        self.waitlists = {t: WaitList(t, self) for t in self.care_types}
        self.clients: set["Jongere"] = set()
        #: Referrals to its own wachtlijsten so far, per referring gemeente (org id): what the
        #: Netwerk page draws as the referrals of the last weeks (differences over time).
        self.referrals_from: dict[int, int] = {}
        self.revenue_rate = 0.0                 # EUR/week from clients in care
        self.reserve = 0.0
        self.transition_until = -1
        self.active = True

    # -- capacity ----------------------------------------------------------------------------
    def n_contracts(self) -> float:
        """Distinct agreements it must manage: one per gemeente, or one regional agreement
        plus what still differs per gemeente (reporting, own arrangements)."""
        n = len(self.region.gemeenten)
        if self.model.levers.coordination.uniform_agreements:
            return 1.0 + (n - 1) * self.model.spec.assumptions.uniform_agreements_remaining_share
        return float(n)

    def overhead_share(self) -> float:
        """Share of its places lost to overhead: what the mechanisms take (administration,
        overlegtafels; their ``capacity_loss`` hooks), at most 0.9."""
        share = 0.0
        for hook in self.model.hooks.capacity_loss:
            share += hook(self)
        return min(share, 0.9)

    def refresh_capacity(self) -> None:
        keep = 1.0 - self.overhead_share()
        staff = self.model.spec.uncertainties.staff_availability
        for t in self.care_types:
            self.capacity[t] = max(0, int(math.floor(self.nominal[t] * keep * staff + 0.5)))

    def free(self, care: int) -> int:
        return self.capacity[care] - self.occupied[care]

    def expected_wait(self, care: int) -> float:
        """What a well-informed toegang sees: queue plus occupancy relative to capacity."""
        cap = self.capacity[care]
        return (self.waitlists[care].n + self.occupied[care] + 1) / cap if cap > 0 else math.inf  # (.n: len())

    def maatwerk_acceptance(self, base: float, trust: float, weight: float, floor: float) -> float:
        """Chance to pick a maatwerk case under pull: flexible and trusting aanbieders take them."""
        p = base * (self.flexibility / 0.5) * (trust / 0.6) ** weight
        return min(1.0, max(p, floor))

    # -- money -------------------------------------------------------------------------------
    def weekly_cost(self, tariffs: list[float], cost_ratio: float) -> float:
        staff = self.model.spec.uncertainties.staff_availability
        return sum(self.nominal[t] * staff * tariffs[t] for t in self.care_types) * cost_ratio

    def nominal_revenue(self, tariffs: list[float]) -> float:
        staff = self.model.spec.uncertainties.staff_availability
        return sum(self.nominal[t] * staff * tariffs[t] for t in self.care_types)
