"""The browser app for policy makers (Solara): compare policies, explore one run, per gemeente.

Start it with ``zorgsim ui``. The app depends on the core (api, runner, scenario); the core
never imports the app.
"""
