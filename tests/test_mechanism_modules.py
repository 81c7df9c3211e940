"""Each mechanism is one module (src/zorgnetwerk_sim/mechanisms/): tested here on its own.

Per module: its hooks do what its docstring says, called directly on a small built model, and a
switched-off mechanism is absent — no instance, no hook. (tests/test_mechanisms.py checks what
switching each one does to a whole run.)
"""

from __future__ import annotations

import math

import pytest

from zorgnetwerk_sim.agents import Aanbieder
from zorgnetwerk_sim.agents.jongere import AT_EXPERTTEAM, DONE, PAUSED, SIGNALLED, WAITING
from zorgnetwerk_sim.caretypes import CareType
from zorgnetwerk_sim.mechanisms import BY_SWITCH, HOOK_NAMES, REGISTRY, STOP
from zorgnetwerk_sim.mechanisms.base import Hooks, Mechanism
from zorgnetwerk_sim.metrics import C, F
from zorgnetwerk_sim.model import RegionCosts, ZorgnetwerkModel
from zorgnetwerk_sim.pathway import NEVER
from zorgnetwerk_sim.scenario import load_scenario
from zorgnetwerk_sim.scenario.schema import Mechanisms

AL, AI = int(CareType.AMBULANT_LICHT), int(CareType.AMBULANT_INTENSIEF)


def build(**overrides) -> ZorgnetwerkModel:
    """klas, built and warm-started (week 0), with overrides as keyword arguments (dots → __)."""
    sc = load_scenario("klas", {k.replace("__", "."): v for k, v in overrides.items()}, seed=3, years=2)
    return ZorgnetwerkModel(sc)


def need(model: ZorgnetwerkModel, severity: int = 1, gemeente: int = 0):
    """A new need of a ten-year-old at the toegang (state SIGNALLED)."""
    g = model.gemeenten[gemeente]
    return model.pathway.new_need(g, model.week - 10 * 52, severity, model.week)


# -- the registry -----------------------------------------------------------------------------------
def test_every_switch_has_exactly_one_module_and_every_module_a_switch():
    switches = set(Mechanisms.model_fields)
    assert [m.switch for m in REGISTRY].count("") == 0
    assert sorted(m.switch for m in REGISTRY) == sorted(switches)
    assert set(BY_SWITCH) == switches


@pytest.mark.parametrize("cls", REGISTRY, ids=lambda c: c.switch)
def test_each_module_implements_hooks_and_says_what_off_means(cls):
    assert cls.hooks(), f"{cls.__name__} implements no hook"
    assert set(cls.hooks()) <= set(HOOK_NAMES)
    doc = __import__(cls.__module__, fromlist=["_"]).__doc__
    assert f"``{cls.switch}``" in doc and "Off:" in doc


@pytest.mark.parametrize("switch", sorted(Mechanisms.model_fields))
def test_a_switched_off_mechanism_is_absent(switch):
    model = build(**{f"mechanisms__{switch}": False})
    assert model.mechanism(switch) is None
    assert switch not in {m.switch for m in model.mechanisms}
    owners = {type(h.__self__) for name in HOOK_NAMES for h in getattr(model.hooks, name)}
    assert BY_SWITCH[switch] not in owners
    on = build()
    assert isinstance(on.mechanism(switch), BY_SWITCH[switch])


def test_hooks_keep_the_registry_order_and_single_owner_hooks_refuse_two():
    class A(Mechanism):
        switch = "a"

        def completed(self, j, week):  # noqa: ANN001
            pass

        def escalate(self, j, week):  # noqa: ANN001
            pass

    class B(A):
        switch = "b"

    hooks = Hooks([A(None), B(None)])
    assert [type(h.__self__) for h in hooks.completed] == [A, B]
    assert hooks.care_duration == ()
    with pytest.raises(ValueError, match="escalate"):
        hooks.one("escalate")


# -- a trajectory ---------------------------------------------------------------------------------
def test_waiting_hurts_sets_a_deadline_lengthens_late_care_and_escalates():
    model = build()
    wh = model.mechanism("waiting_hurts")
    j = need(model)
    assert j.state == SIGNALLED and j.escalation_week < NEVER  # the wait got an escalation deadline
    assert wh.care_duration(j, 10.0, 0) == 10.0
    assert wh.care_duration(j, 10.0, 8) == pytest.approx(10.0 * (1 + 8 * wh.late_help))
    assert wh.care_duration(j, 10.0, 8) > 10.0
    severity, escalations = j.severity, j.gemeente.flow[F["escalations"]]
    wh.crisis_share = 0.0  # this escalation is not a crisis
    wh.escalate(j, model.week)
    assert j.severity == severity + 1 and j.urgent
    assert j.gemeente.flow[F["escalations"]] == escalations + 1
    wh.base = wh.growth = 0.0  # no hazard: no deadline
    assert wh.wait_escalation(j, model.week) == NEVER


