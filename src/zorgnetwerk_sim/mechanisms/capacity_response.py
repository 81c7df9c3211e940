"""The capacity response (switch ``capacity_response``; docs/model.md §7.16): capacity follows the waits.

Real waiting lists persist but do not grow without bound: when waits run over the norm,
gemeenten contract extra places and aanbieders hire ([Verbeta 2024]: "er zijn meer
jeugdhulpaanbieders bijgekomen", while waiting lists grow in places), within what the labour
market allows; when places stand empty, the extra places are given back.

It is a stock-adjustment loop with a delay (Sterman 2000, *Business Dynamics*, ch. 17:
capacity acquisition; Sterman 1989, "Misperceptions of feedback": count the supply line).
Per region and care type the signal is the expected wait (``Inkoopregio.expected_wait``)

    W_t = waiting for type t in the region / (places of type t / mean duration of type t)   [weeks]

the number on the list divided by the weekly outflow the places allow.

Every ``capacity_review_weeks`` a region with
  W_t > ``levers.coordination.accepted_wait_weeks`` (the wait it accepts: a lever, by default
  the 9-week norm) contracts extra places, **if its money and the labour market allow**:

  - *money*: extra places are bought on spot or out-of-region contracts and cost
    ``uncertainties.extra_place_premium`` above the regular tariff while they stay extra
    (``extra_capacity_cost``; at the next tender they become regular places). A region orders
    only while its gemeenten's spending over the last review period, annualised, stays within
    their budgets plus the overspending the region accepts
    (``uncertainties.accepted_overspend_share``; 0 with the lever ``budget_ceiling``), judged
    by the gemeenten's weight in regional choices (``Inkoopregio.power_weights``: large
    gemeenten count more, [OchtendMensen n.d.]): when the gemeenten over that line weigh more than half,
    nothing is ordered. Gemeenten must provide the care a jongere needs whatever their budget
    (the jeugdhulpplicht, Jeugdwet art. 2.3), so care already contracted goes on; what the
    budget limits is the growth of the places.
  - *labour market*: within a year places grow by at most
    ``uncertainties.labour_market_headroom`` of what there was when the year began.

  An order adds ``capacity_growth_per_review`` × contracted places, which arrive
  ``capacity_delay_weeks`` later (recruitment, contracting). With W_t below
  ``capacity_release_wait_share`` × accepted wait and free places, extra places are given back
  at the same rate, never below the contract. The waiting level therefore comes out of demand,
  staff, budget and coordination; the loop pulls the expected wait down towards the accepted
  wait only as far as money and labour market allow.

The review runs once per region per care type every few weeks: O(aanbieders), not O(jongeren).

Off: the places stay as contracted (no orders, no releases, no premium), and the wachtlijst at
the start is sized on the first referrals' need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..caretypes import CareType
from .base import Mechanism

if TYPE_CHECKING:
    import numpy as np

    from ..agents import Aanbieder
    from ..model import RegionCosts, ZorgnetwerkModel
    from ..region import Inkoopregio

CRISIS = int(CareType.CRISIS)


class CapacityResponse(Mechanism):
    switch = "capacity_response"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        sc = model.spec
        self.a = sc.assumptions
        self.headroom = sc.uncertainties.labour_market_headroom
        self.accepted_overspend = sc.uncertainties.accepted_overspend_share
        self.premium = sc.uncertainties.extra_place_premium
        self.central = sc.levers.coordination.queue == "central"
        self.pending: set[tuple[int, int]] = set()  # (region, care type) with an order on its way

    def review(self, week: int) -> None:
        """Every review period: read the waits and order or release places."""
        if week % self.a.capacity_review_weeks != 0:
            return
        model = self.model
        trigger = model.levers.coordination.accepted_wait_weeks
        recent = self._recent_spending(week)
        mean_duration = model.pathway.mean_duration
        for region in model.regions:
            over_budget = recent is not None and self._over_budget(region, week, recent)
            for care, providers in region.providers_of.items():
                if care == CRISIS or not providers:
                    continue
                w = region.expected_wait(care, mean_duration[care], self.central)
                if w > trigger and not over_budget and (region.index, care) not in self.pending:
                    # One order at a time: places already ordered are counted before ordering
                    # more (the supply line; without it the loop overshoots, Sterman 1989).
                    self.pending.add((region.index, care))
                    model.calendar.schedule(week + self.a.capacity_delay_weeks, _apply, (self, region, care), 1)
                elif w < self.a.capacity_release_wait_share * trigger:
                    free = sum(a.capacity[care] - a.occupied[care] for a in providers)
                    if free > 0:
                        self.change(region, care, -1)

    def _recent_spending(self, week: int) -> "np.ndarray | None":
        """Each gemeente's spending over the last review period, annualised (None before one has passed)."""
        period = self.a.capacity_review_weeks
        if week < period:
            return None
        return self.model.recorder.costs[week - period:week].sum(axis=(0, 2)) * (52.0 / period)

    def _over_budget(self, region: "Inkoopregio", week: int, recent: "np.ndarray") -> bool:
        """Do the gemeenten whose recent spending runs over their budget plus the accepted
        overspending weigh more than half in the region's choices?"""
        model = self.model
        accepted = 0.0 if model.levers.coordination.budget_ceiling else self.accepted_overspend
        weights = region.power_weights()
        over = sum(weights[g.org_id] for g in region.gemeenten
                   if recent[g.index] > model.budget_of(g, week) * (1.0 + accepted))
        return over > 0.5

    def region_costs(self, region: "Inkoopregio", week: int, costs: "RegionCosts") -> None:
        """The premium for places contracted beyond the contract (in use), at this week's tariffs."""
        tariffs = self.model.pathway.tariffs_of(week)
        total = 0.0
        for ab in region.aanbieders:
            for t in ab.care_types:
                extra = ab.nominal[t] - ab.contract_nominal[t]
                if extra > 0.0:
                    # the extra places' share of the places, applied to the places in use
                    in_use = ab.occupied[t] * min(1.0, extra / ab.nominal[t])
                    total += in_use * tariffs[t]
        costs.extra_capacity += total * self.premium

    def initial_intake(self, region: "Inkoopregio", care: int, providers: list["Aanbieder"]) -> float:
        """The starting wachtlijst is sized on what the places take in per week: the level at
        which this loop holds the lists."""
        return sum(ab.capacity[care] for ab in providers) / self.model.pathway.mean_duration[care]

    def change(self, region: "Inkoopregio", care: int, direction: int) -> None:
        """Add (+1) or give back (-1) one step of places of ``care`` at every aanbieder offering it."""
        model = self.model
        step = self.a.capacity_growth_per_review
        for ab in region.providers_of.get(care, ()):
            contract = ab.contract_nominal[care]
            target = ab.nominal[care] + direction * step * contract
            if direction > 0:  # the labour market: places grow at most this much within a year
                target = min(target, ab.year_start_nominal[care] * (1.0 + self.headroom))
            else:
                target = max(target, contract)
            delta = target - ab.nominal[care]
            if delta == 0.0:
                continue
            ab.nominal[care] = target
            ab.refresh_capacity()
            if model.week >= model.spec.warmup_weeks:
                if delta > 0:
                    model.recorder.places_added += delta
                else:
                    model.recorder.places_released -= delta


def _apply(payload: tuple, epoch: int) -> None:
    response, region, care = payload
    response.pending.discard((region.index, care))
    response.change(region, care, epoch)
