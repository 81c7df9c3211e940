"""Faults: damaged and foreign run files, two sweeps at once, failed renames, names that try to
leave the output folder, full and read-only file systems, Ctrl-C while starting, real bugs.

The file-system tests mount a small tmpfs; where the machine does not allow that (not root, no
``mount``) they are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli_helpers import assert_one_error_line, cli, fail_nth_rename, snapshot, tree  # noqa: F401 - cli is a fixture
from test_sweep import _interruptible, _wait_for_first_run, experiment_file
from zorgnetwerk_sim import safeio
from zorgnetwerk_sim.runner import Experiment, load_runs, run_sweep
from zorgnetwerk_sim.runner.sweep import LOCK, SweepStore

SHORT = ("--years", "1.5", "--warmup-years", "0.5", "-q")


def small_experiment(folder: Path, name: str = "faults", reps: int = 2) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f"""
name = "{name}"
base = "klas"
master_seed = 5
replications = {reps}
years = 1.5
warmup_years = 0.5
kpis = ["waitlist_mean", "cost_per_year_eur"]
series = true

[uncertainties]
staff_availability = [0.8, 1.0]
""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """(experiment file, results folder) of a finished 2 × 2 sweep; tests copy the folder."""
    folder = tmp_path_factory.mktemp("finished")
    path = small_experiment(folder)
    run_sweep(Experiment.from_toml(path), folder / "R", workers=1)
    return path, folder / "R"


@pytest.fixture
def results(finished, tmp_path) -> tuple[Path, Path]:
    path, source = finished
    shutil.copytree(source, tmp_path / "R")
    return path, tmp_path / "R"


def run_ids(out: Path) -> list[str]:
    return sorted(p.stem for p in (out / "runs").glob("*.parquet"))


def assert_complete(path: Path, out: Path) -> None:
    exp = Experiment.from_toml(path)
    assert run_ids(out) == sorted(r.run_id for r in exp.runs())
    runs = load_runs(out)
    assert len(runs) == exp.n_runs and runs["run_id"].is_unique
    assert SweepStore(out).read_series()["run_id"].nunique() == exp.n_runs
    assert not [p for p in out.rglob("*") if safeio.is_staging(p)]


