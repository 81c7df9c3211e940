"""A sweep's results folder read back for analysis: the recorded experiment, the runs, their KPIs.

Shared by ``zorgsim sensitivity``, ``discover`` and ``robust``. Every problem is one
:class:`ExperimentError` line naming the folder or option and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .compare import kpi_columns
from .experiment import ExperimentError
from .sweep import SweepStore

#: The headline KPIs the analyses report by default (those a results folder has): wachtlijst,
#: wachttijd, uithuisplaatsingen, crisis, kosten.
ANALYSIS_KPIS: dict[str, str] = {
    "waitlist_mean": "wachtlijst: jongeren waiting (mean)",
    "wait_weeks_mean": "wachttijd: mean wait (weeks)",
    "wait_weeks_p90": "wachttijd: p90 wait (weeks)",
    "placements_per_year": "uithuisplaatsingen per year",
    "crisis_per_year": "crisis admissions per year",
    "cost_per_year_eur": "kosten per year (EUR)",
}


@dataclass
class Results:
    """One results folder: ``experiment`` is the recorded experiment (experiment.json)."""

    folder: Path
    manifest: dict[str, Any]
    experiment: dict[str, Any]
    runs: pd.DataFrame

    @property
    def design(self) -> str:
        return str(self.experiment.get("design", {}).get("type", "full_factorial"))

    @property
    def points(self) -> list[dict[str, Any]]:
        return list(self.experiment.get("points", []))

    @property
    def factors(self) -> list[dict[str, Any]]:
        return list(self.experiment.get("factors", []))

    def kpis(self) -> list[str]:
        return kpi_columns(self.runs)

    def describe(self) -> str:
        """One line for a report: the folder, design, runs, base, horizon and fingerprint."""
        exp = self.experiment
        return (f"results: `{self.folder}` ({self.design} design, {len(self.runs)} runs, base "
                f"`{exp['base'].get('name')}`, {exp['years']:g} years, {exp['replications']} replication(s), "
                f"fingerprint `{self.manifest['fingerprint'][:16]}`)")

    def check_kpis(self, asked: list[str] | None, option: str = "--kpi") -> list[str]:
        """The asked KPIs (each must be in the results), or the headline KPIs present (else all)."""
        known = self.kpis()
        if asked:
            for kpi in asked:
                if kpi not in known:
                    raise ExperimentError(f"{option} {kpi}: not a KPI in {self.folder}; allowed: {', '.join(known)}")
            return list(dict.fromkeys(asked))
        return [k for k in ANALYSIS_KPIS if k in known] or known

    def complete_replications(self) -> list[int]:
        """Replications that every design point has finished (a sweep runs replication by replication)."""
        n_points = len(self.points)
        counts = self.runs.groupby("replication")["point_index"].nunique()
        return sorted(int(r) for r, n in counts.items() if n == n_points)

    def point_means(self, kpis: list[str], replications: list[int] | None = None) -> pd.DataFrame:
        """Mean of each KPI over the (given) replications, one row per design point (index: point_index)."""
        runs = self.runs if replications is None else self.runs[self.runs["replication"].isin(replications)]
        return runs.groupby("point_index", sort=True)[kpis].mean()


def label_of(key: str, factors: list[dict[str, Any]]) -> str:
    """A factor's label (from the experiment) or the last part of its key path."""
    for f in factors:
        if f["key"] == key:
            return str(f.get("label") or key.rsplit(".", 1)[-1])
    return key.rsplit(".", 1)[-1]


def load_results(folder: str | Path) -> Results:
    """Read a results folder of ``zorgsim sweep``; ExperimentError when it is not one or has no runs."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExperimentError(f"{folder}: not a folder; give the --out folder of 'zorgsim sweep'")
    store = SweepStore(folder)
    manifest = store.manifest()
    runs = store.read_runs()
    if runs.empty:
        raise ExperimentError(f"{folder}: no finished runs yet; run 'zorgsim sweep' first")
    return Results(folder, manifest, manifest["experiment"], runs)
