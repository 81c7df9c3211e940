"""Vergelijken: pick a region and 2–4 options, one button, the comparison with its uncertainty."""

from __future__ import annotations

import html
import threading
import time

import solara
import tomli_w

from ...scenario import ScenarioError
from ..charts import Chart, Line
from ..comparison import (UPLOAD_FILE, ComparisonResult, Option, experiment_data, open_results, option_from_overrides,
                          region_of, regions, results_folders, setting_changes, shipped_options)
from ..explore import base_raw, parquet_bytes, resolve
from ..labels import BASELINE_OPTION, COMPARE_KPIS, COMPARE_SERIES, scenario_blurb, scenario_title
from ..session import UPLOADED, ComparisonJob, results_root, use_session
from ..summary import MIN_PAIRS, difference_rows, differences
from ..widgets import ChartCard, Heading, Prose, Table, TableDownloads

MY_SETTINGS = "Mijn instellingen (Verkennen)"
#: Replications a user can choose: never fewer than summary.MIN_PAIRS (fewer give no verdict).
REPLICATIONS = [5, 8, 16, 32]
DEFAULT_REPLICATIONS = 8
YEARS = [2, 5, 10, 20]


def _scale(name: str) -> float:
    return 1e-6 if name == "kosten" else 1.0


def series_charts(result: ComparisonResult) -> list[tuple[str, Chart]]:
    """One chart per kept weekly series: a line per option with its 95% band."""
    charts = []
    for name in result.series_kinds:
        bands = result.bands(name)
        if not bands:
            continue
        s = _scale(name)
        lines = [Line(point, list(b[0]), list(b[1] * s), list(b[2] * s), list(b[3] * s)) for point, b in bands.items()]
        flow = result.series_kinds[name] == "flow"
        charts.append((name, Chart(COMPARE_SERIES.get(name, name), "", lines, warmup_years=result.warmup_years,
                                   subtitle="gemiddelde; band: 95%-BI" + (" · 13 weken, per jaar" if flow else ""))))
    return charts


@solara.component
def ComparisonView(result: ComparisonResult):
    names = {p: p for p in result.points}
    diffs = differences(result.table, COMPARE_KPIS)
    Heading(f"Resultaat: {result.title}", 3)
    few = sorted({d.n_pairs for d in diffs if not d.enough})
    if few:
        solara.Warning(f"Te weinig herhalingen voor een oordeel: {', '.join(map(str, few))} per optie, minstens "
                       f"{MIN_PAIRS} nodig. Met zo weinig runs kan een interval toevallig smal zijn; de zinnen "
                       "hieronder geven daarom geen oordeel.", classes=["zs-few-warning"])
    solara.Text(f"Basis: {result.baseline}. Elke optie is met dezelfde toevalsgetallen doorgerekend (gepaarde "
                "vergelijking); een verschil telt alleen als het 95%-betrouwbaarheidsinterval (95%-BI) de nul niet "
                "bevat.", style={"color": "#444"})
    with solara.Column(classes=["zs-sentences"], gap="4px"):
        for point in result.points:
            mine = [d for d in diffs if d.option == point]
            if not mine:
                continue
            Heading(f"{point} tegenover {result.baseline}", 4)
            for d in mine:
                color = "#2e7d32" if d.better else "#c62828" if d.better is False else "#9e9e9e"
                solara.HTML(tag="p", unsafe_innerHTML=html.escape(d.sentence(names)),
                            style={"margin": "2px 0", "border-left": f"4px solid {color}", "padding-left": "8px"},
                            classes=["zs-sentence"])
    Heading("Verschillen met de basis", 4)
    Table(difference_rows(result.table, COMPARE_KPIS, names), classes=["zs-differences"])
    charts = series_charts(result)
    with solara.ColumnsResponsive(12, large=6):
        for name, chart in charts:
            ChartCard(chart, f"vergelijking-{name}.png")
    tables = [("Runs", "vergelijking-runs", lambda: result.runs),
              ("Vergelijkingstabel", "vergelijking-tabel", lambda: result.table)]
    if result.path is not None:
        tables.append(("Verschil per jaar na de inloop", "vergelijking-per-jaar", lambda: result.path))
    if result.series is not None:
        tables.append(("Weekreeksen", "vergelijking-weken", lambda: result.series))
    extra = [("Runs (Parquet)", "vergelijking-runs.parquet", lambda: parquet_bytes(result.runs),
              "application/octet-stream")]
    if result.experiment_toml is not None:
        extra.append(("Experiment (TOML, voor zorgsim sweep)", "vergelijking.toml",
                      lambda: result.experiment_toml.encode("utf-8"), "application/toml"))
    Heading("Meenemen", 4)
    TableDownloads(tables, extra)


