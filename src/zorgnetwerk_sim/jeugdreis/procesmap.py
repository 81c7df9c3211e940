"""The process map: the directly-follows graph drawn as an image.

Boxes are activities (with the number of jongeren in whose path they occur), arrows are
"directly followed by" (with the number of jongeren and the median weeks between the two
steps); arrows that fewer than ``min_case_share`` of the jongeren take are left out, and so are
activities that then have no arrow. With Graphviz's ``dot`` on the PATH (Debian package
``graphviz``) the map is laid out by dot (PNG and SVG); without it, by a layered layout drawn
with matplotlib (PNG and SVG).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..eventlog import END_ACTIVITIES, OPENING_ACTIVITIES
from .analysis import Measures

START, END = "begin", "einde of nog open"
#: Fill colour per organisation type (of the organisation that usually performs the activity)
COLOURS = {"gemeente": "#dbe9f6", "aanbieder": "#dcefdc", "expertteam": "#fde3c8", "regio": "#ece3f3",
           "einde": "#eeeeee"}


@dataclass
class ProcessMap:
    nodes: pd.DataFrame   # activity, cases, kind, layer
    edges: pd.DataFrame   # source, target, cases, count, median_weeks (START/END included)
    n_cases: int
    min_case_share: float
    hidden_edges: int     # arrows left out below the threshold


def build(m: Measures, min_case_share: float = 0.01) -> ProcessMap:
    """The process map of the measures ``m`` of a set of cases (analysis.Measures)."""
    n_cases = m.n_cases
    dfg, first, last = m.dfg, m.first, m.last
    extra = pd.concat([
        pd.DataFrame({"source": START, "target": first.index, "cases": first.to_numpy(), "count": first.to_numpy()}),
        pd.DataFrame({"source": last.index, "target": END, "cases": last.to_numpy(), "count": last.to_numpy()}),
    ], ignore_index=True)
    extra["median_weeks"] = np.nan
    edges = pd.concat([dfg, extra], ignore_index=True)
    keep = edges["cases"] >= max(1.0, min_case_share * n_cases)
    hidden = int((~keep).sum())
    edges = edges[keep].reset_index(drop=True)
    shown = set(edges["source"]) | set(edges["target"])
    counts, kind, layer = m.activity_cases, m.usual_kind, m.layer
    rows = []
    for act in sorted(shown - {START, END}, key=lambda a: (layer.get(a, 0), -counts.get(a, 0), a)):
        k = "einde" if act in END_ACTIVITIES else str(kind.get(act, "gemeente"))
        rows.append({"activity": act, "cases": int(counts.get(act, 0)), "kind": k,
                     "layer": float(layer.get(act, 0))})
    nodes = pd.DataFrame(rows, columns=["activity", "cases", "kind", "layer"])
    return ProcessMap(nodes, edges, n_cases, min_case_share, hidden)


def _edge_label(row: pd.Series) -> str:
    label = f"{int(row['cases']):,}".replace(",", ".")
    if not math.isnan(row["median_weeks"]):
        label += f"\nmediaan {row['median_weeks']:g} wk"
    return label


def _width(cases: float, n_cases: int) -> float:
    return 0.6 + 5.0 * math.sqrt(cases / max(n_cases, 1))


def to_dot(pm: ProcessMap, title: str) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    lines = ["digraph jeugdreis {", f"  graph [rankdir=TB, fontname=Helvetica, fontsize=16, labelloc=t, label={q(title)}, "
             "nodesep=0.35, ranksep=0.45];",
             "  node [shape=box, style=\"rounded,filled\", fontname=Helvetica, fontsize=11, color=\"#555555\"];",
             "  edge [fontname=Helvetica, fontsize=9, color=\"#4d4d4d\", arrowsize=0.7];",
             f"  {q(START)} [shape=circle, label=\"\", xlabel={q(START)}, width=0.25, style=filled, "
             "fillcolor=\"#333333\"];",
             f"  {q(END)} [shape=doublecircle, label=\"\", xlabel={q(END)}, width=0.2, style=filled, "
             "fillcolor=\"#333333\"];"]
    for row in pm.nodes.itertuples(index=False):
        label = f"{row.activity}\n{row.cases:,} jongeren".replace(",", ".")
        lines.append(f"  {q(row.activity)} [label={q(label)}, fillcolor=\"{COLOURS.get(row.kind, '#ffffff')}\"];")
    for _, row in pm.edges.iterrows():
        width = _width(row["cases"], pm.n_cases)
        lines.append(f"  {q(row['source'])} -> {q(row['target'])} [label={q(_edge_label(row))}, "
                     f"penwidth={width:.2f}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(pm: ProcessMap, folder: Path, stem: str, title: str, engine: str = "auto") -> tuple[list[Path], str]:
    """Write ``stem``.png and ``stem``.svg (and ``stem``.dot) in ``folder``; returns the files and
    the engine used (``dot`` or ``matplotlib``)."""
    dot = shutil.which("dot") if engine in ("auto", "dot") else None
    source = folder / f"{stem}.dot"
    source.write_text(to_dot(pm, title), encoding="utf-8")
    if dot is not None:
        try:
            for ext in ("png", "svg"):
                subprocess.run([dot, f"-T{ext}", "-Gdpi=110" if ext == "png" else "-Gdpi=72", str(source),
                                "-o", str(folder / f"{stem}.{ext}")], check=True, capture_output=True, timeout=120)
            return [folder / f"{stem}.png", folder / f"{stem}.svg", source], "dot"
        except (OSError, subprocess.SubprocessError):
            pass  # a broken Graphviz install: draw it without
    return _draw_matplotlib(pm, folder, stem, title) + [source], "matplotlib"


def _draw_matplotlib(pm: ProcessMap, folder: Path, stem: str, title: str) -> list[Path]:
    """A layered drawing: activities in rows by their usual position in a path."""
    from matplotlib.patches import FancyArrowPatch

    from ..runner.charts import _figure, _save

    nodes = pm.nodes.copy()
    nodes["row"] = nodes["layer"].round().astype(int)
    # ends and the returns that follow them go to one last row, just above the end
    closing = nodes["activity"].isin(END_ACTIVITIES + OPENING_ACTIVITIES[1:])
    nodes.loc[closing, "row"] = nodes["row"].max() + 1
    rows = sorted(nodes["row"].unique())
    pos: dict[str, tuple[float, float]] = {START: (0.0, 0.0)}
    widest = 1
    incoming = pm.edges.groupby("target")
    for i, r in enumerate(rows):
        members = nodes[nodes["row"] == r]["activity"].tolist()

        def barycentre(act: str) -> float:  # mean x of the boxes above that lead here (fewer crossings)
            if act not in incoming.groups:
                return 0.0
            e = incoming.get_group(act)
            e = e[e["source"].map(lambda a: a in pos and pos[a][1] > -float(i + 1))]
            return float(np.average([pos[a][0] for a in e["source"]], weights=e["cases"])) if len(e) else 0.0

        members.sort(key=barycentre)
        widest = max(widest, len(members))
        for k, act in enumerate(members):
            pos[act] = ((k - (len(members) - 1) / 2.0) * 1.15, -float(i + 1))
    pos[END] = (0.0, -float(len(rows) + 1))
    labelled = pm.edges["cases"] >= 0.03 * pm.n_cases  # fewer labels: the drawing has no room for all
    fig = _figure(max(8.0, 2.4 * widest), max(6.0, 1.5 * (len(rows) + 2)))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title, fontsize=11)
    for index, e in pm.edges.iterrows():
        (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
        rad = 0.25 if y1 >= y0 else 0.08  # arrows back up curve more, so they do not hide others
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=10, lw=_width(e["cases"], pm.n_cases) * 0.6, color="#555555",
                                     alpha=0.55, shrinkA=16, shrinkB=16, zorder=1))
        if not labelled[index]:
            continue
        mx, my = (x0 + x1) / 2 + rad * (y1 - y0) / 2, (y0 + y1) / 2 - rad * (x1 - x0) / 2
        ax.text(mx, my, _edge_label(e), fontsize=6, ha="center", va="center", color="#333333", zorder=3,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    for row in nodes.itertuples(index=False):
        x, y = pos[row.activity]
        ax.text(x, y, f"{row.activity}\n{row.cases:,} jongeren".replace(",", "."), ha="center", va="center",
                fontsize=7.5, zorder=4,
                bbox={"boxstyle": "round,pad=0.35", "fc": COLOURS.get(row.kind, "#ffffff"), "ec": "#555555"})
    for name in (START, END):
        ax.plot(*pos[name], marker="o", markersize=9, color="#333333", zorder=4)
        ax.text(pos[name][0] + 0.18, pos[name][1], name, fontsize=7, va="center")
    ax.set_xlim(-widest * 0.6 - 0.3, widest * 0.6 + 0.3)
    ax.set_ylim(-len(rows) - 1.6, 0.6)
    ax.axis("off")
    return _save(fig, folder, stem)
