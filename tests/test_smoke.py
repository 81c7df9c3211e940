"""The README's promise: three lines from import to result."""

from zorgnetwerk_sim import run


def test_klas_runs_and_reports_headline_kpis():
    result = run("klas", years=2, seed=3)
    for key in ("waitlist_mean", "wait_weeks_p90", "placements_per_year", "cost_per_year_eur",
                "youth_in_care_per_year"):
        assert key in result.summary
    assert result.summary["youth_in_care_per_year"] > 0
    assert result.summary["cost_per_year_eur"] > 0
    assert len(result.timeseries) == 2 * 52 * 5  # weeks × gemeenten
