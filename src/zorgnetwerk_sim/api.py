"""The public API: load a scenario, run it, get pandas objects back.

    from zorgnetwerk_sim import run
    result = run("klas", seed=1)
    result.summary["wait_weeks_p90"], result.timeseries.head()
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .model import ZorgnetwerkModel
from .scenario import Scenario, load_scenario, scenario_to_toml
from .scenario.loader import parse_override


@dataclass
class RunResult:
    """What one run produced: the resolved scenario, KPIs and the weekly time series."""

    scenario: Scenario
    summary: dict[str, float]
    timeseries: pd.DataFrame
    events: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: str | Path) -> Path:
        """Write summary.json, timeseries.parquet, scenario.toml (and events.parquet) atomically:
        every file is written under a temporary name and renamed into place."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        _atomic_write(out / "summary.json", lambda p: p.write_text(
            json.dumps(_jsonable(self.summary), indent=2, sort_keys=True), encoding="utf-8"))
        _atomic_write(out / "timeseries.parquet", lambda p: self.timeseries.to_parquet(p, index=False))
        _atomic_write(out / "scenario.toml", lambda p: p.write_text(scenario_to_toml(self.scenario), encoding="utf-8"))
        if self.events is not None:
            _atomic_write(out / "events.parquet", lambda p: self.events.to_parquet(p, index=False))
        return out


def _jsonable(summary: Mapping[str, float]) -> dict[str, float | None]:
    return {k: (None if v != v else float(v)) for k, v in summary.items()}  # NaN → null


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


class Simulation:
    """A model you can step and inspect (for notebooks and the app), and finish into a RunResult."""

    def __init__(self, scenario: Scenario | str | Path = "default", seed: int | None = None,
                 overrides: Iterable[str] | Mapping[str, Any] = ()) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, overrides)
        elif overrides:
            from .scenario import scenario_from_dict

            scenario = scenario_from_dict(scenario.model_dump(mode="json", exclude_none=True), scenario.name,
                                          overrides)
        if seed is not None:
            scenario = scenario.model_copy(update={"seed": int(seed)})
        self.scenario = scenario
        self.model = ZorgnetwerkModel(scenario)

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
            self.model.step()

    def run(self, progress: Callable[[int, int], None] | None = None) -> "RunResult":
        while not self.done:
            self.model.step()
            if progress is not None:
                progress(self.model.week, self.scenario.weeks)
        return self.result()

    def result(self) -> RunResult:
        rec = self.model.recorder
        events = None
        if self.model.event_log is not None:
            events = pd.DataFrame(self.model.event_log, columns=["case_id", "activity", "week", "organisation"])
        return RunResult(self.scenario, rec.summary(), rec.timeseries(), events)


def run(scenario: Scenario | str | Path = "default", *, seed: int | None = None, years: float | None = None,
        overrides: Iterable[str] | Mapping[str, Any] = (),
        progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run a scenario (name, path or Scenario) and return its summary and time series."""
    extra = dict(overrides) if isinstance(overrides, Mapping) else dict(parse_override(o) for o in overrides)
    if years is not None:
        extra["run.years"] = years
    if isinstance(scenario, Scenario):
        sim = Simulation(scenario, seed, extra)
    else:
        sim = Simulation(load_scenario(scenario, extra), seed)
    return sim.run(progress)
