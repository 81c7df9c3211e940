"""Scenario discovery: which combinations of levers and uncertainties lead to an outcome of interest?

A sweep (any design with varied factors; a Latin hypercube or a Sobol' sample covers the space
best) gives one case per design point: its factor values and the KPI's mean over its
replications. A case is *of interest* when the KPI is above (or below) a threshold — "p90 wait
above 13 weeks", "cost above budget". PRIM (the Patient Rule Induction Method, Friedman & Fisher
1999; as used for scenario discovery by Bryant & Lempert 2010), from the EMA workbench's analysis
module (:class:`ema_workbench.analysis.prim.Prim`), peels the factor space down to boxes —
simple rules like "staff_availability < 0.8 and queue = per_aanbieder" — where such cases
concentrate. For each box:

* **coverage**: the share of all cases of interest that fall inside the box;
* **density**: the share of the cases inside the box that are of interest;
* **mass**: the share of all cases inside the box.

Peeling trades coverage for density: the *trade-off curve* shows every box along the way. A box
is chosen on it — the one with the highest coverage whose density is at least ``density`` — and
PRIM then looks for the next box among the cases left outside. Quasi-p values (a one-sided
binomial test per restriction, Bryant & Lempert 2010) say whether a restriction is more than
chance.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .compare import _num
from .experiment import ExperimentError
from .reportdoc import Doc
from .results import ANALYSIS_KPIS, Results, label_of, load_results
from .staged import staged_report


def import_prim() -> Any:
    """``ema_workbench.analysis.prim`` (quietly), or one ExperimentError line naming the extra."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "ipyparallel not installed": not used here
            from ema_workbench.analysis import prim
    except ImportError:
        raise ExperimentError("zorgsim discover needs the EMA workbench (ema_workbench), which is not installed; "
                              "install it with: uv sync --extra analyse") from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


@dataclass
class Box:
    """One PRIM box: its restrictions (one row per restricted factor) and its statistics."""

    number: int
    limits: pd.DataFrame  # factor, label, kind, lower, upper, values, qp
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    chosen: int  # index of the chosen box on the peeling trajectory
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim, n, k per peeling step

    def rule(self) -> str:
        """The box as a readable rule, e.g. 'staff_availability ≤ 0.8 and queue ∈ {central}'."""
        parts = []
        for _, r in self.limits.iterrows():
            if r["kind"] == "categorical":
                parts.append(f"{r['label']} ∈ {{{r['values']}}}")
            elif not math.isnan(r["lower"]) and not math.isnan(r["upper"]):
                parts.append(f"{_num(r['lower'])} ≤ {r['label']} ≤ {_num(r['upper'])}")
            elif not math.isnan(r["lower"]):
                parts.append(f"{r['label']} ≥ {_num(r['lower'])}")
            else:
                parts.append(f"{r['label']} ≤ {_num(r['upper'])}")
        return " and ".join(parts) if parts else "(no restriction)"


@dataclass
class Discovery:
    results: Results
    kpi: str
    direction: str  # 'above' or 'below'
    threshold: float
    density_threshold: float
    cases: pd.DataFrame  # one row per design point: factor columns (labels), the KPI, of_interest
    boxes: list[Box]
    files: list[Path] = field(default_factory=list)

    @property
    def n_interest(self) -> int:
        return int(self.cases["of_interest"].sum())


def _cases(res: Results, kpi: str) -> tuple[pd.DataFrame, list[str]]:
    """One case per design point: its varied factors (named by label) and the KPI's mean over its runs."""
    keys = [c for c in res.runs.columns if "." in c and res.runs[c].nunique(dropna=False) > 1]
    if not keys:
        raise ExperimentError(f"{res.folder}: no factor varies between the design points; scenario discovery needs "
                              "a design over levers or uncertainties (a latin_hypercube or sobol design is best)")
    by_point = res.runs.groupby("point_index", sort=True)
    x = by_point[keys].first()
    labels = [label_of(k, res.factors) for k in keys]
    if len(set(labels)) != len(labels):
        labels = keys
    x.columns = labels
    for col in x.columns:  # PRIM peels numbers (floats and integers) and choices (anything else)
        kind = x[col].dtype
        if pd.api.types.is_bool_dtype(kind):
            x[col] = x[col].map({True: "ja", False: "nee"}).astype(object)
        elif pd.api.types.is_integer_dtype(kind):
            x[col] = x[col].astype(np.int64)
        elif pd.api.types.is_float_dtype(kind):
            x[col] = x[col].astype(np.float64)
        else:
            x[col] = x[col].map(str).astype(object)
    x[kpi] = by_point[kpi].mean()
    return x.dropna(subset=[kpi]), labels


