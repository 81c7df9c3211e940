"""Charts for the comparison report (matplotlib, Agg; no pyplot state is touched).

* ``over_time``: the kept weekly series (wachtlijst, uithuisplaatsingen, kosten) per design
  point over the years, the line the mean over replications and the band its 95% CI; flows are
  shown as a 13-week trailing mean, annualised (×52), so they read like the yearly KPIs.
* ``kpis``: run-level KPIs per design point, mean with 95% CI.
* ``differences``: the paired difference from the baseline with its 95% CI; filled red where the
  paired t-test says it is distinguishable from noise.

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
            sub = series[series["point"] == point]
            if sub.empty:
                continue
            wide = sub.pivot_table(index="week", columns="replication", values=name, aggfunc="first",
                                   observed=True).sort_index()
            if flow:
                wide = wide.rolling(ROLLING_WEEKS, min_periods=ROLLING_WEEKS).mean() * 52
            values = wide.to_numpy(dtype=float).T * _scale(name)
            mean, low, high = _t_band(values)
            low = np.maximum(low, 0.0)  # every kept series is a count or a cost: never below zero
            years = wide.index.to_numpy() / 52.0
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
                title: str) -> list[Path]:
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
                 "(red: paired t-test p < 0.05)", fontsize=11)
    return _save(fig, out, "differences")
