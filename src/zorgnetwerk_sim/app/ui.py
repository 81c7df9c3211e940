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


def dutch_page() -> None:
    """The page in Dutch: ``<html lang="nl">`` and no English "This website runs on Solara" banner.

    Solara's page template starts with a bare ``<html>`` (a screen reader then guesses the language,
    and the browser offers to translate the Dutch text), and shows a banner in the bottom right
    corner that covers the content. The banner is a theme setting; the template is read through a
    Jinja environment that this adds a copy of the template with the language set to.
    """
    import jinja2
    from solara.server import server, settings

    settings.theme.show_banner = False
    settings.theme.title = TITLE
    if getattr(server.get_jinja_env, "zs_dutch", False):
        return
    original = server.get_jinja_env

    def get_jinja_env(app_name: str) -> jinja2.Environment:
        env = original(app_name)
        if not getattr(env, "zs_dutch", False):
            source = env.loader.get_source(env, "solara.html.j2")[0]
            dutch = source.replace("<html>", '<html lang="nl">', 1)
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({"solara.html.j2": dutch}), env.loader])
            env.zs_dutch = True
        return env

    get_jinja_env.zs_dutch = True
    server.get_jinja_env = get_jinja_env


TITLE = "zorgnetwerk_sim · jeugdzorg in de regio"
serve_assets_offline()  # the server imports this module before it answers any request
dutch_page()

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
