"""Alternative routes (switch ``alternative_routes``; docs/model.md §7.16; an assumption).

While the wait for light ambulant care is long, part of the referrers keep the case at the
wijkteam, which gives bridging support itself (overbruggingszorg) instead of referring. Every
``capacity_review_weeks`` the region reads its expected wait for ambulant licht W
(``Inkoopregio.expected_wait``); until the next review an assessment that would refer there
keeps the case at the wijkteam with probability
``uncertainties.alternative_route_max_share`` × min(1, W / norm − 1) when W exceeds the wait
norm (``assumptions.wait_norm_weeks``).

Off: every referral to ambulant licht goes to its wachtlijst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..caretypes import CareType
from ..metrics import F
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents.jongere import Jongere
    from ..model import ZorgnetwerkModel

AMBULANT_LICHT, WIJKTEAM = int(CareType.AMBULANT_LICHT), int(CareType.WIJKTEAM)
F_DIVERTED = F["diverted_to_wijkteam"]


class AlternativeRoutes(Mechanism):
    switch = "alternative_routes"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        sc = model.spec
        self.review_weeks = sc.assumptions.capacity_review_weeks
        self.norm = sc.assumptions.wait_norm_weeks
        self.max_share = sc.uncertainties.alternative_route_max_share
        self.central = sc.levers.coordination.queue == "central"
        #: The expected wait for ambulant licht per region at the last review (weeks).
        self.wait_signal: dict[int, float] = {}

    def review(self, week: int) -> None:
        # (read before the capacity response of the same week changes any places)
        if week % self.review_weeks != 0:
            return
        mean_duration = self.model.pathway.mean_duration[AMBULANT_LICHT]
        for region in self.model.regions:
            if region.providers_of.get(AMBULANT_LICHT):
                self.wait_signal[region.index] = region.expected_wait(AMBULANT_LICHT, mean_duration, self.central)

    def assessed(self, j: "Jongere", week: int) -> None:
        if j.care != AMBULANT_LICHT:
            return
        g = j.gemeente
        if self.diverts(g.region.index, self.model.streams.assessment.u()):
            g.flow[F_DIVERTED] += 1
            j.care = WIJKTEAM

    def diverts(self, region_index: int, u: float) -> bool:
        """Does this referral to ambulant licht stay at the wijkteam?"""
        w = self.wait_signal.get(region_index, 0.0)
        if w <= self.norm:
            return False
        return u < self.max_share * min(1.0, w / self.norm - 1.0)
