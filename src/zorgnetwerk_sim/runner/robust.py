"""Robustness of policies: how does each policy do over many possible futures?

Robust decision making (Lempert, Popper & Bankes 2003; the regret and satisficing measures as
compared by McPhail et al. 2018) evaluates every *policy* (a setting of the levers, L) in every
*future* (a setting of the uncertainties, X) of a sample. The sweep of a ``futures`` design
(experiment.py) does exactly that: each policy in each of n futures drawn by a Latin hypercube,
all with common random numbers. A full factorial over levers and uncertainties works too. Per
policy and KPI (the mean over replications in each future):

* **regret** in a future: how much worse the policy does than the best policy *in that future*
  (0 for the best one); a robust policy has a small **maximum regret** (minimax regret, Savage)
  and a small regret in most futures (mean, 90th percentile);
* **relative regret**: regret divided by the best value in that future, so KPIs in different
  units can be compared; the overall ranking is by the largest relative regret over the KPIs;
* **satisficing share**: the share of futures in which the policy meets every norm (for example
  ``wait_over_norm_share<=0.1``: at most 10% of waits over the norm, i.e. 90% within it, and
  ``cost_vs_budget<=1``: within budget) — the domain criterion of Starr (1963).
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .compare import _num
from .experiment import ExperimentError, _fmt_value
from .reportdoc import Doc
from .results import ANALYSIS_KPIS, Results, label_of, load_results
from .staged import staged_report

#: KPIs where more is better (all others: less is better).
MAXIMISE = {"trust_mean", "trust_end", "expertteam_success_share", "resource_sharing_per_year"}
#: Norms used when none are given (those whose KPI is in the results).
DEFAULT_NORMS = ("wait_over_norm_share<=0.1", "cost_vs_budget<=1")
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Norm:
    kpi: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.value:g}"

    def met(self, values: np.ndarray) -> np.ndarray:
        return _OPS[self.op](values, self.value)


def parse_norm(text: str) -> Norm:
    m = re.fullmatch(r"\s*([A-Za-z0-9_]+)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*", text)
    if not m:
        raise ExperimentError(f"--norm {text!r}: expected KPI<=VALUE or KPI>=VALUE, e.g. wait_over_norm_share<=0.1")
    try:
        value = float(m.group(3))
    except ValueError:
        raise ExperimentError(f"--norm {text!r}: {m.group(3)!r} is not a number") from None
    return Norm(m.group(1), m.group(2), value)


@dataclass
class Robustness:
    results: Results
    kpis: list[str]
    norms: list[Norm]
    policies: list[str]
    futures: list[str]
    values: pd.DataFrame  # policy, future, the factor values and KPIs (mean over replications) per point
    regret: pd.DataFrame  # policy, future, kpi, value, best, regret, relative_regret
    summary: pd.DataFrame  # one row per policy: per-KPI regret statistics, satisficing, rank
    asked: list[str] = field(default_factory=list)  # the KPIs asked for (empty: the defaults)
    files: list[Path] = field(default_factory=list)


def _grid(res: Results) -> tuple[pd.Series, pd.Series]:
    """Policy and future name of each design point (index: point_index)."""
    points = res.points
    if points and all("policy" in p and "future" in p for p in points):
        return (pd.Series({p["index"]: p["policy"] for p in points}),
                pd.Series({p["index"]: p["future"] for p in points}))
    first = res.runs.groupby("point_index", sort=True).first()
    levers = [c for c in first.columns if c.startswith("levers.")]
    uncertainties = [c for c in first.columns if c.startswith("uncertainties.")]
    levers = [c for c in levers if first[c].nunique(dropna=False) > 1]
    uncertainties = [c for c in uncertainties if first[c].nunique(dropna=False) > 1]
    if not levers or not uncertainties:
        missing = "levers (the policies)" if not levers else "uncertainties (the futures)"
        raise ExperimentError(f"{res.folder}: no {missing} vary in this design; zorgsim robust needs policies "
                              "evaluated in several futures: use design.type = \"futures\"")

    def names(cols: list[str]) -> pd.Series:
        return first[cols].apply(lambda row: ", ".join(f"{label_of(c, res.factors)}={_fmt_value(row[c])}"
                                                       for c in cols), axis=1)

    return names(levers), names(uncertainties)


def robustness(results: str | Path | Results, kpis: list[str] | None = None,
               norms: list[str] | None = None) -> Robustness:
    """Regret and satisficing of every policy over the futures of a sweep (see the module docstring)."""
    res = results if isinstance(results, Results) else load_results(results)
    names = res.check_kpis(kpis)
    known = res.kpis()
    if norms:
        parsed = [parse_norm(n) for n in norms]
        for n in parsed:
            if n.kpi not in known:
                raise ExperimentError(f"--norm {n}: {n.kpi!r} is not a KPI in {res.folder}; allowed: {', '.join(known)}")
    else:
        parsed = [n for n in map(parse_norm, DEFAULT_NORMS) if n.kpi in known]
    policy, future = _grid(res)
    wanted = list(dict.fromkeys(names + [n.kpi for n in parsed]))
    means = res.point_means(wanted)
    factor_values = res.runs.groupby("point_index", sort=True)[[c for c in res.runs.columns if "." in c]].first()
    means = means.join(factor_values)
    values = means.assign(policy=policy.reindex(means.index), future=future.reindex(means.index))
    policies = list(dict.fromkeys(policy.loc[policy.index.isin(means.index)]))
    futures = list(dict.fromkeys(future.loc[future.index.isin(means.index)]))
    counts = values.groupby("future")["policy"].nunique()
    complete = [f for f in futures if counts.get(f, 0) == len(policies)]
    if len(policies) < 2 or len(complete) < 2:
        raise ExperimentError(f"{res.folder}: {len(policies)} policies and {len(complete)} futures with every policy "
                              "run; zorgsim robust needs at least 2 of each (every policy evaluated in the same "
                              "futures): use design.type = \"futures\", or let the sweep finish")
    values = values[values["future"].isin(complete)].reset_index(drop=True)
    rows = []
    for kpi in names:
        wide = values.pivot(index="future", columns="policy", values=kpi).loc[complete, policies]
        best = wide.max(axis=1) if kpi in MAXIMISE else wide.min(axis=1)
        regret = (best.to_numpy()[:, None] - wide.to_numpy()) if kpi in MAXIMISE else \
            (wide.to_numpy() - best.to_numpy()[:, None])
        scale = np.abs(best.to_numpy())[:, None]
        rel = np.divide(regret, scale, out=np.full_like(regret, np.nan), where=scale > 0)
        for i, f in enumerate(complete):
            for j, p in enumerate(policies):
                rows.append({"policy": p, "future": f, "kpi": kpi, "value": wide.iat[i, j], "best": best.iat[i],
                             "regret": regret[i, j], "relative_regret": rel[i, j]})
    regret = pd.DataFrame(rows)
    summary = _summarise(regret, values, names, parsed, policies)
    return Robustness(res, names, parsed, policies, complete, values, regret, summary, list(kpis or []))


def _summarise(regret: pd.DataFrame, values: pd.DataFrame, kpis: list[str], norms: list[Norm],
               policies: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.Index(policies, name="policy"))
    for kpi in kpis:
        g = regret[regret["kpi"] == kpi].groupby("policy")
        out[f"{kpi}:mean"] = g["value"].mean()
        out[f"{kpi}:max_regret"] = g["regret"].max()
        out[f"{kpi}:mean_regret"] = g["regret"].mean()
        out[f"{kpi}:p90_regret"] = g["regret"].quantile(0.9)
        out[f"{kpi}:max_relative_regret"] = g["relative_regret"].max()
        out[f"{kpi}:best_share"] = g["regret"].apply(lambda r: float((r <= 1e-12 * max(1.0, r.abs().max())).mean()))
    rel_cols = [f"{k}:max_relative_regret" for k in kpis]
    out["max_relative_regret"] = out[rel_cols].max(axis=1, skipna=True)
    if norms:
        met_all = np.ones(len(values), dtype=bool)
        for n in norms:
            met = n.met(values[n.kpi].to_numpy(dtype=float))
            met_all &= met
            out[f"satisficing:{n}"] = pd.Series(met, index=values.index).groupby(values["policy"]).mean()
        out["satisficing"] = pd.Series(met_all, index=values.index).groupby(values["policy"]).mean()
    out["rank"] = out["max_relative_regret"].rank(method="min").astype(int)
    return out.reset_index()


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
METHOD_TEXT = (
    "Every policy ran in every future (the same futures for all policies, and common random numbers within a "
    "replication); a policy's value in a future is its mean over the replications. **Regret**: how much worse "
    "the policy does in a future than the best policy in that same future — 0 when it is the best there. "
    "**Max regret** is the worst case over the futures (minimax regret: a robust policy never does much worse "
    "than the best one could have done); **mean** and **p90 regret** say how it does in most futures. "
    "**Relative regret** divides the regret by the best value in that future, so wachtlijst, kosten and the "
    "rest can be compared; the **rank** is by the largest relative regret over the KPIs. **Satisficing**: the "
    "share of futures in which the policy meets every norm. A policy that is best on average can have a large "
    "regret in some futures; a robust policy gives up a little on average for much less regret in the bad "
    "futures. All of it is about the model and the futures sampled: a policy is robust over *these* ranges of "
    "the uncertainties.")


def write_robust_report(results: str | Path, out: str | Path | None = None, kpis: list[str] | None = None,
                        norms: list[str] | None = None) -> Robustness:
    """Run :func:`robustness` and write robustness.csv, regret.csv, charts and report.md/.html."""
    r = robustness(results, kpis, norms)
    res = r.results
    folder = Path(out) if out is not None else res.folder / "robust"
    from . import charts

    with staged_report(folder, "robust", {"results": str(res.folder), "norms": [str(n) for n in r.norms],
                                          "fingerprint": res.manifest["fingerprint"]}) as stage:
        r.summary.to_csv(stage / "robustness.csv", index=False)
        r.regret.to_csv(stage / "regret.csv", index=False)
        charts.regret_strips(r.regret, r.kpis, r.policies, stage, res.experiment["name"])
        if r.norms:
            charts.satisficing_bars(r.summary, r.norms, stage, res.experiment["name"])
        _document(r).write(stage)
    r.files = sorted(folder.iterdir())
    return r


def _document(r: Robustness) -> Doc:
    res = r.results
    exp = res.experiment
    doc = Doc(f"{exp['name']}: robustness of {len(r.policies)} policies over {len(r.futures)} futures")
    if exp.get("description"):
        doc.paragraph(exp["description"])
    uncertain = [f for f in res.factors if f["group"] == "uncertainties"]
    doc.bullets([
        res.describe(),
        "futures: " + ("; ".join(f"`{f['key']}` " + (f"{f['min']:g} … {f['max']:g}" if "min" in f else
                                                    "∈ {" + ", ".join(map(str, f["values"])) + "}")
                                 for f in uncertain) or "the uncertainty settings of the design"),
        "norms: " + (", ".join(f"`{n}`" for n in r.norms) if r.norms else "none (give --norm KPI<=VALUE)"),
        "made with `zorgsim robust " + str(res.folder) + "".join(f" --kpi {k}" for k in r.asked)
        + "".join(f" --norm '{n.kpi}{n.op}{n.value:g}'" for n in r.norms) + "`",
    ])
    doc.heading("How to read this")
    doc.paragraph(METHOD_TEXT)
    doc.heading("Overview")
    header = ["rank", "policy", "max relative regret"] + [f"max regret {k}" for k in r.kpis]
    if r.norms:
        header.append("satisficing")
    rows = []
    for _, x in r.summary.sort_values(["rank", "policy"]).iterrows():
        row = [str(x["rank"]), str(x["policy"]), _pct(x["max_relative_regret"])]
        row += [_num(x[f"{k}:max_regret"]) for k in r.kpis]
        if r.norms:
            row.append(_pct(x["satisficing"]))
        rows.append(row)
    doc.table(header, rows)
    doc.figure("regret", "Regret of each policy in each future (dots), per KPI; the bar is the maximum regret.")
    if r.norms:
        doc.figure("satisficing", "Share of futures in which each policy meets the norms (each norm, and all).")
    for kpi in r.kpis:
        doc.heading(f"{ANALYSIS_KPIS.get(kpi, kpi)} (`{kpi}`, {'more' if kpi in MAXIMISE else 'less'} is better)", 3)
        doc.table(["policy", "mean", "max regret", "mean regret", "p90 regret", "max relative regret",
                   "best in"],
                  [[str(x["policy"]), _num(x[f"{kpi}:mean"]), _num(x[f"{kpi}:max_regret"]),
                    _num(x[f"{kpi}:mean_regret"]), _num(x[f"{kpi}:p90_regret"]),
                    _pct(x[f"{kpi}:max_relative_regret"]), _pct(x[f"{kpi}:best_share"]) + " of futures"]
                   for _, x in r.summary.iterrows()])
    doc.paragraph("Every policy × future × KPI with its value, the best value and the regret is in `regret.csv`; "
                  "the statistics per policy in `robustness.csv`.")
    return doc


def _pct(value: Any) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{float(value):.0%}"
