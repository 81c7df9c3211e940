"""Verkennen: one scenario, levers and uncertainties from the schema, step / play / pause / reset."""

from __future__ import annotations

import math
import time

import pandas as pd
import solara
from solara.lab import use_task

from ...safeio import user_error
from ...scenario import Scenario, ScenarioError, available_scenarios
from ..charts import Chart, Line
from ..explore import (COST_PARTS, Control, controls, kpi_strip, parquet_bytes, scenario_toml,
                       value_of)
from ..labels import LEVER_GROUPS, UNCERTAINTY_GROUP, scenario_title
from ..session import UPLOADED, Explorer, use_session
from ..upload import UploadError, parse_upload
from ..widgets import ChartCard, Heading, KpiCard, Prose, TableDownloads

#: How often the page is redrawn while playing (seconds).
REDRAW_S = 0.25


def live_charts(frame: pd.DataFrame, warmup_years: float) -> list[tuple[str, Chart]]:
    if frame.empty:
        return []
    x = list(frame["year"])

    def line(name: str, col: str, scale: float = 1.0) -> Line:
        return Line(name, x, list(frame[col] * scale))

    return [
        ("wachtlijst", Chart("Wachtlijst", "jongeren", [line("wachtlijst (aanbieders en expertteam)", "wachtlijst"),
                                                         line("wacht op de toegang", "waiting_toegang")],
                             warmup_years=warmup_years)),
        ("wachttijd", Chart("Wachttijd", "weken", [line("gemiddelde wachttijd (13 weken)", "wachttijd")],
                            warmup_years=warmup_years)),
        ("uithuisplaatsingen", Chart("Uithuisplaatsingen en crisis", "per jaar", [
            line("uithuisplaatsingen", "placements_per_year"), line("crisisopnames", "crisis_per_year")],
            warmup_years=warmup_years)),
        ("kosten", Chart("Kosten per onderdeel", "mln euro/jaar", [
            line(label, f"{col}_per_year", 1e-6) for col, label in COST_PARTS.items()
            if f"{col}_per_year" in frame.columns], stacked=True, warmup_years=warmup_years)),
        ("vertrouwen", Chart("Vertrouwen tussen organisaties", "0–1", [line("gemiddeld vertrouwen", "trust_mean")],
                             warmup_years=warmup_years)),
    ]


def shown_value(control: Control, value) -> str:
    """The current value in Dutch notation, for the label of a slider or input."""
    from ..format import nl_number

    if control.kind == "integer":
        return nl_number(value, 0)
    return nl_number(value, 2 if 0.1 <= abs(value) < 1 else None)  # 0,40 beside 0,004 and 12,5


@solara.component
def ControlWidget(control: Control, value, on_value, disabled: bool):
    """One lever or uncertainty: its widget, its Dutch label and unit, and an (i) with meaning and source."""
    numeric = control.kind in ("integer", "number")
    with solara.Row(style={"align-items": "center", "margin": "2px 0"}, classes=["zs-control"]):
        with solara.Column(style={"flex": "1 1 auto"}, gap="0px"):
            if control.kind == "boolean":
                solara.Switch(label=control.label, value=bool(value), on_value=on_value, disabled=disabled)
            elif control.kind == "categorical" and control.choices:
                labels = [control.choice_label(c) for c in control.choices]
                by_label = dict(zip(labels, control.choices))
                solara.Select(label=control.label, values=labels, value=control.choice_label(value),
                              on_value=lambda text: on_value(by_label[text]), disabled=disabled)
            else:
                solara.Text(f"{control.label}: {shown_value(control, value)}"
                            + (f" ({control.unit})" if numeric and control.unit else ""),
                            style={"font-size": "0.9em"})
                if control.slider and control.kind == "integer":
                    solara.SliderInt("", value=int(value), min=int(control.low), max=int(control.high),
                                     on_value=on_value, disabled=disabled)
                elif control.slider:
                    solara.SliderFloat("", value=float(value), min=float(control.low), max=float(control.high),
                                       step=control.step(value), on_value=on_value, disabled=disabled)
                else:
                    def checked(v):
                        if v is not None and (control.low is None or v >= control.low) \
                                and (control.high is None or v <= control.high):
                            on_value(int(v) if control.kind == "integer" else float(v))

                    solara.InputFloat("", value=float(value), on_value=checked, disabled=disabled)
        solara.Tooltip(control.tooltip, children=[solara.Button(icon_name="mdi-information-outline", icon=True,
                                                                small=True, classes=["zs-info"])])


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) \
            or not isinstance(b, (int, float)):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@solara.component
