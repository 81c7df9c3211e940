"""Global sensitivity analysis of a Morris or Sobol' sweep (SALib): which factors drive the KPIs?

The sweep ran a design from :mod:`SALib.sample.morris` or :mod:`SALib.sample.sobol` (the
experiment's ``design.type``), each point in the unit cube mapped onto the factors' ranges and
recorded in experiment.json. Each point ran ``replications`` times with common random numbers
(replication r of every point has the same seed); its KPI is the mean over the replications that
every point finished. :func:`analyse` gives per KPI and factor

* **Morris** (:func:`SALib.analyze.morris.analyze`): μ* (mean absolute elementary effect — how
  much moving the factor over its whole range moves the KPI; the ranking measure) with its
  bootstrap 95% CI, σ (spread of the effects: interaction or non-linearity) and μ (signed mean);
* **Sobol'** (:func:`SALib.analyze.sobol.analyze`): S1 (share of the KPI's variance due to the
  factor alone) and ST (total, with all its interactions), each with a bootstrap 95% CI.

:func:`write_sensitivity_report` writes sensitivity.csv, a ranked chart per KPI (PNG and SVG)
and report.md/report.html, staged and swapped into place as a whole.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .compare import _num
from .experiment import SENSITIVITY_DESIGNS, ExperimentError, import_salib, salib_problem
from .reportdoc import Doc
from .results import ANALYSIS_KPIS, Results, label_of, load_results
from .staged import staged_report

#: Bootstrap resamples for the confidence intervals, and their seed (reports are reproducible).
RESAMPLES = 1000
BOOTSTRAP_SEED = 20250413

COLUMNS = {
    "morris": ["mu_star", "mu_star_conf", "sigma", "mu", "mu_star_rel"],
    "sobol": ["ST", "ST_conf", "S1", "S1_conf"],
}


@dataclass
class Sensitivity:
    """The indices: ``table`` has one row per KPI and factor, ranked within each KPI."""

    results: Results
    method: str
    table: pd.DataFrame
    kpis: list[str]
    replications: list[int]
    skipped: dict[str, str] = field(default_factory=dict)  # KPI → why it has no indices
    noise: dict[str, float] = field(default_factory=dict)  # Morris: KPI → the μ* of run-to-run noise alone
    asked: list[str] = field(default_factory=list)  # the KPIs asked for (empty: the defaults)
    files: list[Path] = field(default_factory=list)

    def ranking(self, kpi: str) -> pd.DataFrame:
        return self.table[self.table["kpi"] == kpi].sort_values("rank")


def analyse(results: str | Path | Results, kpis: list[str] | None = None) -> Sensitivity:
    """Morris μ*/σ or Sobol' S1/ST with 95% CIs for ``kpis`` (default: the headline KPIs present)."""
    res = results if isinstance(results, Results) else load_results(results)
    method = res.design
    if method not in SENSITIVITY_DESIGNS:
        raise ExperimentError(f"{res.folder}: holds a {method} design; zorgsim sensitivity needs the results of a "
                              "morris or sobol design (design.type in the experiment file)")
    salib = import_salib("zorgsim sensitivity")
    names = res.check_kpis(kpis)
    factors = res.factors
    points = res.points
    if any("unit" not in p for p in points):
        raise ExperimentError(f"{res.folder}: experiment.json has no unit-cube sample for its points; rerun the "
                              "sweep with this version of zorgsim")
    reps = res.complete_replications()
    if not reps:
        raise ExperimentError(f"{res.folder}: no replication is complete yet ({len(res.runs)} of "
                              f"{res.manifest.get('n_runs', '?')} runs); resume it with 'zorgsim sweep'")
    means = res.point_means(names, reps).reindex(range(len(points)))
    noise_y = _noise_contrast(res, names, reps, len(points)) if method == "morris" else None
    X = np.array([p["unit"] for p in points], dtype=float)
    problem = salib_problem(factors)
    design = res.experiment["design"]
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    noise: dict[str, float] = {}
    for kpi in names:
        y = means[kpi].to_numpy(dtype=float)
        missing = int(np.isnan(y).sum())
        if missing:
            skipped[kpi] = f"no value in {missing} of {len(y)} design points (the KPI is undefined there)"
            continue
        if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            skipped[kpi] = f"the same in every design point ({_num(float(y[0]))}): no factor moves it"
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if method == "morris":
                out = salib.analyze.morris.analyze(problem, X, y, num_resamples=RESAMPLES, conf_level=0.95,
                                                   num_levels=int(design.get("levels") or 4), seed=BOOTSTRAP_SEED)
                top = float(np.max(out["mu_star"]))
                values = {"mu_star": out["mu_star"], "mu_star_conf": out["mu_star_conf"], "sigma": out["sigma"],
                          "mu": out["mu"], "mu_star_rel": np.asarray(out["mu_star"]) / top if top > 0 else
                          np.zeros(len(factors))}
                order_by = np.asarray(out["mu_star"], dtype=float)
                if noise_y is not None and not noise_y[kpi].isna().any():
                    pure = salib.analyze.morris.analyze(problem, X, noise_y[kpi].to_numpy(dtype=float),
                                                        num_resamples=10, num_levels=int(design.get("levels") or 4),
                                                        seed=BOOTSTRAP_SEED)
                    noise[kpi] = float(np.mean(pure["mu_star"]))
            else:
                out = salib.analyze.sobol.analyze(problem, y, calc_second_order=bool(design.get("second_order")),
                                                  num_resamples=RESAMPLES, conf_level=0.95, seed=BOOTSTRAP_SEED)
                values = {k: out[k] for k in ("ST", "ST_conf", "S1", "S1_conf")}
                order_by = np.asarray(out["ST"], dtype=float)
        rank = np.empty(len(factors), dtype=int)
        rank[np.argsort(-np.nan_to_num(order_by, nan=-np.inf), kind="stable")] = np.arange(1, len(factors) + 1)
        for i, f in enumerate(factors):
            row: dict[str, Any] = {"kpi": kpi, "rank": int(rank[i]), "factor": f["key"],
                                   "label": label_of(f["key"], factors), "group": f["group"]}
            row.update({k: float(np.asarray(v, dtype=float)[i]) for k, v in values.items()})
            rows.append(row)
    columns = ["kpi", "rank", "factor", "label", "group"] + COLUMNS[method]
    table = pd.DataFrame(rows, columns=columns)
    if method == "morris":
        table["noise_mu_star"] = table["kpi"].map(noise).astype(float)
    if not table.empty:
        table = table.sort_values(["kpi", "rank"], key=lambda s: s.map({k: i for i, k in enumerate(names)})
                                  if s.name == "kpi" else s, kind="stable").reset_index(drop=True)
    return Sensitivity(res, method, table, [k for k in names if k not in skipped], reps, skipped, noise,
                       list(kpis or []))