def test_without_waiting_hurts_a_wait_has_no_escalation_deadline():
    model = build(mechanisms__waiting_hurts=False)
    assert need(model).escalation_week == NEVER


def test_waiting_hurts_schedules_a_misfit_only_after_a_wait():
    model = build()
    wh = model.mechanism("waiting_hurts")
    wh.late_misfit = 1.0  # every late episode turns out not to fit
    j = need(model)
    j.care_end = model.week + 30
    before = model.calendar.pending()
    wh.care_started(j, model.week, 0, 0.0)
    assert model.calendar.pending() == before  # no wait: nothing
    wh.care_started(j, model.week, 6, 0.3)
    assert model.calendar.pending() == before + 1


def test_withdrawal_draws_a_deadline_and_ends_the_trajectory():
    model = build()
    wd = model.mechanism("withdrawal")
    j = need(model)
    assert model.week < j.withdrawal_week < NEVER
    wd.return_share = 0.0
    left, flow = model.n_left, j.gemeente.flow[F["withdrawals"]]
    wd.withdraw(j, model.week)
    assert j.state == DONE and model.n_left == left + 1 and j.gemeente.flow[F["withdrawals"]] == flow + 1
    wd.mean = None
    assert wd.wait_withdrawal(need(model), model.week) == NEVER
    assert need(build(mechanisms__withdrawal=False)).withdrawal_week == NEVER


def test_relapse_brings_a_completed_trajectory_back_later():
    model = build()
    rl = model.mechanism("relapse")
    j = need(model)
    before = model.calendar.pending()
    rl.share = 0.0
    rl.completed(j, model.week)
    assert model.calendar.pending() == before
    rl.share = 1.0
    rl.completed(j, model.week)
    assert model.calendar.pending() == before + 1  # the return, as an event


def test_expertteam_takes_complex_cases_first_and_costs_its_hours():
    model = build()
    et = model.mechanism("expertteam")
    j = need(model, severity=2)
    j.care, j.complex, j.maatwerk = AI, True, True
    assert et.route(j, model.week) is True
    assert j.state == AT_EXPERTTEAM and j in j.gemeente.region.expertteam.queue
    simple = need(model)
    simple.care, simple.complex = AI, False
    assert et.route(simple, model.week) is False
    costs = RegionCosts()
    et.region_costs(model.regions[0], model.week, costs)
    team = model.regions[0].expertteam
    assert costs.coordination == pytest.approx(team.hours_per_week * model.spec.assumptions.professional_cost_eur_per_hour)


def test_expertteam_decides_a_case_at_its_meeting():
    model = build()
    et = model.mechanism("expertteam")
    team = model.regions[0].expertteam
    j = need(model, severity=2)
    j.care, j.complex, j.maatwerk = AI, True, False
    et.route(j, model.week)
    team.hours_bank = 1e6
    cases = j.gemeente.flow[F["expertteam_cases"]]
    et.run(team, 0)  # week 0 is a meeting week
    assert j.gemeente.flow[F["expertteam_cases"]] == cases + 1
    assert j.state != AT_EXPERTTEAM or j.team_event is not None  # decided: referred, or held a while


def test_bouncing_sends_a_referral_back_or_passes_it_on():
    model = build(assumptions__mismatch_share=1.0, levers__coordination__role_clarity=0.0)
    bo = model.mechanism("bouncing")
    region = model.regions[0]
    j = need(model)
    j.care = AL
    providers = region.providers_of[AL]
    bounces = j.gemeente.flow[F["bounces"]]
    assert bo.referral(j, model.week, providers[0], providers, False) is STOP
    assert j.state == PAUSED and j.gemeente.flow[F["bounces"]] == bounces + 1
    bo.c = bo.c.model_copy(update={"no_wrong_door": True})
    k = need(model)
    k.care = AL
    target = bo.referral(k, model.week, providers[0], providers, False)
    assert target is not STOP and target in providers
    bo.push = False  # under pull nothing is sent back
    assert bo.referral(k, model.week, providers[0], providers, False) is providers[0]


def test_alternative_routes_keep_light_cases_at_the_wijkteam_while_waits_are_long():
    model = build()
    ar = model.mechanism("alternative_routes")
    ar.max_share = 1.0
    region = model.regions[0]
    ar.wait_signal[region.index] = 100 * ar.norm  # a very long wait: every light case is diverted
    j = need(model)
    j.care = AL
    ar.assessed(j, model.week)
    assert j.care == int(CareType.WIJKTEAM)
    ar.wait_signal[region.index] = ar.norm  # at the norm: none
    k = need(model)
    k.care = AL
    ar.assessed(k, model.week)
    assert k.care == AL
    ar.review(0)  # reads the current wait from the lists
    assert ar.wait_signal[region.index] == region.expected_wait(AL, model.pathway.mean_duration[AL], False)


