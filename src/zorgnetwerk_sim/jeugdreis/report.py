"""The jeugdreis report (Markdown + HTML, in Dutch, for policy makers) of one run, and the
comparison of two runs (``zorgsim jeugdreis RUN_DIR [OTHER_RUN_DIR]``).

A report is a list of blocks (heading, paragraph, table, image) rendered twice, as Markdown and
as HTML, so the two always say the same. Everything is written in a staging folder and moved
into place at the end (safeio.staged_outputs): a failure leaves no half-written report.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..eventlog import ACTIVITIES, CARE_NAMES, COLUMNS, END_ACTIVITIES, OPENING_ACTIVITIES
from . import analysis as an
from . import procesmap
from ..safeio import os_error_text, staged_outputs
from .log import LogError, RunLog, check_writable_folder, read_log

#: The event-log columns the report reads
REPORT_COLUMNS = [c for c in COLUMNS if c not in ("date", "region")]
MIN_CASE_SHARE = 0.01  # arrows of the process map taken by fewer jongeren are left out
HANDOVER_REGIO = ("Een centrale wachtlijst is die van de regio: een jongere op die lijst gaat van de gemeente "
                  "naar de regio en dan naar de aanbieder, en dat telt als twee overdrachten.")

#: Key figures (analysis.key_figures) with their Dutch label and format
KEY_FIGURES: list[tuple[str, str, str]] = [
    ("jongeren", "jongeren (casussen)", "int"),
    ("trajectories", "trajecten", "int"),
    ("events", "gebeurtenissen", "int"),
    ("events_per_case", "gebeurtenissen per jongere", "1"),
    ("variants", "verschillende paden (varianten)", "int"),
    ("variants_for_80", "paden die samen 80% van de jongeren dekken", "int"),
    ("top_variant_share", "aandeel jongeren op het meest voorkomende pad", "pct"),
    ("bounces_per_100_trajectories", "terugverwijzingen per 100 trajecten", "1"),
    ("handovers_per_case_mean", "overdrachten per jongere (gemiddeld)", "2"),
    ("toegang_to_care_weeks_median", "weken van toegang tot zorg bij een aanbieder (mediaan)", "1"),
    ("toegang_to_care_weeks_mean", "weken van toegang tot zorg bij een aanbieder (gemiddeld)", "1"),
    ("throughput_weeks_median", "doorlooptijd signaal → einde, weken (mediaan)", "1"),
    ("throughput_weeks_p90", "doorlooptijd signaal → einde, weken (90e percentiel)", "1"),
    ("open_at_horizon_share", "trajecten nog open aan het eind van de run", "pct"),
    ("cost_top20_share", "aandeel van de kosten in de duurste 20% van de trajecten", "pct"),
]


def nl(value: float, fmt: str = "int") -> str:
    """A number in Dutch notation: 1.234 and 0,5; ``pct``: 12,3%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if fmt == "pct":
        text = f"{100 * value:,.1f}%"
    elif fmt == "int":
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.{int(fmt)}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


