"""Vergelijken: pick a region and 2–4 options, one button, the comparison with its uncertainty."""

from __future__ import annotations

import html

import solara
from solara.lab import use_task

from ..charts import Chart, Line
from ..comparison import (UPLOAD_FILE, ComparisonResult, experiment_data, open_results, option_from_overrides, regions,
                          results_folders, run_comparison, shipped_options)
from ..explore import csv_bytes, parquet_bytes
from ..labels import BASELINE_OPTION, COMPARE_KPIS, COMPARE_SERIES, scenario_blurb, scenario_title
from ..session import UPLOADED, results_root, use_session, work_root
from ..summary import difference_rows, differences
from ..widgets import ChartCard, Downloads, Heading, Prose, Table

MY_SETTINGS = "Mijn instellingen (Verkennen)"
REPLICATIONS = [2, 4, 8, 16]
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
    downloads = [
        ("Runs (CSV)", "vergelijking-runs.csv", lambda: csv_bytes(result.runs), "text/csv"),
        ("Runs (Parquet)", "vergelijking-runs.parquet", lambda: parquet_bytes(result.runs),
         "application/octet-stream"),
        ("Vergelijkingstabel (CSV)", "vergelijking-tabel.csv", lambda: csv_bytes(result.table), "text/csv"),
    ]
    if result.path is not None:
        downloads.append(("Verschil per jaar na de inloop (CSV)", "vergelijking-per-jaar.csv",
                          lambda: csv_bytes(result.path), "text/csv"))
    if result.series is not None:
        downloads.append(("Weekreeksen (CSV)", "vergelijking-weken.csv", lambda: csv_bytes(result.series), "text/csv"))
    if result.experiment_toml is not None:
        downloads.append(("Experiment (TOML, voor zorgsim sweep)", "vergelijking.toml",
                          lambda: result.experiment_toml.encode("utf-8"), "application/toml"))
    Heading("Meenemen", 4)
    Downloads(downloads)


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


@solara.component
def Page():
    session = use_session()
    region_names = regions() + ([UPLOADED] if session.uploaded.value is not None else [])
    region = solara.use_reactive("default" if "default" in region_names else region_names[0])
    options = shipped_options()
    if session.overrides.value:
        options.append(option_from_overrides(MY_SETTINGS, session.overrides.value))
    by_name = {o.name: o for o in options}
    chosen = solara.use_reactive([BASELINE_OPTION, "Centrale wachtlijst"])
    replications = solara.use_reactive(8)
    years = solara.use_reactive(10)
    progress = solara.use_reactive((0, 0))
    message = solara.use_reactive("")

    def label(name: str) -> str:
        if name == UPLOADED:
            return f"Geüpload: {session.uploaded.value.name}" if session.uploaded.value is not None else name
        return scenario_title(name)

    picked = [n for n in chosen.value if n in by_name]

    def work():
        uploaded = session.uploaded.value if region.value == UPLOADED else None
        data = experiment_data(region.value if uploaded is None else UPLOAD_FILE,
                               [by_name[n] for n in picked], replications.value, years.value)
        progress.value = (0, len(picked) * replications.value)
        # the upload is written into the comparison's private folder, removed when the run is read
        result = run_comparison(data, work_root(), progress=lambda d, t: progress.set((d, t)), uploaded=uploaded)
        session.comparison.value = result
        return result

    task = use_task(work, dependencies=None)

    def start():
        if not 2 <= len(picked) <= 4:
            message.value = "Kies 2 tot 4 opties om te vergelijken."
            return
        message.value = ""
        task()

    solara.Title("Vergelijken · zorgnetwerk_sim")
    with solara.Columns([4, 8]):
        with solara.Column():
            Heading("Vergelijken", 2)
            Prose("Wat gebeurt er met de wachtlijst, de uithuisplaatsingen en de kosten als de regio iets anders "
                  "doet? Kies een regio en 2 tot 4 opties, en druk op Vergelijk. De eerste aangevinkte optie is de "
                  "basis.", strong=("Vergelijk.",))
            with solara.Card("1. Regio"):
                solara.ToggleButtonsSingle(value=region, children=[
                    solara.Button(label(n), value=n, classes=[f"zs-region-{n}"]) for n in region_names])
                solara.Text(scenario_blurb(region.value), style={"color": "#555", "font-size": "0.9em"})
            with solara.Card("2. Opties"):
                with solara.Column(gap="0px"):
                    for option in options:
                        def toggle(checked: bool, name: str = option.name) -> None:
                            current = [n for n in chosen.value if n != name]
                            chosen.value = current + [name] if checked else current
                        first = bool(picked) and picked[0] == option.name
                        solara.Checkbox(label=option.name + (" (basis)" if first else ""),
                                        value=option.name in picked, on_value=toggle,
                                        style="margin-top: 0px; height: 28px")
                        solara.Text(option.description, style={"color": "#666", "font-size": "0.8em",
                                                               "margin": "0 0 6px 32px", "display": "block"})
            with solara.Card("3. Hoe precies"):
                solara.Text("Herhalingen (meer = smallere intervallen, duurt langer)", style={"display": "block"})
                solara.ToggleButtonsSingle(value=replications, children=[
                    solara.Button(str(v), value=v) for v in REPLICATIONS])
                solara.Text("Jaren (inclusief de inlooptijd van de regio)", style={"display": "block", "margin-top": "8px"})
                solara.ToggleButtonsSingle(value=years, children=[solara.Button(str(v), value=v) for v in YEARS])
                solara.Text(f"{len(picked)} opties × {replications.value} herhalingen = "
                            f"{len(picked) * replications.value} runs, verdeeld over de processorkernen.",
                            style={"color": "#666", "font-size": "0.9em", "display": "block"})
            with solara.Row(style={"align-items": "center"}):
                solara.Button("Vergelijk", on_click=start, color="primary", disabled=task.pending,
                              classes=["zs-compare"])
                if task.pending:
                    done, total = progress.value
                    solara.Text(f"Bezig: {done} van {total} runs klaar", classes=["zs-progress-text"])
            if task.pending:
                done, total = progress.value
                solara.ProgressLinear(100 * done / total if total else True)
            if message.value:
                solara.Warning(message.value)
            if task.error:
                solara.Error(f"De vergelijking is mislukt: {task.exception}")
            with solara.Details("Of: open de resultaten van een zorgsim sweep"):
                SweepOpener()
        with solara.Column():
            if session.comparison.value is not None:
                ComparisonView(session.comparison.value)
            else:
                solara.Info("Het resultaat verschijnt hier: per KPI één zin, een tabel met de verschillen en hun "
                            "95%-betrouwbaarheidsinterval, en grafieken over de tijd.")
