"""The lessons for teachers (src/zorgnetwerk_sim/lessons.py): each claim holds, robustly.

Every claim is checked with three seeds and at staff availability −5% / 0 / +5%, *voor* against
*na* with the same seed (common random numbers), in the direction the lesson says. The texts,
sources and worksheets are checked for what a teacher relies on. Nothing here asserts a
particular value: the model may change, the directions must not.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from zorgnetwerk_sim import run
from zorgnetwerk_sim.lessons import BY_KEY, LESSONS, SOURCES, STAFF, Claim, Lesson, measured, quarterly, run_pair, \
    series_of, summary_measure

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (1, 2, 3)
STAFF_LEVELS = (0.95, 1.0, 1.05)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_claims_hold_at_every_seed_and_staff_level(lesson: Lesson):
    failures = []
    for seed, staff in itertools.product(SEEDS, STAFF_LEVELS):
        voor, na = run_pair(lesson, seed, staff)
        assert voor.scenario.seed == na.scenario.seed == seed
        assert voor.scenario.uncertainties.staff_availability == pytest.approx(
            staff * float({**lesson.preset, **lesson.voor}.get(STAFF, 1.0)))
        for claim in lesson.claims:
            a, b = claim.measure.value(voor), claim.measure.value(na)
            if not claim.holds(a, b):
                failures.append(f"seed {seed}, staff {staff}: {claim.measure.key} voor {a:.4g} na {b:.4g}")
    assert not failures, f"{lesson.key}: the claim does not hold:\n" + "\n".join(failures)


def test_claim_direction_and_threshold_can_fail():
    up = Claim(summary_measure("x", "x", ""), +1, "", min_relative=0.1)
    assert up.holds(100, 111) and not up.holds(100, 105) and not up.holds(100, 90)
    down = Claim(summary_measure("x", "x", ""), -1, "")
    assert down.holds(5, 4) and not down.holds(5, 5) and not down.holds(5, 6)
    assert not down.holds(float("nan"), 1)


def test_voor_and_na_differ_only_in_the_lessons_setting():
    for lesson in LESSONS:
        voor, na = lesson.overrides("voor"), lesson.overrides("na")
        changed = {k for k in voor.keys() | na.keys() if voor.get(k) != na.get(k)}
        assert changed and changed <= set(lesson.voor) | set(lesson.na), lesson.key
        assert voor["run.years"] == na["run.years"] == lesson.years


def test_lesson_page_numbers_come_from_the_runs():
    lesson = BY_KEY["wachten"]
    voor, na = run_pair(lesson)
    rows = measured(lesson, voor, na)
    assert rows[0][1] == voor.summary["escalations_per_year"]
    assert rows[0][2] == na.summary["escalations_per_year"]
    years, values = series_of(voor, lesson.series[0])
    q = quarterly(voor)
    assert len(years) == len(values) == len(q) == -(-voor.scenario.weeks // 13)
    # the quarterly rate per year adds up to the run's total escalations
    total = sum(v * 13 / 52 for v in values)
    assert total == pytest.approx(voor.timeseries["escalations"].sum(), rel=0.02)


def test_klas_runs_at_the_load_of_default():
    """``klas`` teaches what ``default`` shows: waits and the waiting list per 1,000 youth alike."""
    years = {"run.years": 4, "run.warmup_years": 1}
    klas, default = run("klas", overrides=years).summary, run("default", overrides=years).summary

    def per_1000(s):
        return s["waiting_total_mean"] / (s["cost_per_year_eur"] / s["cost_per_youth_eur"]) * 1000

    assert 0.7 < klas["wait_weeks_mean"] / default["wait_weeks_mean"] < 1.4
    assert 0.7 < per_1000(klas) / per_1000(default) < 1.4
    assert 0.7 < klas["placements_per_1000_youth"] / default["placements_per_1000_youth"] < 1.4


def test_texts_are_complete_and_cite_known_sources():
    sources_md = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert len(LESSONS) >= 6 and len(BY_KEY) == len(LESSONS)
    for lesson in LESSONS:
        for text in (lesson.title, lesson.question, lesson.wat_zie_je, lesson.hoe_werkt_het, lesson.probeer_zelf,
                     lesson.let_op, lesson.voor_label, lesson.na_label):
            assert len(text) > 5
            assert "seed 00" not in text.lower()
        assert lesson.claims and lesson.series and lesson.sources
        for key in lesson.sources:
            assert key in SOURCES
            assert f"[{key}]" in sources_md or key.split(" ")[0] in sources_md, key


def test_worksheets_exist_and_name_their_scenario():
    folder = ROOT / "docs" / "lessons"
    index = (folder / "README.md").read_text(encoding="utf-8")
    for lesson in LESSONS:
        sheet = folder / f"{lesson.key}.md"
        text = sheet.read_text(encoding="utf-8")
        assert lesson.title in text
        assert f"`{lesson.scenario}`" in text
        for key, value in {**lesson.preset, **lesson.na}.items():
            assert key in text, (lesson.key, key)
        assert f"{lesson.key}.md" in index
        assert re.search(r"Let op|Docentnotitie", text)


def test_worksheet_numbers_are_those_of_the_model():
    """The worksheet's expected observations are written from the runs, not typed in."""
    from zorgnetwerk_sim.lessons import worksheet

    lesson = BY_KEY["versnippering"]
    text = (ROOT / "docs" / "lessons" / f"{lesson.key}.md").read_text(encoding="utf-8")
    assert text == worksheet(lesson, *run_pair(lesson)), \
        "worksheet out of date: uv run python -m zorgnetwerk_sim.lessons docs/lessons"