@solara.component
def SweepOpener():
    session = use_session()
    root = results_root()
    folders = results_folders(root)
    chosen = solara.use_reactive(folders[0] if folders else None)
    error = solara.use_reactive("")
    if not folders:
        solara.Text(f"Geen resultaten van zorgsim sweep gevonden in {root}.", style={"color": "#666"})
        return

    def load():
        try:
            session.comparison.value = open_results(root, chosen.value)
            error.value = ""
        except (ValueError, OSError, KeyError) as err:
            error.value = f"Deze resultaten konden niet worden geopend: {err}"

    with solara.Row():
        solara.Select("Resultatenmap", values=folders, value=chosen)
        solara.Button("Open", on_click=load, outlined=True)
    if error.value:
        solara.Error(error.value)


def _seconds(value: float) -> str:
    """'40 s', '3 min 10 s'."""
    value = max(0, int(round(value)))
    return f"{value} s" if value < 60 else f"{value // 60} min {value % 60:02d} s"


@solara.component
def JobStatus(job: ComparisonJob):
    """What runs (or ran) and how far it is: runs done, time so far, time left."""
    tick = solara.use_reactive(0)

    def clock():  # a redraw each second while the job runs, so the time moves without a finished run
        if not job.running:
            return None
        stop = threading.Event()

        def beat():
            while not stop.wait(1.0):
                tick.value += 1
        threading.Thread(target=beat, daemon=True).start()
        return stop.set
    solara.use_effect(clock, [job.started, job.running])
    with solara.Card(classes=["zs-job"], style={"padding": "8px 12px", "margin": "8px 0"}):
        solara.Text(("Bezig: " if job.running else "Doorgerekend: ") + job.describe(),
                    classes=["zs-job-what"], style={"display": "block", "font-weight": "bold"})
        if job.running:
            left = job.remaining()
            eta = ("nog ongeveer " + _seconds(left)) if left is not None else \
                "de schatting van de resterende tijd volgt na de eerste run"
            solara.Text(f"{job.done} van {job.total} runs klaar · {_seconds(job.elapsed())} bezig · {eta}",
                        classes=["zs-progress-text"], style={"display": "block"})
            solara.ProgressLinear(100 * job.done / job.total if job.done else True)
            solara.Text("U kunt intussen naar een andere pagina; de vergelijking rekent door.",
                        style={"color": "#666", "font-size": "0.85em"})
        elif job.error:
            solara.Error(f"De vergelijking is mislukt: {job.error}")
        else:
            solara.Text(f"{job.total} runs in {_seconds(job.elapsed())}.", style={"color": "#666"})


