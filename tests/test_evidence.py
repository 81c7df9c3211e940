"""The model's answers come out of the network, not out of one hand-set number.

Each test switches or moves one thing and checks that an outcome follows through the model's
mechanisms (capacity bought at a price within budget and labour market, late help and
doorplaatsingen, the expertteam's time per case, provider finance, solidarity and prevention).
All run the small `klas` region with common random numbers: the same seeds on both sides.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from zorgnetwerk_sim import run
from zorgnetwerk_sim.trust import TrustNetwork

SEEDS = (1, 2, 3)
SHORT = ("uncertainties.staff_availability=0.9",)  # a region short of staff, so waits run over


@cache
def kpis(*overrides: str, years: float = 5.0) -> dict[str, float]:
    runs = [run("klas", seed=s, years=years, overrides=SHORT + overrides).summary for s in SEEDS]
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


# -- capacity that costs and is bounded ------------------------------------------------------------
def test_extra_places_cost_a_premium_paid_by_the_gemeenten():
    priced = kpis()
    free = kpis("uncertainties.extra_place_premium=0.0")
    assert priced["places_added_per_year"] > 0
    assert priced["cost_extra_capacity_per_year_eur"] > 0
    assert free["cost_extra_capacity_per_year_eur"] == 0
    assert priced["cost_per_year_eur"] > free["cost_per_year_eur"]


def test_capacity_response_off_buys_nothing_and_pays_no_premium():
    no = kpis("mechanisms.capacity_response=false")
    assert no["places_added_per_year"] == 0 and no["cost_extra_capacity_per_year_eur"] == 0


def test_waits_respond_to_the_labour_market():
    tight = kpis("uncertainties.labour_market_headroom=0.0")
    loose = kpis("uncertainties.labour_market_headroom=0.2")
    assert tight["places_added_per_year"] == 0
    assert tight["wait_weeks_mean"] > loose["wait_weeks_mean"] + 1.0
    # the places it could not buy are not paid for either
    assert tight["cost_extra_capacity_per_year_eur"] < loose["cost_extra_capacity_per_year_eur"]


def test_waits_respond_to_the_budget():
    poor = kpis("assumptions.budget_per_youth_eur_per_year=700.0")
    rich = kpis("assumptions.budget_per_youth_eur_per_year=3000.0")
    assert poor["places_added_per_year"] < 0.2 * rich["places_added_per_year"]
    assert poor["wait_weeks_mean"] > rich["wait_weeks_mean"] + 1.0


def test_a_strict_budget_ceiling_buys_less_than_accepted_overspending():
    strict = kpis("levers.coordination.budget_ceiling=true", "assumptions.budget_per_youth_eur_per_year=1300.0")
    lenient = kpis("uncertainties.accepted_overspend_share=0.3", "assumptions.budget_per_youth_eur_per_year=1300.0")
    assert strict["places_added_per_year"] < lenient["places_added_per_year"]


# -- late help and doorplaatsingen -------------------------------------------------------------
def test_late_help_causes_doorplaatsingen():
    on, no = kpis(), kpis("mechanisms.waiting_hurts=false")
    assert on["doorplaatsingen_per_year"] > no["doorplaatsingen_per_year"] + 5


# -- the expertteam's success from the time it has ------------------------------------------------
def test_expertteam_success_follows_the_hours_per_case():
    few = kpis("levers.coordination.expertteam_hours_per_100k_youth=5.0")
    many = kpis("levers.coordination.expertteam_hours_per_100k_youth=80.0")
    assert many["expertteam_success_share"] > few["expertteam_success_share"] + 0.03
    # without the time term, the hours change who is seen, not how well it goes
    no_time = "assumptions.expertteam_weight_time=0.0"
    few0 = kpis(no_time, "levers.coordination.expertteam_hours_per_100k_youth=5.0")
    many0 = kpis(no_time, "levers.coordination.expertteam_hours_per_100k_youth=80.0")
    assert abs(many0["expertteam_success_share"] - few0["expertteam_success_share"]) < \
        many["expertteam_success_share"] - few["expertteam_success_share"]


# -- formerly inert mechanisms -----------------------------------------------------------------
def test_aanbieder_finance_makes_loss_making_aanbieders_exit_under_tariff_pressure():
    # Tariffs below cost (cost_ratio > 1): with finance on, aanbieders run out of reserve and
    # exit, their clients are doorgeplaatst and their places gone; off, nothing happens (docs/model.md §7.14).
    pressure = ("assumptions.cost_ratio=1.15",)
    on = kpis(*pressure, years=6.0)
    no = kpis(*pressure, "mechanisms.aanbieder_finance=false", years=6.0)
    assert on["aanbieder_exits"] > 0 and no["aanbieder_exits"] == 0
    # exits and the shrinking before them change the region's waits (through the places lost
    # and the capacity response that replaces them)
    assert abs(on["wait_weeks_mean"] - no["wait_weeks_mean"]) > 1.0


def test_trust_kpi_leaves_out_pairs_of_gemeenten():
    net = TrustNetwork([1, 2, 10, 11], prior_r=6.0, prior_s=3.0, gain=0.15, loss=0.6, forgetting_per_year=0.15)
    before = net.mean_of_relations([1, 2], [10, 11])
    for _ in range(20):
        net.failure(1, 2)  # between two gemeenten: outside the KPI
    assert net.mean_of_relations([1, 2], [10, 11]) == before
    net.failure(1, 10)  # gemeente -> aanbieder: inside it
    assert net.mean_of_relations([1, 2], [10, 11]) < before


# -- coordination below full load ------------------------------------------------------------------
def test_a_pooled_central_list_shortens_waits_below_full_load_under_blind_allocation():
    # Fixed capacity with room to spare (no capacity response, more staff), blind push allocation
    # and no resource sharing: one list per care type serves whoever waits at whichever aanbieder
    # has a place, separate lists leave places empty while others wait (queueing theory; Giesen,
    # Ketter & Zuidwijk found the central list better).
    # Each aanbieder of klas has dozens of places, so its own list already pools most of the
    # variation: the gain is a share of a short wait (about 30% at staff 1.3; at full load,
    # staff 1.1-1.2, none).
    fixed = ("mechanisms.capacity_response=false", "uncertainties.staff_availability=1.3",
             "levers.coordination.regie_strength=0.0", "mechanisms.resource_sharing=false")
    separate = kpis(*fixed)
    pooled = kpis(*fixed, "levers.coordination.queue=central")
    assert pooled["wait_weeks_mean"] < 0.85 * separate["wait_weeks_mean"]


def test_solidarity_lets_small_gemeenten_keep_their_prevention():
    # Without pooling, a small gemeente hit by expensive cases overspends and cuts prevention the
    # next year ([OchtendMensen n.d.]); with the regional pot it keeps spending on it.
    prevention = ("levers.prevention.budget_share=0.05",)
    alone = kpis(*prevention, years=8.0)
    pooled = kpis(*prevention, "levers.coordination.solidarity_pooling=true", years=8.0)
    assert pooled["small_prevention_cut_share"] < alone["small_prevention_cut_share"]
    assert pooled["cost_prevention_per_year_eur"] > alone["cost_prevention_per_year_eur"]


def test_power_of_large_gemeenten_changes_the_regions_purchases_under_a_tight_budget():
    # Whether the region buys places depends on whether the gemeenten over budget weigh more
    # than half; weighed by inhabitants^exponent ([OchtendMensen n.d.]), the answer changes with
    # the exponent when small and large gemeenten differ in overspending (docs/model.md §7.16).
    tight = ("assumptions.budget_per_youth_eur_per_year=1150.0",)
    equal = kpis(*tight, "levers.coordination.power_exponent=0.0")
    large_decide = kpis(*tight, "levers.coordination.power_exponent=2.0")
    assert abs(equal["places_added_per_year"] - large_decide["places_added_per_year"]) > 1.0
    assert equal["wait_weeks_mean"] != large_decide["wait_weeks_mean"]
