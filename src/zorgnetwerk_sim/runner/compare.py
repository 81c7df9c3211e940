"""Comparing design points: is a difference real, or run-to-run noise?

Per design point and KPI, :func:`compare` gives the mean over replications with a 95% CI
(Student's t, n − 1 degrees of freedom) and the *paired* difference from the baseline. Pairing
is by replication: replication r of every design point runs with the same seed (common random
numbers, :mod:`.seeds`), so much of the noise cancels in the difference. The difference gets
its own 95% t-CI and a two-sided paired t-test (``scipy.stats.ttest_rel``); ``significant`` is
p < 0.05. ``p_holm`` corrects p for the number of design points compared per KPI (Holm).

Effects change over time, so each is also given per year after warm-up: :func:`time_path` is
the same paired difference for each simulated year (year 1, 2, … after warm-up, from the
per-year KPIs a sweep stores with every run), and :func:`with_horizons` adds the difference at
years 2, 5 and 10 after warm-up (those the run covers in full) and a label naming the horizon of
the whole-run value ("mean over years 1–8 after warm-up") to the comparison table.

:func:`write_report` turns a results folder into ``report.md``, ``report.html``,
``comparison.csv``, ``time_path.csv`` and charts (PNG and SVG).
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from scipy import stats

from ..metrics import WEIGHT_PREFIX, yearly_kind
from ..safeio import OutputError, check_output_folder, staged_outputs
from .experiment import HEADLINE_KPIS, ExperimentError
from .sweep import META_COLUMNS, TAIL_COLUMNS, SweepStore

TEST_NAME = "paired t-test (scipy.stats.ttest_rel, two-sided)"
MAX_LINES = 8  # design points drawn in the over-time chart
MAX_CHART_KPIS = 6
#: The years after warm-up at which every effect is reported (those the run covers in full).
HORIZON_YEARS = (2, 5, 10)


def kpi_columns(df: pd.DataFrame) -> list[str]:
    """The KPI columns of a runs table: numeric, not bookkeeping, not a factor (factors are key paths)."""
    skip = set(META_COLUMNS) | set(TAIL_COLUMNS)
    return [c for c in df.columns if c not in skip and "." not in c and is_numeric_dtype(df[c])
            and not is_bool_dtype(df[c])]


def _mean_ci(values: np.ndarray, confidence: float) -> tuple[int, float, float, float, float]:
    x = values[~np.isnan(values)]
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return n, mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


def _paired(x: np.ndarray, base: np.ndarray, confidence: float) -> tuple[int, float, float, float, float]:
    """(pairs, mean difference, CI low, CI high, p) of x − base, pairs with a NaN dropped."""
    keep = ~(np.isnan(x) | np.isnan(base))
    x, base = x[keep], base[keep]
    n, mean, sd, low, high = _mean_ci(x - base, confidence)  # the t interval of the differences
    if n < 2:
        return n, mean, math.nan, math.nan, math.nan
    scale = max(float(np.abs(x).max()), float(np.abs(base).max()), 1e-300)
    if sd <= 1e-12 * scale:  # identical in every replication, or a constant shift: no noise to test against
        exact = abs(mean) <= 1e-12 * scale
        return n, (0.0 if exact else mean), (0.0 if exact else mean), (0.0 if exact else mean), (1.0 if exact else 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p = float(stats.ttest_rel(x, base).pvalue)
    return n, mean, low, high, p


def _holm(p: np.ndarray) -> np.ndarray:
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if len(ok) == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def compare(runs: pd.DataFrame, baseline: str | None = None, kpis: Sequence[str] | None = None,
            confidence: float = 0.95) -> pd.DataFrame:
    """Mean and CI per design point and KPI, and the paired difference from ``baseline``.

    ``runs`` has one row per run (what :meth:`Experiment.run` returns): columns ``point``,
    ``replication`` and the KPIs (``point_index`` orders the points if present). ``baseline``
    defaults to the first design point. Returns one row per (design point, KPI).
    """
    for col in ("point", "replication"):
        if col not in runs.columns:
            raise ExperimentError(f"compare: the runs table has no {col!r} column")
    if runs.empty:
        raise ExperimentError("compare: no finished runs to compare")
    order = (runs.sort_values("point_index", kind="stable") if "point_index" in runs.columns else runs)
    points = list(dict.fromkeys(order["point"]))
    if baseline is None:
        baseline = points[0]
    elif baseline not in points:
        shown = ", ".join(repr(p) for p in points[:12]) + (f" … ({len(points)} in all)" if len(points) > 12 else "")
        raise ExperimentError(f"--baseline {baseline!r}: not a design point in these results; allowed: {shown}")
    names = list(kpis) if kpis is not None else kpi_columns(runs)
    missing = [k for k in names if k not in runs.columns]
    if missing:
        raise ExperimentError(f"compare: {missing[0]!r} is not a KPI in these results; allowed: "
                              f"{', '.join(kpi_columns(runs))}")
    wide = {p: g.drop_duplicates("replication").set_index("replication") for p, g in runs.groupby("point", sort=False)}
    base = wide[baseline]
    index = {p: i for i, p in enumerate(points)}
    rows: list[dict[str, Any]] = []
    for kpi in names:
        for point in points:
            g = wide[point]
            x = g[kpi].to_numpy(dtype=float)
            n, mean, sd, lo, hi = _mean_ci(x, confidence)
            shared = g.index.intersection(base.index)
            b_mean = float(np.nanmean(base[kpi].to_numpy(dtype=float))) if len(base) else math.nan
            n_pairs, diff, d_lo, d_hi, p = _paired(g.loc[shared, kpi].to_numpy(dtype=float),
                                                   base.loc[shared, kpi].to_numpy(dtype=float), confidence)
            if point == baseline:
                p = math.nan
            rows.append({
                "point_index": index[point], "point": point, "kpi": kpi, "n": n, "mean": mean, "sd": sd,
                "ci_low": lo, "ci_high": hi, "baseline": baseline, "baseline_mean": b_mean, "n_pairs": n_pairs,
                "diff": diff, "diff_ci_low": d_lo, "diff_ci_high": d_hi,
                "rel_diff": diff / b_mean if b_mean not in (0.0,) and b_mean == b_mean else math.nan,
                "p_value": p, "test": TEST_NAME if point != baseline else "",
            })
    table = pd.DataFrame(rows)
    table["p_holm"] = np.nan
    for kpi, idx in table.groupby("kpi", sort=False).groups.items():
        table.loc[idx, "p_holm"] = _holm(table.loc[idx, "p_value"].to_numpy(dtype=float))
    alpha = 1 - confidence
    table["significant"] = (table["p_value"] < alpha).where(table["p_value"].notna(), False).astype(bool)
    return table


# ---------------------------------------------------------------------------------------------
# Horizons: the effect per year after warm-up
# ---------------------------------------------------------------------------------------------
def whole_horizon(measured_years: float, kind: str = "mean") -> str:
    """The horizon of a whole-run value: 'mean over years 1–8 after warm-up'.

    ``kind`` (:func:`metrics.yearly_kind`): "mean" when the whole-run value is the (weighted)
    mean of the yearly values; otherwise the value is over those years taken together (a p90 of
    all their waits, say), or, for "run", counted over the whole run only.
    """
    n = round(float(measured_years), 6)
    span = ("year 1" if n == 1 else f"years 1–{int(n)}") if n.is_integer() else f"the {n:g} years"
    if kind == "mean":
        return f"mean over {span} after warm-up"
    if kind == "run":
        return f"over {span} after warm-up (counted over the whole run only; no value per year)"
    return f"over {span} after warm-up taken together"


def year_label(year: int) -> str:
    """'year 5 after warm-up'."""
    return f"year {year} after warm-up"


def _path_kpis(years: pd.DataFrame, kpis: Sequence[str] | None) -> list[str]:
    names = list(kpis) if kpis is not None else [c for c in kpi_columns(years) if c not in ("year", "years_measured")]
    return [k for k in names if k in years.columns and not k.startswith(WEIGHT_PREFIX) and yearly_kind(k) != "run"]


def time_path(years: pd.DataFrame, baseline: str, kpis: Sequence[str] | None = None,
              confidence: float = 0.95) -> pd.DataFrame:
    """The paired difference from ``baseline`` in each year after warm-up, per design point and KPI.

    ``years`` has one row per run per year (:meth:`SweepStore.read_years`): ``point``,
    ``replication``, ``year`` (1, 2, … after warm-up), ``years_measured`` (the year's length)
    and the KPIs of that year. Pairing is by replication, as in :func:`compare`. Returns one row
    per (KPI, design point, year): the mean over replications with its 95% CI and the paired
    difference with its 95% CI and p. KPIs counted over the whole run only have no rows.
    """
    if years.empty:
        return pd.DataFrame()
    order = years.sort_values("point_index", kind="stable") if "point_index" in years.columns else years
    points = list(dict.fromkeys(order["point"]))
    index = {p: i for i, p in enumerate(points)}
    names = _path_kpis(years, kpis)
    rows: list[dict[str, Any]] = []
    for year, gy in years.groupby("year", sort=True):
        wide = {p: g.drop_duplicates("replication").set_index("replication")
                for p, g in gy.groupby("point", sort=False)}
        if baseline not in wide:
            continue
        base = wide[baseline]
        length = float(gy["years_measured"].median()) if "years_measured" in gy.columns else 1.0
        for kpi in names:
            b = base[kpi].to_numpy(dtype=float)
            b_mean = float(np.nanmean(b)) if len(b) and not np.isnan(b).all() else math.nan
            for point in points:
                if point not in wide:
                    continue
                g = wide[point]
                n, mean, _sd, lo, hi = _mean_ci(g[kpi].to_numpy(dtype=float), confidence)
                shared = g.index.intersection(base.index)
                n_pairs, diff, d_lo, d_hi, p = _paired(g.loc[shared, kpi].to_numpy(dtype=float),
                                                       base.loc[shared, kpi].to_numpy(dtype=float), confidence)
                rows.append({
                    "point_index": index[point], "point": point, "kpi": kpi, "year": int(year),
                    "horizon": year_label(int(year)), "year_weeks": int(round(length * 52)),
                    "n": n, "mean": mean, "ci_low": lo, "ci_high": hi, "baseline": baseline,
                    "baseline_mean": b_mean, "n_pairs": n_pairs, "diff": diff, "diff_ci_low": d_lo,
                    "diff_ci_high": d_hi, "p_value": math.nan if point == baseline else p,
                    "whole_run": yearly_kind(kpi),
                })
    if not rows:
        return pd.DataFrame()
    path = pd.DataFrame(rows)
    path["_k"] = path["kpi"].map({k: i for i, k in enumerate(names)})
    return path.sort_values(["_k", "point_index", "year"], kind="stable").drop(columns="_k").reset_index(drop=True)


def reported_horizons(path: pd.DataFrame | None) -> list[int]:
    """The years of :data:`HORIZON_YEARS` that the runs cover in full (52 weeks after warm-up)."""
    if path is None or path.empty:
        return []
    full = set(path.loc[path["year_weeks"] >= 52, "year"])
    return [h for h in HORIZON_YEARS if h in full]


def with_horizons(table: pd.DataFrame, path: pd.DataFrame | None, measured_years: float) -> pd.DataFrame:
    """The comparison table with its horizon: ``horizon`` (what the whole-run numbers are, e.g.
    'mean over years 1–8 after warm-up'), ``horizon_years`` (the years after warm-up) and, per
    reported year h (:func:`reported_horizons`),
    ``diff_year{h}``, ``diff_year{h}_ci_low``, ``diff_year{h}_ci_high`` from the time path
    (NaN for a KPI without yearly values)."""
    out = table.copy()
    out.insert(out.columns.get_loc("kpi") + 1, "horizon",
               [whole_horizon(measured_years, yearly_kind(k)) for k in out["kpi"]])
    out.insert(out.columns.get_loc("horizon") + 1, "horizon_years", float(measured_years))
    for h in reported_horizons(path):
        assert path is not None
        at = path[path["year"] == h].set_index(["point", "kpi"])
        key = pd.MultiIndex.from_frame(out[["point", "kpi"]])
        for src, dst in (("diff", f"diff_year{h}"), ("diff_ci_low", f"diff_year{h}_ci_low"),
                         ("diff_ci_high", f"diff_year{h}_ci_high")):
            out[dst] = at[src].reindex(key).to_numpy(dtype=float)
    return out


def point_means(runs: pd.DataFrame, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean of each KPI per design point (rows in design order) and the number of runs ``n``."""
    names = [k for k in (kpis if kpis is not None else HEADLINE_KPIS) if k in runs.columns]
    order = runs.sort_values("point_index", kind="stable") if "point_index" in runs.columns else runs
    grouped = order.groupby("point", sort=False)
    table = grouped[names].mean()
    table.insert(0, "n", grouped.size())
    return table


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
@dataclass
class Report:
    folder: Path
    table: pd.DataFrame
    baseline: str
    kpis: list[str]
    files: list[Path] = field(default_factory=list)
    #: One line per problem met (run files that could not be used), for the user to see.
    warnings: list[str] = field(default_factory=list)
    #: The paired difference per year after warm-up (:func:`time_path`); None without per-year values.
    path: pd.DataFrame | None = None
    #: Years measured after warm-up (the horizon of the whole-run values).
    measured_years: float = math.nan

    @property
    def horizons(self) -> list[int]:
        """The years after warm-up the report gives each effect at (:func:`reported_horizons`)."""
        return reported_horizons(self.path)


#: Every file a report may hold; a new report replaces these as one set.
REPORT_FILES = ("comparison.csv", "time_path.csv", "report.md", "report.html",
                *(f"{stem}.{ext}" for stem in ("over_time", "kpis", "differences", "differences_by_year")
                  for ext in ("png", "svg")))


def _num(value: float, signed: bool = False) -> str:
    if value != value:
        return "–"
    a = abs(value)
    if a >= 1000:
        text = f"{value:+,.0f}" if signed else f"{value:,.0f}"
    elif a >= 100:
        text = f"{value:+.0f}" if signed else f"{value:.0f}"
    elif a >= 10:
        text = f"{value:+.1f}" if signed else f"{value:.1f}"
    elif a >= 1 or a == 0:
        text = f"{value:+.2f}" if signed else f"{value:.2f}"
    else:
        text = f"{value:+.3g}" if signed else f"{value:.3g}"
    return text


def _p(value: float) -> str:
    if value != value:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _report_kpis(manifest: dict[str, Any], available: list[str]) -> list[str]:
    kept = manifest.get("kpis") or []
    ordered = [k for k in HEADLINE_KPIS if k in available] + [k for k in kept if k in available]
    return list(dict.fromkeys(ordered)) or available[:MAX_CHART_KPIS]


def _shown_points(table: pd.DataFrame, points: list[str], baseline: str, kpi: str | None) -> list[str]:
    """All points if few; else the baseline and the points that differ most from it on ``kpi``."""
    if len(points) <= MAX_LINES:
        return points
    others = [p for p in points if p != baseline]
    if kpi is not None:
        sub = table[(table["kpi"] == kpi) & (table["point"] != baseline)].copy()
        sub["effect"] = (sub["diff"] / sub["sd"].where(sub["sd"] > 0)).abs().fillna(sub["diff"].abs())
        others = list(sub.sort_values("effect", ascending=False, kind="stable")["point"])
    chosen = set(others[:MAX_LINES - 1])
    return [p for p in points if p == baseline or p in chosen]


def _rows(table: pd.DataFrame, kpi: str, baseline: str) -> list[list[str]]:
    out = []
    for _, r in table[table["kpi"] == kpi].iterrows():
        is_base = r["point"] == baseline
        verdict = "baseline" if is_base else ("–" if r["p_value"] != r["p_value"] else
                                              ("**real**" if r["significant"] else "noise"))
        rel = "" if r["rel_diff"] != r["rel_diff"] or is_base else f"{r['rel_diff'] * 100:+.1f}%"
        out.append([
            str(r["point"]), _num(r["mean"]), f"{_num(r['ci_low'])} … {_num(r['ci_high'])}",
            "" if is_base else _num(r["diff"], signed=True),
            "" if is_base else f"{_num(r['diff_ci_low'], True)} … {_num(r['diff_ci_high'], True)}",
            rel, "" if is_base else _p(r["p_value"]), "" if is_base else _p(r["p_holm"]), verdict,
        ])
    return out


HEADER = ["design point", "mean", "95% CI", "Δ vs baseline", "95% CI of Δ", "Δ %", "p", "p (Holm)", "verdict"]


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["--:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in esc]
    return "\n".join(lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str, tag: str) -> str:
        bold = text.startswith("**") and text.endswith("**")
        inner = html.escape(text.strip("*") if bold else text)
        return f"<{tag}>{'<b>' + inner + '</b>' if bold else inner}</{tag}>"

    head = "".join(cell(h, "th") for h in header)
    body = "".join("<tr>" + "".join(cell(c, "td") for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


REPORT_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.88em}"
    "th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}"
    "img{max-width:100%;border:1px solid #eee}figcaption{font-size:0.85em;color:#555}code{background:#f4f4f4}")


def html_inline(text: str) -> str:
    """A line of the reports' Markdown (**bold**, `code`, *italic*) as HTML."""
    out = html.escape(text)
    for mark, tag in (("**", "b"), ("`", "code"), ("*", "i")):
        parts = out.split(mark)
        out = "".join(p if i % 2 == 0 else f"<{tag}>{p}</{tag}>" for i, p in enumerate(parts))
    return out


def _overview(table: pd.DataFrame, kpis: list[str], points: list[str], baseline: str) -> tuple[list[str], list[list[str]]]:
    header = ["design point"] + kpis
    rows = []
    for point in points:
        row = [point]
        for kpi in kpis:
            r = table[(table["kpi"] == kpi) & (table["point"] == point)].iloc[0]
            if point == baseline:
                row.append(_num(r["mean"]))
            elif r["rel_diff"] == r["rel_diff"]:
                row.append(f"{r['rel_diff'] * 100:+.1f}%" + (" *" if r["significant"] else ""))
            else:
                row.append(_num(r["diff"], True) + (" *" if r["significant"] else ""))
        rows.append(row)
    return header, rows


def write_report(results: str | Path, out: str | Path | None = None, baseline: str | None = None) -> Report:
    """Compare the design points in a results folder; write report.md/.html, comparison.csv and charts."""
    store = SweepStore(results)
    manifest = store.manifest()
    exp = manifest["experiment"]
    runs = store.read_runs()
    skipped = store.skipped.warning("they are left out of this report ('zorgsim sweep' on this folder checks and redoes them)")
    if runs.empty:
        raise ExperimentError(f"{results}: no finished runs yet; run 'zorgsim sweep' first")
    points_planned = [p["name"] for p in exp["points"]]
    present = set(runs["point"])
    points = [p for p in points_planned if p in present] + sorted(present - set(points_planned))
    if baseline is not None and baseline not in points:
        shown = ", ".join(repr(p) for p in points[:12]) + (f" … ({len(points)} in all)" if len(points) > 12 else "")
        raise ExperimentError(f"--baseline {baseline!r}: not a design point in {results}; allowed: {shown}")
    baseline = baseline or (exp.get("baseline") if exp.get("baseline") in present else points[0])
    runs["point_index"] = runs["point"].map({p: i for i, p in enumerate(points)})
    measured = float(exp["years"]) - float(exp["warmup_years"])
    years = store.read_years()
    path = None
    if years is not None:
        years = years[years["point"].isin(points)].copy()
        years["point_index"] = years["point"].map({p: i for i, p in enumerate(points)})
        path = time_path(years, baseline) if baseline in set(years["point"]) else None
    table = with_horizons(compare(runs, baseline=baseline), path, measured)
    available = kpi_columns(runs)
    kpis = _report_kpis(exp, available)
    folder = Path(out) if out is not None else Path(results) / "report"
    report = Report(folder, table, baseline, kpis, warnings=[skipped] if skipped else [],
                    path=path if path is not None and not path.empty else None, measured_years=measured)
    if report.path is None:
        report.warnings.append(f"{results}: no per-year values stored with the runs (years/), so the report "
                               "gives each effect over the whole horizon only; rerun the sweep into a new folder "
                               "for effects by year")
    series = store.read_series()
    try:
        check_output_folder(folder)
    except OutputError as err:
        raise OutputError(f"--out {err}") from None
    with staged_outputs(folder, REPORT_FILES) as staging:
        _write_files(staging, exp, manifest, runs, report, points, series)
        names = sorted(p.name for p in staging.iterdir() if p.is_file())
    report.files = [folder / name for name in names]
    return report


def _write_files(folder: Path, exp: dict[str, Any], manifest: dict[str, Any], runs: pd.DataFrame,
                 report: Report, points: list[str], series: pd.DataFrame | None) -> None:
    """comparison.csv, time_path.csv, the charts, report.md and report.html into ``folder``."""
    from . import charts

    table, baseline, kpis, path = report.table, report.baseline, report.kpis, report.path
    table.to_csv(folder / "comparison.csv", index=False)
    if path is not None:
        path.to_csv(folder / "time_path.csv", index=False)
    title = exp["name"]
    chart_kpis = kpis[:MAX_CHART_KPIS]
    shown = _shown_points(table, points, baseline, chart_kpis[0] if chart_kpis else None)
    chart_files: list[Path] = []
    if series is not None and not series.empty and exp.get("series"):
        chart_files += charts.over_time(series, exp["series"], shown, baseline, float(exp["warmup_years"]),
                                        folder, title)
    chart_files += charts.kpi_bars(table, chart_kpis, points, baseline, folder, title)
    if len(points) > 1:
        chart_files += charts.differences(table, chart_kpis, points, baseline, folder, title,
                                          whole_horizon(report.measured_years))
        path_kpis = [k for k in chart_kpis if path is not None and k in set(path["kpi"])]
        if path_kpis:
            assert path is not None
            chart_files += charts.differences_by_year(path, path_kpis, shown, baseline, folder, title)
    md, page = _render(exp, manifest, runs, report, points, shown, series is not None and
                       bool(exp.get("series")), chart_files)
    (folder / "report.md").write_text(md, encoding="utf-8")
    (folder / "report.html").write_text(page, encoding="utf-8")


def _horizon_rows(report: Report, kpi: str) -> tuple[list[str], list[list[str]]]:
    """Δ of each design point at the reported years and over the whole horizon, with 95% CIs."""
    t = report.table[report.table["kpi"] == kpi]
    header = ["design point"] + [f"Δ {year_label(h)}" for h in report.horizons] + [
        f"Δ {whole_horizon(report.measured_years, yearly_kind(kpi))}"]
    rows = []
    for _, r in t[t["point"] != report.baseline].iterrows():
        cells = [str(r["point"])]
        for h in report.horizons:
            cells.append(f"{_num(r[f'diff_year{h}'], True)} ({_num(r[f'diff_year{h}_ci_low'], True)} … "
                         f"{_num(r[f'diff_year{h}_ci_high'], True)})")
        cells.append(f"{_num(r['diff'], True)} ({_num(r['diff_ci_low'], True)} … {_num(r['diff_ci_high'], True)})")
        rows.append(cells)
    return header, rows


def _horizon_note(report: Report, kpi: str) -> str:
    if report.path is None:
        return "No per-year values in these results: the effect over the whole horizon only."
    kind = yearly_kind(kpi)
    if kind == "run":
        return "Counted over the whole run only: no value per year."
    shown = ", ".join(str(h) for h in report.horizons) or "none (the run is shorter)"
    note = (f"Δ by horizon (95% CI in brackets): years after warm-up reported: {shown}; every year is in "
            "`time_path.csv`.")
    if kind == "own":
        note += " The whole-horizon value is over those years taken together, not a mean of the yearly values."
    return note


def _render(exp: dict[str, Any], manifest: dict[str, Any], runs: pd.DataFrame, report: Report,
            points: list[str], shown: list[str], has_series: bool,
            chart_files: list[Path]) -> tuple[str, str]:
    table, baseline, kpis = report.table, report.baseline, report.kpis
    whole = whole_horizon(report.measured_years)
    reps = sorted(runs["replication"].unique())
    seeds = runs.drop_duplicates("replication").sort_values("replication")["seed"].tolist()
    planned = int(manifest.get("n_runs", len(runs)))
    base_name = exp["base"].get("name")
    facts = [
        f"base scenario: `{base_name}` · {len(exp['points'])} design points × {exp['replications']} replications "
        f"= {planned} runs ({len(runs)} finished{'' if len(runs) == planned else ' — the sweep is not complete'})",
        f"horizon: {exp['years']:g} years, of which {exp['warmup_years']:g} warm-up (not in the KPIs); every "
        f"effect is given as the {whole} and at "
        + (", ".join(year_label(h) for h in report.horizons) if report.horizons else "no year of 2, 5 or 10 "
           "(the run is shorter, or has no per-year values)"),
        f"master seed {exp['master_seed']}; replication seeds (the same for every design point): "
        + ", ".join(str(s) for s in seeds[:5]) + (" …" if len(seeds) > 5 else ""),
        f"baseline: **{baseline}**",
        f"fingerprint `{manifest['fingerprint'][:16]}`",
    ]
    codes = sorted(runs["model_code"].dropna().unique()) if "model_code" in runs.columns else []
    if len(codes) > 1:
        facts.append(f"**warning: the runs come from {len(codes)} versions of the model code** "
                     f"({', '.join(codes)}); rerun into a new folder for a clean comparison")
    elif codes:
        facts.append(f"model code `{codes[0]}`")
    if exp.get("factors"):
        facts.append("factors: " + "; ".join(
            f"`{f['key']}` ({f['group']}) = " + (", ".join(map(str, f["values"])) if "values" in f else
                                                 f"{f['min']:g} … {f['max']:g}") for f in exp["factors"]))
    method = (
        "Every KPI is averaged over the weeks after warm-up within each run (the "
        f"{whole}); effects change over time, so each is also given per year after warm-up (year 1 is the "
        "first 52 weeks after warm-up), computed from the same KPIs of that year alone, at years 2, 5 and 10 "
        "(those the run covers) in the tables and for every year in `time_path.csv`. For a count per year or a "
        "mean number waiting, the whole-horizon value is the mean of the yearly values; for a ratio such as the "
        "mean wait, their mean weighted by the yearly count it is over (completed waits). "
        "**mean** and **95% CI**: the mean "
        f"over the {len(reps)} replication(s) with a 95% confidence interval from Student's t distribution "
        "(n − 1 degrees of freedom). **Δ vs baseline**: the mean *paired* difference from the baseline. "
        "Replication r of every design point runs with the same seed (common random numbers), so the runs are "
        "paired by replication and much of the run-to-run noise cancels in the difference. **95% CI of Δ** is "
        "the t interval of the paired differences; **p** comes from a " + TEST_NAME + ". **real** means "
        "p < 0.05: the difference is distinguishable from noise; **noise** means it is not (that is not proof "
        "of no effect — more replications narrow the interval). With many design points some p < 0.05 arise by "
        "chance: **p (Holm)** corrects for the number of design points compared per KPI. These are statements "
        "about the model, not about the real world: a CI says how sure we are of the model's average, not "
        "whether the model is right."
    )
    header, overview_rows = _overview(table, kpis, points, baseline)
    overview_note = (f"All numbers: the {whole}. Baseline row: its mean. Other rows: the difference from the "
                     "baseline in % (* = distinguishable from noise, paired t-test p < 0.05).")
    chart_names = sorted({p.stem for p in chart_files})
    captions = {
        "over_time": "Weekly series over time: the line is the mean over replications, the band its 95% CI; "
                     "flows are 13-week trailing means, annualised. The grey area is the warm-up."
                     + ("" if len(shown) == len(points) else f" Shown: the baseline and the {len(shown) - 1} design "
                        f"points that differ most from it on {kpis[0]}."),
        "kpis": "Run-level KPIs: mean per design point with its 95% CI; the dashed line is the baseline.",
        "differences": f"Paired difference from the baseline ({whole}) with its 95% CI; red: p < 0.05 "
                       "(paired t-test).",
        "differences_by_year": "Paired difference from the baseline in each year after warm-up: the line is the "
                               "mean over replications, the band its 95% CI"
                               + ("" if len(shown) == len(points) else "; the same design points as over time")
                               + ".",
    }
    header_kpi = [*HEADER[:3], f"Δ vs baseline ({whole})", *HEADER[4:]]
    md = [f"# {exp['name']}: comparison of design points", ""]
    if exp.get("description"):
        md += [exp["description"], ""]
    md += [f"- {f}" for f in facts] + ["", "## How to read this", "", method, "", "## Overview", "", overview_note, "",
                                        _md_table(header, overview_rows), "", "## Charts", ""]
    if not has_series:
        md += ["No weekly series were kept, so there is no chart over time (add `series = true` to the "
               "experiment).", ""]
    for name in ("over_time", "kpis", "differences", "differences_by_year"):
        if name in chart_names:
            md += [f"![{name}]({name}.png)", "", f"*{captions[name]}* ([SVG]({name}.svg))", ""]
    for kpi in kpis:
        md += [f"## {HEADLINE_KPIS.get(kpi, kpi)} (`{kpi}`)", "", _md_table(header_kpi, _rows(table, kpi, baseline)),
               "", _horizon_note(report, kpi), ""]
        if report.path is not None and yearly_kind(kpi) != "run" and len(points) > 1:
            md += [_md_table(*_horizon_rows(report, kpi)), ""]
    md += ["All KPIs of all design points, with every statistic and their horizon, are in `comparison.csv`; "
           "the difference in every year after warm-up in `time_path.csv`.", ""]

    page = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(exp['name'])}"
            f"</title><style>{REPORT_STYLE}</style></head><body>",
            f"<h1>{html.escape(exp['name'])}: comparison of design points</h1>"]
    if exp.get("description"):
        page.append(f"<p>{html.escape(exp['description'])}</p>")
    page.append("<ul>" + "".join(f"<li>{html_inline(f)}</li>" for f in facts) + "</ul>")
    page += ["<h2>How to read this</h2>", f"<p>{html_inline(method)}</p>", "<h2>Overview</h2>",
             f"<p>{html_inline(overview_note)}</p>", _html_table(header, overview_rows), "<h2>Charts</h2>"]
    if not has_series:
        page.append("<p>No weekly series were kept, so there is no chart over time.</p>")
    for name in ("over_time", "kpis", "differences", "differences_by_year"):
        if name in chart_names:
            page.append(f"<figure><img src='{name}.svg' alt='{name}'><figcaption>{html_inline(captions[name])} "
                        f"(<a href='{name}.png'>PNG</a>)</figcaption></figure>")
    for kpi in kpis:
        page += [f"<h2>{html.escape(HEADLINE_KPIS.get(kpi, kpi))} (<code>{html.escape(kpi)}</code>)</h2>",
                 _html_table(header_kpi, _rows(table, kpi, baseline)),
                 f"<p>{html_inline(_horizon_note(report, kpi))}</p>"]
        if report.path is not None and yearly_kind(kpi) != "run" and len(points) > 1:
            page.append(_html_table(*_horizon_rows(report, kpi)))
    page += ["<p>All KPIs of all design points, with every statistic and their horizon: "
             "<a href='comparison.csv'>comparison.csv</a>; the difference in every year after warm-up: "
             "<a href='time_path.csv'>time_path.csv</a>.</p>", "</body></html>"]
    return "\n".join(md), "\n".join(page)
