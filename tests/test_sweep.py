"""Sweeps: identical results serially, in a process pool and on a Dask cluster; resume after kill -9 / Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from zorgnetwerk_sim import cli
from zorgnetwerk_sim.runner import Experiment, load_runs
from zorgnetwerk_sim.runner.sweep import SweepStore

EXPERIMENT = """
name = "{name}"
base = "klas"
master_seed = 2024
replications = {reps}
years = 1.5
warmup_years = 0.5
kpis = ["waitlist_mean", "placements_per_year", "cost_per_year_eur", "wait_weeks_mean"]
series = true

[uncertainties]
staff_availability = [0.8, 1.0]
"""


def experiment_file(tmp_path: Path, name: str = "sweeptest", reps: int = 2) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(EXPERIMENT.format(name=name, reps=reps), encoding="utf-8")
    return path


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["elapsed_s", "cpu_s"]).sort_values("run_id").reset_index(drop=True)


def no_temp_files(out: Path) -> bool:
    return not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_serial_parallel_and_dask_give_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")  # a dev dependency: always installed for the tests
    exp = Experiment.from_toml(experiment_file(tmp_path))
    serial = exp.run(workers=1, out=tmp_path / "serial")
    parallel = exp.run(workers=2, out=tmp_path / "parallel")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = exp.run(executor="dask", scheduler=cluster.scheduler_address, out=tmp_path / "dask")
    assert len(serial) == exp.n_runs == 4
    assert set(serial["run_id"]) == {r.run_id for r in exp.runs()}
    pd.testing.assert_frame_equal(comparable(serial), comparable(parallel))
    pd.testing.assert_frame_equal(comparable(serial), comparable(dask))
    # common random numbers: both design points ran with the same seed in each replication
    assert serial.groupby("replication")["seed"].nunique().eq(1).all()
    assert serial["seed"].nunique() == 2
    assert serial["waitlist_mean"].nunique() == 4  # and the runs did differ
    series = {name: SweepStore(tmp_path / name).read_series().sort_values(["run_id", "week"]).reset_index(drop=True)
              for name in ("serial", "parallel", "dask")}
    pd.testing.assert_frame_equal(series["serial"], series["parallel"])
    pd.testing.assert_frame_equal(series["serial"], series["dask"])
    assert len(series["serial"]) == 4 * 78 and {"wachtlijst", "uithuisplaatsingen", "kosten"} <= set(series["serial"])
    # the stored values are the model's own: one run repeated through the public API matches
    from zorgnetwerk_sim import run

    row = serial.iloc[0]
    again = run(exp.scenario(int(row["point_index"]), int(row["replication"])))
    assert again.summary["waitlist_mean"] == row["waitlist_mean"]
    weekly = again.timeseries.groupby("week")[["waiting_list", "waiting_expertteam"]].sum().sum(axis=1)
    mine = series["serial"][series["serial"]["run_id"] == row["run_id"]]["wachtlijst"].to_numpy()
    assert (weekly.to_numpy() == mine).all()


def _interruptible() -> None:
    # A shell that starts the test run in the background (CI, `cmd &`) ignores SIGINT, and an
    # ignored signal is inherited: give the sweep the default Ctrl-C behaviour a terminal has.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep(path: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "2", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=_interruptible)


def _wait_for_first_run(proc: subprocess.Popen[bytes], out: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (out / "runs").is_dir() and any((out / "runs").glob("*.parquet")):
            return
        if proc.poll() is not None:
            raise AssertionError(f"sweep ended early: {proc.communicate()}")
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("no run finished in time")


def _group_gone(pgid: int, timeout: float = 90) -> bool:
    """True when no process of the sweep's process group is left (workers exited on their own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # pragma: no cover - zombie owned elsewhere
            return True
        time.sleep(0.1)
    os.killpg(pgid, signal.SIGKILL)  # do not leave anything running, then fail
    return False


