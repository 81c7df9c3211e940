"""The shipped policy variants differ from `default` in the directions README.md explains."""

from __future__ import annotations

from functools import cache

from zorgnetwerk_sim import run

SEEDS = (1, 2)
YEARS = 6.0


@cache
def kpis(name: str) -> dict[str, float]:
    runs = [run(name, seed=s, years=YEARS).summary for s in SEEDS]
    return {k: sum(r[k] for r in runs) / len(runs) for k in runs[0]}


def test_central_wachtlijst_shortens_waits():
    base, central = kpis("default"), kpis("centrale-wachtlijst")
    assert central["wait_weeks_mean"] < base["wait_weeks_mean"]
    assert central["wait_weeks_p90"] <= base["wait_weeks_p90"]
    assert central["bounces_per_year"] < base["bounces_per_year"]  # the list is matched centrally


def test_prevention_costs_money_and_lowers_incidence_and_waits():
    base, prev = kpis("default"), kpis("preventie-5pct")
    assert prev["cost_prevention_per_year_eur"] > 3 * base["cost_prevention_per_year_eur"]
    assert prev["new_needs_per_year"] < base["new_needs_per_year"]
    assert prev["waitlist_mean"] < base["waitlist_mean"]


def test_trust_investment_builds_trust_and_helps_complex_cases():
    base, trust = kpis("default"), kpis("vertrouwen")
    assert trust["trust_mean"] > base["trust_mean"]
    assert trust["bounces_per_year"] < base["bounces_per_year"]
    assert trust["expertteam_success_share"] > base["expertteam_success_share"]


def test_functional_collaboration_cuts_admin_and_waits():
    base, func = kpis("default"), kpis("functioneel")
    assert func["waitlist_mean"] < base["waitlist_mean"]
    assert func["cost_admin_per_year_eur"] < base["cost_admin_per_year_eur"]
    assert func["crisis_per_year"] < base["crisis_per_year"]


def test_enterprising_collaboration_raises_trust_and_expertteam_success():
    base, ond = kpis("default"), kpis("ondernemend")
    assert ond["trust_mean"] > base["trust_mean"]
    assert ond["expertteam_success_share"] > base["expertteam_success_share"]
