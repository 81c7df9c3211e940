"""Per gemeente: who waits and who pays, small vs large, with and without solidarity."""

from __future__ import annotations

import pandas as pd
import solara
from solara.lab import use_task

from ...api import Simulation
from ..charts import Chart
from ..explore import per_gemeente, size_classes
from ..format import nl_eur, nl_number, nl_percent
from ..labels import scenario_title
from ..session import use_session
from ..widgets import ChartCard, Heading, Prose, Table, TableDownloads

SOLIDARITY = "levers.coordination.solidarity_pooling"


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The per-gemeente table in Dutch notation."""
    return pd.DataFrame({
        "Gemeente": table["gemeente"],
        "Grootte": table["grootte"],
        "Inwoners": [nl_number(v, 0) for v in table["inwoners"]],
        "Wachtlijst per 1.000 jongeren": [nl_number(v, 1) for v in table["wachtlijst_per_1000"]],
        "Uithuisplaatsingen per 1.000 per jaar": [nl_number(v, 2) for v in
                                                  table["uithuisplaatsingen_per_1000_per_jaar"]],
        "Kosten per jongere per jaar": [nl_eur(v, unit="eur") for v in table["kosten_per_jongere"]],
        "Kosten t.o.v. budget": [nl_percent(v) for v in table["kosten_tov_budget"]],
    })


def shown_sizes(table: pd.DataFrame) -> pd.DataFrame:
    sizes = size_classes(table)
    return pd.DataFrame({
        "Grootte": sizes["grootte"], "Gemeenten": sizes["gemeenten"],
        "Wachtlijst per 1.000 jongeren": [nl_number(v, 1) for v in sizes["wachtlijst_per_1000"]],
        "Uithuisplaatsingen per 1.000 per jaar": [nl_number(v, 2) for v in
                                                  sizes["uithuisplaatsingen_per_1000_per_jaar"]],
        "Kosten per jongere per jaar": [nl_eur(v, unit="eur") for v in sizes["kosten_per_jongere"]],
        "Kosten t.o.v. budget": [nl_percent(v) for v in sizes["kosten_tov_budget"]],
    })


def budget_chart(tables: dict[str, pd.DataFrame]) -> Chart:
    bars = {name: [(g, float(v) * 100) for g, v in zip(t["gemeente"], t["kosten_tov_budget"])]
            for name, t in tables.items()}
    return Chart("Kosten ten opzichte van het budget per gemeente", "% van het budget", [], bars=bars,
                 subtitle="van groot naar klein; 100% = precies het budget")


@solara.component
def Page():
    session = use_session()
    explorer = session.explorer.value
    frame = session.frame.value  # redraw when the run advances
    # opened directly (no visit to Verkennen yet): make the session's run, so the button below has one
    solara.use_effect(lambda: None if session.explorer.value is not None else (session.reset() and None), [])
    solara.Title("Per gemeente · zorgnetwerk_sim")
    Heading("Per gemeente", 2)
    Prose("Wie wacht en wie betaalt? Kleine en grote gemeenten naast elkaar, en de kosten tegenover het budget "
          "van elke gemeente.")

    def run_to_end():
        session.frame.value = explorer.advance(explorer.sim.weeks)

    def with_and_without():
        scenario = explorer.scenario
        out = {}
        for label, value in (("zonder solidariteit", False), ("met solidariteit", True)):
            sim = Simulation(scenario, overrides={SOLIDARITY: value})
            sim.run()
            out[label] = per_gemeente(sim)
        session.solidarity.value = (out["zonder solidariteit"], out["met solidariteit"])

    finish = use_task(run_to_end, dependencies=None)
    compare = use_task(with_and_without, dependencies=None)
    if explorer is None or frame.empty:
        if explorer is None:
            solara.Text("Laden…")
            return
        solara.Info(f"Er is nog geen run. Draai het scenario van Verkennen ({scenario_title(explorer.scenario.name)}) "
                    "helemaal door:")
        if True:
            solara.Button("Draai het hele scenario", on_click=finish, disabled=finish.pending, color="primary",
                          classes=["zs-run-all"])
            if finish.pending:
                solara.ProgressLinear(True)
        return
    with explorer.lock:
        table = per_gemeente(explorer.sim)
    solara.Text(f"Scenario {scenario_title(explorer.scenario.name)}, week {explorer.sim.model.week} van {explorer.sim.weeks}"
                + (" (nog niet klaar: de cijfers gaan over de weken tot nu)" if not explorer.sim.done else ""),
                style={"color": "#555"})
    Heading("Klein en groot", 4)
    Table(shown_sizes(table).to_dict("records"), classes=["zs-sizes"])
    Heading("Alle gemeenten", 4)
    Table(shown(table).to_dict("records"), classes=["zs-gemeenten"])
    ChartCard(budget_chart({"deze run": table}), "gemeenten-budget.png", height=360)
    TableDownloads([("Per gemeente", "per-gemeente", lambda: table)])
    Heading("Met en zonder solidariteit", 4)
    Prose("Dezelfde run twee keer (zelfde toevalsgetallen): dure trajecten betaald door de gemeente zelf, of uit "
          "een regionale pot.")
    solara.Button("Vergelijk met en zonder solidariteit", on_click=compare, disabled=compare.pending,
                  classes=["zs-solidarity"])
    if compare.pending:
        solara.ProgressLinear(True)
    if compare.error:
        solara.Error(f"Mislukt: {compare.exception}")
    if session.solidarity.value is not None:
        without, with_ = session.solidarity.value
        ChartCard(budget_chart({"zonder solidariteit": without, "met solidariteit": with_}),
                  "gemeenten-solidariteit.png", height=360)
