"""Every mechanism can be switched off, and switching it moves the KPIs the way the model says.

Each comparison runs the small `klas` region a little short of staff (so there are waits),
with common random numbers: the same seeds with the mechanism on and off, averaged.
"""

from __future__ import annotations

from functools import cache

import pytest

from zorgnetwerk_sim import Simulation, run

SEEDS = (1, 2, 3, 4)
BASE = ("uncertainties.staff_availability=0.92",)


@cache
def kpis(*overrides: str, years: float = 4.0) -> dict[str, float]:
    """Mean summary over SEEDS for klas with the given overrides."""
    runs = [run("klas", seed=s, years=years, overrides=BASE + overrides).summary for s in SEEDS]
    return {k: sum(r[k] for r in runs) / len(runs) for k in runs[0]}


def off(mechanism: str, *extra: str) -> dict[str, float]:
    return kpis(f"mechanisms.{mechanism}=false", *extra)


ON = ()


def test_waiting_hurts_causes_escalation_and_crisis():
    on, no = kpis(*ON), off("waiting_hurts")
    assert on["escalations_per_year"] > 0 and on["crisis_per_year"] > 0
    # without it the only crises are those a need starts with (baseline_crisis)
    assert no["escalations_per_year"] == 0 and no["crisis_per_year"] == no["baseline_crisis_per_year"]
    # late help lasts longer: more jongeren in care for the same throughput
    assert on["in_care_mean"] > no["in_care_mean"]


def test_admin_burden_eats_capacity_and_lengthens_waits():
    on, no = kpis(*ON), off("admin_burden")
    assert no["waitlist_mean"] < 0.8 * on["waitlist_mean"]
    assert no["wait_weeks_mean"] < on["wait_weeks_mean"]


def test_uniform_agreements_reduce_admin_and_waits():
    many = kpis(*ON)
    uniform = kpis("levers.coordination.uniform_agreements=true")
    assert uniform["waitlist_mean"] < many["waitlist_mean"]
    assert uniform["cost_admin_per_year_eur"] < many["cost_admin_per_year_eur"]


def test_meeting_fragmentation_costs_hours():
    crowded = kpis("levers.coordination.overlegtafels=30")
    few = kpis("levers.coordination.overlegtafels=30", "mechanisms.meeting_fragmentation=false")
    assert crowded["waitlist_mean"] > few["waitlist_mean"]
    assert crowded["cost_coordination_per_year_eur"] > kpis(*ON)["cost_coordination_per_year_eur"]


def test_trust_is_frozen_at_its_prehistory_when_dynamics_are_off():
    no = off("trust_dynamics")
    prior = (6.0 + 1.0) / (6.0 + 3.0 + 2.0)  # Beta reputation with the default prehistory
    assert no["trust_end"] == pytest.approx(prior)
    assert kpis(*ON)["trust_end"] != pytest.approx(prior)


def test_informal_contact_builds_trust_and_trust_helps_the_expertteam():
    low = kpis("levers.trust.informal_contacts_per_year=0")
    high = kpis("levers.trust.informal_contacts_per_year=24")
    assert high["trust_mean"] > low["trust_mean"] + 0.05
    assert high["expertteam_success_share"] > low["expertteam_success_share"]
    assert high["cost_trust_per_year_eur"] > low["cost_trust_per_year_eur"]


def test_prevention_costs_now_and_lowers_incidence_later():
    years = 7.0
    base = run("klas", seed=1, years=years, overrides=BASE)
    invest = run("klas", seed=1, years=years, overrides=BASE + ("levers.prevention.budget_share=0.08",))
    per_year = {name: r.timeseries.groupby("year")["new_needs"].sum() for name, r in
                (("base", base), ("invest", invest))}
    first, last = per_year["invest"] / per_year["base"], None
    last = first.iloc[-2:].mean()
    assert first.iloc[0] == pytest.approx(1.0, abs=0.05)  # no effect before the delay
    assert last < 0.93  # incidence down once the investment has worked through
    cost = {name: r.timeseries.groupby("year")["cost_prevention"].sum() for name, r in
            (("base", base), ("invest", invest))}
    assert cost["invest"].iloc[0] > 4 * cost["base"].iloc[0]  # the money is spent from day one


