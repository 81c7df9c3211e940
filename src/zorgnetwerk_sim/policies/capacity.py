"""Balancing feedbacks on the wachtlijst: capacity follows the waits, and referrers find other routes.

Real waiting lists persist but do not grow without bound: when waits run over the norm,
gemeenten contract extra places and aanbieders hire ([Verbeta 2024]: "er zijn meer
jeugdhulpaanbieders bijgekomen", while waiting lists grow in places), within what the labour
market allows; when places stand empty, the extra places are given back. And while the wait for
light ambulant care is long, part of the referrers keep the case at the wijkteam, which gives
bridging support itself (overbruggingszorg) instead of referring.

Both are stock-adjustment loops with a delay (Sterman 2000, *Business Dynamics*, ch. 17:
capacity acquisition; Sterman 1989, "Misperceptions of feedback": count the supply line).
Per region and care type the signal is the expected wait

    W_t = waiting for type t in the region / (places of type t / mean duration of type t)   [weeks]

the number on the list divided by the weekly outflow the places allow.

* **capacity_response** (mechanism switch): every ``capacity_review_weeks`` a region with
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
* **alternative_routes** (mechanism switch): an assessment that would refer to ambulant
  licht while W_t exceeds the norm keeps the case at the wijkteam with probability
  ``uncertainties.alternative_route_max_share`` × min(1, W_t / norm − 1).

The review runs once per region per care type every few weeks: O(aanbieders), not O(jongeren).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..caretypes import CareType

if TYPE_CHECKING:
    import numpy as np

    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio

CRISIS = int(CareType.CRISIS)


def expected_wait(region: "Inkoopregio", care: int, mean_duration: float, central: bool) -> float:
    """Weeks a new referral of ``care`` can expect to wait: list length over weekly outflow."""
    providers = region.providers_of.get(care, ())
    places = sum(a.capacity[care] for a in providers)
    if central:
        waiting = len(region.central[care])
    else:
        waiting = sum(len(a.waitlists[care]) for a in providers)
    if places <= 0:
        return float("inf") if waiting else 0.0
    return waiting / (places / mean_duration)


class CapacityResponse:
    """The contracting loop of one model (mechanism ``capacity_response``) and the signal that
    ``alternative_routes`` reads."""

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        sc = model.spec
        self.model = model
        self.enabled = sc.mechanisms.capacity_response
        self.a = sc.assumptions
        self.headroom = sc.uncertainties.labour_market_headroom
        self.divert_max = sc.uncertainties.alternative_route_max_share
        self.accepted_overspend = sc.uncertainties.accepted_overspend_share
        self.premium = sc.uncertainties.extra_place_premium if self.enabled else 0.0
        self.central = sc.levers.coordination.queue == "central"
        #: Last expected wait per region and care type (weeks), refreshed at each review.
        self.wait_signal: dict[tuple[int, int], float] = {}
        self.pending: set[tuple[int, int]] = set()  # (region, care type) with an order on its way
        self.places_added = 0.0    # cumulative places contracted extra (after the warm-up: KPI)
        self.places_released = 0.0

    def review(self, week: int) -> None:
        """Every review period: read the waits and order or release places."""
        if week % self.a.capacity_review_weeks != 0:
            return
        trigger = self.model.levers.coordination.accepted_wait_weeks
        recent = self._recent_spending(week) if self.enabled else None
        for region in self.model.regions:
            over_budget = recent is not None and self._over_budget(region, week, recent)
            for care, providers in region.providers_of.items():
                if care == CRISIS or not providers:
                    continue
                w = expected_wait(region, care, self.model.pathway.mean_duration[care], self.central)
                self.wait_signal[region.index, care] = w
                if not self.enabled:
                    continue
                if w > trigger and not over_budget and (region.index, care) not in self.pending:
                    # One order at a time: places already ordered are counted before ordering
                    # more (the supply line; without it the loop overshoots, Sterman 1989).
                    self.pending.add((region.index, care))
                    self.model.calendar.schedule(week + self.a.capacity_delay_weeks, _apply, (self, region, care), 1)
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

    def extra_capacity_cost(self, region: "Inkoopregio", tariffs: list[float]) -> float:
        """Weekly premium the region pays for places contracted beyond the contract (in use),
        at this week's tariffs (EUR)."""
        premium = self.premium
        if premium == 0.0:
            return 0.0
        total = 0.0
        for ab in region.aanbieders:
            for t in ab.care_types:
                extra = ab.nominal[t] - ab.contract_nominal[t]
                if extra > 0.0:
                    # the extra places' share of the places, applied to the places in use
                    in_use = ab.occupied[t] * min(1.0, extra / ab.nominal[t])
                    total += in_use * tariffs[t]
        return total * premium

    def change(self, region: "Inkoopregio", care: int, direction: int) -> None:
        """Add (+1) or give back (-1) one step of places of ``care`` at every aanbieder offering it."""
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
            if self.model.week >= self.model.spec.warmup_weeks:
                if delta > 0:
                    self.places_added += delta
                else:
                    self.places_released -= delta

    def diverts(self, region: "Inkoopregio", care: int, u: float) -> bool:
        """Alternative routes: does this referral to ``care`` stay at the wijkteam?"""
        w = self.wait_signal.get((region.index, care), 0.0)
        norm = self.a.wait_norm_weeks
        if w <= norm:
            return False
        return u < self.divert_max * min(1.0, w / norm - 1.0)


def _apply(payload: tuple, epoch: int) -> None:
    response, region, care = payload
    response.pending.discard((region.index, care))
    response.change(region, care, epoch)
