"""Charts for the comparison report (matplotlib, Agg; no pyplot state is touched).

* ``over_time``: the kept weekly series (wachtlijst, uithuisplaatsingen, kosten) per design
  point over the years, the line the mean over replications and the band its 95% CI; flows are
  shown as a 13-week trailing mean, annualised (×52), so they read like the yearly KPIs.
* ``kpis``: run-level KPIs per design point, mean with 95% CI.
* ``differences``: the paired difference from the baseline with its 95% CI; filled red where the
  paired t-test says it is distinguishable from noise.
* ``differences_by_year``: that difference in each year after warm-up, a line per design point
  with its 95% CI as a band.

Each chart is written as PNG and SVG. Labels are plain text (:func:`plain_text`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

ROLLING_WEEKS = 13

SERIES_LABELS = {
    "wachtlijst": "wachtlijst: jongeren waiting",
    "uithuisplaatsingen": "uithuisplaatsingen per year",
    "kosten": "kosten, M EUR per year",
    "toegang": "waiting for the toegang",
    "in_zorg": "jongeren in care",
    "in_verblijf": "jongeren in verblijf",
    "crisis": "crisis admissions per year",
    "nieuwe_vragen": "new needs per year",
}

KPI_LABELS = {
    "waitlist_mean": "wachtlijst: jongeren waiting (mean)",
    "placements_per_year": "uithuisplaatsingen per year",
    "cost_per_year_eur": "kosten, M EUR per year",
}


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, out: Path, stem: str) -> list[Path]:
    paths = []
    for ext in ("png", "svg"):
        path = out / f"{stem}.{ext}"
        fig.savefig(path, dpi=130 if ext == "png" else None)
        paths.append(path)
    return paths


def plain_text(function: Any) -> Any:
    """Draw a chart with every label taken as plain text: a '$' in a design-point or experiment
    name is shown as itself, never parsed as mathtext (which fails on stray '$')."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return function(*args, **kwargs)

    return wrapper


def _scale(name: str) -> float:
    return 1e-6 if name in ("cost_per_year_eur", "kosten") else 1.0


def _t_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% t-CI over axis 0 (replications) at every week (NaN where no run has a value)."""
    n = np.sum(~np.isnan(values), axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN weeks (before the rolling window fills)
        mean = np.nanmean(values, axis=0)
        if values.shape[0] < 2:
            return mean, mean, mean
        sd = np.nanstd(values, axis=0, ddof=1)
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, 0.0)
    return mean, mean - half, mean + half


def series_band(series: pd.DataFrame, name: str, point: str, flow: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(years, mean, low, high) of one kept weekly series of one design point over its replications.

    A flow is shown as a 13-week trailing mean, annualised (×52); the band is the 95% t-CI,
    cut at zero (every kept series is a count or a cost). None when the point has no rows.
    """
    sub = series[series["point"] == point]
    if sub.empty:
        return None
    wide = sub.pivot_table(index="week", columns="replication", values=name, aggfunc="first",
                           observed=True).sort_index()
    if flow:
        wide = wide.rolling(ROLLING_WEEKS, min_periods=ROLLING_WEEKS).mean() * 52
    mean, low, high = _t_band(wide.to_numpy(dtype=float).T)
    return wide.index.to_numpy() / 52.0, mean, np.maximum(low, 0.0), high


def _short(name: str, limit: int = 48) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


