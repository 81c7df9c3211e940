"""The public API: load a scenario, run it, get pandas objects back.

    from zorgnetwerk_sim import run
    result = run("klas", seed=1)
    result.summary["wait_weeks_p90"], result.timeseries.head()
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .engine import gc_paused
from .eventlog import FILE_NAME as EVENTS_FILE
from .eventlog import EventLog
from .model import ZorgnetwerkModel
from .partition import PartsModel, merged_outputs, partition, run_parts, sub_scenario
from .safeio import OutputError, check_output_folder, staged_outputs
from .scenario import Scenario, load_scenario, scenario_to_toml
from .scenario.loader import parse_override


__all__ = ["OUTPUT_FILES", "OutputError", "RunResult", "Simulation", "check_output_folder", "run", "run_scenario"]


@dataclass
class RunResult:
    """What one run produced: the resolved scenario, KPIs and the weekly time series."""

    scenario: Scenario
    summary: dict[str, float]
    timeseries: pd.DataFrame
    event_log: EventLog | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def events(self) -> pd.DataFrame | None:
        """The event log (eventlog.py) as a DataFrame, or None without ``run.event_log``.

        Read from the log's spool file each time; a national log is large, and
        :meth:`write` copies it to ``events.parquet`` without loading it."""
        return None if self.event_log is None else self.event_log.table().to_pandas()

    def write(self, out_dir: str | Path) -> Path:
        """Write summary.json, timeseries.parquet, scenario.toml (and events.parquet) into ``out_dir``.

        The files are staged inside the folder, flushed to disk and then swapped in as one set
        (:func:`zorgnetwerk_sim.safeio.staged_outputs`): a failure (a full disk, say) leaves the
        previous outputs as they were, and an events.parquet of an earlier run is removed when
        this run has none. Other files in the folder are left alone.
        """
        with staged_outputs(out_dir, OUTPUT_FILES) as staging:
            (staging / "summary.json").write_text(
                json.dumps(_jsonable(self.summary), indent=2, sort_keys=True, allow_nan=False), encoding="utf-8")
            self.timeseries.to_parquet(staging / "timeseries.parquet", index=False)
            (staging / "scenario.toml").write_text(scenario_to_toml(self.scenario), encoding="utf-8")
            if self.event_log is not None:
                self.event_log.write(staging / EVENTS_FILE)
        return Path(out_dir)


OUTPUT_FILES = ("summary.json", "timeseries.parquet", "scenario.toml", EVENTS_FILE)


def _jsonable(summary: Mapping[str, float]) -> dict[str, float | None]:
    return {k: (float(v) if math.isfinite(v) else None) for k, v in summary.items()}  # NaN, ±inf → null


def resolve(scenario: Scenario | str | Path, seed: int | None = None,
            overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """The scenario to run: a shipped name, a path or a Scenario, with overrides and a seed."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        from .scenario import scenario_from_dict

        scenario = scenario_from_dict(scenario.model_dump(mode="json", exclude_none=True), scenario.name, overrides)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": int(seed)})
    return scenario


class Simulation:
    """A model you can step and inspect (for notebooks and the app), and finish into a RunResult."""

    def __init__(self, scenario: Scenario | str | Path = "default", seed: int | None = None,
                 overrides: Iterable[str] | Mapping[str, Any] = ()) -> None:
        self.scenario = scenario = resolve(scenario, seed, overrides)
        #: The scenario's independent parts (partition.py): regions linked by a shared expertteam.
        self.parts = partition(scenario)
        if len(self.parts) == 1:
            self.model: ZorgnetwerkModel | PartsModel = ZorgnetwerkModel(scenario)
            self._models = [self.model]
        else:  # one model per part, stepped together; ``model`` shows them as one (PartsModel)
            self._models = [ZorgnetwerkModel(sub_scenario(scenario, part, k)) for k, part in enumerate(self.parts)]
            self.model = PartsModel(scenario, self.parts, self._models)

    @property
    def weeks(self) -> int:
        return self.scenario.weeks

    @property
    def done(self) -> bool:
        return self.model.week >= self.scenario.weeks

    def step(self, weeks: int = 1) -> None:
        for _ in range(weeks):
            if self.done:
                return
            for model in self._models:
                model.step()

    def run(self, progress: Callable[[int, int], None] | None = None) -> "RunResult":
        # The cyclic garbage collector stays paused for the whole run, not just within each
        # week: the model frees everything by reference counting (tests/test_mesa_integration.py checks
        # that a run leaves no cyclic garbage), and between weeks the collector would keep
        # traversing every live trajectory and pending event (8% of a national run).
        with gc_paused():
            while not self.done:
                for model in self._models:
                    model.step()
                if progress is not None:
                    progress(self.model.week, self.scenario.weeks)
        return self.result()

    def result(self) -> RunResult:
        if isinstance(self.model, PartsModel):
            rec, log = merged_outputs(self.scenario, self.parts, self.model.results())
            return RunResult(self.scenario, rec.summary(), rec.timeseries(), log)  # type: ignore[arg-type]
        rec = self.model.recorder
        return RunResult(self.scenario, rec.summary(), rec.timeseries(), self.model.event_log)


def run(scenario: Scenario | str | Path = "default", *, seed: int | None = None, years: float | None = None,
        overrides: Iterable[str] | Mapping[str, Any] = (),
        progress: Callable[[int, int], None] | None = None, workers: int = 1) -> RunResult:
    """Run a scenario (name, path or Scenario) and return its summary and time series.

    A scenario of several independent parts (partition.py; ``nederland``: 8) runs them one
    after another, or in ``workers`` processes; the result is the same for every ``workers``."""
    extra = dict(overrides) if isinstance(overrides, Mapping) else dict(parse_override(o) for o in overrides)
    if years is not None:
        extra["run.years"] = years
    return run_scenario(resolve(scenario, seed, extra), workers, progress)


def run_scenario(spec: Scenario, workers: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run a resolved scenario to its end (``zorgsim run``): one model, or its parts (partition.py)
    one after another or in ``workers`` processes, merged into one result."""
    if len(partition(spec)) == 1:
        return Simulation(spec).run(progress)
    with gc_paused():
        rec, log = run_parts(spec, workers, progress)
    return RunResult(spec, rec.summary(), rec.timeseries(), log)  # type: ignore[arg-type]
