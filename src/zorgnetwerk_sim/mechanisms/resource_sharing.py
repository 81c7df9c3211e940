"""Resource sharing (switch ``resource_sharing``; docs/model.md §7.8; [Zorg&Sociaalweb 2022]).

An aanbieder with places left after its own wachtlijst takes clients from a partner's list (the
longest first) when it is willing and trusts that partner: with probability flexibility ×
trust^``trust_sharing_weight`` (with joint KPIs its willingness is at least
``joint_kpis_min_acceptance``). Each shared client is a success in the partners' relation.
Only with wachtlijsten per aanbieder (a central list already pools them).

Off: free places wait for the aanbieder's own referrals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..metrics import F
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Aanbieder
    from ..model import ZorgnetwerkModel

F_RESOURCE_SHARING = F["resource_sharing"]


class ResourceSharing(Mechanism):
    switch = "resource_sharing"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.a = model.spec.assumptions
        self.c = model.levers.coordination
        self.central = self.c.queue == "central"

    def free_places(self, a: "Aanbieder", care: int, free: int, providers: list["Aanbieder"], week: int) -> None:
        if self.central or len(providers) < 2:
            return
        pw = self.model.pathway
        stream = self.model.streams.allocation
        trust = a.region.trust
        partners = sorted((b for b in providers if b is not a and len(b.waitlists[care]) > 0),
                          key=lambda b: -len(b.waitlists[care]))
        # With joint KPIs aanbieders share responsibility for the regional wachtlijst
        # ([Verbeta 2024], [Zorg&Sociaalweb 2022]).
        willing = max(a.flexibility, self.a.joint_kpis_min_acceptance) if self.c.joint_kpis else a.flexibility
        for b in partners:
            p = min(1.0, willing * trust.trust(a.org_id, b.org_id) ** self.a.trust_sharing_weight)
            if stream.u() >= p:
                continue
            while free > 0:
                j = b.waitlists[care].pop(self.c.urgency_priority, False, 1.0, stream)
                if j is None:
                    break
                j.gemeente.flow[F_RESOURCE_SHARING] += 1
                pw.cooperated(a.region, a.org_id, b.org_id, True)
                pw.start_care(j, a, care, week)
                free -= 1
            if free <= 0:
                return
