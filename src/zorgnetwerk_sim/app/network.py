"""The network of a running model as a picture: organisations as nodes, contracts and trust as edges.

Read-only: everything comes from the model's state as it is (``region.gemeenten``,
``region.aanbieders``, ``ab.clients``, ``ab.waitlists``, ``ab.referrals_from``, ``region.trust``,
the expertteams, the recorder's arrays). Referrals of the last weeks are the difference between
the referral counts now and those of a few weeks ago (:func:`referral_counts`, kept by the page). The Netwerk page (``pages/netwerk.py``) draws :func:`echarts_option` of a
:func:`snapshot` after every few weeks.

Positions are fixed slots, not a force layout, so the picture does not jump while the run
steps: per region the gemeenten on the left, the aanbieders on the right and the expertteam
between them. An aanbieder that replaces another at a procurement round takes its slot, so the
class sees the name change and its edges start again at neutral trust. A scenario with many
regions (``nederland``) is drawn at the level of regions: one node per region and per
expertteam, laid out once with networkx.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..metrics import S

KIND_COLOR = {"gemeente": "#1f4e79", "aanbieder": "#c55a11", "expertteam": "#7030a0", "regio": "#1f4e79"}
KIND_LABEL = {"gemeente": "gemeente", "aanbieder": "aanbieder", "expertteam": "expertteam", "regio": "inkoopregio"}
REGION_LEVEL_ABOVE = 4  # more regions than this: one node per region


@dataclass
class Node:
    id: str
    name: str
    kind: str
    x: float
    y: float
    size_value: float          # what the node's size shows (caseload, wachtlijst)
    figures: dict[str, str] = field(default_factory=dict)  # shown when the node is clicked


@dataclass
class Edge:
    source: str
    target: str
    kind: str                  # 'contract', 'verwijzing', 'samenwerking' (aanbieder-aanbieder), 'expertteam'
    trust: float | None
    weight: float              # clients of the gemeente at the aanbieder now (contract), referrals of the
                               # last weeks (verwijzing), cases (expertteam)


@dataclass
class Snapshot:
    week: int
    nodes: list[Node]
    edges: list[Edge]
    region_level: bool

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)


def _fmt(v: float, decimals: int = 0) -> str:
    from .format import nl_number

    return nl_number(v, decimals)


def _waiting(ab) -> int:
    return sum(len(wl) for wl in ab.waitlists.values())


def _gemeente_waiting(model, g) -> float:
    week = model.week
    if week == 0:
        return 0.0
    stocks = model.recorder.stocks[week - 1, g.index]
    return float(stocks[S["waiting_list"]] + stocks[S["waiting_expertteam"]])


def _gemeente_in_care(model, g) -> float:
    week = model.week
    return 0.0 if week == 0 else float(model.recorder.stocks[week - 1, g.index, S["in_care"]])


def referral_counts(model) -> dict[tuple[int, int], int]:
    """Referrals so far per (gemeente, aanbieder) org ids (to the aanbieder's own wachtlijsten)."""
    return {(g, ab.org_id): n for region in model.regions for ab in region.aanbieders
            for g, n in ab.referrals_from.items()}


def snapshot(model, referrals_before: dict[tuple[int, int], int] | None = None) -> Snapshot:
    """The network now; with ``referrals_before`` (``referral_counts`` of some weeks ago) the
    referrals since then as edges gemeente → aanbieder."""
    if len(model.regions) > REGION_LEVEL_ABOVE:
        return _regions_snapshot(model)
    recent = {}
    if referrals_before is not None:
        recent = {k: n - referrals_before.get(k, 0) for k, n in referral_counts(model).items()}
    nodes: list[Node] = []
    edges: list[Edge] = []
    y0 = 0.0
    for region in model.regions:
        gems, abs_ = region.gemeenten, region.aanbieders
        rows = max(len(gems), len(abs_), 1)
        for i, g in enumerate(gems):
            waiting = _gemeente_waiting(model, g)
            nodes.append(Node(f"o{g.org_id}", g.name, "gemeente", 0.0, y0 + (i + 0.5) * rows / len(gems), waiting, {
                "Soort": "gemeente", "Regio": region.name, "Inwoners": _fmt(g.inhabitants),
                "Jongeren (< 23)": _fmt(g.youth), "Wachtend (wachtlijst en expertteam)": _fmt(waiting),
                "In zorg": _fmt(_gemeente_in_care(model, g)),
                "Uitgegeven dit jaar": f"€ {_fmt(g.year_spend / 1e6, 2)} mln",
                "Budget per jaar": f"€ {_fmt(g.budget_eur_per_year / 1e6, 2)} mln",
                "Bezuinigt op preventie": "ja" if g.prevention_cut else "nee",
            }))
        for i, ab in enumerate(abs_):
            in_care = len(ab.clients)
            waiting = _waiting(ab)
            trust_g = [region.trust.trust(g.org_id, ab.org_id) for g in gems]
            nodes.append(Node(f"o{ab.org_id}", ab.name, "aanbieder", 2.0, y0 + (i + 0.5) * rows / len(abs_),
                              in_care + waiting, {
                "Soort": "aanbieder", "Regio": region.name, "Jongeren in zorg": _fmt(in_care),
                "Op de wachtlijst": _fmt(waiting), "Plekken": _fmt(sum(ab.capacity)),
                "Bezet": _fmt(sum(ab.occupied)),
                "Vertrouwen van de gemeenten (gemiddeld)": _fmt(sum(trust_g) / len(trust_g), 2) if trust_g else "–",
                "Reserve": f"€ {_fmt(ab.reserve / 1e6, 2)} mln",
                "Actief": "ja" if ab.active else "nee (gestopt)",
            }))
            clients_of: dict[int, int] = {}
            for j in ab.clients:
                clients_of[j.gemeente.org_id] = clients_of.get(j.gemeente.org_id, 0) + 1
            for g in gems:
                edges.append(Edge(f"o{g.org_id}", f"o{ab.org_id}", "contract", region.trust.trust(g.org_id, ab.org_id),
                                  float(clients_of.get(g.org_id, 0))))
                sent = recent.get((g.org_id, ab.org_id), 0)
                if sent > 0:
                    edges.append(Edge(f"o{g.org_id}", f"o{ab.org_id}", "verwijzing", None, float(sent)))
        for i, x in enumerate(abs_):
            for y in abs_[i + 1:]:
                edges.append(Edge(f"o{x.org_id}", f"o{y.org_id}", "samenwerking",
                                  region.trust.trust(x.org_id, y.org_id), 0.0))
        team = region.expertteam
        if team is not None:
            tid = f"t{model.expertteams.index(team)}"
            if not any(n.id == tid for n in nodes):
                nodes.append(Node(tid, team.name, "expertteam", 1.0, y0 - 0.6, float(len(team.queue)), {
                    "Soort": "expertteam", "Uren per week": _fmt(team.hours_per_week or 0, 1),
                    "Zaken in de wachtrij": _fmt(len(team.queue)),
                    "Tijdgebrek bij het laatste overleg": "ja" if team.short_of_time else "nee",
                    "Tijd per zaak (deel van wat nodig is)": f"{_fmt(100 * team.time_coverage)}%",
                }))
            for g in gems:
                edges.append(Edge(tid, f"o{g.org_id}", "expertteam", None, 0.0))
        y0 += rows + 1.5
    return Snapshot(model.week, nodes, edges, False)


_LAYOUTS: dict[tuple[str, ...], dict[str, tuple[float, float]]] = {}


def _regions_snapshot(model) -> Snapshot:
    """One node per inkoopregio (size: its wachtlijst; colour: its trust) and per expertteam."""
    import networkx as nx

    graph = nx.Graph()
    for r in model.regions:
        graph.add_node(f"r{r.index}")
        if r.expertteam is not None:
            graph.add_edge(f"r{r.index}", f"t{model.expertteams.index(r.expertteam)}")
    key = tuple(sorted(graph.nodes))
    if key not in _LAYOUTS:  # the same scenario always gets the same layout
        _LAYOUTS[key] = {k: (float(v[0]), float(v[1])) for k, v in nx.spring_layout(graph, seed=1).items()}
    pos = _LAYOUTS[key]
    nodes, edges = [], []
    week = model.week
    for r in model.regions:
        waiting = sum(_gemeente_waiting(model, g) for g in r.gemeenten)
        trust = float(model.recorder.region_trust[week - 1, r.index]) if week else math.nan
        x, y = pos[f"r{r.index}"]
        nodes.append(Node(f"r{r.index}", r.name, "regio", x, y, waiting, {
            "Soort": "inkoopregio", "Gemeenten": _fmt(len(r.gemeenten)), "Aanbieders": _fmt(len(r.aanbieders)),
            "Jongeren (< 23)": _fmt(r.youth), "Wachtend": _fmt(waiting),
            "Vertrouwen (gemiddeld)": _fmt(trust, 2) if trust == trust else "–"}))
    for t, team in enumerate(model.expertteams):
        x, y = pos[f"t{t}"]
        nodes.append(Node(f"t{t}", team.name, "expertteam", x, y, float(len(team.queue)), {
            "Soort": "expertteam", "Regio's": _fmt(len(team.regions)), "Uren per week": _fmt(team.hours_per_week or 0, 1),
            "Zaken in de wachtrij": _fmt(len(team.queue)),
            "Tijdgebrek bij het laatste overleg": "ja" if team.short_of_time else "nee"}))
        for r in team.regions:
            edges.append(Edge(f"t{t}", f"r{r.index}", "expertteam", None, 0.0))
    return Snapshot(week, nodes, edges, True)


def trust_color(trust: float | None) -> str:
    """Red (low trust) through yellow to green (high trust); grey without trust."""
    if trust is None or trust != trust:
        return "#9e9e9e"
    t = min(max((trust - 0.3) / 0.6, 0.0), 1.0)  # 0.3 → red, 0.9 → green
    if t < 0.5:
        r, g = 220, int(60 + 320 * t)
    else:
        r, g = int(220 - 360 * (t - 0.5)), 200
    return f"rgb({r},{g},60)"


def echarts_option(snap: Snapshot, big: bool = False) -> dict[str, Any]:
    """The ECharts graph series of a snapshot."""
    top = max((n.size_value for n in snap.nodes), default=1.0) or 1.0
    categories = list(dict.fromkeys(n.kind for n in snap.nodes))
    data = []
    for n in snap.nodes:
        size = 14 + 36 * math.sqrt(max(n.size_value, 0.0) / top)
        data.append({"id": n.id, "name": n.name, "value": [n.x, n.y, round(n.size_value, 1)], "symbolSize": round(size * (1.2 if big else 1.0), 1),
                     "category": categories.index(n.kind), "itemStyle": {"color": KIND_COLOR[n.kind]},
                     "label": {"show": not snap.region_level or n.kind == "expertteam",
                               "position": "left" if n.kind == "gemeente" else "right",
                               "fontSize": 16 if big else 12}})
    xs = [n.x for n in snap.nodes] or [0.0]
    ys = [n.y for n in snap.nodes] or [0.0]
    pad_x = 0.05 * ((max(xs) - min(xs)) or 1.0)
    pad_y = 0.05 * ((max(ys) - min(ys)) or 1.0)
    top_w = max((e.weight for e in snap.edges if e.kind == "contract"), default=1.0) or 1.0
    top_r = max((e.weight for e in snap.edges if e.kind == "verwijzing"), default=1.0) or 1.0
    links = []
    for e in snap.edges:
        if e.kind == "contract":
            width = 1 + 7 * math.sqrt(e.weight / top_w)
            style = {"color": trust_color(e.trust), "width": round(width, 2), "opacity": 0.85, "curveness": 0.0}
        elif e.kind == "verwijzing":  # referrals of the last weeks: a curved arrow, width by number
            width = 1 + 5 * math.sqrt(e.weight / top_r)
            links.append({"source": e.source, "target": e.target, "symbol": ["none", "arrow"], "symbolSize": 8,
                          "lineStyle": {"color": "#555555", "width": round(width, 2), "opacity": 0.6,
                                        "curveness": 0.25},
                          "value": int(e.weight), "tooltip": {"formatter": f"{int(e.weight)} verwijzingen"}})
            continue
        elif e.kind == "samenwerking":
            style = {"color": trust_color(e.trust), "width": 1.5, "type": "dashed", "opacity": 0.7, "curveness": 0.3}
        else:
            style = {"color": KIND_COLOR["expertteam"], "width": 1, "type": "dotted", "opacity": 0.5}
        links.append({"source": e.source, "target": e.target, "lineStyle": style,
                      "value": None if e.trust is None else round(e.trust, 2)})
    return {
        "tooltip": {"show": True},
        "legend": {"data": [KIND_LABEL[c] for c in categories], "top": 0, "textStyle": {"fontSize": 16 if big else 12}},
        "animation": False,
        # Nodes on hidden value axes: symbols keep their size in pixels (round, whatever the box's shape).
        "grid": {"left": 150 if not snap.region_level else 40, "right": 230 if not snap.region_level else 40,
                 "top": 50, "bottom": 25},
        "xAxis": {"type": "value", "show": False, "min": min(xs) - pad_x, "max": max(xs) + pad_x},
        "yAxis": {"type": "value", "show": False, "inverse": True, "min": min(ys) - pad_y, "max": max(ys) + pad_y},
        "series": [{
            "type": "graph", "layout": "none", "coordinateSystem": "cartesian2d", "data": data, "links": links,
            "categories": [{"name": KIND_LABEL[c], "itemStyle": {"color": KIND_COLOR[c]}} for c in categories],
            "emphasis": {"focus": "adjacency"}, "lineStyle": {"opacity": 0.8},
        }],
    }
