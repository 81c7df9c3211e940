"""Invariants that must hold after every week, for any valid variation of ``klas``.

Hypothesis draws levers, mechanism switches, uncertainties and a few stress assumptions (thin
finances, frequent procurement) so that exits, re-tendering and doorplaatsingen happen within
a short horizon; the model is stepped one week at a time and checked after each week.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from zorgnetwerk_sim import Simulation
from zorgnetwerk_sim.agents.jongere import IN_CARE, STATE_STOCK, WAITING, Jongere
from zorgnetwerk_sim.caretypes import CareType
from zorgnetwerk_sim.metrics import COSTS, STOCKS, S
from zorgnetwerk_sim.scenario import load_scenario, scenario_from_dict
from zorgnetwerk_sim.scenario.presets import PRESETS
from zorgnetwerk_sim.scenario.schema import Mechanisms

CRISIS = int(CareType.CRISIS)
STATE_TO_STOCK = {state: S[name] for state, name in STATE_STOCK.items()}

#: KPIs that are defined for every run with a measured period: they must be finite numbers ≥ 0.
ALWAYS_DEFINED = ("years_measured", "youth_population", "waitlist_mean", "waitlist_aanbieder_mean",
                  "toegang_queue_mean", "waiting_total_mean", "waitlist_per_1000_youth",
                  "waitlist_entries_per_year", "withdrawals_per_year", "returns_per_year", "bounces_per_year",
                  "escalations_per_year", "placements_per_year", "placements_per_1000_youth", "verblijf_mean",
                  "verblijf_per_1000_youth", "crisis_per_year", "youth_in_care_per_year", "youth_in_care_share",
                  "in_care_mean", "new_needs_per_year", "care_starts_per_year", "doorplaatsingen_per_year",
                  "relapses_per_year", "afschalingen_per_year", "cost_per_year_eur", "cost_per_youth_eur",
                  "cost_vs_budget", "expertteam_cases_per_year", "lost_from_view_per_year", "trust_mean",
                  "trust_end", "resource_sharing_per_year", "contracts_per_aanbieder", "churn_events",
                  "aanbieder_exits", *(f"{c}_per_year_eur" for c in COSTS))
#: KPIs that are shares: in [0, 1] when defined (NaN when their denominator is zero).
SHARES = ("youth_in_care_share", "wait_over_norm_share", "cost_top20_share", "expertteam_success_share",
          "expertteam_partial_share", "expertteam_fail_share", "trust_mean", "trust_end",
          "small_overspent_share", "large_overspent_share", "small_prevention_cut_share",
          "large_prevention_cut_share")

levers = st.fixed_dictionaries({
    "levers.coordination.queue": st.sampled_from(["per_aanbieder", "central"]),
    "levers.coordination.allocation": st.sampled_from(["push", "pull"]),
    "levers.coordination.urgency_priority": st.booleans(),
    "levers.coordination.no_wrong_door": st.booleans(),
    "levers.coordination.expertteam_triage": st.sampled_from(["all_complex", "maatwerk_only"]),
    "levers.coordination.expertteam_handling": st.sampled_from(["advice", "takeover"]),
    "levers.coordination.solidarity_pooling": st.booleans(),
    "levers.coordination.uniform_agreements": st.booleans(),
    "levers.coordination.independent_regisseur": st.booleans(),
    "levers.coordination.joint_kpis": st.booleans(),
    "levers.coordination.role_clarity": st.floats(0, 1),
    "levers.coordination.regie_strength": st.floats(0, 1),
    "levers.coordination.overlegtafels": st.integers(0, 60),
    "levers.coordination.procurement_cycle_years": st.sampled_from([1, 4]),
    "levers.coordination.procurement_churn_share": st.floats(0, 1),
    "levers.coordination.expertteam_meeting_interval_weeks": st.integers(1, 13),
    "levers.trust.informal_contacts_per_year": st.floats(0, 52),
    "levers.prevention.budget_share": st.floats(0, 0.3),
})
collaboration = st.one_of(st.none(), st.sampled_from(sorted(PRESETS)))
mechanisms = st.fixed_dictionaries({f"mechanisms.{name}": st.booleans() for name in Mechanisms.model_fields})
uncertainties = st.fixed_dictionaries({
    "uncertainties.demand_growth_per_year": st.floats(-0.2, 0.3),
    "uncertainties.staff_availability": st.floats(0.3, 2.0),
    "uncertainties.incidence_multiplier": st.floats(0.1, 2.0),
    "uncertainties.maatwerk_share": st.floats(0, 1),
    "uncertainties.tariff_inflation_per_year": st.floats(-0.1, 0.3),
})
# Thin finances make aanbieders shrink and exit after the first year.
stress = st.fixed_dictionaries({
    "assumptions.cost_ratio": st.floats(0.5, 2.0),
    "assumptions.exit_reserve_weeks": st.floats(0, 30),
    "assumptions.initial_reserve_weeks": st.floats(0, 13),
    "assumptions.initial_occupancy": st.floats(0, 1),
    "assumptions.initial_wait_weeks": st.floats(0, 20),
})
generated = st.one_of(st.none(), st.tuples(st.integers(1, 7), st.floats(0, 1)))


def build_scenario(lever_values, form, mechanism_values, uncertainty_values, stress_values, weeks, seed,
                   generate):
    overrides = {**lever_values, **mechanism_values, **uncertainty_values, **stress_values,
                 "run.years": weeks / 52, "run.warmup_years": 10 / 52, "seed": seed}
    if form is not None:
        overrides["levers.coordination.collaboration_form"] = form
    spec = load_scenario("klas", overrides)
    assert spec.weeks == weeks
    if generate is not None:  # generated aanbieders instead of klas's four
        raw = spec.model_dump(mode="json", exclude_none=True)
        region = raw["network"]["regions"][0]
        region["aanbieders"] = []
        region["n_generated_aanbieders"], region["portfolio_overlap"] = generate
        spec = scenario_from_dict(raw)
    return spec


def check_week(model, previous: dict[int, tuple[list[int], list[int]]]) -> dict[int, tuple[list[int], list[int]]]:
    """All invariants of one finished week; returns occupancy and capacity per aanbieder."""
    live = list(model.agents_by_type[Jongere]) if Jongere in model.agents_by_type else []
    week = model.week
    # every jongere is accounted for
    assert model.n_entered == model.n_left + len(live), (week, model.n_entered, model.n_left, len(live))
    assert model.jongeren_active == len(live)

    counted = {g.index: [0] * len(STOCKS) for g in model.gemeenten}
    on_list: dict[int, int] = {}
    for j in live:
        assert j.state in STATE_TO_STOCK, f"week {week}: live jongere {j.unique_id} in transient state {j.state}"
        stock = counted[j.gemeente.index]
        stock[STATE_TO_STOCK[j.state]] += 1
        if j.in_verblijf:
            stock[S["in_verblijf"]] += 1
            assert j.state == IN_CARE, f"week {week}: jongere {j.unique_id} counted in verblijf in state {j.state}"
        if j.state == IN_CARE and j.care == CRISIS:
            stock[S["in_crisis"]] += 1
        if j.state == WAITING:
            assert j.waitlist is not None, f"week {week}: waiting jongere {j.unique_id} is on no wachtlijst"
        if j.waitlist is not None:
            assert j.state == WAITING, (week, j.unique_id, j.state)
            on_list[id(j.waitlist)] = on_list.get(id(j.waitlist), 0) + 1
        if j.aanbieder is not None:
            assert j.state == IN_CARE and j in j.aanbieder.clients, (week, j.unique_id)

    # stocks per gemeente add up to the live jongeren in each state
    for g in model.gemeenten:
        assert list(g.stock) == counted[g.index], (week, g.name, dict(zip(STOCKS, g.stock)),
                                                   dict(zip(STOCKS, counted[g.index])))
        assert min(g.stock) >= 0
        # weekly care cost rates (EUR/week); float sums of tariffs, so allow a cent of rounding
        assert g.cost_rate >= -0.01 and -0.01 <= g.pool_rate <= g.cost_rate + 0.01, (week, g.name)

    seen: dict[int, tuple[list[int], list[int]]] = {}
    for region in model.regions:
        assert region.aanbieders, f"week {week}: region {region.name} has no aanbieders left"
        lists = list(region.central.values())
        for ab in region.aanbieders:
            assert ab.active
            lists += list(ab.waitlists.values())
            assert sum(ab.occupied) == len(ab.clients), (week, ab.name, ab.occupied, len(ab.clients))
            for client in ab.clients:
                assert client.aanbieder is ab and client.state == IN_CARE and client.model is model
            for t in range(len(ab.capacity)):
                assert ab.capacity[t] >= 0 and ab.occupied[t] >= 0, (week, ab.name, t, ab.capacity, ab.occupied)
                if t not in ab.care_types:
                    assert ab.occupied[t] == 0 and ab.capacity[t] == 0, (week, ab.name, t)
            if ab.unique_id in previous:
                # Places are only filled while free, so an aanbieder that was within its capacity
                # and whose capacity did not shrink stays within it. (A capacity cut may leave
                # an aanbieder over capacity until clients leave.)
                occ_before, cap_before = previous[ab.unique_id]
                for t in ab.care_types:
                    if occ_before[t] <= cap_before[t] and ab.capacity[t] >= cap_before[t]:
                        assert ab.occupied[t] <= ab.capacity[t], (week, ab.name, t, ab.occupied[t], ab.capacity[t])
            seen[ab.unique_id] = (list(ab.occupied), list(ab.capacity))
        # queue lengths are non-negative and match the jongeren that point at the list
        for wl in lists:
            assert len(wl) >= 0
            assert len(wl) == on_list.get(id(wl), 0), (week, wl.care, len(wl), on_list.get(id(wl), 0))
    total_on_lists = sum(on_list.values())
    assert total_on_lists == sum(c[S["waiting_list"]] for c in counted.values())

    # the week's record: costs non-negative and finite, stocks as in the gemeenten
    rec = model.recorder
    row = week - 1
    assert np.isfinite(rec.costs[row]).all()
    assert (rec.costs[row] >= -0.01).all(), (week, dict(zip(COSTS, rec.costs[row].min(axis=0))))
    assert (rec.flows[row] >= 0).all()
    assert (rec.stocks[row] == np.array([g.stock for g in model.gemeenten])).all()
    return seen


def check_summary(summary: dict[str, float]) -> None:
    for key, value in summary.items():
        assert isinstance(value, float), (key, type(value))
        assert not math.isinf(value), (key, value)
    for key in ALWAYS_DEFINED:
        assert math.isfinite(summary[key]) and summary[key] >= 0, (key, summary[key])
    for key in SHARES:
        if key in summary and not math.isnan(summary[key]):
            assert 0.0 <= summary[key] <= 1.0 + 1e-9, (key, summary[key])
    for a, b in (("wait_weeks_median", "wait_weeks_p90"),):
        if not math.isnan(summary[a]):
            assert summary[a] <= summary[b]
    parts = sum(summary[f"{c}_per_year_eur"] for c in COSTS)
    assert math.isclose(parts, summary["cost_per_year_eur"], rel_tol=1e-9, abs_tol=1e-6)
    outcomes = [summary[f"expertteam_{k}_share"] for k in ("success", "partial", "fail")]
    if not any(math.isnan(x) for x in outcomes):
        assert math.isclose(sum(outcomes), 1.0, rel_tol=1e-9)


# No shrink phase: one example takes up to a second, and shrinking a failure took minutes.
@settings(max_examples=20, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.too_slow])
@given(lever_values=levers, form=collaboration, mechanism_values=mechanisms, uncertainty_values=uncertainties,
       stress_values=stress, weeks=st.integers(40, 80), seed=st.integers(0, 2**32 - 1), generate=generated)
def test_invariants_hold_every_week(lever_values, form, mechanism_values, uncertainty_values, stress_values,
                                    weeks, seed, generate):
    spec = build_scenario(lever_values, form, mechanism_values, uncertainty_values, stress_values, weeks, seed,
                          generate)
    sim = Simulation(spec)
    previous = check_week_start(sim.model)
    while not sim.done:
        sim.step(1)
        previous = check_week(sim.model, previous)
    assert sim.model.week == weeks
    result = sim.result()
    check_summary(result.summary)
    ts = result.timeseries
    assert len(ts) == weeks * len(sim.model.gemeenten)
    assert (ts[list(STOCKS)] >= 0).all().all()
    assert (ts[list(COSTS)] >= -0.01).all().all()
    np.testing.assert_allclose(ts["cost_total"], ts[list(COSTS)].sum(axis=1), rtol=1e-9, atol=1e-6)


def check_week_start(model) -> dict[int, tuple[list[int], list[int]]]:
    """The warm start already obeys the bookkeeping: nobody over capacity, stocks consistent."""
    live = list(model.agents_by_type[Jongere]) if Jongere in model.agents_by_type else []
    assert model.week == 0 and model.n_entered == len(live) and model.n_left == 0
    for g in model.gemeenten:
        assert min(g.stock) >= 0
    seen = {}
    for region in model.regions:
        for ab in region.aanbieders:
            for t in ab.care_types:
                assert 0 <= ab.occupied[t] <= ab.capacity[t], (ab.name, t, ab.occupied[t], ab.capacity[t])
            seen[ab.unique_id] = (list(ab.occupied), list(ab.capacity))
    return seen


STRESS_RUNS = {
    # thin finances: three aanbieders exit after the first year, their clients are doorgeplaatst
    # and the vacancies are filled by new aanbieders
    "exits": ({"assumptions.cost_ratio": 2.0, "assumptions.exit_reserve_weeks": 0.0,
               "assumptions.initial_reserve_weeks": 0.0,
               # places to spare (more staff, no capacity loop holding the lists at its trigger),
               # so the clients of an exiting aanbieder find places elsewhere
               "uncertainties.staff_availability": 1.3, "mechanisms.capacity_response": False}, "aanbieder_exits"),
    # yearly re-tendering of half the contracts, clients move to the new aanbieders
    "procurement": ({"levers.coordination.procurement_cycle_years": 1,
                     "levers.coordination.procurement_churn_share": 0.5,
                     "mechanisms.aanbieder_finance": False}, "churn_events"),
}


@pytest.mark.parametrize("case", sorted(STRESS_RUNS))
def test_invariants_hold_through_exits_and_procurement(case):
    """The rare paths (exits, re-tendering, doorplaatsingen) are reached, and keep the books."""
    overrides, counter = STRESS_RUNS[case]
    spec = load_scenario("klas", {"run.years": 70 / 52, "run.warmup_years": 10 / 52, **overrides}, seed=1)
    sim = Simulation(spec)
    previous = check_week_start(sim.model)
    while not sim.done:
        sim.step(1)
        previous = check_week(sim.model, previous)
    summary = sim.result().summary
    check_summary(summary)
    assert summary[counter] > 0
    assert summary["doorplaatsingen_per_year"] > 0


@pytest.mark.parametrize(("years", "warmup"), [(2.0, 0.5), (1.5, 0.5)])
def test_overspent_share_counts_only_years_that_were_judged(years, warmup):
    """With a budget at a tenth of the cost every year is overspent, so the share must be 1.

    A year is judged when it is complete; the last year of a run (and a year still under way)
    must not count as 'not overspent' merely because nobody looked at it.
    """
    spec = load_scenario("klas", {"run.years": years, "run.warmup_years": warmup,
                                  "assumptions.budget_per_youth_eur_per_year": 100.0}, seed=1)
    summary = Simulation(spec).run().summary
    check_summary(summary)
    assert summary["cost_vs_budget"] > 5
    assert summary["small_overspent_share"] == 1.0
    assert summary["large_overspent_share"] == 1.0
