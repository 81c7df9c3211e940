"""Lessen: one screen per lesson (Wat zie je, Hoe werkt het, Probeer zelf, Let op) with a voor/na pair.

The *Voor* and *Na* buttons each run the lesson's scenario with its setting, both with the same
seed (common random numbers), in a background task; the charts of the two runs stand side by
side on the same scale, and the table gives the lesson's numbers from the runs. Klasmodus (for a
projector) sets large type, hides the finer controls and replays the charts week by week at a
chosen speed; *Terug naar begin* clears both runs.
"""

from __future__ import annotations

import html
import math
import time
from dataclasses import dataclass

import solara
from solara.lab import use_task

from ...api import RunResult
from ...lessons import BY_KEY, LESSON_SEED, LESSONS, SOURCES, Lesson, measured, series_of
from ..charts import Chart, Line, PALETTE, echarts_option
from ..format import nl_number
from ..widgets import Heading, Prose, Table

SPEEDS = {"direct": 0.0, "snel": 2.0, "rustig": 5.0}  # seconds a replay of the whole run takes
KLAS_CSS = """
.zs-klas { font-size: 1.3em; }
.zs-klas .zs-info-card p { font-size: 1.05em; line-height: 1.35; }
.zs-klas .zs-table { font-size: 1em; }
.zs-klas .v-btn { font-size: 1em !important; }
.zs-info-card h4 { margin: 0 0 4px 0; color: #1f4e79; }
.zs-info-card p { margin: 0; }
"""


@dataclass
class Runs:
    """The runs of one lesson at one seed and length: 'voor' and/or 'na'."""

    lesson: str
    seed: int
    years: int
    voor: RunResult | None = None
    na: RunResult | None = None


def pair_chart(lesson: Lesson, side: str, result: RunResult, series_index: int, upto: float) -> Chart:
    series = lesson.series[series_index]
    x, y = series_of(result, series)
    keep = [i for i, xi in enumerate(x) if xi <= upto + 1e-9]
    label = lesson.voor_label if side == "voor" else lesson.na_label
    chart = Chart(f"{'Voor' if side == 'voor' else 'Na'}: {series.title}", series.unit,
                  [Line(label, [x[i] for i in keep], [y[i] for i in keep])],
                  warmup_years=result.scenario.run.warmup_years, subtitle=label)
    return chart


def chart_option(chart: Chart, side: str, y_max: float | None, big: bool = False) -> dict:
    """The chart's ECharts option in the side's colour, on the y scale both sides share."""
    option = echarts_option(chart)
    if big:
        option["title"]["textStyle"] = {"fontSize": 20}
        option["title"]["subtextStyle"] = {"fontSize": 15}
        for axis in ("xAxis", "yAxis"):
            option[axis].setdefault("axisLabel", {})["fontSize"] = 15
            option[axis]["nameTextStyle"] = {"fontSize": 15}
    color = PALETTE[0] if side == "voor" else PALETTE[1]
    for s in option["series"]:
        s["color"] = color
    option["legend"] = {"show": False}
    option["grid"]["bottom"] = 45
    if y_max is not None and math.isfinite(y_max):
        option["yAxis"].update({"min": 0, "max": _nice(y_max), "scale": False})
    return option


def _nice(v: float) -> float:
    if v <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * step >= v * 1.05:
            return m * step
    return 10 * step


def numbers_table(lesson: Lesson, runs: Runs) -> list[dict[str, str]]:
    if runs.voor is None or runs.na is None:
        return []
    rows = []
    for measure, voor, na, claim in measured(lesson, runs.voor, runs.na):
        diff = na - voor
        rel = f" ({nl_number(100 * diff / abs(voor), 0, True)}%)" if voor else ""
        rows.append({
            "": measure.label + (f" [{measure.unit}]" if measure.unit else ""),
            "Voor": nl_number(voor, measure.decimals),
            "Na": nl_number(na, measure.decimals),
            "Verschil": nl_number(diff, measure.decimals, True) + rel,
            "Wat de les zegt": "" if claim is None else (claim.text + (" Klopt in deze run." if claim.holds(voor, na)
                                                                       else " Klopt NIET in deze run.")),
        })
    return rows


@solara.component
def InfoCard(title: str, text: str, testid: str):
    with solara.Card(style={"padding": "8px 12px", "flex": "1 1 300px"}, classes=["zs-info-card", f"zs-{testid}"]):
        solara.HTML(tag="h4", unsafe_innerHTML=html.escape(title))
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(text))