def Controls(disabled: bool):
    session = use_session()
    try:
        scenario = session.scenario()
    except ScenarioError as err:
        solara.Error(str(err))
        return
    items = controls()

    def setter(key: str):
        def set_value(value) -> None:
            if _same(value, value_of(session.scenario(), key)):
                return  # a widget reporting the value it shows: nothing changed, the run goes on
            new = dict(session.overrides.value)
            new[key] = value
            session.overrides.value = new
            session.reset()
        return set_value

    with solara.Card("Wat de regio kiest", subtitle="beleidskeuzes (levers)"):
        for group in LEVER_GROUPS:
            with solara.Details(group, expand=group == LEVER_GROUPS[0]):
                for c in items:
                    if c.is_lever and c.group == group:
                        ControlWidget(c, value_of(scenario, c.key), setter(c.key), disabled)
    with solara.Card(UNCERTAINTY_GROUP, subtitle="onzekerheden: wat de regio niet zelf bepaalt"):
        for c in items:
            if not c.is_lever:
                ControlWidget(c, value_of(scenario, c.key), setter(c.key), disabled)

    def defaults():
        session.overrides.value = {}
        session.reset()

    solara.Button("Terug naar de standaardwaarden", on_click=defaults, text=True, disabled=disabled)


@solara.component
def Upload():
    session = use_session()

    def load(scenario: Scenario, filename: str) -> None:
        # a background task: building the run of a large scenario takes seconds
        session.load_uploaded(scenario)
        session.upload_message.value = ("ok", f"Scenario '{scenario.name}' geladen uit {filename}.")

    loading = use_task(load, dependencies=None)

    def received(files) -> None:
        # Only reads and checks the file (parse_upload refuses what asks for too much work);
        # the run is built by the task above, outside this handler.
        if not files:
            return
        f = files[0]
        try:
            scenario = parse_upload(bytes(f["content"]), f["name"])
        except UploadError as err:
            session.upload_message.value = ("error", str(err))
            return
        session.upload_message.value = ("busy", f"Scenario '{scenario.name}' uit {f['name']} wordt geladen…")
        loading(scenario, f["name"])

    import ipywidgets

    with solara.Column(classes=["zs-upload"]):
        solara.Text("Een eigen scenario (.toml, hoogstens 256 kB) laden:")
        ipywidgets.FileUpload.element(accept=".toml", multiple=False, description="Kies bestand",
                                      on_value=received, disabled=loading.pending)
    if loading.pending:
        solara.ProgressLinear(True)
    message = session.upload_message.value
    if loading.error and message is not None and message[0] == "busy":  # no newer upload since
        solara.Error(f"Het scenario kon niet worden geladen: {user_error(loading.exception) or 'onverwachte fout'}.",
                     classes=["zs-upload-message"])
    elif message is not None:
        kind, text = message
        show = {"ok": solara.Success, "busy": solara.Info}.get(kind, solara.Error)
        show(text, classes=["zs-upload-message"])