def test_prevention_switch_removes_its_cost_and_effect():
    on, no = kpis("levers.prevention.budget_share=0.08", years=6), kpis(
        "levers.prevention.budget_share=0.08", "mechanisms.prevention=false", years=6)
    assert no["cost_prevention_per_year_eur"] == 0
    assert no["new_needs_per_year"] > on["new_needs_per_year"]


def test_procurement_churn_moves_clients_and_resets_trust():
    on = kpis("levers.coordination.procurement_cycle_years=1")
    no = kpis("levers.coordination.procurement_cycle_years=1", "mechanisms.procurement_churn=false")
    assert on["churn_events"] > 0 and no["churn_events"] == 0
    assert on["doorplaatsingen_per_year"] > no["doorplaatsingen_per_year"]
    assert on["trust_mean"] < no["trust_mean"]


def test_budget_pressure_makes_overspent_gemeenten_cut_prevention():
    tight = ("assumptions.budget_per_youth_eur_per_year=800", "levers.prevention.budget_share=0.05")
    on, no = kpis(*tight), kpis(*tight, "mechanisms.budget_pressure=false")
    assert on["small_prevention_cut_share"] > 0
    assert no["small_prevention_cut_share"] == 0
    assert on["cost_prevention_per_year_eur"] < no["cost_prevention_per_year_eur"]


def test_solidarity_pooling_protects_small_gemeenten_budgets():
    # a budget right at the average cost: then the luck of expensive cases decides who overspends
    level = kpis(years=6)["cost_per_youth_eur"] / 1.06  # budgets follow tariffs; cost is in later years
    budget = (f"assumptions.budget_per_youth_eur_per_year={level:.0f}",)
    alone = kpis(*budget, years=6)
    pooled = kpis(*budget, "levers.coordination.solidarity_pooling=true", years=6)
    assert pooled["small_overspent_share"] < alone["small_overspent_share"]


def test_expertteam_switch_and_seed_003_outcome_mix():
    on, no = kpis(*ON), off("expertteam")
    assert no["expertteam_cases_per_year"] == 0
    assert on["expertteam_cases_per_year"] > 0
    # seed 003: 4 of 10 cases succesvol, 3 partly, 3 not
    assert 0.2 < on["expertteam_success_share"] < 0.6
    assert 0.1 < on["expertteam_fail_share"] < 0.5


def test_expertteam_triage_and_hours():
    allc = kpis(*ON)
    maatwerk_only = kpis("levers.coordination.expertteam_triage=maatwerk_only")
    assert maatwerk_only["expertteam_cases_per_year"] < allc["expertteam_cases_per_year"]
    scarce = kpis("levers.coordination.expertteam_hours_per_100k_youth=3")
    ample = kpis("levers.coordination.expertteam_hours_per_100k_youth=60")
    assert ample["expertteam_weeks_mean"] < scarce["expertteam_weeks_mean"]


def test_cherry_picking_makes_maatwerk_cases_wait_longer_under_pull():
    # many maatwerk cases straight onto the lists, so the selection has something to pick from
    pull = ("levers.coordination.allocation=pull", "assumptions.complex_share_ernstig=0.5",
            "assumptions.complex_share_matig=0.1", "mechanisms.expertteam=false")
    on, no = kpis(*pull), kpis(*pull, "mechanisms.cherry_picking=false")
    assert on["maatwerk_wait_weeks_mean"] > no["maatwerk_wait_weeks_mean"]


def test_withdrawal_shortens_the_list_and_returns_come_back():
    on, no = kpis(*ON), off("withdrawal")
    assert no["withdrawals_per_year"] == 0 and on["withdrawals_per_year"] > 0
    assert no["waitlist_mean"] > on["waitlist_mean"]
    assert on["returns_per_year"] > 0


def test_bouncing_referrals_clog_the_toegang_and_no_wrong_door_helps():
    # 'van het kastje naar de muur': a bounced case is assessed again, so the toegang queue
    # grows and assessments cost more; with no wrong door the receiver passes it on itself.
    on, no = kpis(*ON), off("bouncing")
    assert no["bounces_per_year"] == 0 and on["bounces_per_year"] > 0
    assert on["toegang_queue_mean"] > 5 * max(no["toegang_queue_mean"], 0.1)
    assert on["cost_toegang_per_year_eur"] > no["cost_toegang_per_year_eur"]
    door = kpis("levers.coordination.no_wrong_door=true")
    assert door["toegang_queue_mean"] < on["toegang_queue_mean"]