@solara.component
def InfoCards(lesson: Lesson):
    """The four parts of a lesson in the NetLogo Info-tab convention."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        InfoCard("Wat zie je", lesson.wat_zie_je, "wat")
        InfoCard("Hoe werkt het", lesson.hoe_werkt_het, "hoe")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px", "margin-top": "8px"}):
        InfoCard("Probeer zelf", lesson.probeer_zelf, "probeer")
        InfoCard("Let op", lesson.let_op, "letop")


@solara.component
def Page():
    key, set_key = solara.use_state(LESSONS[0].key)
    klas, set_klas = solara.use_state(False)
    speed, set_speed = solara.use_state("direct")
    years_choice, set_years_choice = solara.use_state(0)  # 0: the lesson's own
    seed, set_seed = solara.use_state(LESSON_SEED)
    runs, set_runs = solara.use_state(None)  # Runs | None
    position, set_position = solara.use_state(math.inf)  # years shown (replay)
    lesson = BY_KEY[key]
    years = years_choice or lesson.years
    solara.Style(KLAS_CSS)
    solara.Title("Lessen · zorgnetwerk_sim")

    def choose(new_key: str) -> None:
        set_key(new_key)
        set_runs(None)
        set_years_choice(0)
        set_seed(LESSON_SEED)

    def back_to_start() -> None:
        set_runs(None)
        set_seed(LESSON_SEED)
        set_position(math.inf)

    def run_side(side: str):
        def work():
            current = runs if (runs is not None and runs.lesson == key and runs.seed == seed
                               and runs.years == years) else Runs(key, seed, years)
            lesson_ = BY_KEY[key]
            result = lesson_.run_side(side, seed=seed, years=years)
            updated = Runs(current.lesson, current.seed, current.years,
                           result if side == "voor" else current.voor, result if side == "na" else current.na)
            duration = SPEEDS[speed]
            if duration > 0:
                steps = max(int(years * 4), 1)
                for k in range(1, steps + 1):
                    set_position(years * k / steps)
                    if k == 1:
                        set_runs(updated)
                    time.sleep(duration / steps)
            else:
                set_position(math.inf)
                set_runs(updated)
        return work

    voor_task = use_task(run_side("voor"), dependencies=None)
    na_task = use_task(run_side("na"), dependencies=None)
    busy = voor_task.pending or na_task.pending

    with solara.Div(classes=["zs-klas"] if klas else ["zs-lessen"]):
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "12px"}):
            solara.Select("Les", values=[f"{i + 1}. {x.title}" for i, x in enumerate(LESSONS)],
                          value=f"{LESSONS.index(lesson) + 1}. {lesson.title}",
                          on_value=lambda text: choose(LESSONS[int(text.split('.')[0]) - 1].key),
                          disabled=busy, style={"max-width": "420px", "min-width": "300px"}, classes=["zs-lesson-select"])
            solara.Switch(label="Klasmodus", value=klas, on_value=lambda v: (set_klas(v), set_speed("snel" if v else "direct")),
                          classes=["zs-klasmodus"])
            solara.Select("Afspelen", values=list(SPEEDS), value=speed, on_value=set_speed,
                          style={"max-width": "140px"}, classes=["zs-speed"])
            solara.Button("Terug naar begin", icon_name="mdi-restart", on_click=back_to_start, disabled=busy,
                          classes=["zs-back"])
        Heading(lesson.title, 2)
        Prose(lesson.question, strong=(lesson.question,))
        if not klas:
            Prose(f"Scenario '{lesson.scenario}' ({years} jaar, waarvan het eerste jaar inloop), "
                  f"toevalsgetallen nr. {seed}. Voor: {lesson.voor_label}. Na: {lesson.na_label}.")
        if not klas:
            InfoCards(lesson)
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "8px", "margin": "12px 0"}):
            solara.Button(f"Voor: {lesson.voor_label}", icon_name="mdi-play", on_click=voor_task, disabled=busy,
                          color="primary", classes=["zs-voor"])
            solara.Button(f"Na: {lesson.na_label}", icon_name="mdi-play", on_click=na_task, disabled=busy,
                          color="#c55a11", dark=True, classes=["zs-na"])
            if not klas:
                solara.Button("Andere toevalsgetallen", on_click=lambda: (set_seed(seed + 1), set_runs(None)),
                              disabled=busy, text=True, classes=["zs-seed"])
                solara.Select("Looptijd (jaar)", values=[str(v) for v in sorted({lesson.years, 4, 6, 10, 15})],
                              value=str(years), on_value=lambda v: (set_years_choice(int(v)), set_runs(None)),
                              disabled=busy, style={"max-width": "150px"}, classes=["zs-years"])
        if busy:
            solara.ProgressLinear(True)
        for task in (voor_task, na_task):
            if task.error:
                solara.Error(f"Mislukt: {task.exception}")
        shown = runs if (runs is not None and runs.lesson == key and runs.seed == seed and runs.years == years) else None
        if shown is None or (shown.voor is None and shown.na is None):
            solara.Info("Druk op Voor en op Na: beide draaien met dezelfde toevalsgetallen, zodat je alleen het "
                        "effect van de verandering ziet.")
        else:
            for i in range(len(lesson.series)):
                y_max = None
                values = []
                for r in (shown.voor, shown.na):
                    if r is not None:
                        values += [v for v in series_of(r, lesson.series[i])[1] if v == v]
                if values:
                    y_max = max(values)
                with solara.Columns([6, 6]):
                    for side, r in (("voor", shown.voor), ("na", shown.na)):
                        with solara.Card(style={"padding": "4px"}, classes=["zs-chart", f"zs-chart-{side}"]):
                            if r is None:
                                solara.Text(f"Druk op '{'Voor' if side == 'voor' else 'Na'}' om deze kant te draaien.",
                                            style={"color": "#777"})
                            else:
                                chart = pair_chart(lesson, side, r, i, position)
                                solara.FigureEcharts(option=chart_option(chart, side, y_max, klas), responsive=True,
                                                     attributes={"style": f"height: {300 if klas else 260}px; "
                                                                          "width: 100%"})
            rows = numbers_table(lesson, shown)
            if rows:
                Heading("De cijfers van deze twee runs", 4)
                Prose("Gemiddelden over de jaren na de inloop, tenzij er een jaar bij staat.")
                Table(rows, classes=["zs-lesson-numbers"])
        if klas:  # on a projector the charts come first, the explanation below them
            InfoCards(lesson)
        refs = "; ".join(SOURCES[k] for k in lesson.sources)
        solara.HTML(tag="p", unsafe_innerHTML="<b>Bronnen:</b> " + html.escape(refs),
                    style={"font-size": "0.8em", "color": "#555", "max-width": "70em"}, classes=["zs-sources"])