def assert_sweep_error(code: int | None, out: str, err: str) -> str:
    """A sweep that fails after it started: its start line, then one error line, exit 2, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip("\n").splitlines()
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], err
    assert len(lines) <= 2, err
    return lines[-1]


def sweep_args(path: Path, out: Path) -> tuple[str, ...]:
    return ("sweep", str(path), "--out", str(out), "--workers", "1", "-q")


# ------------------------------------------------------------------------------- damaged run files
def test_zero_byte_run_file_is_left_out_by_compare_and_redone_by_sweep(cli, results):
    path, out = results
    victim = out / "runs" / f"{run_ids(out)[0]}.parquet"
    victim.write_bytes(b"")  # what a power cut before the data reached the disk leaves
    code, text, err = cli("compare", out)
    assert code == 0, err
    assert "Traceback" not in err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and victim.name in warnings[0] and "empty" in warnings[0]
    assert (out / "report" / "comparison.csv").is_file()
    code, _, err = cli(*sweep_args(path, out))
    assert code == 0, err
    assert "(3 done, 1 to run)" in err
    warning = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "quarantine" in warning[0] and victim.name in warning[0]
    assert_complete(path, out)
    assert (out / "quarantine" / f"runs-{victim.name}").read_bytes() == b""


@pytest.mark.parametrize("damage", ["truncated", "wrong run id", "missing column", "missing series", "a folder"])
def test_a_damaged_run_is_quarantined_and_redone(cli, results, damage):
    path, out = results
    ids = run_ids(out)
    victim = out / "runs" / f"{ids[0]}.parquet"
    if damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:100])
    elif damage == "wrong run id":
        shutil.copy(out / "runs" / f"{ids[1]}.parquet", victim)
    elif damage == "missing column":
        pq.write_table(pq.read_table(victim).drop(["waitlist_mean"]), victim)
    elif damage == "missing series":
        (out / "series" / victim.name).unlink()
    else:  # a folder with a run file's name: pyarrow would read it as a (foreign) data set
        victim.unlink()
        victim.mkdir()
        pq.write_table(pa.table({"x": [1]}), victim / "part.parquet")
    code, _, err = cli(*sweep_args(path, out))
    assert code == 0, err
    assert "(3 done, 1 to run)" in err and "Traceback" not in err
    assert_complete(path, out)
    if damage == "a folder":  # really moved: the next sweep finds every run done
        assert "is a folder" in err and (out / "quarantine" / f"runs-{victim.name}" / "part.parquet").is_file()
        code, _, err = cli(*sweep_args(path, out))
        assert code == 0 and "(4 done, 0 to run)" in err and "warning" not in err, err


def test_foreign_files_in_runs_are_set_aside_not_counted(cli, results):
    path, out = results
    pq.write_table(pa.table({"x": [1, 2]}), out / "runs" / "notes.parquet")
    shutil.copy(next((out / "runs").glob("*.parquet")), out / "runs" / "ffffffffffffffff.parquet")
    (out / "runs" / "readme.txt").write_text("mine", encoding="utf-8")
    code, _, err = cli("compare", out)  # used to fail with KeyError: nan
    assert code == 0, err
    assert "2 file(s)" in err and "left out of this report" in err
    comparison = pd.read_csv(out / "report" / "comparison.csv")
    assert set(comparison["n"]) == {2}  # every design point still has both replications
    code, _, err = cli(*sweep_args(path, out))
    assert code == 0, err
    assert "(4 done, 0 to run)" in err  # not "6 done, -2 to run"
    assert sorted(p.name for p in (out / "quarantine").iterdir()) == ["runs-ffffffffffffffff.parquet",
                                                                    "runs-notes.parquet"]
    assert (out / "runs" / "readme.txt").read_text() == "mine"  # not a Parquet file: not ours, left alone
    assert_complete(path, out)


def test_duplicate_design_points_are_refused_before_anything_is_written(cli, tmp_path, monkeypatch):
    """2 and 2.0 used to give two design points with one run id: '4 runs' stored as 2, never complete."""
    monkeypatch.chdir(tmp_path)
    path = small_experiment(tmp_path, "dupes")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[uncertainties]\nstaff_availability = [0.8, 1.0]", '[levers]\n"trust.informal_contacts_per_year" = [2, 2.0]'),
        encoding="utf-8")
    line = assert_one_error_line(*cli(*sweep_args(path, tmp_path / "out")))
    assert "2 and 2.0" in line and not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------- two sweeps
def test_a_second_sweep_in_a_locked_folder_is_refused_and_writes_nothing(cli, results):
    path, out = results
    (out / "runs" / f"{run_ids(out)[0]}.parquet").unlink()
    before = snapshot(out)
    holder = safeio.FolderLock(out, LOCK, "sweep").acquire()
    try:
        line = assert_one_error_line(*cli(*sweep_args(path, out)))
    finally:
        holder.release()
    assert f"process {os.getpid()}" in line and "in use by another sweep" in line
    after = snapshot(out)
    after.pop(LOCK), before.pop(LOCK)
    assert after == before


def test_a_running_sweep_blocks_a_restarted_one_until_it_is_gone(cli, tmp_path):
    """As after kill -9 of 'uv run': the Python sweep still runs; a new sweep must not run beside it."""
    path = experiment_file(tmp_path, "orphan", reps=30)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", *sweep_args(path, out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_interruptible)
    try:
        _wait_for_first_run(proc, out)
        line = assert_one_error_line(*cli(*sweep_args(path, out)))
        assert f"process {proc.pid}" in line
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    with safeio.FolderLock(out, LOCK, "sweep") as lock:  # gone: the folder is free for a restart
        assert lock.held


# ------------------------------------------------------------------------------- failed writes
@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_a_failed_rename_while_run_writes_keeps_the_previous_outputs(cli, tmp_path, monkeypatch, fail_at):
    out = tmp_path / "out"
    code, _, err = cli("run", "klas", *SHORT, "--seed", "1", "--event-log", "--out", out)
    assert code == 0, err
    before = snapshot(out)
    fail_nth_rename(monkeypatch, fail_at)
    line = assert_one_error_line(*cli("run", "klas", *SHORT, "--seed", "2", "--out", out))
    assert "--out" in line and "Input/output error" in line
    assert snapshot(out) == before  # the old set whole: no new summary.json beside the old time series


def test_a_failed_rename_while_compare_writes_keeps_the_previous_report(cli, results, monkeypatch):
    _, out = results
    code, _, err = cli("compare", out)
    assert code == 0, err
    before = snapshot(out / "report")
    fail_nth_rename(monkeypatch, 4, 28, "No space left on device")
    line = assert_one_error_line(*cli("compare", out, "--baseline", "staff_availability=1"))
    assert "No space left on device" in line
    assert snapshot(out / "report") == before


def test_disk_full_in_the_middle_of_a_sweep_is_one_line_and_resumable(cli, results, monkeypatch):
    from zorgnetwerk_sim.runner import sweep as sweep_module

    path, out = results
    for run_id in run_ids(out)[:3]:
        (out / "runs" / f"{run_id}.parquet").unlink()
    real = sweep_module._write_atomic
    calls = {"n": 0}

    def full(target, table):
        calls["n"] += 1
        if calls["n"] > 3:  # the series, years and run file of one run fit, then the disk is full
            raise OSError(28, "No space left on device", str(target))
        return real(target, table)

    monkeypatch.setattr(sweep_module, "_write_atomic", full)
    line = assert_sweep_error(*cli(*sweep_args(path, out)))
    assert "No space left on device" in line and "2 of 4 runs are stored" in line and "run the same command" in line
    monkeypatch.setattr(sweep_module, "_write_atomic", real)
    code, _, err = cli(*sweep_args(path, out))
    assert code == 0, err
    assert_complete(path, out)


# ------------------------------------------------------------------------------- names that escape
@pytest.mark.parametrize("name", ["{abs}/escaped", "../../escaped", "..", "sub/../../escaped"])
def test_a_scenario_name_never_chooses_where_files_go(cli, tmp_path, monkeypatch, name):
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    name = name.replace("{abs}", str(tmp_path))
    (work / "evil.toml").write_text(f'base = "klas"\nname = {json.dumps(name)}\n', encoding="utf-8")
    code, out, err = cli("run", "evil.toml", *SHORT)
    outside = {str(p) for p in tmp_path.rglob("*") if work not in p.parents and p != work}
    assert outside == {str(tmp_path / "work")}, "something was written outside the working folder"
    if name == "..":
        assert_one_error_line(code, out, err)
        assert tree(work) == {"evil.toml"}
    else:
        assert code == 0, err
        [folder] = (work / "runs").iterdir()
        assert folder.name == safeio.safe_folder_name(name) and (folder / "summary.json").is_file()


def test_an_experiment_name_never_chooses_where_files_go(cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    path = small_experiment(work, name="x", reps=1)
    path.write_text(path.read_text().replace('name = "x"', f'name = "../../{tmp_path.name}-escaped"'))
    code, _, err = cli("sweep", path, "--workers", "1", "-q")
    assert code == 0, err
    assert not (tmp_path.parent / f"{tmp_path.name}-escaped").exists()
    assert [p.name for p in (work / "results").iterdir()] == [f"{tmp_path.name}-escaped"]
    code, _, err = cli("run", "klas", *SHORT, "--set", "name=../../../x")
    assert code == 0, err
    assert (work / "runs" / "x" / "summary.json").is_file()


def test_names_with_markup_and_math_print_and_plot_as_themselves(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.toml").write_text('base = "klas"\nname = "a[/]b [bold]x"\n', encoding="utf-8")
    code, out, err = cli("run", "m.toml", "--years", "1.5", "--warmup-years", "0.5", "--out", "o[/]ut")
    assert code == 0, err
    assert "a[/]b [bold]x" in out and "o[/]ut" in out
    exp = tmp_path / "d.toml"
    exp.write_text('base = "klas"\nmaster_seed = 1\nreplications = 2\nyears = 1.5\nwarmup_years = 0.5\n'
                   'kpis = ["waitlist_mean"]\n[design]\ntype = "variants"\n[[variants]]\nname = "$x$ [/]"\n'
                   '[[variants]]\nname = "b$\\\\frac{"\n[variants.levers]\ncoordination.queue = "central"\n',
                   encoding="utf-8")
    code, _, err = cli("sweep", exp, "--out", "R", "--workers", "1", "-q")
    assert code == 0, err
    code, out, err = cli("compare", "R")
    assert code == 0, err
    assert "$x$ [/]" in out and (tmp_path / "R" / "report" / "kpis.svg").is_file()


def test_run_warmup_years_option_sets_the_warm_up(cli, tmp_path):
    import tomllib

    code, _, err = cli("run", "klas", "--years", "1", "--warmup-years", "0.25", "-q", "--out", tmp_path / "o")
    assert code == 0, err
    written = tomllib.loads((tmp_path / "o" / "scenario.toml").read_text(encoding="utf-8"))
    assert written["run"] == {**written["run"], "years": 1.0, "warmup_years": 0.25}
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert summary["waitlist_mean"] is not None and summary["cost_per_year_eur"] > 0


def test_numpy_numbers_from_code_pass_the_strict_schema_but_text_does_not():
    import numpy as np

    from zorgnetwerk_sim.scenario import ScenarioError, load_scenario

    spec = load_scenario("klas", {"levers.coordination.overlegtafels": np.int64(3),
                                  "levers.coordination.joint_kpis": np.bool_(True),
                                  "uncertainties.staff_availability": np.float64(0.9)})
    c = spec.levers.coordination
    assert (c.overlegtafels, c.joint_kpis, spec.uncertainties.staff_availability) == (3, True, 0.9)
    assert type(c.overlegtafels) is int and type(c.joint_kpis) is bool
    for key, value in (("levers.coordination.joint_kpis", "yes"), ("levers.coordination.overlegtafels", 3.0)):
        with pytest.raises(ScenarioError):
            load_scenario("klas", {key: value})


def test_a_utf8_bom_is_accepted(cli, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + 'base = "klas"\nname = "bom"\n'.encode())
    code, out, err = cli("validate", path)
    assert code == 0 and out.startswith("ok"), err


# ------------------------------------------------------------------------------- small file systems
@contextmanager
def tmpfs(path: Path, size: str, read_only: bool = False):
    """A small tmpfs at ``path`` (skip the test with the reason where it cannot be mounted)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; this machine runs the tests as another user")
    path.mkdir(parents=True)
    options = f"size={size}" + (",ro" if read_only else "")
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "zorgsim-test", str(path)],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        pytest.skip(f"cannot mount a tmpfs here: {err}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def test_run_into_a_mount_point_works(cli, tmp_path):
    """--out at a mount point (a container volume): staging beside it would cross devices."""
    with tmpfs(tmp_path / "volume", "16m") as volume:
        code, _, err = cli("run", "klas", *SHORT, "--out", volume)
        assert code == 0, err
        assert {p.name for p in volume.iterdir()} == {"summary.json", "timeseries.parquet", "scenario.toml"}


def test_full_file_system_is_one_line_and_leaves_nothing_half_written(cli, tmp_path, finished):
    path, results = finished
    with tmpfs(tmp_path / "full", "16k") as full:
        line = assert_one_error_line(*cli("run", "klas", *SHORT, "--out", full / "out"))
        assert "No space left on device" in line
        assert tree(full) == set()  # the staging folder and the folder it created are gone
        line = assert_sweep_error(*cli("sweep", path, "--out", full / "R", "--workers", "1", "-q"))
        assert "No space left on device" in line and "run the same command again" in line
        assert not [p for p in full.rglob("*") if safeio.is_staging(p)]
        line = assert_one_error_line(*cli("compare", results, "--out", full / "report"))
        assert "No space left on device" in line
        assert not (full / "report").exists()


def test_read_only_file_system_is_refused_before_anything_runs(cli, tmp_path, finished):
    path, results = finished
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as ro:
        for args in (("run", "klas", *SHORT, "--out", ro / "out"),
                     ("sweep", path, "--out", ro / "R", "--workers", "1", "-q"),
                     ("compare", results, "--out", ro / "report")):
            line = assert_one_error_line(*cli(*args))
            assert "read-only file system" in line and str(ro) in line, args


# ------------------------------------------------------------------------------- the handler
def test_ctrl_c_while_the_command_loads_is_one_line(monkeypatch, capsys):
    from zorgnetwerk_sim import entry

    class Interrupt:
        def find_spec(self, name, *args):
            if name == "zorgnetwerk_sim.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "zorgnetwerk_sim.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupt(), *sys.meta_path])
    with pytest.raises(SystemExit) as done:
        entry.main()
    assert done.value.code == 130
    assert capsys.readouterr().err == "aborted\n"


