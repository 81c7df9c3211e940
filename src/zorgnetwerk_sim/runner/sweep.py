"""Running an experiment: executors (serial, process pool, Dask), the on-disk store, and resume.

Every finished run becomes one small Parquet file, ``runs/<run_id>.parquet`` (one row: ids,
seed, factor values, KPIs), ``years/<run_id>.parquet`` (the same KPIs for each year after
warm-up, one row per year: :func:`metrics.summarize_years`) and, when the experiment keeps weekly
series, ``series/<run_id>.parquet``. Each file is written under a hidden temporary name in the
same folder, flushed to disk (file and folder) and renamed into place, the series and years files
before the run file, so a run counts as done exactly when its run file exists. The parent process writes the
files as results arrive and keeps nothing else, so memory stays flat however many runs there are.

One sweep at a time works in a folder: it holds an exclusive lock on ``sweep.lock`` and a second
one is refused with a line naming the first one's process. A sweep that is stopped at any
moment (Ctrl-C, ``kill -9``, a lost cluster, a power cut) and started again with the same
command checks every run file (readable, its own run id, the expected columns, a run of this
experiment), moves unusable ones to ``quarantine/``, removes left-over temporary files and runs
what is missing. ``experiment.json`` records the experiment's fingerprint; a folder that holds
another experiment is refused before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..safeio import (MAX_WORKERS, FolderLock, InputError, OutputError, check_output_folder, is_staging, write_atomic,
                      write_text_atomic)
from ..workers import init_worker, spawning
from .experiment import Experiment, ExperimentError, RunSpec

MANIFEST = "experiment.json"
RUNS = "runs"
SERIES = "series"
YEARS = "years"
QUARANTINE = "quarantine"
LOCK = "sweep.lock"
FORMAT = 1
EXECUTORS = ("local", "dask")
#: Columns every run row starts with.
META_COLUMNS = ("run_id", "point_index", "point", "replication", "seed")
#: Columns every run row ends with (bookkeeping, not KPIs).
TAIL_COLUMNS = ("elapsed_s", "cpu_s", "model_code")


@lru_cache(maxsize=1)
def model_code() -> str:
    """A short hash of the model's source (the package without runner/ and cli.py): which code made a run."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("runner/") or rel == "cli.py":
            continue
        digest.update(rel.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class SweepError(RuntimeError):
    """A run failed while the sweep was running (the message names the run)."""


# ---------------------------------------------------------------------------------------------
# One run (executed in a worker: a process of the pool, a Dask worker, or this process)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs; plain data, so it pickles to any process or machine."""

    run_id: str
    point_index: int
    point: str
    replication: int
    seed: int
    scenario: dict[str, Any]  # the resolved scenario (JSON-able), seed included
    factors: tuple[str, ...]
    kpis: tuple[str, ...] | None
    series: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class RunOutput:
    run_id: str
    row: dict[str, Any]
    series: dict[str, np.ndarray] | None = None
    #: The kept KPIs of each year after warm-up (one dict per year), or None.
    years: list[dict[str, float]] | None = None


#: What runs one task: ``execute_run`` (the model) unless a sweep is given another (module-level) function.
RunFunction = Callable[[RunTask], RunOutput]


def execute_run(task: RunTask) -> RunOutput:
    """Run one scenario and keep what the experiment asks for (module-level: spawn- and Dask-safe)."""
    from ..api import Simulation
    from ..metrics import summarize_years
    from ..scenario import Scenario

    started = time.perf_counter()
    cpu_started = time.process_time()
    scenario = Scenario.model_validate(task.scenario)
    simulation = Simulation(scenario)
    result = simulation.run()
    years = summarize_years(simulation.model.recorder)
    series = None
    if task.series:
        ts = result.timeseries
        columns = sorted({c for _, cols in task.series for c in cols})
        weekly = ts.groupby("week", sort=True, observed=True)[columns].sum()
        series = {"week": weekly.index.to_numpy(dtype=np.int32)}
        for name, cols in task.series:
            series[name] = weekly[list(cols)].sum(axis=1).to_numpy(dtype=np.float64)
    return run_output(task, result.summary, series, started, cpu_started, years)


def run_output(task: RunTask, summary: dict[str, float], series: dict[str, np.ndarray] | None = None,
               started: float | None = None, cpu_started: float | None = None,
               years: list[dict[str, float]] | None = None) -> RunOutput:
    """The stored result of one run: ids, seed, the factor values, the kept KPIs from ``summary``, timings,
    and (given ``years``, from :func:`metrics.summarize_years`) the kept KPIs of each year after warm-up.

    ``execute_run`` builds its output with it; so can another run function given to a sweep
    (``run_fn=``), for instance a fast test function in place of the model.
    """
    row: dict[str, Any] = {"run_id": task.run_id, "point_index": task.point_index, "point": task.point,
                           "replication": task.replication, "seed": task.seed}
    for key in task.factors:
        node: Any = task.scenario
        for part in key.split("."):
            node = node[part]
        row[key] = node
    names = task.kpis if task.kpis is not None else tuple(summary)
    for name in names:
        row[name] = float(summary.get(name, float("nan")))
    row["elapsed_s"] = time.perf_counter() - started if started is not None else 0.0
    row["cpu_s"] = time.process_time() - cpu_started if cpu_started is not None else 0.0
    row["model_code"] = model_code()  # computed where the run ran: a cluster worker reports its own code
    kept_years = None
    if years is not None:
        from ..metrics import WEIGHT_PREFIX

        keep = {"year", "years_measured", *names, *(WEIGHT_PREFIX + n for n in names)}
        kept_years = [{k: int(v) if k == "year" else float(v) for k, v in year.items() if k in keep} for year in years]
    return RunOutput(task.run_id, row, series, kept_years)


def make_tasks(experiment: Experiment, runs: Iterable[RunSpec]) -> Iterator[RunTask]:
    """Tasks for the given runs (built lazily: one resolved scenario at a time)."""
    factors = tuple(experiment.factor_keys)
    kpis = tuple(experiment.kpis) if experiment.kpis is not None else None
    series = tuple((name, tuple(spec["columns"])) for name, spec in experiment.series.items())
    for run in runs:
        scenario = experiment.scenario(run.point_index, run.replication).model_dump(mode="json")
        yield RunTask(run.run_id, run.point_index, run.point, run.replication, run.seed, scenario, factors, kpis,
                      series)


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------
def _write_atomic(target: Path, table: pa.Table) -> None:
    """Write ``table`` under a hidden temporary name next to ``target``, flush it to disk, rename it."""
    write_atomic(target, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def _is_temporary(path: Path) -> bool:
    return is_staging(path)


def _read_one(path: Path, required: Iterable[str]) -> tuple[pa.Table | None, str]:
    """A run file as a table, or None and why it cannot be used (unreadable, not one run, wrong id)."""
    if path.is_dir():  # pq.read_table would read a folder as a data set
        return None, "is a folder, not a file"
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        return None, "is missing"
    except (OSError, ValueError, pa.ArrowException):
        empty = path.is_file() and path.stat().st_size == 0
        return None, "is empty (0 bytes)" if empty else "is not a readable Parquet file"
    missing = [c for c in required if c not in table.column_names]
    if missing:
        return None, f"has no {missing[0]!r} column"
    if table.num_rows == 0:
        return None, "holds no rows"
    ids = set(table.column("run_id").to_pylist())
    if ids != {path.stem}:
        return None, f"holds run id {', '.join(sorted(map(str, ids)))[:40]!r}, not {path.stem!r}"
    return table, ""


@dataclass
class Scan:
    """The run files of a results folder: the usable ones by run id, and the others with the reason."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def warning(self, action: str) -> str | None:
        """One line about the unusable files (None if there are none)."""
        if not self.problems:
            return None
        path, reason = self.problems[0]
        more = f" and {len(self.problems) - 1} more" if len(self.problems) > 1 else ""
        return (f"{len(self.problems)} file(s) in {path.parent} cannot be used ({path.name}: {reason}{more}); "
                f"{action}")


# ---------------------------------------------------------------------------------------------
# experiment.json, checked whenever it is read back
# ---------------------------------------------------------------------------------------------
class _Open(BaseModel):
    """A recorded table: the keys the tools read, with their types; other keys are allowed."""

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)


class _RecordedFactor(_Open):
    key: str
    group: str
    kind: str
    label: str
    values: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    levels: int | None = None


class _RecordedPoint(_Open):
    index: int = Field(ge=0)
    name: str
    params: dict[str, Any]
    description: str = ""


class _RecordedBase(_Open):
    name: str | None = None


class _RecordedDesign(_Open):
    type: Literal["full_factorial", "latin_hypercube", "variants", "morris", "sobol", "futures"]


class _RecordedExperiment(_Open):
    name: str = Field(min_length=1)
    description: str = ""
    base: _RecordedBase
    master_seed: int = Field(ge=0)
    replications: int = Field(ge=1)
    years: float = Field(gt=0)
    warmup_years: float = Field(ge=0)
    design: _RecordedDesign
    factors: list[_RecordedFactor]
    points: list[_RecordedPoint] = Field(min_length=1)
    baseline: str | None = None
    kpis: list[str] | None = None
    series: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> "_RecordedExperiment":
        if not self.warmup_years < self.years:
            raise ValueError(f"warmup_years ({self.warmup_years}) is not shorter than years ({self.years})")
        names: set[str] = set()
        for i, point in enumerate(self.points):
            if point.name in names:
                raise ValueError(f"points[{i}]: the design point name {point.name!r} is used twice")
            names.add(point.name)
        if self.baseline is not None and self.baseline not in names:
            raise ValueError(f"baseline {self.baseline!r} is not one of the points")
        return self


class _Record(_Open):
    format: Literal[1]
    fingerprint: str = Field(min_length=1)
    experiment: _RecordedExperiment
    model_code: str | None = None
    n_runs: int | None = None


def check_record(data: Any, source: str) -> dict[str, Any]:
    """``data`` (a parsed experiment.json) if it is a zorgsim experiment record, else one ExperimentError
    line naming ``source`` and the first wrong key."""
    from .experiment import _format_error

    if not isinstance(data, dict):
        raise ExperimentError(f"{source}: not a zorgsim experiment record (expected a JSON object, got "
                              f"{type(data).__name__})")
    try:
        _Record.model_validate(data)
    except ValidationError as err:
        line = _format_error(err, source, _Record).removeprefix(f"{source}: ")
        raise ExperimentError(f"{source}: not a zorgsim experiment record ({line}); it is damaged or was written "
                              f"by another program: run 'zorgsim sweep' into a new --out") from None
    return data


class SweepStore:
    """The results folder of one experiment: experiment.json, runs/*.parquet, series/*.parquet.

    A run file counts only when it can be read, holds exactly its own run (the run id in the
    file is the one in its name), has the expected columns and, for :meth:`open`, is a run of the
    experiment; the others are moved to ``quarantine/`` (sweep) or skipped (compare), with one
    warning line.
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.runs_dir = self.out / RUNS
        self.series_dir = self.out / SERIES
        self.years_dir = self.out / YEARS
        self.manifest_path = self.out / MANIFEST
        self.quarantine_dir = self.out / QUARANTINE
        self.lock = FolderLock(self.out, LOCK, "sweep")
        #: Files :meth:`read_runs` / :meth:`read_series` skipped, with the reason.
        self.skipped = Scan()
        self._manifest: tuple[tuple[int, int, int], dict[str, Any]] | None = None  # checked, by file identity

    # -- checks (read-only) -------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """The recorded experiment; ExperimentError if this is not a results folder."""
        if not self.manifest_path.is_file():
            raise ExperimentError(f"{self.out}: not a sweep results folder (no {MANIFEST}); "
                                  "run 'zorgsim sweep EXPERIMENT --out DIR' first")
        try:
            stat = self.manifest_path.stat()
            key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if self._manifest is not None and self._manifest[0] == key:
                return self._manifest[1]
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as err:
            raise ExperimentError(f"{self.manifest_path}: cannot read: {' '.join(str(err).split())}") from None
        data = check_record(data, str(self.manifest_path))
        self._manifest = (key, data)
        return data

    def check(self, experiment: Experiment) -> None:
        """Refuse a folder that is a file, holds something else, or holds another experiment."""
        try:
            check_output_folder(self.out)
        except OutputError as err:
            raise OutputError(f"--out {err}") from None
        if not self.out.exists() or not any(not _is_temporary(p) and p.name != LOCK for p in self.out.iterdir()):
            return  # new, empty, or only what a sweep killed while it started left behind
        if not self.manifest_path.is_file():
            raise ExperimentError(f"--out {self.out}: folder is not empty and holds no sweep results "
                                  f"(no {MANIFEST}); choose another --out")
        recorded = self.manifest()
        if recorded["fingerprint"] != experiment.fingerprint:
            other = recorded["experiment"].get("name", "?")
            raise ExperimentError(
                f"--out {self.out}: holds results of a different experiment ({other!r}, fingerprint "
                f"{str(recorded['fingerprint'])[:12]}; this one is {experiment.name!r}, "
                f"{experiment.fingerprint[:12]}); choose another --out or delete that folder")

    # -- writing ------------------------------------------------------------------------------
    def open(self, experiment: Experiment) -> Scan:
        """Lock and create or reopen the folder for ``experiment``; returns the finished runs.

        Takes the folder's lock (another sweep in the same folder is refused with a line naming
        its process), records the experiment, removes temporary files of a killed sweep and moves
        unusable run files to ``quarantine/`` so that their runs are done again.
        """
        self.check(experiment)
        self.lock.acquire()
        self.check(experiment)  # again: another sweep may have started this folder meanwhile
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        if experiment.series:
            self.series_dir.mkdir(exist_ok=True)
        if not self.manifest_path.is_file():
            record = {"format": FORMAT, "fingerprint": experiment.fingerprint,
                      "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      "model_code": model_code(),
                      "n_runs": experiment.n_runs, "experiment": experiment.describe()}
            write_text_atomic(self.manifest_path, json.dumps(record, indent=1, ensure_ascii=False, default=str))
        self.clean_temporary()
        expected = {run.run_id for run in experiment.runs()}
        required = [*META_COLUMNS, *experiment.factor_keys, *(experiment.kpis or ()), *TAIL_COLUMNS]
        series = [*experiment.series]
        scan = self.scan(required, lambda t, path: "" if path.stem in expected else "is not a run of this experiment",
                         series)
        for path, _ in scan.problems:
            self._quarantine(path)
            self._quarantine(self.years_dir / path.name)
            if series:
                self._quarantine(self.series_dir / path.name)
        return scan

    def close(self) -> None:
        """Release the folder's lock."""
        self.lock.release()

    def _quarantine(self, path: Path) -> None:
        """Move an unusable run, series or years file aside — also a folder or link with a run file's name."""
        if not os.path.lexists(path):
            return
        self.quarantine_dir.mkdir(exist_ok=True)
        target = self.quarantine_dir / f"{path.parent.name}-{path.name}"
        n = 1
        while os.path.lexists(target):
            target = self.quarantine_dir / f"{path.parent.name}-{path.stem}.{n}{path.suffix}"
            n += 1
        os.replace(path, target)

    def clean_temporary(self) -> int:
        """Remove temporary files a killed sweep left behind; returns how many."""
        removed = 0
        for folder in (self.out, self.runs_dir, self.series_dir, self.years_dir):
            if folder.is_dir():
                for path in folder.glob(".*.tmp"):
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def done_ids(self) -> set[str]:
        """The names of the run files (not checked; see :meth:`scan`)."""
        return {p.stem for p in self._run_files()}

    def _run_files(self) -> list[Path]:
        return sorted(p for p in self.runs_dir.glob("*.parquet") if not p.name.startswith(".")) \
            if self.runs_dir.is_dir() else []

    def write(self, output: RunOutput) -> None:
        """Store one run: its series first, then its run row (which marks it done)."""
        if output.series is not None:
            n = len(output.series["week"])
            columns: dict[str, Any] = {"run_id": [output.run_id] * n,
                                       "point_index": np.full(n, output.row["point_index"], dtype=np.int32),
                                       "point": [output.row["point"]] * n,
                                       "replication": np.full(n, output.row["replication"], dtype=np.int32),
                                       **output.series}
            _write_atomic(self.series_dir / f"{output.run_id}.parquet", pa.table(columns))
        if output.years is not None:
            self.years_dir.mkdir(exist_ok=True)
            n = len(output.years)
            ids = {"run_id": [output.run_id] * n,
                   "point_index": np.full(n, output.row["point_index"], dtype=np.int32),
                   "point": [output.row["point"]] * n,
                   "replication": np.full(n, output.row["replication"], dtype=np.int32)}
            table = pa.Table.from_pylist(output.years)
            for i, (name, values) in enumerate(ids.items()):
                table = table.add_column(i, name, pa.array(values))
            _write_atomic(self.years_dir / f"{output.run_id}.parquet", table)
        _write_atomic(self.runs_dir / f"{output.run_id}.parquet", pa.Table.from_pylist([output.row]))

    # -- reading ------------------------------------------------------------------------------
    def scan(self, required: Iterable[str] = META_COLUMNS,
             accept: Callable[[pa.Table, Path], str] | None = None, series: Iterable[str] = ()) -> Scan:
        """Read every run file; sort them into usable ones and problems (``accept`` returns a reason or '').

        With ``series`` (the names of kept weekly series), a run also needs a readable series file.
        """
        required = tuple(dict.fromkeys(required))
        series = tuple(series)
        out = Scan()
        for path in self._run_files():
            table, reason = _read_one(path, required)
            if table is not None and accept is not None:
                reason = accept(table, path)
            if not reason and series:
                series_table, why = _read_one(self.series_dir / path.name, ("run_id", "week", *series))
                reason = f"its series file {why}" if series_table is None else ""
            if reason or table is None:
                out.problems.append((path, reason))
            else:
                out.tables[path.stem] = table
        return out

    def _accept_recorded(self) -> Callable[[pa.Table, Path], str]:
        """Compare's check: the run's design point and replication are in experiment.json."""
        exp = self.manifest()["experiment"]
        points = {p.get("name") for p in exp.get("points", []) if isinstance(p, dict)}
        replications = exp.get("replications")

        def accept(table: pa.Table, path: Path) -> str:
            point = table.column("point")[0].as_py()
            replication = table.column("replication")[0].as_py()
            if point not in points:
                return f"design point {point!r} is not in {MANIFEST}"
            if not isinstance(replication, int) or not (
                    isinstance(replications, int) and 0 <= replication < replications):
                return f"replication {replication!r} is not in {MANIFEST}"
            return ""

        return accept

    def read_runs(self) -> pd.DataFrame:
        """All usable runs as one DataFrame (one row per run), in design order; see :attr:`skipped`."""
        scan = self.scan(accept=self._accept_recorded() if self.manifest_path.is_file() else None)
        self.skipped = scan
        if not scan.tables:
            return pd.DataFrame(columns=list(META_COLUMNS))
        df = pa.concat_tables(list(scan.tables.values()), promote_options="default").to_pandas()
        return df.sort_values(["point_index", "replication"], kind="stable").reset_index(drop=True)

    def read_years(self) -> pd.DataFrame | None:
        """The KPIs of each year after warm-up of the usable runs (one row per run per year; ``year``
        1, 2, …), or None when no run has them. A run without its years file has no rows here."""
        return self._read_per_run(self.years_dir, "year")

    def read_series(self) -> pd.DataFrame | None:
        """The kept weekly series of the usable runs (one row per run per week), or None."""
        return self._read_per_run(self.series_dir, "week")

    def _read_per_run(self, folder: Path, step: str) -> pd.DataFrame | None:
        """One table of the per-run files in ``folder`` (one row per run per ``step``) of the usable
        runs; a file whose run row was never written is not a result."""
        if not folder.is_dir():
            return None
        done = set(self.scan(accept=self._accept_recorded() if self.manifest_path.is_file() else None).tables)
        tables = []
        for run_id in sorted(done):
            table, _ = _read_one(folder / f"{run_id}.parquet", ("run_id", step))
            if table is not None:
                tables.append(table)
        if not tables:
            return None
        df = pa.concat_tables(tables, promote_options="default").to_pandas()
        return df.sort_values(["point_index", "replication", step], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Executors: each yields RunOutputs as runs finish
# ---------------------------------------------------------------------------------------------


def _iter_serial(tasks: Iterator[RunTask], run_fn: RunFunction) -> Iterator[RunOutput]:
    for task in tasks:
        yield _guarded(task, lambda t=task: run_fn(t))


def _guarded(task: RunTask, call: Callable[[], RunOutput]) -> RunOutput:
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BrokenProcessPool as err:
        raise SweepError(f"a worker process died while running run {task.run_id} ({task.point!r}, replication "
                         f"{task.replication}); out of memory? Finished runs are stored: run the same command "
                         "again to resume") from err
    except Exception as err:  # noqa: BLE001 - any model failure is reported with the run it hit
        raise SweepError(f"run {task.run_id} ({task.point!r}, replication {task.replication}, seed {task.seed}) "
                         f"failed: {type(err).__name__}: {err}") from err


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The runner's pool of spawned worker processes (Ctrl-C and the parent's death handled)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=init_worker,
                               initargs=(os.getpid(),))


def run_tasks(tasks: Iterable[RunTask], workers: int = 1, pool: ProcessPoolExecutor | None = None,
              run_fn: RunFunction = execute_run) -> Iterator[RunOutput]:
    """Run tasks in this process (``workers`` 1 and no ``pool``) or in a process pool, yielding
    outputs as they finish. A ``pool`` that is passed in stays open for the caller's next batch
    (calibration trials), unless a run fails or is interrupted."""
    tasks = iter(tasks)
    if pool is None and workers <= 1:
        return _iter_serial(tasks, run_fn)
    return _iter_local(tasks, workers, pool, run_fn)


def _iter_local(tasks: Iterator[RunTask], workers: int, borrowed: ProcessPoolExecutor | None = None,
                run_fn: RunFunction = execute_run) -> Iterator[RunOutput]:
    pool = borrowed if borrowed is not None else process_pool(workers)
    pending: dict[Future[RunOutput], RunTask] = {}
    window = 2 * workers
    clean = False
    try:
        with spawning():  # (workers are spawned during these first submits)
            for task in islice(tasks, window):
                pending[pool.submit(run_fn, task)] = task
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                output = _guarded(task, future.result)
                for nxt in islice(tasks, 1):
                    pending[pool.submit(run_fn, nxt)] = nxt
                yield output
        clean = True
    finally:
        if clean:
            if borrowed is None:
                pool.shutdown(wait=True)
        else:  # interrupted or failed: stop the workers now instead of finishing their runs
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)


def import_dask() -> Any:
    """``distributed`` or one clear ExperimentError line."""
    try:
        import distributed
    except ImportError:
        raise ExperimentError("--executor dask needs dask[distributed], which is not installed; "
                              "install it with: uv sync --extra dask") from None
    return distributed


def _iter_dask(tasks: Iterator[RunTask], client: Any, run_fn: RunFunction) -> Iterator[RunOutput]:
    distributed = import_dask()
    threads = sum(client.nthreads().values()) or 1
    window = max(2 * threads, 4)
    token = os.urandom(4).hex()
    queue = distributed.as_completed()
    owner: dict[str, RunTask] = {}

    def submit(task: RunTask) -> None:
        future = client.submit(run_fn, task, key=f"zorgsim-{task.run_id}-{token}", retries=2, pure=False)
        owner[future.key] = task
        queue.add(future)

    for task in islice(tasks, window):
        submit(task)
    try:
        for future in queue:
            task = owner.pop(future.key)
            output = _guarded(task, future.result)
            future.release()
            for nxt in islice(tasks, 1):
                submit(nxt)
            yield output
    finally:
        for future in list(queue.futures):
            future.cancel()


# ---------------------------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    out: Path
    total: int
    already_done: int
    ran: int
    elapsed_s: float
    workers: int
    executor: str
    store: SweepStore = field(repr=False)

    def runs(self) -> pd.DataFrame:
        df = self.store.read_runs()
        df.attrs["out"] = str(self.out)
        return df

    def series(self) -> pd.DataFrame | None:
        return self.store.read_series()

    def years(self) -> pd.DataFrame | None:
        """The KPIs of each run in each year after warm-up (:meth:`SweepStore.read_years`)."""
        return self.store.read_years()


class Sweep:
    """A checked plan: the experiment, the folder and the executor. :meth:`run` does the work.

    Creating it checks everything that can be checked without writing: the executor's
    arguments, that Dask is installed, and that ``out`` is empty, new, or holds this experiment.
    ``run_fn`` runs one task (default :func:`execute_run`, the model); another module-level
    function that returns :func:`run_output` — a fast analytic test function, say — goes through
    the same store, executors and resume.
    """

    def __init__(self, experiment: Experiment, out: str | Path, *, workers: int | None = None,
                 executor: str = "local", scheduler: str | None = None,
                 run_fn: RunFunction = execute_run) -> None:
        if executor not in EXECUTORS:
            raise ExperimentError(f"--executor {executor}: not allowed; allowed: {', '.join(EXECUTORS)}")
        if scheduler is not None and executor != "dask":
            raise ExperimentError("--scheduler needs --executor dask")
        if scheduler is not None and "://" not in scheduler:
            raise ExperimentError(f"--scheduler {scheduler}: expected an address like tcp://HOST:PORT")
        if workers is not None and not 1 <= workers <= MAX_WORKERS:
            raise ExperimentError(f"--workers: must be from 1 to {MAX_WORKERS} (got {workers})")
        if executor == "dask":
            import_dask()
        self.experiment = experiment
        self.run_fn = run_fn
        self.store = SweepStore(out)
        self.store.check(experiment)
        self.executor = executor
        self.scheduler = scheduler
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        #: Ids of the finished runs; known after :meth:`prepare`.
        self.done: set[str] = set()
        #: One line about run files that were moved to quarantine/ by :meth:`prepare`, or None.
        self.damaged: str | None = None
        #: Set when resuming a sweep that was started with other model code (the runs would mix versions).
        self.code_changed: str | None = None
        self._prepared = False
        self._client: Any = None
        self._cluster: Any = None

    def prepare(self) -> "Sweep":
        """Connect to Dask (if asked), then lock the folder, record the experiment and check the
        finished runs: the first write, after everything that can fail without writing."""
        if self._prepared:
            return self
        if self.executor == "dask" and self._client is None:
            self._client, self._cluster = self._connect()
        try:
            scan = self.store.open(self.experiment)
        except BaseException:
            self.close()
            raise
        self.done = set(scan.tables)
        self.damaged = scan.warning(f"moved to {self.store.quarantine_dir}/; those runs are done again")
        recorded = self.store.manifest().get("model_code")
        self.code_changed = (
            f"the model code changed since this sweep started (then {recorded}, now {model_code()}): "
            f"{len(self.done)} finished runs came from the old code; use a new --out for a clean sweep"
            if recorded is not None and recorded != model_code() and self.done else None)
        self._prepared = True
        return self

    def close(self) -> None:
        """Release the folder and the Dask connection (done by :meth:`run` when it ends)."""
        try:
            self._disconnect()
        finally:
            self.store.close()
            self._prepared = False

    def _disconnect(self) -> None:
        client, cluster, self._client, self._cluster = self._client, self._cluster, None, None
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    @property
    def total(self) -> int:
        return self.experiment.n_runs

    @property
    def todo(self) -> int:
        return self.total - len(self.done)

    def _connect(self) -> tuple[Any, Any]:
        distributed = import_dask()
        if self.scheduler is not None:
            try:
                return distributed.Client(self.scheduler, timeout="20s"), None
            except (OSError, TimeoutError) as err:
                raise ExperimentError(f"--scheduler {self.scheduler}: cannot connect: {err}") from None
        import logging

        cluster = distributed.LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
        return distributed.Client(cluster), cluster

    def run(self, progress: Callable[[int, int, RunOutput | None], None] | None = None) -> SweepResult:
        """Run the missing runs; ``progress(done, total, output)`` is called after each."""
        started = time.perf_counter()
        self.prepare()
        client = self._client
        try:
            done = self.done
            todo = (run for run in self.experiment.runs() if run.run_id not in done)
            tasks = make_tasks(self.experiment, todo)
            already = len(done)
            if progress is not None:
                progress(already, self.total, None)
            if client is not None:
                outputs = _iter_dask(tasks, client, self.run_fn)
                workers = sum(client.nthreads().values())
            elif self.workers == 1:
                outputs = _iter_serial(tasks, self.run_fn)
                workers = 1
            else:
                outputs = _iter_local(tasks, self.workers, run_fn=self.run_fn)
                workers = self.workers
            ran = 0
            try:
                for output in outputs:
                    self.store.write(output)
                    ran += 1
                    if progress is not None:
                        progress(already + ran, self.total, output)
            finally:
                outputs.close()  # stops pool workers at once when interrupted
        finally:
            self.close()
        return SweepResult(self.store.out, self.total, already, ran, time.perf_counter() - started, workers,
                           self.executor, self.store)


def run_sweep(experiment: Experiment, out: str | Path, *, workers: int | None = None, executor: str = "local",
              scheduler: str | None = None,
              progress: Callable[[int, int, RunOutput | None], None] | None = None,
              run_fn: RunFunction = execute_run) -> SweepResult:
    """Check, then run every missing run of ``experiment`` into ``out``."""
    return Sweep(experiment, out, workers=workers, executor=executor, scheduler=scheduler,
                 run_fn=run_fn).run(progress)


def load_runs(out: str | Path) -> pd.DataFrame:
    """The finished runs in a results folder, one row per run."""
    store = SweepStore(out)
    store.manifest()
    return store.read_runs()
