"""Shared fixtures: short horizons keep the suite fast on small machines."""

from __future__ import annotations

import pytest

#: ``klas`` over 1.5 years with half a year of warm-up: about a tenth of a second per run.
SHORT = {"run.years": 1.5, "run.warmup_years": 0.5}


@pytest.fixture
def short() -> dict[str, float]:
    """Overrides that make a shipped scenario short enough for a unit test."""
    return dict(SHORT)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (a fresh machine cannot download Playwright's own browser).

    A missing browser is an error, not a skip: .ci/run installs it (apt-get install chromium
    fonts-dejavu-core).
    """
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("the browser tests need Chromium: apt-get install -y chromium fonts-dejavu-core "
                    "(.ci/run does this on a fresh machine)")
    return {**browser_type_launch_args, "executable_path": path}