def test_a_real_bug_is_one_line_and_debug_shows_the_traceback(cli, monkeypatch):
    from zorgnetwerk_sim import api

    def bug(self, progress=None):
        raise ZeroDivisionError("a bug in the model")

    monkeypatch.setattr(api.Simulation, "run", bug)
    code, _, err = cli("run", "klas", *SHORT)
    assert code == 1 and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert "internal error" in line and "ZeroDivisionError" in line and "--debug" in line
    code, _, err = cli("run", "klas", *SHORT, "--debug")
    assert code == 1 and "Traceback" in err and "ZeroDivisionError: a bug in the model" in err


def test_an_os_error_anywhere_is_one_line(cli, tmp_path, monkeypatch):
    from zorgnetwerk_sim.scenario import loader

    def denied(path, error=None):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(loader, "read_toml_file", denied)
    line = assert_one_error_line(*cli("validate", "klas"))
    assert "klas.toml: Permission denied" in line


# ------------------------------------------------------------------------------- stopped by a signal
def _stoppable() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as in a terminal (a background shell ignores SIGINT)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_says_so_and_writes_nothing(tmp_path, signum):
    """Ctrl-C or SIGTERM (a service manager, kill) while 'zorgsim run' simulates: one closing line that says
    nothing was written, exit 128 + the signal, no output folder."""
    out = tmp_path / "out"
    spool = tmp_path / "tmp"  # the event log spools there once the model runs
    spool.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "run", "klas", "--years", "60", "-q",
                             "--event-log", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=_stoppable, cwd=tmp_path,
                            env={**os.environ, "TMPDIR": str(spool)})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not list(spool.glob("zorgsim-events-*")):
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.5)  # well inside the simulation: a 60-year run takes far longer
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in err.decode() and len(lines) == 1, err
    assert lines[-1].startswith("interrupted:" if signum == signal.SIGINT else "stopped (SIGTERM):"), lines
    assert "nothing was written" in lines[-1]
    assert not out.exists() and not list(spool.iterdir())  # the event log's spool removed too


