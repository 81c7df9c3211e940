"""The Solara app: ``solara run zorgnetwerk_sim.app.ui`` (or ``zorgsim ui``).

Pages: Vergelijken (the landing page), Verkennen, Per gemeente. A new page is one more
:class:`solara.Route` in ``routes`` (Lessen and Netwerk are planned); the tabs follow the list.
"""

from __future__ import annotations

import solara

from .pages import gemeenten, verkennen, vergelijken
from .session import Session, session_context

TITLE = "zorgnetwerk_sim · jeugdzorg in de regio"
CSS = """
.zs-sentence { font-size: 1.05em; }
.zs-kpi-value { font-variant-numeric: tabular-nums; }
.zs-table { border-collapse: collapse; font-size: 0.9em; margin: 4px 0 12px 0; }
.zs-table th { text-align: left; border-bottom: 2px solid #1f4e79; padding: 4px 8px; }
.zs-table td { border-bottom: 1px solid #ddd; padding: 3px 8px; font-variant-numeric: tabular-nums; }
"""


@solara.component
def Layout(children=[]):
    session = solara.use_memo(Session, [])
    session_context.provide(session)
    _route, siblings = solara.use_route()
    solara.Style(CSS)
    with solara.AppLayout(title=TITLE, navigation=True, color="#1f4e79"):
        with solara.AppBar():
            with solara.lab.Tabs(align="center", background_color="#1f4e79", dark=True):
                for r in siblings:
                    solara.lab.Tab(r.label, path_or_route=r)
        solara.Column(children=children)


routes = [
    # The layout of the "/" route wraps every page (and keeps the session while the user switches pages).
    solara.Route(path="/", component=vergelijken.Page, label="Vergelijken", layout=Layout),
    solara.Route(path="verkennen", component=verkennen.Page, label="Verkennen"),
    solara.Route(path="gemeenten", component=gemeenten.Page, label="Per gemeente"),
]
