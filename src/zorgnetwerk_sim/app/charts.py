"""Charts of the app, described once and drawn twice: ECharts in the page (hover values, works
offline: the library ships in solara-assets) and a matplotlib PNG for download.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .format import nl_number

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a5a5a5", "#843c0c")


@dataclass
class Line:
    name: str
    x: Sequence[float]
    y: Sequence[float]
    low: Sequence[float] | None = None  # a band (95% interval) around the line
    high: Sequence[float] | None = None


@dataclass
class Chart:
    title: str
    y_label: str
    lines: list[Line]
    x_label: str = "jaar"
    stacked: bool = False  # stacked areas (e.g. kosten per component)
    warmup_years: float = 0.0
    subtitle: str = ""
    bars: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # series → (category, value)


def _clean(values: Sequence[float] | None) -> list[float | None]:
    if values is None:
        return []
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else round(float(v), 6) for v in values]


def echarts_option(chart: Chart) -> dict:
    """The ECharts option of a chart (line, stacked area or bars)."""
    if chart.bars:
        categories = list(dict.fromkeys(c for items in chart.bars.values() for c, _ in items))
        series = [{"name": name, "type": "bar", "data": _clean([dict(items).get(c, math.nan) for c in categories])}
                  for name, items in chart.bars.items()]
        return {
            "title": {"text": chart.title, "subtext": chart.subtitle, "left": "center", "textStyle": {"fontSize": 14}},
            "color": list(PALETTE), "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0}, "grid": {"left": 60, "right": 20, "top": 60, "bottom": 90},
            "xAxis": {"type": "category", "data": categories, "axisLabel": {"rotate": 35, "fontSize": 10}},
            "yAxis": {"type": "value", "name": chart.y_label}, "series": series, "animation": False,
        }
    # A category x axis (one category per week): ECharts stacks along the category axis, which the
    # stacked costs and the bands (a transparent lower bound plus the band's width) need.
    xs = list(dict.fromkeys(round(float(x), 4) for line in chart.lines for x in line.x))
    xs.sort()
    position = {x: i for i, x in enumerate(xs)}
    labels = [nl_number(x, 0 if float(x).is_integer() else 2) for x in xs]

    def aligned(line: Line, values: Sequence[float] | None) -> list[float | None]:
        out: list[float | None] = [None] * len(xs)
        for x, v in zip(line.x, _clean(values)):
            out[position[round(float(x), 4)]] = v
        return out

    series: list[dict] = []
    for i, line in enumerate(chart.lines):
        color = PALETTE[i % len(PALETTE)]
        entry = {"name": line.name, "type": "line", "data": aligned(line, line.y), "showSymbol": False,
                 "color": color, "lineStyle": {"width": 2}, "z": 3}
        if chart.stacked:
            entry.update({"stack": "total", "areaStyle": {"opacity": 0.6}})
        series.append(entry)
        if line.low is not None and line.high is not None:
            low, high = aligned(line, line.low), aligned(line, line.high)
            width = [None if lo is None or hi is None else round(hi - lo, 6) for lo, hi in zip(low, high)]
            common = {"type": "line", "stack": f"band{i}", "showSymbol": False, "silent": True,
                      "lineStyle": {"opacity": 0}, "color": color, "z": 1}
            series.append({**common, "name": f"{line.name}: 95%-BI ondergrens", "data": low})
            series.append({**common, "name": f"{line.name}: 95%-BI breedte", "data": width,
                           "areaStyle": {"color": color, "opacity": 0.2}})
    per_year = int(round(1 / (xs[1] - xs[0]))) if len(xs) > 1 and xs[1] > xs[0] else 1
    option = {
        "title": {"text": chart.title, "subtext": chart.subtitle, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        # a plain legend wraps onto a second line (a paged one hid names behind '◀ 1/2')
        "legend": {"bottom": 0, "data": [line.name for line in chart.lines]},
        "grid": {"left": 60, "right": 20, "top": 60, "bottom": 95 if len(chart.lines) > 2 else 75},
        "xAxis": {"type": "category", "name": chart.x_label, "data": labels, "boundaryGap": False,
                  "nameLocation": "middle", "nameGap": 22,
                  "axisLabel": {"interval": max(per_year - 1, 0)}, "axisTick": {"show": False}},
        "yAxis": {"type": "value", "name": chart.y_label, "scale": not chart.stacked},
        "series": series,
        "animation": False,
    }
    if chart.warmup_years > 0 and series and xs:
        end = min(range(len(xs)), key=lambda k: abs(xs[k] - chart.warmup_years))
        series[0]["markArea"] = {"silent": True, "itemStyle": {"color": "rgba(128,128,128,0.12)"},
                                 # inside the area, so it does not cover the axis's unit above the plot
                                 "label": {"position": "insideTop", "color": "#666", "fontSize": 11},
                                 "data": [[{"xAxis": 0, "name": "inlooptijd"}, {"xAxis": end}]]}
    return option


def png_bytes(chart: Chart) -> bytes:
    """The same chart as a PNG (matplotlib, Agg; no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(8, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    if chart.bars:
        categories = list(dict.fromkeys(c for items in chart.bars.values() for c, _ in items))
        width = 0.8 / max(len(chart.bars), 1)
        for i, (name, items) in enumerate(chart.bars.items()):
            values = [dict(items).get(c, math.nan) for c in categories]
            ax.bar(np.arange(len(categories)) + i * width, values, width, label=name, color=PALETTE[i % len(PALETTE)])
        ax.set_xticks(np.arange(len(categories)) + width * (len(chart.bars) - 1) / 2, categories, rotation=35,
                      ha="right", fontsize=8)
    elif chart.stacked:
        x = np.asarray(chart.lines[0].x, dtype=float) if chart.lines else np.array([])
        ys = [np.nan_to_num(np.asarray(line.y, dtype=float)) for line in chart.lines]
        ax.stackplot(x, *ys, labels=[line.name for line in chart.lines], colors=PALETTE[:len(ys)], alpha=0.7)
    else:
        for i, line in enumerate(chart.lines):
            color = PALETTE[i % len(PALETTE)]
            ax.plot(line.x, line.y, color=color, lw=1.8, label=line.name)
            if line.low is not None and line.high is not None:
                ax.fill_between(line.x, np.asarray(line.low, dtype=float), np.asarray(line.high, dtype=float),
                                color=color, alpha=0.18, lw=0)
    if chart.warmup_years > 0 and not chart.bars:
        ax.axvspan(0, chart.warmup_years, color="0.85", alpha=0.6, lw=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: nl_number(v)))
    if not chart.bars:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: nl_number(v, 0 if float(v).is_integer() else 1)))
        ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    ax.set_title(chart.title + (f"\n{chart.subtitle}" if chart.subtitle else ""), fontsize=11)
    ax.grid(alpha=0.3)
    if chart.lines or chart.bars:
        ax.legend(fontsize=8, frameon=False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