@solara.component
def Runner(explorer: Explorer):
    """Buttons, KPI strip, live charts and downloads of the run. Only this part redraws per step."""
    session = use_session()
    frame = session.frame.value
    sim = explorer.sim

    # The handlers act on the session's current run, not on the one of the render that drew the
    # button: a click that arrives while a new run is being drawn steps the new run.
    def play():
        run = session.explorer.value
        if run is None:
            return
        run.stop.clear()
        session.playing.value = True
        try:
            last = 0.0
            while not run.sim.done and not run.stop.is_set():
                with run.lock:
                    run.sim.step(1)
                if time.perf_counter() - last > REDRAW_S and session.explorer.value is run:
                    session.frame.value = run.advance(0)
                    last = time.perf_counter()
            if session.explorer.value is run:
                session.frame.value = run.advance(0)
        finally:
            session.playing.value = False

    def step() -> None:
        # One week takes milliseconds, so it runs in the click handler: one redraw per step
        # (a background task would redraw three times: pending, result, finished).
        run = session.explorer.value
        if run is not None and not run.sim.done:
            session.frame.value = run.advance(1)

    def pause() -> None:
        run = session.explorer.value
        if run is not None:
            run.stop.set()

    play_task = use_task(play, dependencies=None)
    busy = play_task.pending
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Button("Stap (1 week)", on_click=step, disabled=busy or sim.done, classes=["zs-step"])
        solara.Button("Speel", icon_name="mdi-play", on_click=play_task, disabled=busy or sim.done,
                      color="primary", classes=["zs-play"])
        solara.Button("Pauze", icon_name="mdi-pause", on_click=pause,
                      disabled=not play_task.pending, classes=["zs-pause"])
        solara.Button("Opnieuw", icon_name="mdi-restart", on_click=lambda: session.reset(), disabled=busy,
                      classes=["zs-reset"])
        weeks_done = sim.model.week
        solara.Text(f"week {weeks_done} van {sim.weeks} (jaar {weeks_done / 52:.1f})".replace(".", ","),
                    classes=["zs-week"])
    solara.ProgressLinear(100 * sim.model.week / max(sim.weeks, 1))
    warmup = explorer.scenario.warmup_weeks
    strip = kpi_strip(frame, warmup)
    if not frame.empty and not strip:
        solara.Info(f"Inlooptijd (week 1 tot {warmup}): het model komt op gang vanuit een gestileerde begintoestand. "
                    f"De kerncijfers verschijnen na week {warmup}; de grafieken tonen de inlooptijd grijs.",
                    classes=["zs-warmup-note"])
    elif strip:
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            for h in strip:
                KpiCard(h.label, h.value, h.change, h.key)
    else:
        solara.Info("Druk op Speel of Stap om de simulatie te starten.")
    with solara.ColumnsResponsive(12, large=6):
        for name, chart in live_charts(frame, explorer.scenario.run.warmup_years):
            ChartCard(chart, f"verkennen-{name}.png", height=280)
    Heading("Meenemen", 4)
    items = [("Scenario (TOML, voor zorgsim run)", f"{explorer.scenario.name}.toml",
              lambda: scenario_toml(explorer.scenario), "application/toml")]
    tables = []
    if not frame.empty:
        tables.append(("Tijdreeks per gemeente", "verkennen-tijdreeks", explorer.timeseries))
        items.append(("Tijdreeks per gemeente (Parquet)", "verkennen-tijdreeks.parquet",
                      lambda: parquet_bytes(explorer.timeseries()), "application/octet-stream"))
    if sim.done:
        tables.append(("Samenvatting", "verkennen-samenvatting", explorer.summary))
    TableDownloads(tables, items)


@solara.component
def Page():
    session = use_session()
    explorer = session.explorer.value
    playing = session.playing.value  # the controls are locked while the run plays (not per step)
    solara.use_effect(lambda: None if session.explorer.value is not None else (session.reset() and None), [])
    if explorer is None:
        solara.Text("Laden…")
        return

    def pick_scenario(name: str) -> None:
        session.scenario_name.value = name
        session.overrides.value = {}
        session.reset()

    solara.Title("Verkennen · zorgnetwerk_sim")
    names = list(available_scenarios()) + ([UPLOADED] if session.uploaded.value is not None else [])
    with solara.Columns([4, 8]):
        with solara.Column():
            Heading("Verkennen", 2)
            Prose("Kies een scenario, zet de knoppen, en kijk week voor week wat er gebeurt.")
            labels = {n: (f"Geüpload: {session.uploaded.value.name}" if n == UPLOADED else scenario_title(n))
                      for n in names}
            by_label = {v: k for k, v in labels.items()}
            solara.Select("Scenario", values=list(labels.values()), value=labels.get(session.scenario_name.value),
                          on_value=lambda text: pick_scenario(by_label[text]), disabled=playing)
            Controls(playing)
            Upload()
        with solara.Column():
            # One Runner for every run (no key per run): its buttons stay the same widgets when a new
            # run starts, so a click during the redraw is not sent to a button that no longer exists.
            Runner(explorer)
