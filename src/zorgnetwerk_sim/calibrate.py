"""Calibration: fit the parameters no source gives to the public figures of ``data/targets.toml``.

    from zorgnetwerk_sim.calibrate import Calibration
    cal = Calibration("klas", replications=4, budget=40)
    fit = cal.fit()
    fit.comparison()        # target vs simulated (mean and 95% interval over replications)
    fit.write("klas-calibrated.toml")

The objective is the weighted sum of squared relative errors of the fitted targets
(``role = "fitted"``) that apply to the scenario; held-out targets never enter it. Each relative
error is divided by the target's relative half-width: ``Σ weight · ((simulated − value) /
half_width)²``, so a target met at the edge of its interval contributes 1 and a precise figure
counts more than a rough one. ``simulated`` is the mean over ``replications`` runs whose seeds
are the same for every trial (common random numbers), so the
objective is a deterministic function of the parameters and trials differ only by them. The
parameters are scaled to [0, 1] and searched with scipy's bounded Nelder-Mead for at most
``budget`` trials; the replications of a trial run in the runner's process pool. See
docs/calibration.md.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w
from scipy.optimize import minimize
from scipy.stats import qmc

from .api import Simulation
from .safeio import MAX_WORKERS, write_text_atomic
from .runner.compare import _mean_ci
from .runner.seeds import replication_seed
from .runner.sweep import RunOutput, RunTask, process_pool, run_tasks
from .scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict
from .scenario.loader import resolve_path
from .shipped import REPO
from .targets import FITTED, Target, TargetsError, TargetsFile, check_kpis, display_path, load_targets

#: A target whose KPI is undefined in a trial (NaN) counts as this many half-widths off.
NAN_PENALTY = 10.0


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    """A scenario key path searched between ``low`` and ``high``."""

    key: str
    low: float
    high: float
    integer: bool = False

    def value(self, u: float) -> float:
        """The value at position ``u`` in [0, 1] of the range."""
        x = self.low + min(max(u, 0.0), 1.0) * (self.high - self.low)
        return float(round(x)) if self.integer else x

    def position(self, value: float) -> float:
        return min(max((value - self.low) / (self.high - self.low), 0.0), 1.0)


def parse_param(text: str) -> tuple[str, float, float]:
    """``KEY=LO:HI`` → (key, lo, hi); one TargetsError line otherwise."""
    key, sep, rng = text.partition("=")
    lo_text, colon, hi_text = rng.partition(":")
    if not sep or not colon or not key.strip():
        raise TargetsError(f"--params {text}: expected KEY=LO:HI, e.g. uncertainties.incidence_multiplier=0.8:1.3")
    try:
        lo, hi = float(lo_text), float(hi_text)
    except ValueError:
        raise TargetsError(f"--params {text}: LO and HI must be numbers (got {lo_text!r}, {hi_text!r})") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise TargetsError(f"--params {text}: the range must have LO < HI (got {lo:g}:{hi:g})")
    return key.strip(), lo, hi


def _current_value(spec: Scenario, key: str) -> Any:
    node: Any = spec
    for part in key.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def check_parameter(spec: Scenario, key: str, lo: float, hi: float, label: str) -> Parameter:
    """A Parameter if ``key`` is a numeric scenario parameter that accepts both ends of the range."""
    raw = spec.model_dump(mode="json", exclude_none=True)
    current = _current_value(spec, key)
    if isinstance(current, bool) or (current is not None and not isinstance(current, (int, float))):
        raise TargetsError(f"{label}: {key} is not a numeric parameter (its value is {current!r})")
    for end in (lo, hi):  # (an unknown key is named by the schema)
        try:
            scenario_from_dict(raw, spec.name, {key: end})
        except ScenarioError as err:
            raise TargetsError(f"{label}: {err}") from None
    if isinstance(current, int) and (lo != int(lo) or hi != int(hi)):
        raise TargetsError(f"{label}: {key} is a whole number; give a range of whole numbers")
    return Parameter(key, lo, hi, integer=isinstance(current, int))


def scenario_names(name_or_path: str | Path, spec: Scenario) -> list[str]:
    """Names a scenario answers to when targets are matched: its name, its file's stem, and the
    names of the scenarios it is based on (``base = "default"`` in a fitted file)."""
    names = [spec.name]
    path: Path | None = resolve_path(name_or_path)
    seen: set[Path] = set()
    while path is not None and path.resolve() not in seen:
        seen.add(path.resolve())
        names.append(path.stem)
        try:
            base = tomllib.loads(path.read_text(encoding="utf-8")).get("base")
        except (OSError, tomllib.TOMLDecodeError):
            break
        if not isinstance(base, str):
            break
        names.append(Path(base).stem)
        try:
            path = path.parent / base if (path.parent / base).is_file() else resolve_path(base)
        except ScenarioError:
            break
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------------
# Replicated runs (shared with validate-model)
# ---------------------------------------------------------------------------------------------
def replicate(specs: Mapping[str, Scenario], seeds: Sequence[int], *, workers: int = 1,
              pool: ProcessPoolExecutor | None = None, kpis: Iterable[str] | None = None,
              series: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[RunOutput]]:
    """Run every labelled scenario with every seed; outputs per label, in seed order.

    The same seeds for every label are common random numbers: runs with the same replication
    index differ only where their scenarios differ.
    """
    kept = tuple(sorted(set(kpis))) if kpis is not None else None
    series_spec = tuple((name, tuple(cols)) for name, cols in (series or {}).items())
    tasks = []
    for index, (label, spec) in enumerate(specs.items()):
        dumped = spec.model_dump(mode="json", exclude_none=True)
        for r, seed in enumerate(seeds):
            scenario = {**dumped, "seed": int(seed)}
            tasks.append(RunTask(f"{index}-{r}", index, label, r, int(seed), scenario, (), kept, series_spec))
    out: dict[str, list[RunOutput | None]] = {label: [None] * len(seeds) for label in specs}
    for output in run_tasks(tasks, workers, pool):
        out[output.row["point"]][output.row["replication"]] = output
    return {label: [o for o in outputs if o is not None] for label, outputs in out.items()}


def seeds_for(master_seed: int, n: int) -> list[int]:
    """The seeds of ``n`` replications (runner.seeds: the same as a sweep's replications)."""
    return [replication_seed(master_seed, r) for r in range(n)]


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval (NaN bounds with fewer than two values)."""
    _, mean, _, low, high = _mean_ci(np.asarray(values, dtype=float), 0.95)
    return mean, low, high


def objective(targets: Sequence[Target], summaries: Sequence[Mapping[str, float]]) -> float:
    """Σ weight · ((mean simulated − value) / half-width)² over the targets.

    Only fitted targets may enter: a held-out target is the validation and is never fitted, so
    one here is a programming error (ValueError), whoever passes it."""
    held_out = [t.key for t in targets if not t.fitted]
    if held_out:
        raise ValueError(f"held-out targets cannot enter the calibration objective: {', '.join(held_out)}")
    total = 0.0
    for target in targets:
        values = np.array([target.simulated(s) for s in summaries], dtype=float)
        sim = float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
        err = (sim - target.value) / target.half_width if math.isfinite(sim) else NAN_PENALTY
        total += target.weight * err * err
    return total


# ---------------------------------------------------------------------------------------------
# Provenance (calibrated files and the validation report)
# ---------------------------------------------------------------------------------------------
def provenance() -> dict[str, str]:
    """Date (UTC), git commit of the code (with '+changes' when the tree is dirty) and machine."""
    commit = "unknown (not a git checkout)"
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=10)
        if head.returncode == 0:
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                   capture_output=True, text=True, timeout=10)
            commit = head.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    machine = (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
               f"Python {platform.python_version()}")
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit, "machine": machine}


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------
@dataclass
class Trial:
    values: dict[str, float]
    summaries: list[dict[str, float]]
    objective: float


@dataclass
class TargetRow:
    target: Target
    start: tuple[float, float, float]
    fitted: tuple[float, float, float]

    @property
    def within(self) -> bool:
        return math.isfinite(self.fitted[0]) and self.target.contains(self.fitted[0])


@dataclass
class Fit:
    calibration: "Calibration"
    start: Trial
    best: Trial
    trials: list[Trial] = field(default_factory=list)
    message: str = ""

    def comparison(self) -> list[TargetRow]:
        """Every calibrated target: start and fitted mean with 95% intervals over replications."""
        rows = []
        for t in self.calibration.targets:
            rows.append(TargetRow(t, mean_interval([t.simulated(s) for s in self.start.summaries]),
                                  mean_interval([t.simulated(s) for s in self.best.summaries])))
        return rows

    def to_toml(self, out: Path, command: str = "") -> str:
        cal = self.calibration
        prov = provenance()
        base = cal.base_reference(out)
        lines = [f"# Calibrated by zorgsim calibrate ({prov['date']}, commit {prov['commit']}).",
                 *( [f"# Command: {command}"] if command else []),
                 f"# Targets: {display_path(cal.targets_path)} ({len(cal.targets)} targets for {cal.names[0]!r}); "
                 f"{cal.replications} replications of {cal.spec.run.years:g} years per trial "
                 f"(master seed {cal.master_seed}), {len(self.trials)} trials.",
                 f"# Objective (Σ weight · ((simulated − target) / half-width)²): start "
                 f"{self.start.objective:.4g} → fitted {self.best.objective:.4g}.",
                 "# target: value [interval] → fitted mean [95% interval over replications]"]
        for row in self.comparison():
            low, high = row.target.bounds
            mean, lo, hi = row.fitted
            lines.append(f"#   {row.target.key}: {row.target.value:g} [{low:g}, {high:g}] → {mean:.4g} "
                         f"[{lo:.4g}, {hi:.4g}]{'' if row.within else '  (outside the interval)'}")
        data: dict[str, Any] = {"base": base, "name": f"{cal.spec.name}-calibrated",
                                "description": f"{cal.spec.name} with parameters fitted to "
                                               f"{cal.targets_path.name} by zorgsim calibrate"}
        for key, value in self.best.values.items():
            node = data
            parts = key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = int(value) if cal.param_by_key[key].integer else round(float(value), 6)
        return "\n".join(lines) + "\n" + tomli_w.dumps(data)

    def write(self, out: str | Path, command: str = "") -> Path:
        out = Path(out)
        return write_text_atomic(out, self.to_toml(out, command))


class Calibration:
    """A checked calibration problem: scenario, parameters with ranges, targets and replications.

    Everything that can be checked before the first trial is checked here (keys, ranges, that
    targets apply, that every target's KPI is in a run summary); problems are one TargetsError
    (or ScenarioError) line.
    """

    def __init__(self, scenario: str | Path, params: Sequence[str] | Mapping[str, tuple[float, float]] | None = None,
                 *, targets: str | Path | None = None, replications: int = 4, years: float | None = None,
                 budget: int = 40, seed: int | None = None, workers: int = 1, explore: int | None = None) -> None:
        if replications < 1:
            raise TargetsError(f"--replications: must be ≥ 1 (got {replications})")
        if budget < 2:
            raise TargetsError(f"--budget: must be ≥ 2 trials (got {budget})")
        if not 1 <= workers <= MAX_WORKERS:
            raise TargetsError(f"--workers: must be from 1 to {MAX_WORKERS} (got {workers})")
        explore = budget // 3 if explore is None else explore
        if not 0 <= explore < budget:
            raise TargetsError(f"--explore: must be ≥ 0 and below --budget ({budget}) (got {explore})")
        if years is not None and years <= 0:
            raise TargetsError(f"--years: must be > 0 (got {years})")
        self.scenario_arg = scenario
        self.scenario_path = resolve_path(scenario)
        self.spec = load_scenario(scenario, years=years)
        self.names = scenario_names(scenario, self.spec)
        self.file: TargetsFile
        self.file, self.targets_path = load_targets(targets)
        #: the fitted targets only: held-out ones never reach the objective (nor the KPIs a trial keeps)
        self.targets = self.file.for_scenario(self.names, FITTED)
        if not self.targets:
            raise TargetsError(f"{self.targets_path}: no target with role = \"fitted\" applies to scenario "
                               f"{self.names[0]!r} (targets name their scenarios in 'scenarios')")
        if params is None:
            ranges = self.file.default_parameters(self.names)
            label = f"{self.targets_path}: calibration.parameters"
            if not ranges:
                raise TargetsError(f"{label}: no default parameters for {self.names[0]!r}; give --params KEY=LO:HI")
            items = [(key, lo, hi, f"{label}: {key}") for key, (lo, hi) in ranges.items()]
        elif isinstance(params, Mapping):
            items = [(key, lo, hi, f"--params {key}") for key, (lo, hi) in params.items()]
        else:
            items = [(*parse_param(text), f"--params {text}") for text in params]
        if not items:
            raise TargetsError("--params: give at least one KEY=LO:HI")
        keys = [key for key, *_ in items]
        if len(set(keys)) < len(keys):
            raise TargetsError(f"--params: {next(k for k in keys if keys.count(k) > 1)} is given twice")
        for key, lo, hi, label in items:
            if not lo < hi:
                raise TargetsError(f"{label}: the range must have LO < HI (got {lo:g}:{hi:g})")
        self.params = [check_parameter(self.spec, key, lo, hi, label) for key, lo, hi, label in items]
        self.param_by_key = {p.key: p for p in self.params}
        self.replications = replications
        self.budget = budget
        self.workers = workers
        self.explore = explore
        self.master_seed = self.spec.seed if seed is None else int(seed)
        self.seeds = seeds_for(self.master_seed, replications)
        self._check_kpis()
        self._cache: dict[tuple[float, ...], Trial] = {}
        self.trials: list[Trial] = []

    def _check_kpis(self) -> None:
        """A run of a few weeks gives the summary's KPI names, before any trial is spent."""
        probe = self.spec.model_copy(update={"run": self.spec.run.model_copy(
            update={"years": 0.1, "warmup_years": 0.05, "event_log": False})})
        summary = Simulation(probe).run().summary
        check_kpis(self.targets, summary, str(self.targets_path))

    def base_reference(self, out: Path) -> str:
        """How a fitted file beside ``out`` names this scenario: its shipped name or a relative path."""
        arg = str(self.scenario_arg)
        if Path(arg).suffix != ".toml" and os.sep not in arg and not Path(arg).exists():
            return arg
        return os.path.relpath(self.scenario_path.resolve(), out.resolve().parent)

    def start_values(self) -> dict[str, float]:
        out = {}
        for p in self.params:
            current = float(_current_value(self.spec, p.key))
            out[p.key] = current if p.low <= current <= p.high else (p.low + p.high) / 2
        return out

    def scenario(self, values: Mapping[str, float]) -> Scenario:
        raw = self.spec.model_dump(mode="json", exclude_none=True)
        return scenario_from_dict(raw, self.spec.name, dict(values))

    def evaluate_many(self, points: Sequence[Mapping[str, float]],
                      pool: ProcessPoolExecutor | None = None) -> list[Trial]:
        """Run the replications at each point, all in one batch (cached: the search revisits points)."""
        keys = [tuple(round(values[p.key], 9) for p in self.params) for values in points]
        todo = {key: values for key, values in zip(keys, points) if key not in self._cache}
        if todo:
            kpis = {k for t in self.targets for k in t.kpis}
            labels = {f"trial {len(self.trials) + i}": key for i, key in enumerate(todo)}
            outputs = replicate({label: self.scenario(todo[key]) for label, key in labels.items()}, self.seeds,
                                workers=self.workers, pool=pool, kpis=kpis)
            for label, key in labels.items():
                summaries = [{k: v for k, v in o.row.items() if k in kpis} for o in outputs[label]]
                trial = Trial(dict(todo[key]), summaries, objective(self.targets, summaries))
                self._cache[key] = trial
                self.trials.append(trial)
        return [self._cache[key] for key in keys]

    def evaluate(self, values: Mapping[str, float], pool: ProcessPoolExecutor | None = None) -> Trial:
        """Run the replications at ``values``."""
        return self.evaluate_many([values], pool)[0]

    def values_at(self, u: Sequence[float]) -> dict[str, float]:
        return {p.key: p.value(float(x)) for p, x in zip(self.params, u)}

    def fit(self, progress: Callable[[int, Trial, Trial], None] | None = None) -> Fit:
        """Search the parameters on [0, 1]^d for at most ``budget`` trials: the scenario's own values
        and a Latin hypercube of ``explore`` points over the ranges (default a third of the budget,
        run as one batch), then bounded Nelder-Mead from the best of them for the rest. The
        sample keeps the local search out of the flat regions (a wachtlijst that is empty over a
        range of capacities) and the noise-made local minima of a simulated objective."""
        d = len(self.params)
        start_values = self.start_values()
        n_explore = max(0, min(self.explore, self.budget - (d + 2)))
        sample = qmc.LatinHypercube(d=d, seed=np.random.default_rng(self.master_seed)).random(n_explore)
        pooled = process_pool(self.workers) if self.workers > 1 else nullcontext(None)
        with pooled as pool:
            explored = self.evaluate_many([start_values, *(self.values_at(u) for u in sample)], pool)
            best = min(explored, key=lambda t: t.objective)
            start = explored[0]
            calls = len(explored)
            if progress is not None:
                for i, trial in enumerate(explored, 1):
                    progress(i, trial, min(explored[:i], key=lambda t: t.objective))
            x0 = np.array([p.position(best.values[p.key]) for p in self.params])
            # a first simplex about as wide as the spacing of the sample
            width = 0.25 if n_explore == 0 else min(0.25, 0.5 / n_explore ** (1 / d))
            simplex = [x0]
            for i in range(d):
                step = np.zeros(d)
                step[i] = width if x0[i] + width <= 1 else -width
                simplex.append(x0 + step)

            def f(u: np.ndarray) -> float:
                nonlocal best, calls
                calls += 1
                trial = self.evaluate(self.values_at(u), pool)
                if trial.objective < best.objective:
                    best = trial
                if progress is not None:
                    progress(calls, trial, best)
                return trial.objective

            result = minimize(f, x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * d,
                              options={"maxfev": max(1, self.budget - calls), "initial_simplex": np.array(simplex),
                                       "xatol": 1e-3, "fatol": 1e-6})
        return Fit(self, start, best, list(self.trials), str(result.message))
