"""The Solara app: ``solara run zorgnetwerk_sim.app.ui`` (or ``zorgsim ui``).

Pages: Vergelijken (the landing page), Verkennen, Per gemeente, and for teachers Lessen and
Netwerk. A new page is one more :class:`solara.Route` in ``routes``; the tabs follow the list.
"""

from __future__ import annotations

import solara

from .pages import gemeenten, lessen, netwerk, verkennen, vergelijken
from .session import Session, session_context


class NotInstalled(FileNotFoundError):
    """A front-end file that is not among the installed assets; the app fetches nothing from outside."""


def serve_assets_offline() -> None:
    """Make Solara's ``/_solara/cdn/<path>`` route serve the installed front-end files only.

    The route serves the files that the ``solara-assets`` package installs; for any other path
    Solara would fetch it from a public CDN (cdn.jsdelivr.net) on the server, although the app
    promises to work offline and to fetch nothing. Solara has no setting that turns the fetch
    off while keeping the local files (``SOLARA_ASSETS_PROXY=False`` sends the *browser* to the
    CDN instead), so the fetch is replaced by a refusal: such a request is answered 404 at once.
    """
    from solara.server import cdn_helper

    def refuse(url: str) -> bytes:
        raise NotInstalled(f"{url}: not among the installed assets (the app fetches nothing from outside)")

    cdn_helper.fetch_from_cdn = refuse


serve_assets_offline()  # the server imports this module before it answers any request

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
    solara.Route(path="lessen", component=lessen.Page, label="Lessen"),
    solara.Route(path="netwerk", component=netwerk.Page, label="Netwerk"),
]