@plain_text
def over_time(series: pd.DataFrame, series_spec: dict[str, dict[str, Any]], points: Sequence[str], baseline: str,
              warmup_years: float, out: Path, title: str) -> list[Path]:
    """One panel per kept weekly series; one line (mean) and band (95% CI) per design point."""
    names = list(series_spec)[:6]
    cols = min(len(names), 3)
    rows = int(np.ceil(len(names) / cols))
    fig = _figure(4.6 * cols, 3.4 * rows + 0.9)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    colors = {p: ("black" if p == baseline else f"C{i % 10}") for i, p in enumerate(
        [baseline] + [p for p in points if p != baseline])}
    for ax, name in zip(axes, names):
        flow = series_spec[name]["kind"] == "flow"
        for point in points:
            band = series_band(series, name, point, flow)
            if band is None:
                continue
            years, mean, low, high = band
            mean, low, high = (v * _scale(name) for v in (mean, low, high))
            z = 3 if point == baseline else 2  # the baseline on top
            ax.plot(years, mean, color=colors[point], lw=2.0 if point == baseline else 1.4, zorder=z,
                    label=_short(point) + (" (baseline)" if point == baseline else ""))
            ax.fill_between(years, low, high, color=colors[point], alpha=0.18 if len(points) <= 4 else 0.1, lw=0,
                            zorder=z - 1)
        if warmup_years > 0:
            ax.axvspan(0, warmup_years, color="0.85", alpha=0.6, lw=0)
            ax.text(warmup_years / 2, 0.98, "warm-up", transform=ax.get_xaxis_transform(), ha="center",
                    va="top", fontsize=7, color="0.35")
        label = SERIES_LABELS.get(name, name + (" per year" if flow else ""))
        ax.set_title(label + (f"\n({ROLLING_WEEKS}-week mean, per year)" if flow else "\n(weekly)"), fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 3), fontsize=8, frameon=False)
    fig.suptitle(f"{title}: mean over replications, band = 95% CI", fontsize=11)
    return _save(fig, out, "over_time")