def _noise_contrast(res: Results, kpis: list[str], reps: list[int], n_points: int) -> pd.DataFrame | None:
    """Pure run-to-run noise with the variance of a point's mean: Σ ±Y_r / R over an even number of replications.

    The signs alternate, so the model's response f(x) cancels and only the noise of the R runs is left,
    with the same variance as the noise in the mean of R runs. Morris' μ* of this contrast is the μ* a
    factor without any effect would get from noise alone (None with fewer than 2 replications).
    """
    use = reps[: len(reps) - len(reps) % 2]
    if len(use) < 2:
        return None
    runs = res.runs[res.runs["replication"].isin(use)]
    sign = runs["replication"].map({r: (1.0 if i % 2 == 0 else -1.0) for i, r in enumerate(use)})
    contrast = runs[kpis].mul(sign, axis=0).groupby(runs["point_index"]).sum() / len(use)
    return contrast.reindex(range(n_points))


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
def _cell(value: float) -> str:
    return "–" if value != value else _num(value)


def _ranking_rows(s: Sensitivity, kpi: str) -> tuple[list[str], list[list[str]]]:
    r = s.ranking(kpi)
    if s.method == "morris":
        header = ["rank", "factor", "group", "μ*", "95% CI of μ*", "σ", "μ", "μ* / max", "vs noise"]
        noise = s.noise.get(kpi)
        rows = [[str(x["rank"]), f"`{x['factor']}`", x["group"], _cell(x["mu_star"]),
                 f"± {_cell(x['mu_star_conf'])}", _cell(x["sigma"]), _cell(x["mu"]), f"{x['mu_star_rel']:.2f}",
                 "–" if noise is None else ("above" if x["mu_star"] > noise else "≈ noise")]
                for _, x in r.iterrows()]
    else:
        header = ["rank", "factor", "group", "ST", "95% CI of ST", "S1", "95% CI of S1"]
        rows = [[str(x["rank"]), f"`{x['factor']}`", x["group"], f"{x['ST']:.3f}", f"± {x['ST_conf']:.3f}",
                 f"{x['S1']:.3f}", f"± {x['S1_conf']:.3f}"] for _, x in r.iterrows()]
    return header, rows