def _finish_and_check(path: Path, out: Path, before: dict[str, tuple[int, int]], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    captured = capsys.readouterr()
    assert exc.value.code == 0, captured
    exp = Experiment.from_toml(path)
    assert f"({len(before)} done, {exp.n_runs - len(before)} to run)" in captured.err
    files = sorted(p.stem for p in (out / "runs").glob("*.parquet"))
    assert files == sorted(r.run_id for r in exp.runs())  # every run exactly once
    assert no_temp_files(out)
    for name, stamp in before.items():  # finished runs were not run or written again
        stat = (out / "runs" / f"{name}.parquet").stat()
        assert (stat.st_ino, stat.st_mtime_ns) == stamp
    runs = load_runs(out)
    assert len(runs) == exp.n_runs and runs["run_id"].is_unique
    series = SweepStore(out).read_series()
    assert series.groupby("run_id").size().eq(78).all() and series["run_id"].nunique() == exp.n_runs


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "runs").glob("*.parquet")}


def test_resume_after_kill_9_finishes_only_the_missing_runs(tmp_path, capsys):
    path = experiment_file(tmp_path, "killed", reps=6)
    out = tmp_path / "out"
    proc = _start_sweep(path, out)
    _wait_for_first_run(proc, out)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert _group_gone(proc.pid), "pool workers outlived the killed sweep"
    before = _stamps(out)
    assert 1 <= len(before) < 12
    (out / "runs" / ".0123456789abcdef.999.tmp").write_bytes(b"PAR1 half a file")  # as if killed mid-write
    _finish_and_check(path, out, before, capsys)


def test_ctrl_c_stops_workers_and_resume_completes(tmp_path, capsys):
    path = experiment_file(tmp_path, "interrupted", reps=6)
    out = tmp_path / "out"
    proc = _start_sweep(path, out)
    _wait_for_first_run(proc, out)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 130, err
    assert b"interrupted:" in err and b"run the same command again" in err and b"Traceback" not in err
    assert _group_gone(proc.pid)
    assert no_temp_files(out)
    before = _stamps(out)
    assert 1 <= len(before) < 12
    _finish_and_check(path, out, before, capsys)


def test_rerunning_a_finished_sweep_runs_nothing(tmp_path, capsys):
    path = experiment_file(tmp_path, "twice", reps=1)
    out = tmp_path / "out"
    for expected in ("(0 done, 2 to run)", "(2 done, 0 to run)"):
        with pytest.raises(SystemExit) as exc:
            cli.main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
        assert exc.value.code == 0
        assert expected in capsys.readouterr().err
    assert len(load_runs(out)) == 2


def test_a_sweep_killed_while_it_started_can_be_started_again(tmp_path, capsys):
    path = experiment_file(tmp_path, "early", reps=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".experiment.json.4242.tmp").write_text("{half", encoding="utf-8")  # killed while writing the record
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    assert exc.value.code == 0, capsys.readouterr().err
    assert len(load_runs(out)) == 2 and no_temp_files(out)


def test_resuming_with_changed_model_code_warns_and_the_report_says_so(tmp_path, capsys, monkeypatch):
    from zorgnetwerk_sim.runner import sweep as sweep_module
    from zorgnetwerk_sim.runner import write_report

    path = experiment_file(tmp_path, "versions", reps=1)
    out = tmp_path / "out"
    with pytest.raises(SystemExit):
        cli.main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    first = load_runs(out)
    assert first["model_code"].nunique() == 1 and first["model_code"].iloc[0] == sweep_module.model_code()
    (out / "runs" / f"{first['run_id'].iloc[1]}.parquet").unlink()  # as if the sweep had stopped early
    monkeypatch.setattr(sweep_module, "model_code", lambda: "0123456789ab")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    assert exc.value.code == 0
    assert "warning: the model code changed since this sweep started" in capsys.readouterr().err
    assert sorted(load_runs(out)["model_code"]) == sorted([first["model_code"].iloc[0], "0123456789ab"])
    md = (write_report(out).folder / "report.md").read_text(encoding="utf-8")
    assert "the runs come from 2 versions of the model code" in md
