"""The scenario schema is the one home of every parameter: documented, and overrides are local."""

from zorgnetwerk_sim import load_scenario
from zorgnetwerk_sim.scenario import parameter_table
from zorgnetwerk_sim.scenario.schema import CARE_DEFAULTS


def test_every_parameter_has_a_unit_and_a_source():
    rows = parameter_table()
    assert len(rows) > 100
    missing = [r["key"] for r in rows if not r["unit"] or not r["source"]]
    assert missing == []


def test_setting_one_value_of_a_care_type_keeps_its_other_defaults():
    spec = load_scenario("klas", ["assumptions.care.pleegzorg.capacity_per_1000_youth=100"])
    tariff, weeks, _ = CARE_DEFAULTS["pleegzorg"]
    assert spec.assumptions.care.pleegzorg.capacity_per_1000_youth == 100
    assert spec.assumptions.care.pleegzorg.mean_duration_weeks == weeks
    assert spec.assumptions.care.pleegzorg.tariff_eur_per_week == tariff


def test_care_type_defaults_differ_per_type():
    spec = load_scenario("klas")
    durations = {k: spec.assumptions.care.of(k).mean_duration_weeks for k in CARE_DEFAULTS}
    assert durations["pleegzorg"] > 2 * durations["ambulant_licht"]
    assert durations["crisis"] < durations["wijkteam"]
