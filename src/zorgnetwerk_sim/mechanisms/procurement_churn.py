"""Procurement churn (switch ``procurement_churn``; docs/model.md §7.10; [OchtendMensen n.d.]).

Every ``levers.coordination.procurement_cycle_years`` the region tenders again. The contracts
with the least trust, weighted by the gemeenten's power (``Inkoopregio.power_weights``), end —
``procurement_churn_share`` of them — and vacancies left by exits are filled. New partners start
as strangers (trust 0.5), take over the clients in care (continuity of care beyond their
places) and the wachtlijst, and every aanbieder carries ``transition_admin_share`` more overhead
for ``transition_weeks``. The new contracts are sized on the places in use.

Off: contracts never change (exits leave their vacancy open).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..agents import Aanbieder
from ..trust import sum_left
from .base import Mechanism

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio


class ProcurementChurn(Mechanism):
    switch = "procurement_churn"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        c = model.levers.coordination
        self.cycle, self.share = c.procurement_cycle_years, c.procurement_churn_share
        self.a = model.spec.assumptions

    def year_start(self, week: int) -> None:
        if (week // 52) % self.cycle == 0:
            for region in self.model.regions:
                self.procure(region, week)

    def procure(self, region: "Inkoopregio", week: int) -> None:
        """Re-tendering: the least trusted contracts end and new partners take over."""
        model, a = self.model, self.a
        weights = region.power_weights()
        trust = region.trust
        draw = model.streams.procurement.u
        standing = sorted(region.aanbieders, key=lambda ab: (
            sum_left(w * trust.trust(g, ab.org_id) for g, w in weights.items()), draw()))
        n_end = math.floor(self.share * len(standing) + 0.5)  # half rounds up
        leaving = standing[:n_end]
        replacements = list(region.vacancies)
        region.vacancies = []
        tariffs = model.pathway.base_tariff
        for old in leaving + replacements:
            new = Aanbieder(model, model.org_id(), f"{old.name}*", region, old.care_types, old.size, old.flexibility)
            new.nominal = list(old.nominal)  # the places in use move over, extra places included
            new.contract_nominal = list(old.contract_nominal)
            new.year_start_nominal = list(old.year_start_nominal)
            new.size_share = list(old.size_share)
            new.reserve = new.nominal_revenue(tariffs) * a.initial_reserve_weeks
            new.transition_until = week + a.transition_weeks  # before sizing: clients move in now
            if old in region.aanbieders:
                region.aanbieders[region.aanbieders.index(old)] = new
                trust.replace(old.org_id, new.org_id)
                region.rebuild_provider_index()
                new.refresh_capacity()
                model.move_caseload(region, old, new, week)
                old.active = False
                old.remove()
                model.recorder.churn_events += 1
            else:  # fill a vacancy left by an exit
                region.aanbieders.append(new)
                trust.add(new.org_id)
                region.rebuild_provider_index()
        for ab in region.aanbieders:
            ab.transition_until = week + a.transition_weeks
            # The new contracts are sized on the places in use: extra places contracted since
            # the last tender become part of the contract (the labour-market headroom of the
            # capacity response counts from here).
            ab.contract_nominal = list(ab.nominal)
        for ab in region.aanbieders:
            ab.refresh_capacity()
        model.calendar.schedule(week + a.transition_weeks, _refresh_region_capacity, region, 0)


def _refresh_region_capacity(region: "Inkoopregio", epoch: int) -> None:
    """The transition is over: the overhead of changing contracts falls away."""
    for ab in region.aanbieders:
        ab.refresh_capacity()