def discover(results: str | Path | Results, kpi: str, above: float | None = None, below: float | None = None,
             density: float = 0.8, max_boxes: int = 3, mass_min: float = 0.05, peel_alpha: float = 0.05) -> Discovery:
    """PRIM boxes where ``kpi`` is above ``above`` (or below ``below``); see the module docstring."""
    if (above is None) == (below is None):
        raise ExperimentError("zorgsim discover: give exactly one of --above X or --below X")
    if not 0 < density <= 1:
        raise ExperimentError(f"--density {density}: must be in (0, 1]")
    if max_boxes < 1:
        raise ExperimentError(f"--boxes {max_boxes}: must be ≥ 1")
    res = results if isinstance(results, Results) else load_results(results)
    res.check_kpis([kpi])
    prim_module = import_prim()
    cases, labels = _cases(res, kpi)
    direction, threshold = ("above", float(above)) if above is not None else ("below", float(below))  # type: ignore[arg-type]
    values = cases[kpi].to_numpy(dtype=float)
    interest = values > threshold if direction == "above" else values < threshold
    option = f"--{direction} {threshold:g}"
    span = f"{kpi} ranges from {_num(float(values.min()))} to {_num(float(values.max()))} over {len(values)} design points"
    if not interest.any():
        raise ExperimentError(f"{option}: no design point has {kpi} {direction} {threshold:g} ({span}); "
                              "nothing to discover")
    if interest.all():
        raise ExperimentError(f"{option}: every design point has {kpi} {direction} {threshold:g} ({span}); "
                              "nothing to tell apart")
    cases["of_interest"] = interest
    x = cases[labels].reset_index(drop=True)
    y = interest.astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prim = prim_module.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        boxes: list[Box] = []
        for number in range(1, max_boxes + 1):
            found = prim.find_box()
            if found is None:
                break
            traj = found.peeling_trajectory.reset_index(drop=True)
            ok = traj.index[traj["density"] >= density]
            chosen = int(traj.loc[ok, "coverage"].idxmax()) if len(ok) else int(traj["density"].idxmax())
            found.select(chosen)
            box = _box(number, found, chosen, prim.box_init, x, res)
            if box.limits.empty:  # PRIM could not restrict anything: the rest is not a box
                break
            boxes.append(box)
            if box.coverage >= 0.999 or not (y.astype(bool) & ~_inside(x, box)).any():
                break
    return Discovery(res, kpi, direction, threshold, density, cases, boxes)


def _box(number: int, found: Any, chosen: int, box_init: pd.DataFrame, x: pd.DataFrame, res: Results) -> Box:
    lim = found.box_lims[chosen]
    qp = found.p_values[chosen] if chosen < len(found.p_values) else {}
    rows = []
    for col in x.columns:
        lo, hi = lim[col].iloc[0], lim[col].iloc[1]
        lo0, hi0 = box_init[col].iloc[0], box_init[col].iloc[1]
        key = next((f["key"] for f in res.factors if label_of(f["key"], res.factors) == col), col)
        p = [v for v in qp.get(col, []) if v is not None and v >= 0]
        if isinstance(lo, set):
            if lo == lo0:
                continue
            rows.append({"factor": key, "label": col, "kind": "categorical", "lower": math.nan, "upper": math.nan,
                         "values": ", ".join(sorted(map(str, lo))), "qp": max(p) if p else math.nan})
        elif lo != lo0 or hi != hi0:
            rows.append({"factor": key, "label": col, "kind": "numeric",
                         "lower": float(lo) if lo != lo0 else math.nan, "upper": float(hi) if hi != hi0 else math.nan,
                         "values": "", "qp": max(p) if p else math.nan})
    limits = pd.DataFrame(rows, columns=["factor", "label", "kind", "lower", "upper", "values", "qp"])
    traj = found.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]].reset_index(drop=True)
    t = traj.loc[chosen]
    return Box(number, limits, float(t["coverage"]), float(t["density"]), float(t["mass"]), int(t["n"]), int(t["k"]),
               chosen, traj)


def _inside(x: pd.DataFrame, box: Box) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for _, r in box.limits.iterrows():
        col = x[r["label"]]
        if r["kind"] == "categorical":
            inside &= col.astype(str).isin(r["values"].split(", ")).to_numpy()
        else:
            if not math.isnan(r["lower"]):
                inside &= (col >= r["lower"]).to_numpy()
            if not math.isnan(r["upper"]):
                inside &= (col <= r["upper"]).to_numpy()
    return inside


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
METHOD_TEXT = (
    "PRIM (ema_workbench.analysis.prim) peels the factor space, a few percent of the cases at a time, towards "
    "the region where the cases of interest concentrate, then pastes back what it peeled too eagerly. Each box "
    "is a rule on a few factors. **Coverage**: the share of all cases of interest inside the box (how much of the "
    "problem the rule explains). **Density**: the share of the cases inside the box that are of interest (how "
    "reliable the rule is). **Mass**: the share of all cases inside. The **trade-off curve** shows every box "
    "along the peeling: to the upper left small, pure boxes, to the lower right large, mixed ones; the colour is "
    "the number of restricted factors, the star the chosen box (the highest coverage with at least the density "
    "threshold). A box's restrictions with a **quasi-p** above 0.05 may be chance. Each case is a design point, "
    "its KPI the mean over its replications. The rules describe the *model*: they say where to look, not what "
    "will happen.")