def _panel_grid(n: int, n_points: int) -> tuple[Any, np.ndarray]:
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    label_width = 2.6
    fig = _figure(label_width + 3.4 * cols, rows * (0.24 * n_points + 1.3) + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    return fig, axes


def _tidy_x(axes: np.ndarray) -> None:
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.tick_params(axis="x", labelsize=8)


def _finish_panels(axes: np.ndarray, y: np.ndarray, labels: Sequence[str], used: int) -> None:
    """Design points as shared y labels on the first panel; unused panels hidden."""
    _tidy_x(axes)
    axes[0].set_yticks(y, [_short(p) for p in labels])
    axes[0].set_ylim(-0.6, len(labels) - 0.4)
    for ax in axes:
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes[used:]:
        ax.set_visible(False)


@plain_text
def kpi_bars(table: pd.DataFrame, kpis: Sequence[str], points: Sequence[str], baseline: str, out: Path,
             title: str) -> list[Path]:
    """Per KPI: mean and 95% CI per design point (baseline in black, dashed line at its mean)."""
    fig, axes = _panel_grid(len(kpis), len(points))
    y = np.arange(len(points))[::-1]
    for ax, kpi in zip(axes, kpis):
        sub = table[table["kpi"] == kpi].set_index("point").reindex(points)
        scale = _scale(kpi)
        mean = sub["mean"].to_numpy(float) * scale
        err = np.vstack([mean - sub["ci_low"].to_numpy(float) * scale, sub["ci_high"].to_numpy(float) * scale - mean])
        err = np.nan_to_num(err)
        colors = ["black" if p == baseline else "C0" for p in points]
        ax.barh(y, mean, color=colors, alpha=0.25, height=0.7)
        for yi, m, lo, hi, c in zip(y, mean, err[0], err[1], colors):
            ax.errorbar(m, yi, xerr=[[lo], [hi]], fmt="o", color=c, ms=3.5, capsize=2.5, lw=1.2)
        base = sub.loc[baseline, "mean"] * scale if baseline in sub.index else np.nan
        if base == base:
            ax.axvline(base, color="black", ls="--", lw=0.8)
        ax.set_title(KPI_LABELS.get(kpi, kpi), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        finite = np.concatenate([mean - err[0], mean + err[1]])
        finite = finite[np.isfinite(finite)]
        if finite.size:
            lo, hi = finite.min(), finite.max()
            pad = (hi - lo) * 0.15 or abs(hi) * 0.05 or 1.0
            ax.set_xlim(min(0.0, lo - pad), max(0.0, hi + pad))  # bars start at zero
    _finish_panels(axes, y, points, len(kpis))
    fig.suptitle(f"{title}: mean per design point with 95% CI over replications", fontsize=11)
    return _save(fig, out, "kpis")


@plain_text
def differences(table: pd.DataFrame, kpis: Sequence[str], points: Sequence[str], baseline: str, out: Path,
                title: str, horizon: str | None = None) -> list[Path]:
    """Per KPI: the paired difference from the baseline with its 95% CI; red = distinguishable from noise."""
    others = [p for p in points if p != baseline]
    fig, axes = _panel_grid(len(kpis), max(len(others), 1))
    y = np.arange(len(others))[::-1]
    for ax, kpi in zip(axes, kpis):
        sub = table[table["kpi"] == kpi].set_index("point").reindex(others)
        scale = _scale(kpi)
        diff = sub["diff"].to_numpy(float) * scale
        low = sub["diff_ci_low"].to_numpy(float) * scale
        high = sub["diff_ci_high"].to_numpy(float) * scale
        significant = sub["significant"].fillna(False).to_numpy(bool)
        for yi, d, lo, hi, s in zip(y, diff, low, high, significant):
            if d != d:
                continue
            lo, hi = (d, d) if lo != lo else (lo, hi)
            ax.errorbar(d, yi, xerr=[[d - lo], [hi - d]], fmt="o", ms=4.5, capsize=2.5, lw=1.3,
                        color="C3" if s else "0.55", mfc="C3" if s else "white")
        ax.axvline(0, color="black", lw=0.9)
        ax.set_title(f"Δ {KPI_LABELS.get(kpi, kpi)}", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    _finish_panels(axes, y, others, len(kpis))
    fig.suptitle(f"{title}: paired difference from '{_short(baseline, 40)}' with 95% CI "
                 "(red: paired t-test p < 0.05)" + (f"\n{horizon}" if horizon else ""), fontsize=11)
    return _save(fig, out, "differences")


@plain_text
def differences_by_year(path: pd.DataFrame, kpis: Sequence[str], points: Sequence[str], baseline: str, out: Path,
                        title: str) -> list[Path]:
    """Per KPI: the paired difference from the baseline in each year after warm-up (compare.time_path),
    one line (mean over replications) and band (95% CI) per design point."""
    others = [p for p in points if p != baseline]
    cols = min(len(kpis), 3)
    rows = int(np.ceil(len(kpis) / cols))
    fig = _figure(4.6 * cols, 3.4 * rows + 0.9)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, kpi in zip(axes, kpis):
        scale = _scale(kpi)
        for i, point in enumerate(others):
            sub = path[(path["kpi"] == kpi) & (path["point"] == point)].sort_values("year")
            if sub.empty:
                continue
            year = sub["year"].to_numpy(float)
            diff = sub["diff"].to_numpy(float) * scale
            low = sub["diff_ci_low"].to_numpy(float) * scale
            high = sub["diff_ci_high"].to_numpy(float) * scale
            color = f"C{i % 10}"
            ax.plot(year, diff, color=color, lw=1.5, marker="o", ms=3, label=_short(point))
            ax.fill_between(year, np.where(np.isnan(low), diff, low), np.where(np.isnan(high), diff, high),
                            color=color, alpha=0.18 if len(others) <= 4 else 0.1, lw=0)
        ax.axhline(0, color="black", lw=0.9)
        ax.set_title(f"Δ {KPI_LABELS.get(kpi, kpi)}", fontsize=10)
        short = path.loc[(path["kpi"] == kpi) & (path["year_weeks"] < 52), ["year", "year_weeks"]].drop_duplicates()
        ax.set_xlabel("year after warm-up" + "".join(f" (year {int(y)}: {int(w)} weeks)" for y, w in short.to_numpy()))
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in axes[len(kpis):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    if labels:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 3), fontsize=8, frameon=False)
    fig.suptitle(f"{title}: paired difference from '{_short(baseline, 40)}' per year after warm-up, "
                 "band = 95% CI", fontsize=11)
    return _save(fig, out, "differences_by_year")


# ---------------------------------------------------------------------------------------------
# Exploratory analysis: sensitivity, discovery, robustness
# ---------------------------------------------------------------------------------------------
GROUP_COLORS = {"levers": "#1f77b4", "uncertainties": "#d62728"}


def sensitivity_bars(ranking: pd.DataFrame, method: str, kpi_label: str, title: str, out: Path,
                     stem: str, noise: float | None = None) -> list[Path]:
    """Factors ranked by Morris μ* (bar, 95% CI; σ as a diamond) or Sobol' ST (and S1), most important on top.

    Bars are coloured by group: levers (L) blue, uncertainties (X) red.
    """
    r = ranking.sort_values("rank", ascending=False)  # barh draws bottom-up
    n = len(r)
    fig = _figure(7.5, 1.2 + 0.32 * n)
    ax = fig.subplots()
    y = np.arange(n)
    colors = [GROUP_COLORS.get(g, "0.5") for g in r["group"]]
    if method == "morris":
        ax.barh(y, r["mu_star"], xerr=r["mu_star_conf"], color=colors, alpha=0.75, height=0.65,
                error_kw={"lw": 1, "capsize": 2.5})
        ax.scatter(r["sigma"], y, marker="D", s=18, color="black", zorder=3, label="σ")
        ax.set_xlabel("μ*: mean |elementary effect| per full range (KPI units); ◆ σ"
                      + ("; dashed: noise level" if noise is not None else ""))
        if noise is not None:
            ax.axvline(noise, color="0.3", ls="--", lw=1)
    else:
        ax.barh(y + 0.18, r["ST"], xerr=r["ST_conf"], color=colors, alpha=0.85, height=0.36,
                error_kw={"lw": 1, "capsize": 2.5}, label="ST (total)")
        ax.barh(y - 0.18, r["S1"], xerr=r["S1_conf"], color=colors, alpha=0.35, height=0.36,
                error_kw={"lw": 1, "capsize": 2.5}, label="S1 (first order)")
        ax.set_xlabel("Sobol' index: share of the KPI's variance (dark ST, light S1), 95% CI")
        ax.legend(fontsize=8, loc="lower right", frameon=False)
    ax.set_yticks(y, [_short(str(label), 40) for label in r["label"]], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    name = "Morris" if method == "morris" else "Sobol'"
    ax.set_title(f"{title}: {name}, {kpi_label}\nblue = lever, red = uncertainty", fontsize=10)
    return _save(fig, out, stem)


def prim_tradeoff(boxes: Sequence[Any], out: Path, title: str) -> list[Path]:
    """PRIM's trade-off curve per box: coverage vs density along the peeling, coloured by restricted factors."""
    fig = _figure(4.2 * len(boxes) + 0.8, 3.9)
    axes = np.atleast_1d(fig.subplots(1, len(boxes), squeeze=False).ravel())
    top = max(int(b.trajectory["res_dim"].max()) for b in boxes) or 1
    scatter = None
    for ax, box in zip(axes, boxes):
        t = box.trajectory
        ax.plot(t["coverage"], t["density"], color="0.75", lw=0.8, zorder=1)
        scatter = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", vmin=0, vmax=top, s=16,
                             zorder=2)
        c = t.loc[box.chosen]
        ax.scatter([c["coverage"]], [c["density"]], marker="*", s=180, color="#d62728", edgecolor="black", zorder=3)
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.set_title(f"box {box.number}: coverage {box.coverage:.0%}, density {box.density:.0%}", fontsize=9)
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes), label="restricted factors", shrink=0.85, ticks=range(top + 1))
    fig.suptitle(f"{title}: PRIM trade-off", fontsize=10)
    return _save(fig, out, "tradeoff")


