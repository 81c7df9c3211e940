"""The ``zorgsim`` command: outputs of a run, reproducibility from scenario.toml, and bad input.

Most tests call ``zorgnetwerk_sim.cli.main`` in-process (fast); a few run the installed
``zorgsim`` entry point in a subprocess to check the real thing.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from rich.console import Console

from cli_helpers import assert_one_error_line, cli, snapshot  # noqa: F401 - cli is a fixture
from zorgnetwerk_sim import cli as cli_module
from zorgnetwerk_sim.cli import main
from zorgnetwerk_sim.eventlog import ACTIVITIES, COLUMNS
from zorgnetwerk_sim.scenario import available_scenarios, load_scenario

SHORT_ARGS = ["--years", "1.5", "--set", "run.warmup_years=0.5", "-q"]
KLAS_GEMEENTEN = {"Stadskerk", "Dorpen-Oost", "Heidebeek", "Molenveld", "Waterland"}
HEADLINE_KPIS = ("waitlist_mean", "waitlist_entries_per_year", "wait_weeks_mean", "wait_weeks_p90",
                 "placements_per_year", "youth_in_care_per_year", "cost_per_year_eur")
OUTPUT_FILES = {"summary.json", "timeseries.parquet", "scenario.toml"}


def zorgsim_executable() -> list[str]:
    script = Path(sys.executable).with_name("zorgsim")
    assert script.exists(), f"the zorgsim entry point is not installed next to {sys.executable}"
    return [str(script)]


def run_zorgsim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1"}
    return subprocess.run([*zorgsim_executable(), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def klas_run(tmp_path_factory) -> Path:
    """One short klas run through the CLI, shared by the tests that only read its outputs."""
    out = tmp_path_factory.mktemp("klas_run") / "out"
    with pytest.raises(SystemExit) as done:
        main(["run", "klas", *SHORT_ARGS, "--out", str(out)])
    assert done.value.code in (0, None)
    return out


# ------------------------------------------------------------------------------- outputs of a run
def test_run_writes_exactly_the_three_outputs(klas_run):
    assert {p.name for p in klas_run.iterdir()} == OUTPUT_FILES  # no temp files, no events.parquet


def test_summary_json_is_flat_kpi_to_number(klas_run):
    summary = json.loads((klas_run / "summary.json").read_text(encoding="utf-8"))
    assert isinstance(summary, dict) and summary
    for key, value in summary.items():
        assert isinstance(key, str)
        assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)), (key, value)
    for key in HEADLINE_KPIS:
        assert isinstance(summary.get(key), (int, float)), key
        assert math.isfinite(summary[key]) and summary[key] >= 0, (key, summary[key])
    assert summary["youth_in_care_per_year"] > 0 and summary["cost_per_year_eur"] > 0
    assert summary["wait_weeks_p90"] >= summary["wait_weeks_mean"] * 0.5


def test_timeseries_has_one_row_per_week_per_gemeente(klas_run):
    ts = pd.read_parquet(klas_run / "timeseries.parquet")
    weeks = round(1.5 * 52)
    assert len(ts) == weeks * len(KLAS_GEMEENTEN)
    assert set(ts["gemeente"].astype(str)) == KLAS_GEMEENTEN
    assert sorted(ts["week"].unique().tolist()) == list(range(weeks))
    assert not ts.duplicated(["week", "gemeente"]).any()
    assert (ts.groupby("week", observed=True).size() == len(KLAS_GEMEENTEN)).all()
    for column in ("waiting_list", "in_care", "new_needs", "cost_total"):
        assert column in ts.columns


def test_scenario_toml_holds_the_resolved_run(klas_run):
    written = tomllib.loads((klas_run / "scenario.toml").read_text(encoding="utf-8"))
    assert written["seed"] == 7
    assert written["run"]["years"] == 1.5 and written["run"]["warmup_years"] == 0.5
    assert written["name"] == "klas"
    assert "base" not in written  # fully resolved: no reference to other files
    expected = load_scenario("klas", {"run.warmup_years": 0.5}, years=1.5)
    assert load_scenario(klas_run / "scenario.toml") == expected


def test_scenario_toml_reproduces_the_run_exactly(cli, klas_run, tmp_path):
    again = tmp_path / "again"
    code, _, err = cli("run", klas_run / "scenario.toml", "-q", "--out", again)
    assert code == 0, err
    assert (again / "summary.json").read_bytes() == (klas_run / "summary.json").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(again / "timeseries.parquet"),
                                  pd.read_parquet(klas_run / "timeseries.parquet"))
    assert (again / "scenario.toml").read_text() == (klas_run / "scenario.toml").read_text()


def test_set_overrides_land_in_scenario_toml_and_reproduce(cli, tmp_path):
    out = tmp_path / "out"
    code, _, err = cli("run", "klas", *SHORT_ARGS, "--set", "levers.coordination.queue=central",
                       "--set", "uncertainties.staff_availability=0.9", "--set", "mechanisms.relapse=false",
                       "--out", out)
    assert code == 0, err
    written = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert written["levers"]["coordination"]["queue"] == "central"
    assert written["uncertainties"]["staff_availability"] == 0.9
    assert written["mechanisms"]["relapse"] is False
    again = tmp_path / "again"
    code, _, err = cli("run", out / "scenario.toml", "-q", "--out", again)
    assert code == 0, err
    assert (again / "summary.json").read_bytes() == (out / "summary.json").read_bytes()


def test_seed_option_changes_results(cli, klas_run, tmp_path):
    summaries = {}
    for seed in ("7", "8"):
        out = tmp_path / f"seed{seed}"
        code, _, err = cli("run", "klas", *SHORT_ARGS, "--seed", seed, "--out", out)
        assert code == 0, err
        assert tomllib.loads((out / "scenario.toml").read_text())["seed"] == int(seed)
        summaries[seed] = (out / "summary.json").read_bytes()
    # klas's own seed is 7: --seed 7 is the same run as no --seed
    assert summaries["7"] == (klas_run / "summary.json").read_bytes()
    assert summaries["8"] != summaries["7"]


def test_event_log_writes_events_parquet(cli, tmp_path):
    out = tmp_path / "out"
    code, _, err = cli("run", "klas", *SHORT_ARGS, "--event-log", "--out", out)
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES | {"events.parquet"}
    events = pd.read_parquet(out / "events.parquet")
    assert list(events.columns) == list(COLUMNS)
    assert len(events) > 1000
    # only the warm start's signals lie before week 0 (trajectories already under way)
    assert events["week"].max() <= round(1.5 * 52) - 1
    assert set(events.loc[events["week"] < 0, "activity"]) == {"signaal"}
    assert events["activity"].isin(ACTIVITIES).all() and events["organisation"].str.len().gt(0).all()
    assert events["case_id"].nunique() > 100
    assert (events["activity"] == "signaal").any() and (events["activity"] == "toegang").any()
    assert tomllib.loads((out / "scenario.toml").read_text())["run"]["event_log"] is True


def test_default_output_folder_is_runs_slash_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("run", "klas", *SHORT_ARGS)
    assert code == 0, err
    assert {p.name for p in (tmp_path / "runs" / "klas").iterdir()} == OUTPUT_FILES


def test_run_prints_kpi_table_unless_quiet(cli, tmp_path):
    code, out, _ = cli("run", "klas", "--years", "1.5", "--set", "run.warmup_years=0.5", "--out", tmp_path / "a")
    assert code == 0
    assert "wait" in out and "cost" in out
    code, out, _ = cli("run", "klas", *SHORT_ARGS, "--out", tmp_path / "b")
    assert code == 0 and out == ""


# ------------------------------------------------------------------------------- other commands
def test_scenarios_lists_shipped_scenarios_with_descriptions(cli, monkeypatch):
    # a wide console, so that rich does not fold the descriptions over several lines
    monkeypatch.setattr(cli_module, "out_console", Console(width=400, color_system=None))
    code, out, err = cli("scenarios")
    assert code == 0, err
    lines = out.splitlines()
    for name in ("klas", "default", "nederland"):
        assert name in available_scenarios()
    for name, path in available_scenarios().items():
        description = tomllib.loads(path.read_text(encoding="utf-8"))["description"]
        assert description
        assert any(f" {name} " in line and description in line for line in lines), (name, out)


def test_validate_ok(cli, tmp_path):
    code, out, err = cli("validate", "klas")
    assert code == 0, err
    assert out.startswith("ok") and "klas" in out
    path = tmp_path / "mine.toml"
    path.write_text('base = "klas"\n[levers.coordination]\nqueue = "central"\n', encoding="utf-8")
    code, out, err = cli("validate", path)
    assert code == 0, err
    assert out.startswith("ok") and "mine" in out


def test_validate_bad_file(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('base = "klas"\n[levers.coordination]\nqueue = "sideways"\n', encoding="utf-8")
    line = assert_one_error_line(*cli("validate", path))
    assert str(path) in line and "levers.coordination.queue" in line and "per_aanbieder" in line


def test_validate_missing_file(cli, tmp_path):
    line = assert_one_error_line(*cli("validate", tmp_path / "nothing.toml"))
    assert "nothing.toml" in line and "not found" in line


def test_params_lists_documented_parameters(cli):
    code, out, _ = cli("params", "queue")
    assert code == 0
    # rich folds long keys at narrow widths, so look for parts of the row
    assert "queue" in out and "per_aanbieder" in out and "overlegtafels" not in out


def test_unknown_command(cli):
    line = assert_one_error_line(*cli("frobnicate"))
    assert "frobnicate" in line


# ------------------------------------------------------------------------------- bad input
def _broken_toml(folder: Path) -> Path:
    path = folder / "broken.toml"
    path.write_text('base = "klas"\n[run\n', encoding="utf-8")
    return path


BAD_RUNS: list[tuple[str, list[str], str]] = [
    ("unknown scenario", ["run", "klaas"], "klaas"),
    ("missing file", ["run", "gone/nothing.toml"], "nothing.toml"),
    ("broken toml", ["run", "{broken}"], "TOML"),
    ("unknown --set key", ["run", "klas", "--set", "levers.coordination.queu=central"], "levers.coordination.queu"),
    ("bad --set value", ["run", "klas", "--set", "levers.coordination.queue=sideways"], "per_aanbieder"),
    ("--set out of range", ["run", "klas", "--set", "levers.coordination.role_clarity=2"],
     "levers.coordination.role_clarity"),
    ("--set without =", ["run", "klas", "--set", "levers.coordination.queue"], "key.path=value"),
    ("--set without value", ["run", "klas", "--set"], "--set"),
    ("--set scalar over table", ["run", "klas", "--set", "levers=3"], "levers"),
    ("non-number --years", ["run", "klas", "--years", "abc"], "--years"),
    ("negative --years", ["run", "klas", "--years", "-1"], "--years"),
    ("zero --years", ["run", "klas", "--years", "0"], "years"),
    ("huge --years", ["run", "klas", "--years", "500"], "years"),
    ("--years below warm-up", ["run", "klas", "--years", "0.5"], "warmup_years"),
    ("non-number --seed", ["run", "klas", "--seed", "abc"], "--seed"),
    ("negative --seed", ["run", "klas", "--seed", "-5"], "seed"),
    ("unknown option", ["run", "klas", "--speed", "3"], "--speed"),
    ("extra argument", ["run", "klas", "default"], "default"),
]


@pytest.mark.parametrize(("args", "fragment"), [case[1:] for case in BAD_RUNS], ids=[c[0] for c in BAD_RUNS])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)  # a run that wrongly goes ahead would write runs/ here
    args = [str(_broken_toml(tmp_path)) if a == "{broken}" else a for a in args]
    out = tmp_path / "out"
    line = assert_one_error_line(*cli(*args[:2], "--out", out, *args[2:]))
    assert fragment in line
    assert not out.exists(), "a failed run created its output folder"
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(("args", "fragment"), [
    (["run", "klas", "--set", "levers.coordination.queue=sideways"], "per_aanbieder"),
    (["run", "klas", "--years", "-2"], "--years"),
    (["run", "klaas"], "klaas"),
    (["run", "klas", "--set", "levers=3"], "levers"),
    (["run", "klas", "--bogus"], "--bogus"),
])
def test_failed_run_leaves_existing_output_folder_as_it_was(cli, tmp_path, args, fragment):
    out = tmp_path / "out"
    code, _, err = cli("run", "klas", *SHORT_ARGS, "--seed", "1", "--event-log", "--out", out)
    assert code == 0, err
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    line = assert_one_error_line(*cli(*args, "--out", out))
    assert fragment in line
    assert snapshot(out) == before  # same files, same bytes, untouched; no temp files left


def test_out_that_is_a_file_is_refused_and_kept(cli, tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("keep me", encoding="utf-8")
    line = assert_one_error_line(*cli("run", "klas", *SHORT_ARGS, "--out", target))
    assert "--out" in line and str(target) in line
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_below_a_file_is_one_line_not_a_traceback(cli, tmp_path):
    blocker = tmp_path / "results.txt"
    blocker.write_text("keep me", encoding="utf-8")
    line = assert_one_error_line(*cli("run", "klas", *SHORT_ARGS, "--out", blocker / "run1"))
    assert "results.txt" in line
    assert blocker.read_text(encoding="utf-8") == "keep me"


# ------------------------------------------------------------------------------- the real entry point
def test_entry_point_run_matches_in_process_run(klas_run, tmp_path):
    out = tmp_path / "out"
    done = run_zorgsim("run", "klas", *SHORT_ARGS, "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES
    assert (out / "summary.json").read_bytes() == (klas_run / "summary.json").read_bytes()
    assert (out / "scenario.toml").read_text() == (klas_run / "scenario.toml").read_text()


def test_entry_point_bad_input(tmp_path):
    out = tmp_path / "out"
    done = run_zorgsim("run", "klas", "--set", "levers.coordination.allocation=sideways", "--out", out,
                       cwd=tmp_path)
    line = assert_one_error_line(done.returncode, done.stdout, done.stderr)
    assert "levers.coordination.allocation" in line and "push" in line and "pull" in line
    assert not out.exists()


# ------------------------------------------------------------------------------- a folder holds one run
def test_rerun_into_folder_leaves_no_stale_outputs_of_the_previous_run(cli, tmp_path):
    """After a run, the run's output files in --out all belong to that run (scenario.toml says no
    event log, so an events.parquet from an earlier run must not be left next to it); files that
    are not outputs are the user's and stay."""
    out = tmp_path / "out"
    code, _, err = cli("run", "klas", *SHORT_ARGS, "--seed", "1", "--event-log", "--out", out)
    assert code == 0, err
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = cli("run", "klas", *SHORT_ARGS, "--seed", "2", "--out", out)
    assert code == 0, err
    assert tomllib.loads((out / "scenario.toml").read_text())["run"]["event_log"] is False
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES | {"notes.txt"}


def test_failure_while_writing_leaves_previous_outputs_whole(cli, tmp_path, monkeypatch):
    """A run that fails half-way through writing (disk full) must not leave a folder with the new
    summary.json next to the old timeseries.parquet, and must fail with one line, not a traceback."""
    out = tmp_path / "out"
    code, _, err = cli("run", "klas", *SHORT_ARGS, "--seed", "1", "--out", out)
    assert code == 0, err
    before = snapshot(out)

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    code, out_text, err = cli("run", "klas", *SHORT_ARGS, "--seed", "2", "--out", out)
    assert code not in (0, None)
    assert "Traceback" not in err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert snapshot(out) == before


def test_a_folder_named_like_a_shipped_scenario_does_not_hide_it(tmp_path, monkeypatch):
    # e.g. the folder an earlier `--out default` made: `base = "default"` and `run default` still
    # mean the shipped scenario
    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").mkdir()
    spec = load_scenario("centrale-wachtlijst")
    assert spec.levers.coordination.queue == "central"
    assert load_scenario("default").name == "default"