# -- organisations, allocation and money ------------------------------------------------------------
def test_admin_burden_grows_with_contracts_and_charges_contract_management():
    model = build()
    ad = model.mechanism("admin_burden")
    ab = model.regions[0].aanbieders[0]
    many = ad.capacity_loss(ab)
    assert many > ad.base_share  # several gemeenten, several contracts
    uniform = build(levers__coordination__uniform_agreements=True)
    assert uniform.mechanism("admin_burden").capacity_loss(uniform.regions[0].aanbieders[0]) < many
    ab.transition_until = model.week + 10
    assert ad.capacity_loss(ab) == pytest.approx(many + model.spec.assumptions.transition_admin_share)
    costs = RegionCosts()
    ad.region_costs(model.regions[0], model.week, costs)
    assert costs.contracts == pytest.approx(len(model.regions[0].aanbieders)
                                            * model.spec.assumptions.contract_admin_eur_per_year / 52)
    assert ab.overhead_share() > build(mechanisms__admin_burden=False).regions[0].aanbieders[0].overhead_share()


def test_meeting_fragmentation_takes_hours_per_table():
    model = build(levers__coordination__overlegtafels=10)
    mf = model.mechanism("meeting_fragmentation")
    per_table = model.spec.uncertainties.capacity_loss_per_overlegtafel
    assert mf.capacity_loss(model.regions[0].aanbieders[0]) == pytest.approx(10 * per_table)
    assert mf.team_hours_loss(model.expertteams[0]) == pytest.approx(min(0.9, 10 * per_table))
    mf.loss = 5.0  # more tables than there are hours
    assert mf.team_hours_loss(model.expertteams[0]) == 0.9
    mf.loss = 10 * per_table
    costs = RegionCosts()
    mf.region_costs(model.regions[0], model.week, costs)
    assert costs.coordination > 0
    team = model.expertteams[0]
    assert team.available_hours_per_week() == pytest.approx(team.hours_per_week * (1 - 10 * per_table))


def test_trust_dynamics_turn_cooperation_into_evidence_and_forget():
    model = build()
    td = model.mechanism("trust_dynamics")
    region = model.regions[0]
    g, ab = region.gemeenten[0].org_id, region.aanbieders[0].org_id
    start = region.trust.trust(g, ab)
    td.cooperation(region, g, ab, True)
    up = region.trust.trust(g, ab)
    td.cooperation(region, g, ab, False)
    down = region.trust.trust(g, ab)
    assert up > start and down < start  # a failure costs more than a success gains
    assert region.trust.trust(ab, g) == down  # evidence for both directions
    evidence = region.trust.r.sum() + region.trust.s.sum()
    td.contacts = 0.0
    td.region_week_end(region)
    assert region.trust.r.sum() + region.trust.s.sum() < evidence  # forgetting


def test_prevention_spending_works_with_delay_and_costs_money():
    model = build(levers__prevention__budget_share=0.1)
    pv = model.mechanism("prevention")
    first = pv.needs_reduction().copy()
    for week in range(200):
        pv.week_start(week)
    later = pv.needs_reduction()
    assert (later > first).all() and (later < model.spec.assumptions.prevention_max_reduction).all()
    g = model.gemeenten[0]
    cost = [0.0] * len(C)
    pv.gemeente_costs(g, 0, cost)
    assert cost[C["cost_prevention"]] == pytest.approx(0.1 * model.spec.assumptions.budget_per_youth_eur_per_year
                                                       * g.youth / 52)
    g.prevention_cut = True
    assert pv.spend_per_youth(g) < 0.1 * model.spec.assumptions.budget_per_youth_eur_per_year


def test_budget_pressure_cuts_prevention_after_an_overspent_year_only_if_there_is_prevention():
    model = build()
    bp = model.mechanism("budget_pressure")
    model.recorder.overspent[0, 0] = True
    bp.year_start(52)
    assert model.gemeenten[0].prevention_cut and not model.gemeenten[1].prevention_cut
    assert model.recorder.prevention_cut[1, 0]
    alone = build(mechanisms__prevention=False)
    alone.recorder.overspent[0, 0] = True
    alone.mechanism("budget_pressure").year_start(52)
    assert not alone.gemeenten[0].prevention_cut


def test_aanbieder_finance_pays_for_empty_places_and_lets_a_broke_aanbieder_exit():
    model = build()
    fi = model.mechanism("aanbieder_finance")
    region = model.regions[0]
    ab = region.aanbieders[0]
    ab.revenue_rate, reserve = 0.0, ab.reserve  # nobody in care: only costs
    fi.settle_region(region, 0)
    assert ab.reserve < reserve
    n, exits = len(region.aanbieders), model.recorder.exits
    ab.reserve = -1e12
    fi.year_start(52)
    assert len(region.aanbieders) == n - 1 and ab not in region.aanbieders and model.recorder.exits == exits + 1
    assert ab in region.vacancies and not ab.active