def test_sigterm_of_a_running_sweep_ends_with_one_closing_line(tmp_path):
    """kill -TERM of a parallel sweep: the workers stop, the last line says how many runs are stored (no
    resource_tracker warning after it), exit 143, no temporary files; the same command finishes the rest."""
    path = experiment_file(tmp_path, "terminated", reps=6)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "2", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=_stoppable)
    try:
        _wait_for_first_run(proc, out)
        proc.send_signal(signal.SIGTERM)  # to the sweep only, as kill PID does
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    text = err.decode()
    assert proc.returncode == 143, text
    last = text.strip().splitlines()[-1]
    assert last.startswith("stopped (SIGTERM):") and "run the same command again" in last, text
    assert "resource_tracker" not in text and "Traceback" not in text and "leaked" not in text, text
    assert not [p for p in out.rglob("*") if safeio.is_staging(p)]


# ------------------------------------------------------------------------------- left-over staging folders
def test_a_killed_runs_staging_folder_is_cleared_by_the_next_run_but_not_a_live_one(cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f".zorgsim-{_dead_pid()}-x1.tmp"  # killed before it locked its folder: judged by its pid
    dead.mkdir()
    (dead / "summary.json").write_text("{}", encoding="utf-8")
    unlocked = out / ".zorgsim-1-x2.tmp"  # pid 1 lives, but the owner lock is free: its writer is gone
    unlocked.mkdir()
    (unlocked / safeio.STAGING_OWNER).write_text("1\n", encoding="utf-8")
    live = out / f".zorgsim-{os.getpid()}-x3.tmp"  # a writer that holds its lock
    live.mkdir()
    import fcntl

    fd = os.open(live / safeio.STAGING_OWNER, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    unknown = out / ".zorgsim-abc.tmp"  # no pid, no lock: cannot tell, left alone
    unknown.mkdir()
    try:
        code, _, err = cli("run", "klas", *SHORT, "--out", out)
        assert code == 0, err
        assert not dead.exists() and not unlocked.exists()
        assert live.is_dir() and unknown.is_dir()
        assert (out / "summary.json").is_file()
    finally:
        os.close(fd)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
