"""The jeugdreis: the event log, its process-mining exports (re-imported with pm4py) and the
process report (issue 12). Small runs of ``klas``; no model figure is hard-coded."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zorgnetwerk_sim.api import Simulation
from zorgnetwerk_sim.cli import main
from zorgnetwerk_sim.eventlog import (ACTIVITIES, CARE_NAMES, COLUMNS, END_ACTIVITIES, OPENING_ACTIVITIES,
                                      ORGANISATION_TYPES, SIGNAAL)
from zorgnetwerk_sim.jeugdreis import analysis as an
from zorgnetwerk_sim.jeugdreis import export_log, read_log
from zorgnetwerk_sim.jeugdreis import log as log_module
from zorgnetwerk_sim.jeugdreis.report import KEY_FIGURES, measure_run, observed, write_comparison, write_report
from zorgnetwerk_sim.scenario import load_scenario

pm4py = pytest.importorskip("pm4py")  # the dev group installs it (AGPL: not a base dependency)

YEARS = "2"


def run_cli(*args: object) -> tuple[int, str]:
    """Run ``zorgsim`` in-process; returns the exit status and stderr's text."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return int(exit_info.value.code or 0), err.getvalue()


@pytest.fixture(scope="module")
def klas_log(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reis") / "klas"
    code, err = run_cli("run", "klas", "--years", YEARS, "--event-log", "--out", out, "--quiet")
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def events(klas_log) -> pd.DataFrame:
    return pq.read_table(klas_log / "events.parquet").to_pandas()


# -- the log -------------------------------------------------------------------------------------
def test_log_has_the_documented_columns_and_vocabulary(events, klas_log):
    assert list(events.columns) == list(COLUMNS)
    assert events["activity"].isin(ACTIVITIES).all()
    assert events["organisation_type"].isin(ORGANISATION_TYPES).all()
    assert events["care_type"].isin(CARE_NAMES).all()
    assert events["event_id"].tolist() == list(range(len(events)))  # in the order they happened
    start = dt.date(2025, 1, 1)  # run.start_date's default
    assert (pd.to_datetime(events["date"]) == pd.Timestamp(start) + pd.to_timedelta(events["week"] * 7, "D")).all()
    spec = load_scenario("klas", years=float(YEARS))
    gemeenten = {g.name for r in spec.network.regions for g in r.gemeenten}
    assert set(events["gemeente"]) <= gemeenten
    # an expertteam acts only at the expertteam steps; the toegang is the gemeente's
    et = events[events["organisation_type"] == "expertteam"]
    assert len(et) > 0 and set(et["activity"]) <= {a for a in ACTIVITIES if a.startswith("expertteam")}
    assert (events.loc[events["activity"] == "toegang", "organisation_type"] == "gemeente").all()
    # cost so far never decreases within a trajectory
    by_traj = events.sort_values(["trajectory_id", "event_id"]).groupby("trajectory_id")["cost_eur"]
    assert (by_traj.diff().fillna(0) >= -1e-6).all()
    assert events["cost_eur"].max() > 0


def test_start_date_moves_the_calendar(tmp_path):
    out = tmp_path / "late"
    code, err = run_cli("run", "klas", "--years", "0.3", "--event-log", "--out", out, "--quiet",
                        "--set", "run.warmup_years=0.1", "--set", "run.start_date=2031-03-03")
    assert code == 0, err
    ev = pq.read_table(out / "events.parquet").to_pandas()
    first_week0 = ev.loc[ev["week"] == 0, "date"].iloc[0]
    assert first_week0 == dt.date(2031, 3, 3)
    code, err = run_cli("run", "klas", "--years", "0.3", "--quiet", "--out", tmp_path / "bad",
                        "--set", "run.warmup_years=0.1", "--set", "run.start_date=2031-13-45")
    assert code == 2 and "start_date" in err and "\n" not in err.strip()
    assert not (tmp_path / "bad").exists()


def test_every_case_starts_with_a_signal_and_every_trajectory_ends_or_is_open():
    sim = Simulation("klas", overrides={"run.years": float(YEARS), "run.event_log": True})
    result = sim.run()
    ev = result.events.sort_values("event_id")
    first_of_case = ev.drop_duplicates("case_id")
    assert (first_of_case["activity"] == SIGNAAL).all()
    first_of_traj = ev.drop_duplicates("trajectory_id")
    assert first_of_traj["activity"].isin(OPENING_ACTIVITIES).all()
    last_of_traj = ev.drop_duplicates("trajectory_id", keep="last")
    ended = last_of_traj["activity"].isin(END_ACTIVITIES)
    # the model's own counts: trajectories that left, and those still active at the horizon
    assert int(ended.sum()) == sim.model.n_left
    assert int((~ended).sum()) == sim.model.jongeren_active
    # the cost at the end is the trajectory cost the KPIs count (those that end after the warm-up)
    counted = last_of_traj[ended & (last_of_traj["week"] >= sim.model.spec.warmup_weeks)]
    assert counted["cost_eur"].sum() == pytest.approx(float(sim.model.recorder.cost_hist_sum.sum()), rel=1e-9)
    assert len(counted) == int(sim.model.recorder.cost_hist.sum())
    # nothing happens in a trajectory after its end
    ends = ev[ev["activity"].isin(END_ACTIVITIES)]
    assert ends["trajectory_id"].is_unique
    assert set(ends.index) <= set(last_of_traj.index)


def test_case_id_is_the_person_across_returns_and_relapses(events):
    per_traj = events.groupby("trajectory_id")["case_id"].nunique()
    assert (per_traj == 1).all()  # a trajectory belongs to one jongere
    ev = events.sort_values("event_id")
    opening = ev.drop_duplicates("trajectory_id")
    comebacks = opening[opening["activity"].isin(OPENING_ACTIVITIES[1:])]
    assert len(comebacks) > 0  # klas has relapses within two years
    ended = ev[ev["activity"].isin(END_ACTIVITIES)].set_index("trajectory_id")
    for row in comebacks.itertuples(index=False):
        earlier = ended[(ended["case_id"] == row.case_id) & (ended["event_id"] < row.event_id)]
        assert len(earlier) >= 1, f"return of case {row.case_id} without an earlier ended trajectory"
        assert row.gemeente in set(earlier["gemeente"])


def test_log_streams_in_row_groups_and_reads_back_the_same():
    spec = load_scenario("klas", {"run.event_log": True, "run.warmup_years": 0.5}, years=1.0)
    small, whole = Simulation(spec), Simulation(spec)
    small.model.event_log.chunk_rows = 700  # many row groups
    small.step(20)
    halfway = small.model.event_log.table()  # mid-run: closes a part, logging goes on in a new one
    small.run()
    whole.run()
    a, b = small.result().events, whole.result().events
    assert halfway.num_rows < len(a)
    pd.testing.assert_frame_equal(a.astype({c: str for c in a.columns if a[c].dtype == "category"}),
                                  b.astype({c: str for c in b.columns if b[c].dtype == "category"}))
    assert small.model.event_log.pending < 700  # never more than one chunk in memory


def test_the_log_does_not_change_the_run():
    spec = load_scenario("klas", {"run.warmup_years": 0.5}, years=1.5)
    plain = Simulation(spec).run()
    logged = Simulation(spec.model_copy(update={"run": spec.run.model_copy(update={"event_log": True})})).run()
    assert logged.events is not None and plain.events is None
    assert logged.summary == pytest.approx(plain.summary, nan_ok=True, rel=0, abs=0)
    pd.testing.assert_frame_equal(logged.timeseries, plain.timeseries)


def test_no_event_log_costs_nothing():
    sim = Simulation("klas", overrides={"run.years": 0.3, "run.warmup_years": 0.1})
    assert sim.model.event_log is None and sim.model.pathway.log is None
    assert sim.run().events is None


# -- analysis ------------------------------------------------------------------------------------
def test_directly_follows_equals_an_independent_count(klas_log, events):
    # independently: events in the order they happened, the previous activity of each case
    previous: dict[int, tuple[str, int]] = {}
    pairs: Counter = Counter()
    cases: dict[tuple[str, str], set] = {}
    weeks: dict[tuple[str, str], list] = {}
    for case, act, week in zip(*(events.sort_values("event_id")[c].tolist() for c in ("case_id", "activity", "week"))):
        if case in previous:
            key = (previous[case][0], act)
            pairs[key] += 1
            cases.setdefault(key, set()).add(case)
            weeks.setdefault(key, []).append(week - previous[case][1])
        previous[case] = (act, week)
    dfg = an.directly_follows(read_log(klas_log).read())
    got = {(r.source, r.target): r for r in dfg.itertuples(index=False)}
    assert set(got) == set(pairs)
    for key, n in pairs.items():
        assert got[key].count == n and got[key].cases == len(cases[key])
        assert got[key].median_weeks == pytest.approx(float(pd.Series(weeks[key]).median()))


def test_cost_of_the_costliest_20_percent_matches_the_summary_kpi(klas_log):
    run = read_log(klas_log)
    cost = an.cost_concentration(an.trajectories(run.read()), run.warmup_weeks)
    kpi = json.loads((klas_log / "summary.json").read_text())["cost_top20_share"]
    assert cost.n > 100 and 0.2 < cost.top_share < 1.0
    # the KPI interpolates within log-spaced cost bins (6% wide): the same share within a point
    assert cost.top_share == pytest.approx(kpi, abs=0.01)


def test_variants_cover_all_cases(klas_log):
    ev = observed(read_log(klas_log).read())
    var = an.variants(ev)
    assert var.table["cases"].sum() == ev["case_id"].nunique() == var.n_cases
    assert var.table["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert var.table["cumulative"].iloc[var.for_80 - 1] >= 0.8
    assert var.for_80 == 1 or var.table["cumulative"].iloc[var.for_80 - 2] < 0.8


# -- a log in buckets of cases: the same as one bucket ------------------------------------------------
def _several_buckets(monkeypatch, run_dir: Path, buckets: int = 7) -> int:
    """Make the log of ``run_dir`` read in about ``buckets`` buckets; returns the bucket size."""
    size = read_log(run_dir).n_events // buckets + 1
    monkeypatch.setattr(log_module, "BUCKET_EVENTS", size)
    return size


def test_buckets_are_whole_cases_in_case_order(klas_log, monkeypatch):
    whole = read_log(klas_log)
    assert whole.case_ranges() == []  # the test log fits in one bucket, read without a filter
    one = whole.read()
    size = _several_buckets(monkeypatch, klas_log)
    run = read_log(klas_log)
    buckets = list(run.buckets())
    assert len(buckets) == len(run.case_ranges()) >= 5
    for ev, (lo, hi) in zip(buckets, run.case_ranges()):
        assert ev["case_id"].between(lo, hi).all()
        assert len(ev) <= size or ev["case_id"].nunique() == 1
    cases = [set(ev["case_id"]) for ev in buckets]
    assert sum(map(len, cases)) == len(set().union(*cases))  # no case in two buckets
    together = pd.concat(buckets, ignore_index=True)
    pd.testing.assert_frame_equal(together.astype({c: str for c in together.select_dtypes("category")}),
                                  one.astype({c: str for c in one.select_dtypes("category")}))


def test_a_case_larger_than_a_bucket_is_a_bucket_of_its_own(tmp_path):
    # cases 10, 20, 30, 40 with 3, 2, 1, 5 events, interleaved as in a log
    cases = [10, 40, 10, 40, 30, 40, 10, 40, 20, 40, 20]
    pq.write_table(pa.table({"case_id": pa.array(cases, pa.int64())}), tmp_path / "events.parquet")
    assert log_module._cut(tmp_path / "events.parquet", 4) == [(10, 10), (20, 30), (40, 40)]
    assert log_module._cut(tmp_path / "events.parquet", 6) == [(10, 30), (40, 40)]
    assert log_module._cut(tmp_path / "events.parquet", 11) == [(10, 40)]


def test_median_from_counts_per_value_is_the_median():
    rng = np.random.default_rng(7)
    values = pd.DataFrame({"group": rng.integers(0, 40, 3000), "weeks": rng.integers(-3, 30, 3000)})
    values = pd.concat([values, pd.DataFrame({"group": [99, 99, 98], "weeks": [1, 4, 5]})])  # even and odd n
    counts = values.groupby(["group", "weeks"]).size()
    got = an._median_of_counts(counts)
    pd.testing.assert_series_equal(got, values.groupby("group")["weeks"].median(), check_names=False)
    assert got[99] == 2.5 and got[98] == 5.0


def _assert_same_measures(a: an.Measures, b: an.Measures) -> None:
    for name in ("n_events", "n_cases", "n_bounces"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("trajectories", "dfg"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    for name in ("first", "last", "activity_cases", "usual_kind", "layer", "to_care"):
        pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), obj=name)
    pd.testing.assert_frame_equal(a.variants.table, b.variants.table, obj="variants")
    assert (a.variants.n_variants, a.variants.n_cases, a.variants.for_80) == (
        b.variants.n_variants, b.variants.n_cases, b.variants.for_80)
    pd.testing.assert_series_equal(a.handovers.per_case, b.handovers.per_case, obj="handovers per case")
    pd.testing.assert_frame_equal(a.handovers.pairs, b.handovers.pairs, obj="handover pairs")


def test_every_measure_from_several_buckets_equals_one_bucket(klas_log, monkeypatch):
    run = read_log(klas_log)
    one, traj_one, warm_one = measure_run(run)
    ev = observed(run.read())
    # the one bucket is the measures of the whole log
    pd.testing.assert_frame_equal(one.dfg, an.directly_follows(ev))
    pd.testing.assert_frame_equal(one.trajectories, an.trajectories(ev))
    _several_buckets(monkeypatch, klas_log)
    run = read_log(klas_log)
    assert len(run.case_ranges()) >= 5
    several, traj_several, warm_several = measure_run(run)
    _assert_same_measures(several, one)
    pd.testing.assert_frame_equal(traj_several, traj_one)
    assert warm_several == warm_one > 0
    assert an.key_figures(several, run.warmup_weeks) == an.key_figures(one, run.warmup_weeks)


@pytest.mark.parametrize("fmt", ["csv", "xes", "ocel"])
def test_exports_from_several_buckets_are_the_same_bytes(klas_log, tmp_path, monkeypatch, fmt):
    one = export_log(klas_log, fmt, tmp_path / f"one.{fmt}").read_bytes()
    _several_buckets(monkeypatch, klas_log)
    several = export_log(klas_log, fmt, tmp_path / f"several.{fmt}").read_bytes()
    assert several == one


def _report_files(folder: Path) -> dict[str, bytes]:
    # (matplotlib's SVGs carry the time they were drawn and random ids: the rest must be the same)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".svg"}


def test_reports_from_several_buckets_are_the_same(klas_log, tmp_path, monkeypatch):
    other = tmp_path / "central"
    code, err = run_cli("run", "klas", "--years", YEARS, "--event-log", "--out", other, "--quiet",
                        "--set", "levers.coordination.queue=central")
    assert code == 0, err
    one = write_report(klas_log, tmp_path / "one", engine="matplotlib").folder
    one_cmp = write_comparison(klas_log, other, tmp_path / "one-cmp", engine="matplotlib").folder
    _several_buckets(monkeypatch, klas_log)
    several = write_report(klas_log, tmp_path / "several", engine="matplotlib").folder
    several_cmp = write_comparison(klas_log, other, tmp_path / "several-cmp", engine="matplotlib").folder
    assert "varianten.csv" in _report_files(one) and "vergelijking.md" in _report_files(one_cmp)
    assert _report_files(several) == _report_files(one)
    assert _report_files(several_cmp) == _report_files(one_cmp)


# -- exports round-trip through pm4py ------------------------------------------------------------
def _pm4py_frame(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "xes":
        return pm4py.read_xes(str(path))
    frame = pd.read_csv(path)
    return pm4py.format_dataframe(frame, case_id="case:concept:name", activity_key="concept:name",
                                  timestamp_key="time:timestamp")


@pytest.mark.parametrize("fmt", ["csv", "xes"])
def test_case_centric_exports_round_trip_through_pm4py(klas_log, events, tmp_path, fmt):
    path = export_log(klas_log, fmt, tmp_path / f"log.{fmt}")
    log = _pm4py_frame(path, fmt)
    assert len(log) == len(events)
    assert log["case:concept:name"].astype(str).nunique() == events["case_id"].nunique()
    assert Counter(log["concept:name"]) == Counter(events["activity"].astype(str))
    assert Counter(log["org:resource"]) == Counter(events["organisation"].astype(str))
    # pm4py orders each case by time: the order must be the order the events happened
    dfg, starts, ends = pm4py.discover_dfg(log)
    ours = an.directly_follows(read_log(klas_log).read())
    assert dfg == {(r.source, r.target): r.count for r in ours.itertuples(index=False)}
    first = Counter(events.sort_values("event_id").drop_duplicates("case_id")["activity"].astype(str))
    assert starts == dict(first)


def test_ocel_export_round_trips_through_pm4py(klas_log, events, tmp_path):
    path = export_log(klas_log, "ocel", tmp_path / "log.jsonocel")
    ocel = pm4py.read_ocel2_json(str(path))
    assert len(ocel.events) == len(events)
    types = ocel.objects["ocel:type"].value_counts().to_dict()
    acting = events[events["organisation_type"].isin(["aanbieder", "expertteam"])]
    expected = {"jongere": events["case_id"].nunique(), "gemeente": events["gemeente"].nunique(),
                "regio": events["region"].nunique(),
                **acting.groupby("organisation_type", observed=True)["organisation"].nunique().to_dict()}
    assert types == expected
    # each event: its jongere, gemeente and regio, and the aanbieder or expertteam that acts
    assert len(ocel.relations) == 3 * len(events) + len(acting)
    per_event = ocel.relations.groupby("ocel:eid")["ocel:type"].agg(lambda s: sorted(s))
    assert per_event.map(lambda t: {"jongere", "gemeente", "regio"} <= set(t)).all()
    assert set(ocel.o2o["ocel:qualifier"]) == {"woont in", "hoort bij", "werkt in"}
    assert Counter(ocel.events["ocel:activity"]) == Counter(events["activity"].astype(str))


def test_export_via_the_cli_writes_beside_the_log(klas_log):
    code, err = run_cli("export-log", klas_log, "--format", "xes")
    assert code == 0, err
    assert (klas_log / "events.xes").read_text(encoding="utf-8").startswith("<?xml")
    assert not [p for p in klas_log.iterdir() if p.name.startswith(".")]  # no temporary files left


# -- the report ------------------------------------------------------------------------------------
HEADINGS = ["## Kerncijfers", "## Procesmodel", "## Meest voorkomende paden (varianten)",
            "## Overdrachten tussen organisaties", "## Doorlooptijd van signaal tot einde zorg",
            "## De kostbaarste 20% van de trajecten"]


def test_report_has_its_sections_pictures_and_the_kpi(klas_log, tmp_path):
    out = tmp_path / "rapport"
    code, err = run_cli("jeugdreis", klas_log, "--out", out)
    assert code == 0, err
    md = (out / "jeugdreis.md").read_text(encoding="utf-8")
    html = (out / "jeugdreis.html").read_text(encoding="utf-8")
    for heading in HEADINGS:
        assert heading in md and heading[3:] in html
    for picture in ("procesmodel", "varianten", "overdrachten", "doorlooptijd", "kosten"):
        assert (out / f"{picture}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({picture}.png)" in md and f"src='{picture}.png'" in html
    kpi = json.loads((klas_log / "summary.json").read_text())["cost_top20_share"]
    assert f"{100 * kpi:.1f}%".replace(".", ",") in md  # the run's KPI is quoted next to the log's figure
    # drawn by Graphviz's dot where it is installed (.ci/run installs it), else by matplotlib
    assert ("Graphviz dot niet gevonden" in md) == (shutil.which("dot") is None)
    dfg = pd.read_csv(out / "directe_opvolgingen.csv")
    assert dfg["cases"].is_monotonic_decreasing
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_process_map_without_graphviz(klas_log, tmp_path):
    report = write_report(klas_log, tmp_path / "zonder-dot", engine="matplotlib")
    assert report.engine == "matplotlib"
    assert (report.folder / "procesmodel.png").read_bytes()[:4] == b"\x89PNG"
    assert "Graphviz dot niet gevonden" in (report.folder / "jeugdreis.md").read_text(encoding="utf-8")


def test_comparison_of_two_runs(klas_log, tmp_path):
    central = tmp_path / "central"
    code, err = run_cli("run", "klas", "--years", YEARS, "--event-log", "--out", central, "--quiet",
                        "--set", "levers.coordination.queue=central")
    assert code == 0, err
    report = write_comparison(klas_log, central, tmp_path / "vergelijking", engine="matplotlib")
    md = (report.folder / "vergelijking.md").read_text(encoding="utf-8")
    for picture in ("vergelijking", "procesmodel_a", "procesmodel_b"):
        assert (report.folder / f"{picture}.png").is_file() and f"({picture}.png)" in md
    # the table shows each run's own figures
    for folder, column in ((klas_log, 1), (central, 2)):
        run = read_log(folder)
        figures = an.key_figures(an.measures(observed(run.read())), run.warmup_weeks)
        row = next(line for line in md.splitlines() if line.startswith("| terugverwijzingen per 100 trajecten"))
        value = row.split("|")[1 + column].strip()
        assert value == f"{figures['bounces_per_100_trajectories']:.1f}".replace(".", ",")
    assert all(label in md for _, label, _ in KEY_FIGURES)


# -- bad input: one line, exit 2, nothing half-written ----------------------------------------------
def _one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for word in words:
        assert word in err


def test_bad_inputs_exit_2_with_one_line(klas_log, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_line_error(*run_cli("jeugdreis", empty), "events.parquet", "--event-log")
    _one_line_error(*run_cli("export-log", tmp_path / "nothing-here"), "not a folder")
    _one_line_error(*run_cli("export-log", klas_log, "--format", "pdf"), "pdf", "csv, xes, ocel")
    # a log without some columns
    partial = tmp_path / "partial"
    partial.mkdir()
    pq.write_table(pq.read_table(klas_log / "events.parquet").drop(["date", "cost_eur"]),
                   partial / "events.parquet")
    _one_line_error(*run_cli("export-log", partial), "missing column(s) date, cost_eur")
    _one_line_error(*run_cli("jeugdreis", partial), "missing column(s)")
    # not Parquet at all
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "events.parquet").write_text("not parquet", encoding="utf-8")
    _one_line_error(*run_cli("jeugdreis", broken), "not a readable Parquet file")
    # outputs that cannot be written
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    _one_line_error(*run_cli("export-log", klas_log, "--out", blocker / "log.csv"), "not a folder")
    _one_line_error(*run_cli("jeugdreis", klas_log, "--out", blocker / "rapport"), "is a file")
    _one_line_error(*run_cli("export-log", klas_log, "--out", tmp_path), "is a folder")
    _one_line_error(*run_cli("jeugdreis", klas_log, "--out", blocker), "not a folder")
    _one_line_error(*run_cli("jeugdreis", klas_log, klas_log, klas_log), "one RUN_DIR, or two")
    # nothing was written anywhere
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "broken", "empty", "partial"]
    assert [p.name for p in empty.iterdir()] == [] and [p.name for p in broken.iterdir()] == ["events.parquet"]
    assert [p.name for p in partial.iterdir()] == ["events.parquet"]


def test_a_failed_export_leaves_no_file(klas_log, tmp_path, monkeypatch):
    from zorgnetwerk_sim.jeugdreis import export as export_module

    def fail_halfway(run, path):
        path.write_text("<?xml half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "write_xes", fail_halfway)
    target = tmp_path / "log.xes"
    _one_line_error(*run_cli("export-log", klas_log, "--format", "xes", "--out", target), "No space left")
    assert list(tmp_path.iterdir()) == []