def test_procurement_churn_replaces_the_least_trusted_contracts_with_strangers():
    model = build(levers__coordination__procurement_cycle_years=1, levers__coordination__procurement_churn_share=0.5)
    pc = model.mechanism("procurement_churn")
    region = model.regions[0]
    before = list(region.aanbieders)
    pc.year_start(52)
    new = [ab for ab in region.aanbieders if ab not in before]
    assert len(new) == math.floor(0.5 * len(before) + 0.5) and model.recorder.churn_events == len(new)
    g = region.gemeenten[0].org_id
    assert all(region.trust.trust(g, ab.org_id) == 0.5 for ab in new)
    assert all(ab.name.endswith("*") and ab.transition_until > 52 for ab in new)


def test_cherry_picking_flexible_and_trusting_aanbieders_take_more_maatwerk():
    model = build(levers__coordination__allocation="pull")
    cp = model.mechanism("cherry_picking")
    region = model.regions[0]
    ab = region.aanbieders[0]
    ab.flexibility = 0.2
    rigid = cp.maatwerk_acceptance(ab, region)
    ab.flexibility = 0.8
    assert cp.maatwerk_acceptance(ab, region) > rigid
    assert build(levers__coordination__allocation="pull", mechanisms__cherry_picking=False).pathway._maatwerk_acceptance is None


def test_resource_sharing_fills_free_places_from_a_trusted_partners_list():
    model = build()
    rs = model.mechanism("resource_sharing")
    region = model.regions[0]
    providers = region.providers_of[AL]
    a, b = providers[0], providers[1]
    a.flexibility = 1.0
    rs.a = rs.a.model_copy(update={"trust_sharing_weight": 0.0})  # trust^0 = 1: always willing
    j = need(model)
    j.care = AL
    model.pathway.refer(j, model.week, to=b, may_bounce=False)
    assert j.state == WAITING and j.waitlist is b.waitlists[AL]
    waiting_at_b, clients_of_a = len(b.waitlists[AL]), len(a.clients)
    shared = sum(g.flow[F["resource_sharing"]] for g in model.gemeenten)
    rs.free_places(a, AL, 2, providers, model.week)
    assert len(b.waitlists[AL]) == waiting_at_b - 2 and len(a.clients) == clients_of_a + 2
    assert sum(g.flow[F["resource_sharing"]] for g in model.gemeenten) == shared + 2
    rs.central = True  # a central list already pools the places: nothing to share
    rs.free_places(a, AL, 2, providers, model.week)
    assert len(b.waitlists[AL]) == waiting_at_b - 2


def test_capacity_response_orders_places_when_waits_are_long_and_charges_a_premium():
    model = build()
    cr = model.mechanism("capacity_response")
    region = model.regions[0]
    providers = region.providers_of[AL]
    places = sum(ab.capacity[AL] for ab in providers)
    assert cr.initial_intake(region, AL, providers) == pytest.approx(places / model.pathway.mean_duration[AL])
    nominal = [ab.nominal[AL] for ab in providers]
    cr.change(region, AL, +1)
    assert all(ab.nominal[AL] > n for ab, n in zip(providers, nominal))
    costs = RegionCosts()
    cr.region_costs(region, model.week, costs)
    assert costs.extra_capacity > 0  # extra places in use cost the premium
    cr.change(region, AL, -1)
    assert [ab.nominal[AL] for ab in providers] == pytest.approx(nominal)  # never below the contract
    for _ in range(int(50 * places / model.pathway.mean_duration[AL])):  # a list of ~50 weeks
        j = need(model)
        j.care = AL
        model.pathway.refer(j, model.week, to=providers[0], may_bounce=False)
    cr.review(0)
    assert (region.index, AL) in cr.pending  # ordered; the places arrive later


def test_baseline_crisis_gives_the_share_of_new_severe_needs():
    model = build()
    assert model.mechanism("baseline_crisis").new_crisis_share() == model.spec.assumptions.crisis_share_of_new_ernstig
    assert build(mechanisms__baseline_crisis=False).hooks.new_crisis_share == ()


def test_a_new_aanbieder_loses_places_only_to_the_mechanisms_that_are_on():
    model = build(mechanisms__admin_burden=False, mechanisms__meeting_fragmentation=False)
    region = model.regions[0]
    ab = Aanbieder(model, model.org_id(), "nieuw", region, [AL], 1.0, 0.5)
    assert ab.overhead_share() == 0.0