METHOD_TEXT = {
    "morris": (
        "Morris screening (SALib.analyze.morris). Every factor is scaled to [0, 1] over its range (a factor with "
        "listed values is split into equal strata, one per value). Along each trajectory one factor at a time "
        "moves by Δ = levels / (2 (levels − 1)) of its range; the change in the KPI divided by Δ is an "
        "*elementary effect*. **μ*** is the mean absolute elementary effect, in the KPI's own unit per full "
        "range of the factor: the factor's importance, and the ranking. Its **95% CI** is a bootstrap over the "
        "trajectories. **σ** is the spread of the effects: a σ near or above μ* means the effect depends on the "
        "other factors (interaction) or is not linear. **μ** is the signed mean: its sign says whether raising "
        "the factor raises the KPI. **Noise level** (with 2 or more replications): the μ* of a contrast of the "
        "replications (Σ ±Y_r / R, signs alternating) in which the model's response cancels and only run-to-run "
        "noise is left; a factor whose μ* is not above it cannot be told from no effect. More trajectories narrow "
        "the CI of μ*; more replications lower the noise."),
    "sobol": (
        "Sobol' variance decomposition (SALib.analyze.sobol; sample from SALib.sample.sobol). **S1** is the share "
        "of the KPI's variance over the design due to the factor alone; **ST** is the share due to the factor "
        "with all its interactions. ST − S1 is the interaction part; factors with ST ≈ 0 can be fixed at any "
        "value in their range without changing the KPI. The **95% CI** is a bootstrap; with few base samples it "
        "is wide, and small negative estimates are noise around 0. The shares are of the *model's* variance over "
        "the factors' ranges, so they depend on those ranges."),
}


def write_sensitivity_report(results: str | Path, out: str | Path | None = None,
                             kpis: list[str] | None = None) -> Sensitivity:
    """Analyse ``results`` and write sensitivity.csv, charts and report.md/.html into ``out``."""
    s = analyse(results, kpis)
    res = s.results
    folder = Path(out) if out is not None else res.folder / "sensitivity"
    exp = res.experiment
    from . import charts

    with staged_report(folder, "sensitivity", {"results": str(res.folder), "method": s.method,
                                               "fingerprint": res.manifest["fingerprint"]}) as stage:
        s.table.to_csv(stage / "sensitivity.csv", index=False)
        stems = []
        for kpi in s.kpis:
            stem = f"{s.method}_{kpi}"
            charts.sensitivity_bars(s.ranking(kpi), s.method, ANALYSIS_KPIS.get(kpi, kpi), exp["name"], stage, stem,
                                    s.noise.get(kpi))
            stems.append((kpi, stem))
        doc = _document(s, stems)
        doc.write(stage)
    s.files = sorted(folder.iterdir())
    return s