def prim_boxes(boxes: Sequence[Any], cases: pd.DataFrame, out: Path, title: str) -> list[Path]:
    """Each chosen box's limits as a bar within its factor's full range (numeric), or the values kept."""
    rows = [(b, r) for b in boxes for _, r in b.limits.iterrows()]
    fig = _figure(7.5, 1.3 + 0.42 * len(rows))
    ax = fig.subplots()
    for i, (box, r) in enumerate(reversed(rows)):
        color = f"C{(box.number - 1) % 10}"
        ax.barh(i, 1.0, left=0.0, color="0.92", height=0.6)
        if r["kind"] == "categorical":
            ax.text(0.5, i, f"∈ {{{r['values']}}}", ha="center", va="center", fontsize=8, color=color)
        else:
            col = cases[r["label"]]
            lo0, hi0 = float(col.min()), float(col.max())
            width = (hi0 - lo0) or 1.0
            lo = float(r["lower"]) if r["lower"] == r["lower"] else lo0
            hi = float(r["upper"]) if r["upper"] == r["upper"] else hi0
            ax.barh(i, (hi - lo) / width, left=(lo - lo0) / width, color=color, alpha=0.7, height=0.6)
            ax.text(1.01, i, f"{lo:.3g} … {hi:.3g}  (range {lo0:.3g} … {hi0:.3g})", va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), [f"box {b.number}: {_short(str(r['label']), 30)}" for b, r in reversed(rows)],
                  fontsize=8)
    ax.set_xlim(0, 1.45)
    ax.set_xticks([0, 0.5, 1], ["min", "", "max"])
    ax.set_title(f"{title}: the boxes' limits (share of each factor's range)", fontsize=10)
    return _save(fig, out, "boxes")