def test_resource_sharing_helps_when_the_toegang_allocates_blindly():
    # (without the capacity loop, which would otherwise make up for the places left unused)
    # (and with waiting_hurts off: late-help doorplaatsingen would fill the free places first)
    blind = ("levers.coordination.regie_strength=0", "mechanisms.capacity_response=false",
             "mechanisms.waiting_hurts=false")
    on, no = kpis(*blind), kpis(*blind, "mechanisms.resource_sharing=false")
    assert on["resource_sharing_per_year"] > 0 and no["resource_sharing_per_year"] == 0
    assert on["waitlist_mean"] < no["waitlist_mean"]


def test_aanbieder_finance_makes_loss_making_aanbieders_exit():
    costly = ("assumptions.cost_ratio=1.1",)
    on, no = kpis(*costly), kpis(*costly, "mechanisms.aanbieder_finance=false")
    assert on["aanbieder_exits"] > 0 and no["aanbieder_exits"] == 0


def test_crises_occur_without_any_waiting_mechanism():
    # Seed 002: crises follow late help, but acute situations arise without anyone waiting.
    no_wait = off("waiting_hurts", "mechanisms.withdrawal=false")
    assert no_wait["crisis_per_year"] > 0
    assert no_wait["crisis_per_year"] == no_wait["baseline_crisis_per_year"]
    assert off("waiting_hurts", "mechanisms.baseline_crisis=false")["crisis_per_year"] == 0


def test_relapse_brings_jongeren_back():
    on, no = kpis(*ON), off("relapse")
    assert on["relapses_per_year"] > 0 and no["relapses_per_year"] == 0
    assert no["new_needs_per_year"] < on["new_needs_per_year"]


def idle_places_while_waiting(*overrides: str, weeks: int = 104) -> int:
    """Place-weeks left empty while someone waits for that care type in the same region."""
    sim = Simulation("klas", seed=1, overrides=BASE + overrides)
    idle = 0
    for _ in range(weeks):
        sim.step(1)
        for region in sim.model.regions:
            for care, providers in region.providers_of.items():
                waiting = len(region.central.get(care, ())) + sum(
                    len(p.waitlists[care]) for p in providers if care in p.waitlists)
                if waiting:
                    idle += sum(max(p.capacity[care] - p.occupied[care], 0) for p in providers)
    return idle


def test_central_wachtlijst_leaves_no_place_empty_while_someone_waits():
    # Giesen et al.: with separate lists a place can stay empty while another aanbieder's
    # list is long; a central list (push) fills every free place first.
    # (with enough staff that some lists run empty while others do not)
    roomy = "uncertainties.staff_availability=1.1"
    assert idle_places_while_waiting("levers.coordination.queue=central", roomy) == 0
    blind = ("levers.coordination.regie_strength=0", "mechanisms.resource_sharing=false", roomy)
    assert idle_places_while_waiting(*blind) > 0


def test_urgency_priority_serves_urgent_cases_sooner():
    fifo = kpis(*ON)
    urgent = kpis("levers.coordination.urgency_priority=true")
    assert urgent["urgent_wait_weeks_mean"] < fifo["urgent_wait_weeks_mean"]
    assert urgent["standard_wait_weeks_mean"] > fifo["standard_wait_weeks_mean"]


def test_joint_kpis_make_aanbieders_share_places_and_take_complex_cases():
    # Places are shared only when an aanbieder has free places and a partner a list, so this part
    # runs with spare staff (with 8% too few every list is long and hardly anyone shares).
    blind = ("levers.coordination.regie_strength=0", "uncertainties.staff_availability=1.1")
    alone, joint = kpis(*blind), kpis(*blind, "levers.coordination.joint_kpis=true")
    assert joint["resource_sharing_per_year"] > alone["resource_sharing_per_year"]
    pull = ("levers.coordination.allocation=pull", "assumptions.complex_share_ernstig=0.5",
            "mechanisms.expertteam=false")
    assert kpis(*pull, "levers.coordination.joint_kpis=true")["maatwerk_wait_weeks_mean"] < \
        kpis(*pull)["maatwerk_wait_weeks_mean"]