def write_discovery_report(results: str | Path, kpi: str, above: float | None = None, below: float | None = None,
                           out: str | Path | None = None, density: float = 0.8, max_boxes: int = 3) -> Discovery:
    """Run :func:`discover` and write boxes.csv, trajectory.csv, cases.csv, charts and report.md/.html."""
    d = discover(results, kpi, above, below, density, max_boxes)
    res = d.results
    folder = Path(out) if out is not None else res.folder / f"discover-{kpi}"
    from . import charts

    with staged_report(folder, "discover", {"results": str(res.folder), "kpi": kpi, "direction": d.direction,
                                            "threshold": d.threshold,
                                            "fingerprint": res.manifest["fingerprint"]}) as stage:
        boxes = pd.concat([b.limits.assign(box=b.number, coverage=b.coverage, density=b.density, mass=b.mass,
                                           n=b.n, k=b.k) for b in d.boxes], ignore_index=True) if d.boxes else \
            pd.DataFrame(columns=["box"])
        boxes.to_csv(stage / "boxes.csv", index=False)
        trajectory = pd.concat([b.trajectory.assign(box=b.number, chosen=b.trajectory.index == b.chosen)
                                for b in d.boxes], ignore_index=True) if d.boxes else pd.DataFrame()
        trajectory.to_csv(stage / "trajectory.csv", index=False)
        d.cases.to_csv(stage / "cases.csv", index=False)
        if d.boxes:
            charts.prim_tradeoff(d.boxes, stage, f"{res.experiment['name']}: {kpi} {d.direction} {d.threshold:g}")
            charts.prim_boxes(d.boxes, d.cases, stage, f"{res.experiment['name']}: {kpi} {d.direction} "
                                                       f"{d.threshold:g}")
        _document(d).write(stage)
    d.files = sorted(folder.iterdir())
    return d


def _document(d: Discovery) -> Doc:
    res = d.results
    exp = res.experiment
    doc = Doc(f"{exp['name']}: scenario discovery — {d.kpi} {d.direction} {d.threshold:g}")
    doc.bullets([
        f"KPI: `{d.kpi}` ({ANALYSIS_KPIS.get(d.kpi, d.kpi)}); cases of interest: {d.kpi} {d.direction} "
        f"{d.threshold:g} — **{d.n_interest} of {len(d.cases)}** design points ({d.n_interest / len(d.cases):.0%})",
        res.describe(),
        f"made with `zorgsim discover {res.folder} --kpi {d.kpi} --{d.direction} {d.threshold:g} --density "
        f"{d.density_threshold:g}`",
    ])
    doc.heading("How to read this")
    doc.paragraph(METHOD_TEXT)
    doc.heading("Boxes")
    if not d.boxes:
        doc.paragraph("PRIM found no box that restricts any factor: the cases of interest are spread over the whole "
                      "space of these factors.")
    else:
        doc.table(["box", "rule", "coverage", "density", "mass", "cases in box"],
                  [[str(b.number), b.rule(), f"{b.coverage:.0%}", f"{b.density:.0%}", f"{b.mass:.0%}",
                    f"{b.k} of {b.n} of interest"] for b in d.boxes])
        doc.figure("tradeoff", "Trade-off curve per box: coverage against density along the peeling; colour = "
                               "restricted factors, star = the chosen box.")
        doc.figure("boxes", "The chosen boxes' limits within each factor's range (grey); for a choice, the values "
                            "kept.")
        for b in d.boxes:
            doc.heading(f"Box {b.number}", 3)
            doc.table(["factor", "lower", "upper", "values", "quasi-p"],
                      [[f"`{r['factor']}`", _num(r["lower"]), _num(r["upper"]), r["values"] or "",
                        "–" if r["qp"] != r["qp"] else f"{r['qp']:.3g}"] for _, r in b.limits.iterrows()])
    doc.paragraph("Every case with its factor values and KPI is in `cases.csv`; the boxes in `boxes.csv`; every "
                  "step of the peeling in `trajectory.csv`.")
    return doc
