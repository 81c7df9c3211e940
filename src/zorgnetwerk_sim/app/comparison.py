"""Comparisons for the Vergelijken page, built on the experiment runner.

The options a user picks become the named variants of one :class:`runner.Experiment` on the
chosen region; :func:`runner.run_sweep` runs them with common random numbers in a process pool,
and :func:`runner.compare` gives the paired differences. A results folder of ``zorgsim sweep``
is read with the same store and compared the same way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from ..runner import Experiment, compare, run_sweep
from ..runner.charts import series_band
from ..runner.compare import time_path, with_horizons
from ..runner.sweep import MANIFEST, SweepStore
from ..scenario import Scenario, available_scenarios, scenario_to_toml
from .labels import BASELINE_OPTION, COMPARE_KPIS, COMPARE_SERIES, CONTROLS, scenario_blurb, scenario_title

#: Top-level keys a shipped file may have and still be a policy option (levers / uncertainties only).
_OPTION_KEYS = {"base", "name", "description", "levers", "uncertainties"}


@dataclass(frozen=True)
class Option:
    """A policy option: lever and uncertainty settings laid over the region's scenario."""

    name: str
    levers: dict[str, Any] = field(default_factory=dict)
    uncertainties: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def variant(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "levers": self.levers,
                "uncertainties": self.uncertainties}


def regions() -> list[str]:
    """Shipped scenarios that describe a region of their own (no ``base``)."""
    out = []
    for name, path in available_scenarios().items():
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        if "base" not in raw:
            out.append(name)
    return out


def shipped_options() -> list[Option]:
    """'Huidig beleid' and every shipped variant that only sets levers and uncertainties."""
    options = [Option(BASELINE_OPTION, description="de instellingen van het scenario zelf")]
    for name, path in available_scenarios().items():
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        if "base" in raw and set(raw) <= _OPTION_KEYS:
            options.append(Option(scenario_title(name), dict(raw.get("levers", {})),
                                  dict(raw.get("uncertainties", {})),
                                  scenario_blurb(name, str(raw.get("description", "")))))
    return options


def region_of(name: str) -> str:
    """The region a shipped scenario runs on: the scenario itself, or (for a variant) its base's region."""
    shipped = available_scenarios()
    seen: set[str] = set()
    while name in shipped and name not in seen:
        seen.add(name)
        base = tomllib.loads(shipped[name].read_text(encoding="utf-8")).get("base")
        if not isinstance(base, str):
            return name
        name = base
    return name


def _flat(node: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}.{key}"))
        else:
            out[f"{prefix}.{key}"] = value
    return out


def setting_changes(explored: Scenario, region: Scenario) -> dict[str, Any]:
    """Every lever and uncertainty (flat key → value) where ``explored`` differs from ``region``.

    The explored scenario is what the Verkennen page runs: a shipped variant (its own levers over
    its base) plus what the user changed there. Laid over the region, these settings give that
    scenario again, so a comparison's "Mijn instellingen" is what the user explored.
    """
    mine = explored.model_dump(mode="json")
    theirs = region.model_dump(mode="json")
    out = {}
    for group in ("levers", "uncertainties"):
        base = _flat(theirs[group], group)
        for key, value in _flat(mine[group], group).items():
            if value is not None and base.get(key) != value:
                out[key] = value
    return out


def describe_changes(changes: Mapping[str, Any]) -> str:
    """'Preventiebudget 0,05; Urgentie gaat voor: ja' (Dutch labels and numbers)."""
    from .format import nl_number

    parts = []
    for key, value in changes.items():
        text = CONTROLS.get(key)
        label = text.label if text else key
        if isinstance(value, bool):
            shown = "ja" if value else "nee"
        elif isinstance(value, (int, float)):
            shown = nl_number(value, None if isinstance(value, float) else 0)
        else:
            shown = (text.options or {}).get(str(value), str(value)) if text else str(value)
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def option_from_overrides(name: str, overrides: Mapping[str, Any]) -> Option:
    """An option from flat key paths ('levers.trust.informal_contacts_per_year' → value)."""
    levers: dict[str, Any] = {}
    uncertainties: dict[str, Any] = {}
    for key, value in overrides.items():
        group, _, rest = key.partition(".")
        target = levers if group == "levers" else uncertainties if group == "uncertainties" else None
        if target is None:
            continue
        node = target
        parts = rest.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return Option(name, levers, uncertainties, describe_changes(overrides) or "eigen instellingen")


@dataclass
class ComparisonResult:
    """Everything the page shows: runs, comparison table, weekly series and how they were made."""

    title: str
    points: list[str]
    baseline: str
    runs: pd.DataFrame
    table: pd.DataFrame
    series: pd.DataFrame | None
    series_kinds: dict[str, str]
    warmup_years: float
    experiment_toml: str | None = None
    #: The paired difference per year after warm-up (runner.compare.time_path), or None.
    path: pd.DataFrame | None = None

    def bands(self, name: str) -> dict[str, tuple[Any, Any, Any, Any]]:
        """Per option: (years, mean, low, high) of a weekly series (95% band over replications)."""
        out = {}
        if self.series is None or name not in self.series.columns:
            return out
        for point in self.points:
            band = series_band(self.series, name, point, self.series_kinds.get(name) == "flow")
            if band is not None:
                out[point] = band
        return out