def regret_strips(regret: pd.DataFrame, kpis: Sequence[str], policies: Sequence[str], out: Path,
                  title: str) -> list[Path]:
    """Regret of each policy in each future (dots) per KPI, the maximum regret as a bar."""
    fig, axes = _panel_grid(len(kpis), len(policies))
    y = np.arange(len(policies))[::-1]
    for ax, kpi in zip(axes, kpis):
        sub = regret[regret["kpi"] == kpi]
        scale = 1e6 if kpi.endswith("_eur") else 1.0
        for yi, policy in zip(y, policies):
            r = sub[sub["policy"] == policy]["regret"].to_numpy(dtype=float) / scale
            ax.barh(yi, np.nanmax(r) if len(r) else 0.0, color="#d62728", alpha=0.18, height=0.7)
            jitter = (np.arange(len(r)) % 5 - 2) * 0.06
            ax.scatter(r, yi + jitter, s=9, color="#d62728", alpha=0.7, lw=0)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"regret: {KPI_LABELS.get(kpi, kpi)}" + (" (M EUR)" if scale != 1 else ""), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    _finish_panels(axes, y, [_short(p, 36) for p in policies], len(kpis))
    fig.suptitle(f"{title}: regret per future (0 = the best policy in that future); bar = maximum", fontsize=11)
    return _save(fig, out, "regret")


def satisficing_bars(summary: pd.DataFrame, norms: Sequence[Any], out: Path, title: str) -> list[Path]:
    """Share of futures in which each policy meets each norm, and all norms together."""
    columns = [f"satisficing:{n}" for n in norms] + ["satisficing"]
    names = [str(n) for n in norms] + ["all norms"]
    policies = list(summary["policy"])
    fig = _figure(7.5, 1.4 + 0.3 * len(policies) * len(columns) / 2 + 0.4)
    ax = fig.subplots()
    height = 0.8 / len(columns)
    y = np.arange(len(policies))[::-1]
    for i, (col, name) in enumerate(zip(columns, names)):
        ax.barh(y + 0.4 - height * (i + 0.5), summary[col], height=height * 0.95, label=name,
                color="black" if col == "satisficing" else f"C{i}", alpha=0.8)
    ax.set_yticks(y, [_short(str(p), 36) for p in policies], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of futures in which the norm is met")
    ax.grid(axis="x", alpha=0.3)
    fig.legend(fontsize=8, loc="outside lower center", ncol=min(3, len(names)), frameon=False)
    ax.set_title(f"{title}: satisficing", fontsize=10)
    return _save(fig, out, "satisficing")
