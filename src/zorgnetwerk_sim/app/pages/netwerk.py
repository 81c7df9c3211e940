"""Netwerk: a live drawing of who contracts with whom, who has whose clients, and where trust is.

One run of a chosen scenario per page (its own :class:`Simulation`, stepped in a background
task); the drawing is redrawn every few weeks. Clicking a node shows that organisation's figures.
"""

from __future__ import annotations

import html
import threading
import time

import solara
from solara.lab import use_task

from ...api import Simulation
from ...scenario import available_scenarios
from ..labels import scenario_title
from ..network import REGION_LEVEL_ABOVE, echarts_option, referral_counts, snapshot
from ..widgets import Heading, Prose, Table

SPEEDS = {"langzaam": 1, "normaal": 4, "snel": 13}  # weeks per redraw
REDRAW_S = 0.3
RECENT_WEEKS = 8  # referrals drawn: those of the last weeks


class Run:
    def __init__(self, name: str) -> None:
        self.sim = Simulation(name)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.events: list[str] = []
        self._names = self._aanbieders()
        #: (week, referral counts) after each step, as far back as RECENT_WEEKS (region level: none)
        self.detailed = len(self.sim.model.regions) <= REGION_LEVEL_ABOVE
        self.history: list[tuple[int, dict]] = [(0, referral_counts(self.sim.model))] if self.detailed else []

    def referrals_before(self) -> dict | None:
        """The referral counts of about RECENT_WEEKS ago (None at region level)."""
        return self.history[0][1] if self.history else None

    def _aanbieders(self) -> dict[int, tuple[str, bool]]:
        return {i: (ab.name, ab.active) for r in self.sim.model.regions for i, ab in
                enumerate(r.aanbieders, start=1000 * r.index)}

    def step(self, weeks: int) -> None:
        with self.lock:
            self.sim.step(weeks)
            now = self._aanbieders()
            week = self.sim.model.week
            for slot, (name, active) in now.items():
                old = self._names.get(slot)
                if old is not None and old[0] != name:
                    self.events.append(f"Week {week}: aanbesteding — {old[0]} verliest het contract, "
                                       f"{name} begint zonder vertrouwen.")
                elif old is not None and old[1] and not active:
                    self.events.append(f"Week {week}: {name} stopt (verlies).")
            self._names = now
            if self.detailed:
                self.history.append((week, referral_counts(self.sim.model)))
                while len(self.history) > 1 and self.history[1][0] <= week - RECENT_WEEKS:
                    self.history.pop(0)

    def to_procurement(self) -> None:
        """Step to just after the next procurement round."""
        cycle = self.sim.scenario.levers.coordination.procurement_cycle_years * 52
        week = self.sim.model.week
        target = (week // cycle + 1) * cycle + 1
        self.step(max(min(target, self.sim.weeks) - week, 0))


@solara.component
def Page():
    names = [n for n in available_scenarios()]
    scenario, set_scenario = solara.use_state("klas" if "klas" in names else names[0])
    speed, set_speed = solara.use_state("normaal")
    big, set_big = solara.use_state(False)
    selected, set_selected = solara.use_state(None)
    version, set_version = solara.use_state(0)  # bumps after each step: redraw
    run: Run = solara.use_memo(lambda: Run(scenario), [scenario])
    holder = solara.use_ref(run)
    holder.current = run
    solara.Title("Netwerk · zorgnetwerk_sim")

    def redraw():
        set_version(lambda v: v + 1)

    def play():
        r = holder.current
        r.stop.clear()
        last = 0.0
        while not r.sim.done and not r.stop.is_set():
            r.step(SPEEDS[speed])
            if time.perf_counter() - last > REDRAW_S:
                redraw()
                last = time.perf_counter()
                time.sleep(0.05)
        redraw()

    play_task = use_task(play, dependencies=None)

    def step(weeks: int) -> None:
        holder.current.step(weeks)
        redraw()

    def procurement() -> None:
        holder.current.to_procurement()
        redraw()

    def restart() -> None:
        holder.current.stop.set()
        new = Run(scenario)
        holder.current = new
        set_runs_override(new)

    override, set_runs_override = solara.use_state(None)
    current = override if (override is not None and override.sim.scenario.name == scenario) else run
    holder.current = current
    busy = play_task.pending
    with current.lock:
        snap = snapshot(current.sim.model, current.referrals_before())
        option = echarts_option(snap, big)
        week, weeks = current.sim.model.week, current.sim.weeks
        events = list(current.events[-6:])

    def clicked(data) -> None:
        node_id = (data or {}).get("data", {}).get("id") if isinstance(data, dict) else None
        set_selected(node_id)

    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "10px"}):
        solara.Select("Scenario", values=[scenario_title(n) for n in names], value=scenario_title(scenario), dense=True,
                      on_value=lambda t: (set_scenario(names[[scenario_title(n) for n in names].index(t)]),
                                          set_runs_override(None), set_selected(None)),
                      disabled=busy, style={"max-width": "360px"}, classes=["zs-net-scenario"])
        solara.Button("Speel", icon_name="mdi-play", on_click=play_task, disabled=busy or current.sim.done,
                      color="primary", classes=["zs-net-play"])
        solara.Button("Pauze", icon_name="mdi-pause", on_click=lambda: current.stop.set(), disabled=not busy,
                      classes=["zs-net-pause"])
        solara.Button("1 maand", on_click=lambda: step(4), disabled=busy or current.sim.done, classes=["zs-net-step"])
        solara.Button("Naar de volgende aanbesteding", on_click=procurement, disabled=busy or current.sim.done,
                      classes=["zs-net-procurement"])
        solara.Button("Terug naar begin", icon_name="mdi-restart", on_click=restart, disabled=busy,
                      classes=["zs-net-reset"])
        solara.Select("Snelheid", values=list(SPEEDS), value=speed, on_value=set_speed, style={"max-width": "130px"},
                      classes=["zs-net-speed"])
        solara.Switch(label="Grote letters", value=big, on_value=set_big, classes=["zs-net-big"])
        solara.Text(f"Week {week} van {weeks} (jaar {week / 52:.1f})".replace(".", ","), classes=["zs-net-week"],
                    style={"font-size": "1.3em" if big else "1.05em", "font-weight": "bold"})
    with solara.Columns([8, 4]):
        with solara.Card(style={"padding": "4px"}, classes=["zs-network"]):
            solara.FigureEcharts(option=option, on_click=clicked, responsive=True,
                                 attributes={"style": f"height: {470 if not snap.region_level else 560}px; width: 100%"})
        with solara.Column():
            node = snap.node(selected) if selected else None
            if node is None:
                Prose("Klik op een organisatie voor haar cijfers.")
            else:
                Heading(node.name, 4)
                Table([{"": k, "Nu": v} for k, v in node.figures.items()], classes=["zs-node-figures"])
            Heading("Hoe lees je dit?", 4)
            if snap.region_level:
                Prose("Elke bol is een inkoopregio (grootte: wachtende jongeren); paarse bollen zijn de "
                      "expertteams en de stippellijnen de regio's die ze bedienen.")
            else:
                Prose("Blauw: gemeenten (grootte: wachtende jongeren). Oranje: aanbieders (grootte: jongeren in "
                      "zorg en op de wachtlijst). Paars: het expertteam. Een lijn gemeente–aanbieder is een "
                      "contract: hoe dikker, hoe meer jongeren van die gemeente daar nu in zorg zijn; de kleur is "
                      "het vertrouwen (rood laag, groen hoog). Grijze pijlen: de verwijzingen van de laatste "
                      f"{RECENT_WEEKS} weken (hoe dikker, hoe meer). Gestippeld: het vertrouwen tussen aanbieders.")
            Heading("Wat er gebeurde", 4)
            if events:
                solara.HTML(tag="ul", unsafe_innerHTML="".join(f"<li>{html.escape(e)}</li>" for e in events),
                            classes=["zs-net-events"])
            else:
                Prose("Nog geen aanbesteding of vertrek van een aanbieder.")