def _document(s: Sensitivity, stems: list[tuple[str, str]]) -> Doc:
    res = s.results
    exp = res.experiment
    design = exp["design"]
    points = res.points
    n_factors = len(res.factors)
    doc = Doc(f"{exp['name']}: sensitivity ({'Morris' if s.method == 'morris' else 'Sobol'})")
    if exp.get("description"):
        doc.paragraph(exp["description"])
    if s.method == "morris":
        size = f"{design['n']} trajectories × ({n_factors} factors + 1) = {len(points)} design points, " \
               f"{int(design.get('levels') or 4)} levels"
    else:
        per = 2 * n_factors + 2 if design.get("second_order") else n_factors + 2
        size = f"{design['n']} base samples × ({per}) = {len(points)} design points"
    codes = sorted(res.runs["model_code"].dropna().unique()) if "model_code" in res.runs.columns else []
    facts = [
        f"base scenario: `{exp['base'].get('name')}` · {size} · {exp['replications']} replication(s) each "
        f"(common random numbers); KPIs are the mean over the {len(s.replications)} replication(s) every point "
        f"finished ({len(res.runs)} of {res.manifest.get('n_runs', '?')} runs stored)",
        f"horizon: {exp['years']:g} years, of which {exp['warmup_years']:g} warm-up · master seed "
        f"{exp['master_seed']} · fingerprint `{res.manifest['fingerprint'][:16]}`"
        + (f" · model code `{codes[0]}`" if len(codes) == 1 else ""),
        "factors: " + "; ".join(f"`{f['key']}` ({f['group']}) " + (
            "∈ {" + ", ".join(map(str, f["values"])) + "}" if "values" in f else f"{f['min']:g} … {f['max']:g}")
            for f in res.factors),
        f"results: `{res.folder}` · made with `zorgsim sensitivity {res.folder}"
        + "".join(f" --kpi {k}" for k in s.asked) + "`",
    ]
    if len(codes) > 1:
        facts.append(f"**warning: the runs come from {len(codes)} versions of the model code** ({', '.join(codes)})")
    doc.bullets(facts)
    doc.heading("How to read this")
    doc.paragraph(METHOD_TEXT[s.method])
    if s.kpis:
        doc.heading("Overview: rank of each factor per KPI")
        key = "mu_star_rel" if s.method == "morris" else "ST"
        doc.paragraph("Rank 1 is the most influential factor for that KPI; in brackets "
                      + ("μ* relative to the largest μ* of the KPI." if s.method == "morris" else "ST."))
        header = ["factor"] + s.kpis
        rows = []
        first = s.ranking(s.kpis[0])
        for _, f in first.iterrows():
            row = [f"`{f['factor']}`"]
            for kpi in s.kpis:
                x = s.table[(s.table["kpi"] == kpi) & (s.table["factor"] == f["factor"])].iloc[0]
                row.append(f"{x['rank']} ({x[key]:.2f})")
            rows.append(row)
        doc.table(header, rows)
    for kpi, stem in stems:
        doc.heading(f"{ANALYSIS_KPIS.get(kpi, kpi)} (`{kpi}`)")
        if kpi in s.noise:
            above = int((s.ranking(kpi)["mu_star"] > s.noise[kpi]).sum())
            doc.paragraph(f"Noise level: μ* = {_cell(s.noise[kpi])} is what a factor without any effect gets from "
                          f"run-to-run noise alone (dashed line); {above} of {len(s.results.factors)} factors are "
                          "above it.")
        doc.figure(stem, "Factors ranked by " + ("μ* (bar, with its 95% CI); the diamond is σ." if s.method == "morris"
                                                  else "ST (dark, with its 95% CI); S1 light."))
        doc.table(*_ranking_rows(s, kpi))
    if s.skipped:
        doc.heading("KPIs without indices")
        doc.bullets([f"`{k}`: {why}" for k, why in s.skipped.items()])
    doc.paragraph("Every index of every KPI and factor is in `sensitivity.csv`. These are statements about the "
                  "model over the factors' ranges, not about the world: an influential factor whose value is an "
                  "assumption is where better evidence would most improve the model.")
    return doc