# -- blocks and their two renderings ------------------------------------------------------------
@dataclass
class Document:
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def h2(self, text: str) -> None:
        self.blocks.append(("h2", text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.blocks.append(("table", (header, rows)))

    def image(self, name: str, caption: str) -> None:
        self.blocks.append(("img", (name, caption)))

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, body in self.blocks:
            if kind == "h2":
                out += [f"## {body}", ""]
            elif kind == "p":
                out += [body, ""]
            elif kind == "table":
                header, rows = body
                out += ["| " + " | ".join(header) + " |",
                        "|" + "|".join(["---"] + ["--:"] * (len(header) - 1)) + "|"]
                out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
                out.append("")
            else:
                name, caption = body
                out += [f"![{Path(name).stem}]({name})", "", f"*{caption}*", ""]
        return "\n".join(out)

    def html(self) -> str:
        style = ("body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}"
                 "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.88em}"
                 "th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right}"
                 "th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}"
                 "img{max-width:100%;border:1px solid #eee}figcaption{font-size:0.85em;color:#555}"
                 "code{background:#f4f4f4}")
        page = [f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>{html.escape(self.title)}"
                f"</title><style>{style}</style></head><body><h1>{html.escape(self.title)}</h1>"]
        for kind, body in self.blocks:
            if kind == "h2":
                page.append(f"<h2>{html.escape(body)}</h2>")
            elif kind == "p":
                page.append(f"<p>{_inline(body)}</p>")
            elif kind == "table":
                header, rows = body
                head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
                cells = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in rows)
                page.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
            else:
                name, caption = body
                page.append(f"<figure><img src='{html.escape(name)}' alt='{html.escape(caption)}'>"
                            f"<figcaption>{_inline(caption)}</figcaption></figure>")
        page.append("</body></html>")
        return "\n".join(page)


def _inline(text: str) -> str:
    out = html.escape(text)
    for mark, tag in (("**", "b"), ("`", "code")):
        parts = out.split(mark)
        out = "".join(p if i % 2 == 0 else f"<{tag}>{p}</{tag}>" for i, p in enumerate(parts))
    return out


@dataclass
class ReportFiles:
    folder: Path
    files: list[Path]
    engine: str  # how the process map was drawn: dot or matplotlib


# -- charts -----------------------------------------------------------------------------------------
def _chart(folder: Path, stem: str, draw: Any, width: float = 8.0, height: float = 4.2) -> None:
    from ..runner.charts import _figure, _save

    fig = _figure(width, height)
    draw(fig)
    _save(fig, folder, stem)


def _variants_chart(var: an.Variants) -> Any:
    def draw(fig: Any) -> None:
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        top = var.table.head(10).iloc[::-1]
        ax1.barh([f"pad {len(var.table.head(10)) - i}" for i in range(len(top))], top["share"] * 100, color="#4c78a8")
        ax1.set_xlabel("% van de jongeren")
        ax1.set_title("De tien meest voorkomende paden", fontsize=10)
        k = np.arange(1, len(var.table) + 1)
        ax2.plot(k, var.table["cumulative"] * 100, color="#4c78a8")
        ax2.axhline(80, color="#999999", lw=0.8, ls="--")
        ax2.axvline(var.for_80, color="#e45756", lw=0.8, ls="--")
        ax2.set_xscale("log")
        ax2.set_xlabel("aantal paden (meest voorkomende eerst)")
        ax2.set_ylabel("% van de jongeren gedekt")
        ax2.set_title(f"{var.for_80} paden dekken 80%", fontsize=10)
    return draw


def _handover_chart(hand: an.Handovers) -> Any:
    def draw(fig: Any) -> None:
        ax = fig.subplots()
        counts = hand.per_case.value_counts().sort_index()
        cap = int(np.quantile(hand.per_case, 0.99)) if len(hand.per_case) else 0
        shown = counts[counts.index <= cap]
        ax.bar(shown.index.astype(int), shown.to_numpy() / max(len(hand.per_case), 1) * 100, color="#54a24b")
        ax.set_xlabel("overdrachten tussen organisaties per jongere")
        ax.set_ylabel("% van de jongeren")
        ax.set_title(f"Overdrachten per jongere (tot het 99e percentiel, {cap})", fontsize=10)
    return draw


def _throughput_chart(traj: pd.DataFrame) -> Any:
    def draw(fig: Any) -> None:
        ax = fig.subplots()
        done = traj[traj["ended"]]
        order = [c for c in CARE_NAMES if c in set(done["care_type"])]
        data = [done.loc[done["care_type"] == c, "weeks"].to_numpy() for c in order]
        ax.boxplot(data, showfliers=False)
        ax.set_xticks(range(1, len(order) + 1), [c.replace("_", " ") for c in order], rotation=30, ha="right")
        ax.set_ylabel("weken van signaal tot einde")
        ax.set_title("Doorlooptijd per zorgvorm (afgeronde trajecten; zonder uitschieters)", fontsize=10)
    return draw


def _cost_chart(cost: an.CostConcentration) -> Any:
    def draw(fig: Any) -> None:
        ax = fig.subplots()
        ax.plot(cost.curve["trajectories"] * 100, cost.curve["cost"] * 100, color="#e45756")
        ax.plot([0, 100], [0, 100], color="#bbbbbb", lw=0.8, ls="--")
        ax.axvline(20, color="#999999", lw=0.8)
        ax.axhline(cost.top_share * 100, color="#999999", lw=0.8)
        ax.set_xlabel("% van de trajecten (duurste eerst)")
        ax.set_ylabel("% van de zorgkosten")
        ax.set_title(f"De duurste 20% van de trajecten: {nl(cost.top_share, 'pct')} van de kosten", fontsize=10)
    return draw


# -- one run --------------------------------------------------------------------------------------
def observed(ev: pd.DataFrame) -> pd.DataFrame:
    """The cases whose path the run saw from its first signal: without the jongeren already in a
    trajectory at the warm start (their signal lies before week 0)."""
    first = ev.groupby("case_id", sort=False)["week"].transform("min")
    return ev[first >= 0].reset_index(drop=True)


#: What the cost of every trajectory (analysis.cost_concentration, _top_rows) needs of the trajectories
COST_COLUMNS = ["ended", "last_week", "care_type", "cost_eur"]


def measure_run(run: RunLog) -> tuple[an.Measures, pd.DataFrame, int]:
    """Bucket by bucket: the measures of the observed cases, every trajectory of the run (the
    warm start's too, as the cost KPI counts them; only ``COST_COLUMNS``) and how many jongeren
    the warm start has."""
    parts, every_trajectory, n_all = an.Parts(), [], 0
    for ev in run.buckets(REPORT_COLUMNS):
        every_trajectory.append(an.trajectories_part(ev)[COST_COLUMNS])
        n_all += int(ev["case_id"].nunique())
        parts.add(observed(ev))
        del ev
    if parts.n_cases == 0:
        raise LogError(f"{run.path}: no trajectory starts within the run; "
                       "run more weeks ('zorgsim run ... --years N --event-log')")
    return parts.combine(), an.concat_trajectories(every_trajectory), n_all - parts.n_cases


def _describe_run(run: RunLog) -> str:
    sc = run.scenario
    r = sc.get("run", {})
    return (f"scenario **{run.name}**, seed {sc.get('seed', '?')}, {nl(float(r.get('years', float('nan'))), '1')} "
            f"jaar waarvan {nl(float(r.get('warmup_years', float('nan'))), '1')} opwarmen, week 0 = "
            f"{r.get('start_date', '?')}")


def _key_rows(figures: dict[str, float]) -> list[list[str]]:
    return [[label, nl(figures[key], fmt)] for key, label, fmt in KEY_FIGURES]


def write_report(run_dir: str | Path, out: str | Path | None = None, engine: str = "auto") -> ReportFiles:
    """The report of one run: ``jeugdreis.md``, ``jeugdreis.html``, its pictures and CSV tables
    in ``out`` (default ``RUN_DIR/jeugdreis``)."""
    folder = Path(out) if out is not None else Path(run_dir) / "jeugdreis"
    check_writable_folder(folder)
    run = read_log(run_dir)
    m, traj_all, n_warm = measure_run(run)
    doc = Document(f"De jeugdreis: {run.name}")
    try:
        with staged_outputs(folder, ()) as staging:
            engine_used = _one_run(doc, run, m, traj_all, n_warm, staging, engine)
            (staging / "jeugdreis.md").write_text(doc.markdown(), encoding="utf-8")
            (staging / "jeugdreis.html").write_text(doc.html(), encoding="utf-8")
            names = sorted(p.name for p in staging.iterdir())
    except OSError as err:
        raise LogError(f"--out {folder}: cannot write the report ({os_error_text(err)})") from None
    return ReportFiles(folder, [folder / n for n in names], engine_used)


def _one_run(doc: Document, run: RunLog, m: an.Measures, traj_all: pd.DataFrame, n_warm: int, out: Path,
             engine: str) -> str:
    traj = m.trajectories
    figures = an.key_figures(m, run.warmup_weeks)
    cost = an.cost_concentration(traj_all, run.warmup_weeks)
    figures["cost_top20_share"] = cost.top_share  # as the KPI: every trajectory that ended after the warm-up
    doc.p(f"Procesanalyse van het event log in `{run.folder}` ({_describe_run(run)}). Een casus is één jongere, "
          "ook als die na een afgerond traject terugvalt of na afhaken terugkeert; elk nieuw begin (signaal, "
          "terugkeer, terugval) opent een nieuw traject van dezelfde jongere.")
    doc.p(f"De {nl(n_warm)} jongeren die bij de start van de simulatie al in zorg waren of wachtten (de warme "
          "start) tellen niet mee in het procesmodel, de paden, de overdrachten en de doorlooptijden, omdat hun "
          "begin buiten de run valt; bij de kosten tellen ze wel mee, net als in de KPI van de run.")
    doc.h2("Kerncijfers")
    doc.table(["kerncijfer", "waarde"], _key_rows(figures))

    doc.h2("Procesmodel")
    pm = procesmap.build(m, MIN_CASE_SHARE)
    _, engine_used = procesmap.draw(pm, out, "procesmodel", f"De jeugdreis: {run.name}", engine)
    doc.image("procesmodel.png", "Procesmodel (directe opvolgingen). Een blok is een stap, met het aantal jongeren "
              "bij wie die stap voorkomt; een pijl is 'direct gevolgd door', met het aantal jongeren en de mediane "
              f"tijd tussen de twee stappen. Pijlen die minder dan {nl(MIN_CASE_SHARE, 'pct')} van de jongeren "
              f"nemen zijn weggelaten ({nl(pm.hidden_edges)} pijlen). Kleur: wie de stap zet (blauw gemeente, "
              f"groen aanbieder, oranje expertteam, paars regio, grijs einde). Getekend met "
              f"{'Graphviz dot' if engine_used == 'dot' else 'matplotlib (Graphviz dot niet gevonden)'}.")
    dfg = m.dfg
    dfg.to_csv(out / "directe_opvolgingen.csv", index=False)
    doc.table(["van", "naar", "jongeren", "aantal keer", "mediaan (weken)"],
              [[r.source, r.target, nl(r.cases), nl(r.count), nl(r.median_weeks, "1")]
               for r in dfg.head(20).itertuples(index=False)])
    doc.p(f"De twintig meest genomen directe opvolgingen; alle {nl(len(dfg))} staan in `directe_opvolgingen.csv`.")

    doc.h2("Meest voorkomende paden (varianten)")
    var = m.variants
    var.table.to_csv(out / "varianten.csv", index=False)
    doc.p(f"De {nl(var.n_cases)} jongeren volgen {nl(var.n_variants)} verschillende paden. De "
          f"{nl(var.for_80)} meest voorkomende paden dekken samen 80% van de jongeren; het meest voorkomende "
          f"pad alleen {nl(var.table['share'].iloc[0], 'pct')}. Een pad loopt tot het eind van de run: een "
          "jongere die dan nog in zorg is, heeft een pad zonder einde.")
    _chart(out, "varianten", _variants_chart(var), 9.0, 4.0)
    doc.image("varianten.png", "Links het aandeel jongeren op de tien meest voorkomende paden; rechts hoeveel "
              "jongeren de meest voorkomende paden samen dekken.")
    doc.table(["pad", "stappen", "jongeren", "aandeel", "cumulatief"],
              [[f"{i + 1}. {r.variant}", nl(r.length), nl(r.cases), nl(r.share, "pct"), nl(r.cumulative, "pct")]
               for i, r in enumerate(var.table.head(10).itertuples(index=False))])
    doc.p("Alle paden staan in `varianten.csv`.")

    doc.h2("Overdrachten tussen organisaties")
    hand = m.handovers
    hand.per_case.rename("overdrachten").rename_axis("case_id").to_csv(out / "overdrachten_per_jongere.csv")
    doc.p(f"Een overdracht is een stap van een jongere bij een andere organisatie dan de stap ervoor (van "
          f"gemeente naar aanbieder, van aanbieder naar aanbieder, ...). Gemiddeld heeft een jongere "
          f"{nl(hand.per_case.mean(), '2')} overdrachten (mediaan {nl(hand.per_case.median(), '1')}, 90e "
          f"percentiel {nl(float(np.quantile(hand.per_case, 0.9)), '1')}); "
          f"{nl(float((hand.per_case == 0).mean()), 'pct')} van de jongeren blijft bij één organisatie. "
          f"{HANDOVER_REGIO}")
    _chart(out, "overdrachten", _handover_chart(hand))
    doc.image("overdrachten.png", "Verdeling van het aantal overdrachten per jongere.")
    doc.table(["van (soort organisatie)", "naar", "overdrachten", "jongeren"],
              [[src, dst, nl(count), nl(cases)] for src, dst, count, cases in hand.pairs.itertuples(index=False, name=None)])

    doc.h2("Doorlooptijd van signaal tot einde zorg")
    doc.p("Per traject de weken van het signaal (of de terugkeer, de terugval) tot het einde: afgerond, "
          "teruggetrokken, uit beeld, de leeftijdsgrens of geen aanbod. De zorgvorm is die aan het einde van het "
          "traject ('geen': het traject eindigde voor de toegang). Trajecten die aan het eind van de run nog "
          "open zijn, tellen niet mee in de doorlooptijd (kolom 'nog open').")
    _chart(out, "doorlooptijd", _throughput_chart(traj))
    doc.image("doorlooptijd.png", "Doorlooptijd per zorgvorm: mediaan (streep), kwartielen (doos), 1,5 × de "
              "interkwartielafstand (snorren).")
    by_care = an.throughput(traj, "care_type")
    doc.table(["zorgvorm", "trajecten", "mediaan (weken)", "gemiddeld", "90e percentiel", "nog open"],
              _throughput_rows(by_care))
    by_gem = an.throughput(traj, "gemeente")
    shown = by_gem.head(25)
    doc.table(["gemeente", "trajecten", "mediaan (weken)", "gemiddeld", "90e percentiel", "nog open"],
              _throughput_rows(shown))
    cross = an.throughput_cross(traj)
    by_gem.to_csv(out / "doorlooptijd_gemeente.csv")
    cross.to_csv(out / "doorlooptijd_gemeente_zorgvorm.csv")
    doc.p(("De 25 gemeenten met de meeste trajecten; alle " + nl(len(by_gem)) + " staan in "
           if len(by_gem) > 25 else "Per gemeente; ook in ") +
          "`doorlooptijd_gemeente.csv`, en de mediaan per gemeente en zorgvorm in "
          "`doorlooptijd_gemeente_zorgvorm.csv`.")

    doc.h2("De kostbaarste 20% van de trajecten")
    kpi = run.summary.get("cost_top20_share")
    kpi_text = "niet gevonden (geen summary.json)" if kpi is None else (
        f"{nl(float(kpi), 'pct')} (uit een histogram met logaritmische klassen; verschil "
        f"{nl(abs(float(kpi) - cost.top_share) * 100, '2')} procentpunt)")
    doc.p(f"Van de {nl(cost.n)} trajecten die na de opwarmperiode eindigden, kost de duurste 20% samen "
          f"**{nl(cost.top_share, 'pct')}** van de zorgkosten; die trajecten kosten elk minstens "
          f"{nl(cost.threshold_eur)} euro. De KPI `cost_top20_share` van de run: {kpi_text}. Zorgkosten zijn "
          "de tarieven van de zorg die het traject kreeg (zonder toegang, coördinatie en preventie).")
    _chart(out, "kosten", _cost_chart(cost), 6.0, 4.5)
    doc.image("kosten.png", "Aandeel van de zorgkosten tegen aandeel van de trajecten, duurste eerst "
              "(de stippellijn: alle trajecten even duur).")
    doc.table(["zorgvorm aan het einde", "trajecten", "in de duurste 20%", "aandeel in de duurste 20%"],
              _top_rows(traj_all, run.warmup_weeks, cost))

    doc.h2("Over dit rapport")
    doc.p("Stappen in het event log: " + ", ".join(f"`{a}`" for a in ACTIVITIES) + ". Een traject begint met "
          + ", ".join(f"`{a}`" for a in OPENING_ACTIVITIES) + " en eindigt met " +
          ", ".join(f"`{a}`" for a in END_ACTIVITIES) + " (of loopt nog aan het eind van de run).")
    doc.p(f"Gemaakt met `zorgsim jeugdreis {run.folder}`; hetzelfde log in standaardformaten: "
          f"`zorgsim export-log {run.folder} --format csv|xes|ocel`.")
    return engine_used


def _throughput_rows(table: pd.DataFrame) -> list[list[str]]:
    return [[str(key).replace("_", " "), nl(r.trajectories), nl(r.median_weeks, "1"), nl(r.mean_weeks, "1"),
             nl(r.p90_weeks, "1"), nl(r.still_open)] for key, r in zip(table.index, table.itertuples(index=False))]


def _top_rows(traj: pd.DataFrame, warmup_weeks: int, cost: an.CostConcentration) -> list[list[str]]:
    done = traj[traj["ended"] & (traj["last_week"] >= warmup_weeks)]
    top = done.nlargest(int(round(0.2 * len(done))), "cost_eur")
    counts = done["care_type"].value_counts()
    in_top = top["care_type"].value_counts().reindex(counts.index, fill_value=0)
    return [[str(c).replace("_", " "), nl(counts[c]), nl(in_top[c]), nl(in_top[c] / max(len(top), 1), "pct")]
            for c in counts.index]


# -- two runs --------------------------------------------------------------------------------------
def write_comparison(run_a: str | Path, run_b: str | Path, out: str | Path | None = None,
                     engine: str = "auto") -> ReportFiles:
    """How the process differs between two runs: ``vergelijking.md``/``.html`` with pictures in
    ``out`` (default ``A/jeugdreis-vergelijking-<name of B>``)."""
    a, b = read_log(run_a), read_log(run_b)
    folder = Path(out) if out is not None else Path(run_a) / f"jeugdreis-vergelijking-{Path(run_b).name}"
    check_writable_folder(folder)
    side_a, side_b = _compared(a), _compared(b)
    fig_a, fig_b = side_a.figures, side_b.figures
    name_a, name_b = a.name, b.name
    if name_a == name_b:
        name_a, name_b = f"{a.name} ({a.folder.name})", f"{b.name} ({b.folder.name})"
    doc = Document(f"De jeugdreis vergeleken: {name_a} en {name_b}")
    doc.p(f"A: `{a.folder}` ({_describe_run(a)}). B: `{b.folder}` ({_describe_run(b)}). Zonder de jongeren van "
          "de warme start (zie het rapport van één run).")
    if a.scenario.get("seed") is not None and a.scenario.get("seed") == b.scenario.get("seed"):
        doc.p("Beide runs hebben dezelfde seed: dezelfde stroom van nieuwe hulpvragen (common random numbers), "
              "dus de verschillen komen uit het proces, niet uit toeval in de instroom. Het blijft één run per "
              "scenario: voor betrouwbaarheidsintervallen, zie `zorgsim sweep` en `zorgsim compare`.")
    rows = []
    for key, label, fmt in KEY_FIGURES:
        x, y = fig_a[key], fig_b[key]
        diff = y - x
        rel = diff / x if x not in (0, 0.0) and not math.isnan(x) else float("nan")
        change = nl(diff * 100, "1") + " pp" if fmt == "pct" else nl(diff, fmt)  # (pp: procentpunt)
        rows.append([label, nl(x, fmt), nl(y, fmt), ("+" if diff > 0 else "") + change,
                     ("+" if rel > 0 else "") + nl(rel, "pct")])
    try:
        with staged_outputs(folder, ()) as staging:
            doc.h2("Kerncijfers")
            doc.table(["kerncijfer", "A", "B", "B − A", "B − A (%)"], rows)
            doc.p(f"pp: procentpunt. {HANDOVER_REGIO}")
            _chart(staging, "vergelijking", _comparison_chart(fig_a, fig_b, name_a, name_b), 8.5, 5.5)
            doc.image("vergelijking.png", "Verschil van B ten opzichte van A per kerncijfer, in procenten.")
            doc.h2("Procesmodellen")
            engines = []
            for tag, pm, name in (("a", side_a.process_map, name_a), ("b", side_b.process_map, name_b)):
                _, used = procesmap.draw(pm, staging, f"procesmodel_{tag}", f"{tag.upper()}: {name}", engine)
                engines.append(used)
                doc.image(f"procesmodel_{tag}.png", f"Procesmodel {tag.upper()} ({name}); pijlen die minder dan "
                          f"{nl(MIN_CASE_SHARE, 'pct')} van de jongeren nemen zijn weggelaten.")
            doc.h2("Directe opvolgingen die het meest veranderen")
            changes = _dfg_changes(side_a, side_b)
            changes.to_csv(staging / "opvolgingen_vergeleken.csv", index=False)
            doc.p("Aandeel jongeren dat de stap 'van → naar' direct na elkaar zet, in A en in B, en de mediane "
                  "tijd ertussen; de vijftien grootste verschillen (alle in `opvolgingen_vergeleken.csv`).")
            doc.table(["van", "naar", "jongeren A", "jongeren B", "verschil", "mediaan A (wk)", "mediaan B (wk)"],
                      [[r.source, r.target, nl(r.share_a, "pct"), nl(r.share_b, "pct"),
                        ("+" if r.diff > 0 else "") + nl(r.diff * 100, "1") + " pp", nl(r.median_a, "1"),
                        nl(r.median_b, "1")] for r in changes.head(15).itertuples(index=False)])
            doc.h2("Meest voorkomende paden")
            for tag, side, name in (("A", side_a, name_a), ("B", side_b, name_b)):
                var = side.variants
                doc.p(f"{tag} ({name}): {nl(var.n_variants)} paden, {nl(var.for_80)} dekken 80% van de jongeren.")
                doc.table(["pad", "jongeren", "aandeel"],
                          [[f"{i + 1}. {r.variant}", nl(r.cases), nl(r.share, "pct")]
                           for i, r in enumerate(var.table.head(5).itertuples(index=False))])
            doc.p(f"Gemaakt met `zorgsim jeugdreis {a.folder} {b.folder}`.")
            (staging / "vergelijking.md").write_text(doc.markdown(), encoding="utf-8")
            (staging / "vergelijking.html").write_text(doc.html(), encoding="utf-8")
            names = sorted(p.name for p in staging.iterdir())
    except OSError as err:
        raise LogError(f"--out {folder}: cannot write the comparison ({os_error_text(err)})") from None
    return ReportFiles(folder, [folder / n for n in names], engines[0])


@dataclass
class _Side:
    """What the comparison shows of one run."""

    figures: dict[str, float]
    process_map: procesmap.ProcessMap
    dfg: pd.DataFrame
    n_cases: int
    variants: an.Variants


def _compared(run: RunLog) -> _Side:
    """A run's key figures (the cost share as the KPI: every trajectory), process map, directly-
    follows graph and paths; the rest of its measures is let go before the other run is read."""
    m, traj_all, _ = measure_run(run)
    figures = an.key_figures(m, run.warmup_weeks)
    figures["cost_top20_share"] = an.cost_concentration(traj_all, run.warmup_weeks).top_share
    return _Side(figures, procesmap.build(m, MIN_CASE_SHARE), m.dfg, m.n_cases, m.variants)


def _dfg_changes(side_a: _Side, side_b: _Side) -> pd.DataFrame:
    da, db = side_a.dfg, side_b.dfg
    na, nb = side_a.n_cases, side_b.n_cases
    merged = da.merge(db, on=["source", "target"], how="outer", suffixes=("_a", "_b"))
    merged["share_a"] = merged["cases_a"].fillna(0) / na
    merged["share_b"] = merged["cases_b"].fillna(0) / nb
    merged["diff"] = merged["share_b"] - merged["share_a"]
    order = merged["diff"].abs().sort_values(ascending=False, kind="stable").index
    return merged.loc[order, ["source", "target", "share_a", "share_b", "diff", "median_weeks_a",
                              "median_weeks_b"]].rename(columns={"median_weeks_a": "median_a",
                                                                 "median_weeks_b": "median_b"}).reset_index(drop=True)


def _comparison_chart(fig_a: dict[str, float], fig_b: dict[str, float], name_a: str, name_b: str) -> Any:
    def draw(fig: Any) -> None:
        ax = fig.subplots()
        keys = [(k, label) for k, label, _ in KEY_FIGURES if k not in ("events", "trajectories")]
        rel = [((fig_b[k] - fig_a[k]) / fig_a[k] * 100) if fig_a[k] and not math.isnan(fig_a[k]) else 0.0
               for k, _ in keys]
        colours = ["#e45756" if r > 0 else "#4c78a8" for r in rel]
        ax.barh([label for _, label in keys][::-1], rel[::-1], color=colours[::-1])
        ax.axvline(0, color="#555555", lw=0.8)
        ax.set_xlabel(f"% verschil van B ({name_b}) ten opzichte van A ({name_a})")
        ax.tick_params(axis="y", labelsize=8)
    return draw