def _compared(runs: pd.DataFrame, years: pd.DataFrame | None, baseline: str, measured_years: float
              ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The comparison table of the page's KPIs with its horizons, and the time path (None without
    per-year values)."""
    kpis = [k for k in COMPARE_KPIS if k in runs.columns]
    path = None
    if years is not None and baseline in set(years["point"]):
        path = time_path(years, baseline, kpis)
        path = path if not path.empty else None
    return with_horizons(compare(runs, baseline=baseline, kpis=kpis), path, measured_years), path


def _warmup(region: str) -> float:
    """The region's own warm-up (a shipped scenario), else one year."""
    if region in available_scenarios():
        from ..scenario import load_scenario

        return load_scenario(region).run.warmup_years
    return 1.0


def experiment_data(region: str, options: list[Option], replications: int, years: float,
                    master_seed: int = 20250101) -> dict[str, Any]:
    """The experiment file (as data) that runs ``options`` on ``region``; the first is the baseline.

    The warm-up is the region's own, but at most a quarter of a short horizon.
    """
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise ValueError("elke optie mag maar één keer gekozen worden")
    return {
        "name": "vergelijking",
        "description": f"Vergelijking in de app: {', '.join(names)}",
        "base": region,
        "master_seed": master_seed,
        "replications": replications,
        "years": years,
        "warmup_years": min(_warmup(region), years / 4),
        "baseline": names[0],
        "series": list(COMPARE_SERIES),
        "design": {"type": "variants"},
        "variants": [o.variant() for o in options],
    }


#: The name an uploaded scenario gets in the comparison's private folder (the experiment's ``base``).
UPLOAD_FILE = "geupload.toml"


def run_comparison(data: dict[str, Any], work_root: Path, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None, uploaded: Scenario | None = None
                   ) -> ComparisonResult:
    """Run an experiment (from :func:`experiment_data`) in a private folder under ``work_root``.

    The folder is made by :func:`tempfile.mkdtemp` (a random name, mode 0700, so no other user
    can pre-create or redirect it) and removed when the sweep's files have been read back.
    ``uploaded`` (an uploaded scenario, ``data["base"] == UPLOAD_FILE``) is written into that
    folder for the experiment to read, and removed with it.
    """
    work_root.mkdir(parents=True, exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix="zorgsim-vergelijking-", dir=work_root))
    try:
        if uploaded is not None:
            (private / UPLOAD_FILE).write_text(scenario_to_toml(uploaded), encoding="utf-8")
        experiment = Experiment.from_dict(data, "vergelijking", private if uploaded is not None else None)
        n = experiment.n_runs
        workers = max(1, min(workers or os.cpu_count() or 1, n))
        result = run_sweep(experiment, private / "sweep", workers=workers,
                           progress=(lambda done, total, _o: progress(done, total)) if progress else None)
        runs = result.runs()
        series = result.series()
        years = result.years()
    finally:
        shutil.rmtree(private, ignore_errors=True)
    table, path = _compared(runs, years, experiment.baseline, experiment.years - experiment.warmup_years)
    shipped = data["base"] in available_scenarios()
    where = f"Geüpload: {uploaded.name}" if uploaded is not None else str(data["base"])
    return ComparisonResult(
        title=f"{scenario_title(data['base']) if shipped else where}: {experiment.spec.replications} "
              f"herhalingen × {experiment.years:g} jaar",
        points=[p.name for p in experiment.points], baseline=experiment.baseline, runs=runs, table=table,
        series=series, series_kinds={k: v["kind"] for k, v in experiment.series.items()},
        warmup_years=experiment.warmup_years,
        experiment_toml=tomli_w.dumps(data) if shipped else None, path=path)


# ---------------------------------------------------------------------------------------------
# Results folders of `zorgsim sweep`
# ---------------------------------------------------------------------------------------------
def results_folders(root: Path) -> list[str]:
    """Names of the sweep results folders directly under ``root`` (only these can be opened)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file()
                  and any((p / "runs").glob("*.parquet")))


def open_results(root: Path, name: str) -> ComparisonResult:
    """A finished (or partly finished) sweep under ``root``, compared against its baseline."""
    if name not in results_folders(root):
        raise ValueError(f"{name!r} is geen resultatenmap in {root}")
    store = SweepStore(root / name)
    manifest = store.manifest()["experiment"]
    runs = store.read_runs()
    present = list(dict.fromkeys(runs["point"]))
    planned = [p["name"] for p in manifest["points"]]
    points = [p for p in planned if p in present] + [p for p in present if p not in planned]
    baseline = manifest.get("baseline") if manifest.get("baseline") in present else points[0]
    index = {p: i for i, p in enumerate(points)}
    runs["point_index"] = runs["point"].map(index)
    years = store.read_years()
    if years is not None:
        years = years[years["point"].isin(index)].copy()
        years["point_index"] = years["point"].map(index)
    table, path = _compared(runs, years, baseline, float(manifest["years"]) - float(manifest["warmup_years"]))
    series_spec = manifest.get("series") or {}
    return ComparisonResult(
        title=f"Resultaten van zorgsim sweep: {manifest['name']} ({len(runs)} runs)", points=points,
        baseline=baseline, runs=runs, table=table, series=store.read_series() if series_spec else None,
        series_kinds={k: v["kind"] for k, v in series_spec.items()}, warmup_years=float(manifest["warmup_years"]),
        path=path)