@solara.component
def Page():
    session = use_session()
    region_names = regions() + ([UPLOADED] if session.uploaded.value is not None else [])
    job = session.job.value
    # the form opens with what was run last (it shows a running comparison's settings)
    region = solara.use_reactive(job.region if job is not None and job.region in region_names else
                                 "default" if "default" in region_names else region_names[0])
    options = shipped_options()
    mine = my_settings(session)
    if mine is not None:
        options.append(mine[1])
    by_name = {o.name: o for o in options}
    chosen = solara.use_reactive(list(job.options) if job is not None else [BASELINE_OPTION, "Centrale wachtlijst"])
    replications = solara.use_reactive(job.replications if job is not None else DEFAULT_REPLICATIONS)
    years = solara.use_reactive(int(job.years) if job is not None else 10)
    message = solara.use_reactive("")
    running = job is not None and job.running

    def label(name: str) -> str:
        if name == UPLOADED:
            return f"Geüpload: {session.uploaded.value.name}" if session.uploaded.value is not None else name
        return scenario_title(name)

    picked = [n for n in chosen.value if n in by_name]
    # "Mijn instellingen" were made on one region: the comparison runs there
    my_region = mine[0] if mine is not None and MY_SETTINGS in picked else None
    where = my_region or region.value

    def planned() -> dict:
        return experiment_data(where if where != UPLOADED else UPLOAD_FILE, [by_name[n] for n in picked],
                               replications.value, years.value)

    def start():
        if not 2 <= len(picked) <= 4:
            message.value = "Kies 2 tot 4 opties om te vergelijken."
            return
        message.value = ""
        data = planned()
        uploaded = session.uploaded.value if where == UPLOADED else None
        total = len(picked) * replications.value
        session.start_comparison(ComparisonJob(
            where, label(where), tuple(picked), replications.value, float(years.value), total, time.time(),
            experiment_toml=tomli_w.dumps(data) if uploaded is None else None), data, uploaded)

    def toggle(checked: bool, name: str) -> None:
        current = [n for n in chosen.value if n != name]
        chosen.value = current + [name] if checked else current

    solara.Title("Vergelijken · zorgnetwerk_sim")
    with solara.Columns([4, 8]):
        with solara.Column():
            Heading("Vergelijken", 2)
            Prose("Wat gebeurt er met de wachtlijst, de uithuisplaatsingen en de kosten als de regio iets anders "
                  "doet? Kies hieronder een regio en 2 tot 4 opties, en druk op Vergelijk. De eerste aangevinkte optie "
                  "is de basis.", strong=("Vergelijk.",))
            # the button and the progress above the form: in view at 1400×900 without scrolling
            with solara.Row(style={"align-items": "center"}):
                solara.Button("Vergelijk", on_click=start, color="primary", disabled=running,
                              classes=["zs-compare"])
            if message.value:
                solara.Warning(message.value)
            if job is not None:
                JobStatus(job)
            if len(session.finished_jobs.value) > 1 or (session.finished_jobs.value and job is not None
                                                        and job.running):
                History()
            with solara.Card("1. Regio"):
                solara.ToggleButtonsSingle(value=where, on_value=region.set, style={"flex-wrap": "wrap"},
                                           classes=["zs-regions"], children=[
                    solara.Button(label(n), value=n, classes=[f"zs-region-{n}"],
                                  disabled=running or (my_region is not None and n != my_region))
                    for n in region_names])
                solara.Text(scenario_blurb(where), style={"color": "#555", "font-size": "0.9em"})
                if my_region is not None:
                    solara.Text(f"Mijn instellingen horen bij {label(my_region)} (het scenario van Verkennen): de "
                                "vergelijking rekent op die regio.", classes=["zs-my-region"],
                                style={"color": "#1f4e79", "font-size": "0.9em", "display": "block"})
            with solara.Card("2. Opties"):
                with solara.Column(gap="0px"):
                    for option in options:
                        first = bool(picked) and picked[0] == option.name
                        solara.Checkbox(label=option.name + (" (basis)" if first else ""),
                                        value=option.name in picked, disabled=running,
                                        on_value=lambda checked, name=option.name: toggle(checked, name),
                                        style="margin-top: 0px; height: 28px")
                        solara.Text(option.description, style={"color": "#666", "font-size": "0.8em",
                                                               "margin": "0 0 6px 32px", "display": "block"},
                                    classes=["zs-option-description"])
            with solara.Card("3. Hoe precies"):
                solara.Text("Herhalingen (meer = smallere intervallen, duurt langer; minstens "
                            f"{MIN_PAIRS} voor een betrouwbaar oordeel)", style={"display": "block"})
                solara.ToggleButtonsSingle(value=replications, children=[
                    solara.Button(str(v), value=v, disabled=running) for v in REPLICATIONS],
                    classes=["zs-replications"])
                solara.Text("Jaren (inclusief de inlooptijd van de regio)", style={"display": "block", "margin-top": "8px"})
                solara.ToggleButtonsSingle(value=years, children=[
                    solara.Button(str(v), value=v, disabled=running) for v in YEARS], classes=["zs-years"])
                solara.Text(f"{len(picked)} opties × {replications.value} herhalingen = "
                            f"{len(picked) * replications.value} runs, verdeeld over de processorkernen.",
                            style={"color": "#666", "font-size": "0.9em", "display": "block"})
            with solara.Details("Of: open de resultaten van een zorgsim sweep"):
                SweepOpener()
        with solara.Column():
            if session.comparison.value is not None:
                ComparisonView(session.comparison.value)
            else:
                solara.Info("Het resultaat verschijnt hier: per KPI één zin, een tabel met de verschillen en hun "
                            "95%-betrouwbaarheidsinterval, en grafieken over de tijd.")


@solara.component
def History():
    """The comparisons finished in this session: each can be shown again."""
    session = use_session()
    shown = session.comparison.value
    with solara.Card("Eerdere vergelijkingen in deze sessie", classes=["zs-history"]):
        for i, old in enumerate(session.finished_jobs.value):
            def reopen(old=old):
                session.comparison.value = old.result
                session.job.value = old
            solara.Button(old.describe() + (" (getoond)" if old.result is shown else ""), text=True,
                          on_click=reopen, disabled=old.result is None or old.result is shown,
                          classes=["zs-history-item"], style={"text-transform": "none"})


def my_settings(session) -> tuple[str, Option] | None:
    """The region explored on Verkennen and "Mijn instellingen": every lever and uncertainty where the
    explored scenario (a shipped variant and what the user changed) differs from that region; None
    when nothing differs."""
    name = session.scenario_name.value
    try:
        explored = session.scenario()
        if name == UPLOADED:
            if session.uploaded.value is None:
                return None
            where, region = UPLOADED, resolve(session.uploaded.value.model_dump(mode="json", exclude_none=True), {})
        else:
            where = region_of(name)
            region = resolve(base_raw(where), {})
    except (ScenarioError, ValueError, OSError):
        return None
    changes = setting_changes(explored, region)
    if not changes:
        return None
    return where, option_from_overrides(MY_SETTINGS, changes)
