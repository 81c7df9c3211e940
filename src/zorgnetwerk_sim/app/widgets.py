"""Small components the pages share: a chart with its PNG download, KPI cards, download buttons."""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from .charts import Chart, echarts_option, png_bytes
from .export import csv_bytes, dictionary_bytes, excel_nl_bytes

EXCEL_NL = "Excel-NL"
PLAIN_CSV = "CSV"


@solara.component_vue("vue/echarts_nl.vue")
def EchartsNl(option: dict, attributes: dict = {}):
    """An ECharts chart with Dutch numbers on its axes and in its hover box (``vue/echarts_nl.vue``)."""


@solara.component
def ChartCard(chart: Chart, filename: str, height: int = 320):
    """An ECharts chart with hover values, and a button that downloads it as PNG."""
    with solara.Card(style={"padding": "4px"}, classes=["zs-chart"]):
        EchartsNl(option=echarts_option(chart), attributes={"style": f"height: {height}px; width: 100%"})
        solara.FileDownload(lambda: png_bytes(chart), filename=filename, label="Download als PNG",
                            mime_type="image/png")


@solara.component
def KpiCard(label: str, value: str, note: str = "", testid: str = ""):
    with solara.Card(style={"min-width": "150px", "flex": "1 1 150px", "padding": "8px 12px"},
                     classes=["zs-kpi", f"zs-kpi-{testid}"] if testid else ["zs-kpi"]):
        solara.Text(label, style={"font-size": "0.85em", "color": "#555"}, classes=["zs-kpi-label"])
        solara.HTML(tag="div", unsafe_innerHTML="", style={"height": "2px"})
        solara.Text(value, style={"font-size": "1.35em", "font-weight": "bold", "display": "block"},
                    classes=["zs-kpi-value"])
        if note:
            solara.Text(note, style={"font-size": "0.8em", "color": "#666"})


@solara.component
def Downloads(items: list[tuple[str, str, Callable[[], bytes], str]]):
    """A row of download buttons: (label, filename, data, mime type)."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
        for label, filename, data, mime in items:
            solara.FileDownload(data, filename=filename, label=label, mime_type=mime)


@solara.component
def Heading(text: str, level: int = 2):
    """A heading (plain HTML: solara.Markdown would ask the server for KaTeX from a CDN)."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text), style={"margin": "12px 0 6px 0"})


@solara.component
def Prose(text: str, strong: tuple[str, ...] = ()):
    """A paragraph of plain text; the words in ``strong`` are set in bold."""
    body = html.escape(text)
    for word in strong:
        body = body.replace(html.escape(word), f"<b>{html.escape(word)}</b>")
    solara.HTML(tag="p", unsafe_innerHTML=body, style={"margin": "4px 0 10px 0", "max-width": "60em"})


@solara.component
def Table(rows: list[dict[str, object]], classes: list[str] = []):
    """A plain table (no paging, no index column): one dict per row, the keys are the header."""
    if not rows:
        return
    header = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values()) + "</tr>"
                   for row in rows)
    solara.HTML(tag="div", unsafe_innerHTML=f"<table class='zs-table'><thead><tr>{header}</tr></thead>"
                                            f"<tbody>{body}</tbody></table>", style={"overflow-x": "auto"},
                classes=classes)


@solara.component
def TableDownloads(tables: list, extra: list = []):
    """Tables to download, as Excel-NL (semicolon, decimal comma, Dutch headers) or plain CSV, with a
    data dictionary; ``tables``: (label, file stem, function giving the DataFrame); ``extra``: more
    download items as for :func:`Downloads`."""
    kind = solara.use_reactive(EXCEL_NL)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["zs-csv-choice"]):
        solara.Text("Tabellen als:")
        solara.ToggleButtonsSingle(value=kind, children=[
            solara.Button("Excel-NL (puntkomma, decimale komma)", value=EXCEL_NL, text=True),
            solara.Button("CSV (standaard, voor scripts)", value=PLAIN_CSV, text=True)])
    items = []
    for label, stem, frame in tables:
        if kind.value == EXCEL_NL:
            items.append((f"{label} (Excel-NL)", f"{stem}-excel-nl.csv", lambda frame=frame: excel_nl_bytes(frame()),
                          "text/csv"))
        else:
            items.append((f"{label} (CSV)", f"{stem}.csv", lambda frame=frame: csv_bytes(frame()), "text/csv"))
    if tables:
        items.append(("Uitleg bij de kolommen", "uitleg-kolommen.csv",
                      lambda: dictionary_bytes({f"{stem}.csv": frame() for _, stem, frame in tables}), "text/csv"))
    Downloads(items + list(extra))
