"""The bad-input catalogue: every input below gets ONE line naming the problem, exit status 2, no
traceback, and nothing written anywhere (the working folder is compared before and after).

Each row: an id, the files to put in the working folder (``None`` deletes a path; ``R/`` is a copy
of a finished sweep, ``EV/`` of a run with an event log), the ``zorgsim`` arguments, and fragments
the line must contain. Add a row for every new way to get input wrong, and rows for every new
command (a test checks that each command has some); docs/reliability.md lists the classes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import assert_one_error_line, cli, snapshot, tree  # noqa: F401 - cli is a fixture
from zorgnetwerk_sim.runner import Experiment, run_sweep

SHORT = ("--years", "1.5", "--warmup-years", "0.5", "-q")

MINI = """\
name = "mini"
[run]
years = 1.5
warmup_years = 0.5
[[network.regions]]
name = "Regio"
gemeenten = [{ name = "Aadorp", inhabitants = 12000 }]
aanbieders = [
  { name = "Zorg A", care_types = ["ambulant_licht", "ambulant_intensief"] },
  { name = "Zorg B", care_types = ["pleegzorg", "residentieel", "crisis"] },
]
"""

EXP = """\
base = "klas"
master_seed = 1
replications = 2
years = 1.5
warmup_years = 0.5
kpis = ["waitlist_mean", "cost_per_year_eur"]
"""
FACTOR = '[uncertainties]\nstaff_availability = [0.8, 1.0]\n'
SHARES = "[0.55, 0.33, 0.12]"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    fragments: tuple[str, ...]
    files: dict[str, str | bytes | None] = field(default_factory=dict)
    #: A change to the copied results folder's experiment.json (R/): gets the record, returns the new one.
    manifest: Callable[[dict[str, Any]], Any] | None = None


def without(*path: str | int) -> Callable[[dict[str, Any]], Any]:
    """A manifest edit: delete the key at ``path``."""
    def edit(record: dict[str, Any]) -> Any:
        node: Any = record
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
        return record
    return edit


def setting(value: Any, *path: str | int) -> Callable[[dict[str, Any]], Any]:
    """A manifest edit: set the key at ``path`` to ``value``."""
    def edit(record: dict[str, Any]) -> Any:
        node: Any = record
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value(node[path[-1]], record) if callable(value) else value
        return record
    return edit


FUTURES = '[design]\ntype = "futures"\nn = 100000\n[levers]\ncoordination.role_clarity = {min = 0, max = 1, levels = 50}\n' \
          '[uncertainties]\nstaff_availability = {min = 0.8, max = 1.0}\n'


def exp(text: str, name: str = "e.toml") -> dict[str, str]:
    return {name: EXP + text}


CASES = [
    # --- run: names never choose a location ---------------------------------------------------
    Case("run: empty name", ("run", "empty.toml", *SHORT), ("empty.toml", "name", "cannot be used as a folder name"),
         {"empty.toml": 'base = "klas"\nname = ""\n'}),
    Case("run: name of dots", ("run", "dots.toml", *SHORT), ("name", "'..'", "folder name"),
         {"dots.toml": 'base = "klas"\nname = ".."\n'}),
    Case("run: --set name=/", ("run", "klas", "--set", "name=/", *SHORT), ("name", "folder name")),
    # --- run: nonsense numbers --------------------------------------------------------------------
    Case("run: NaN in a share list", ("run", "klas", *SHORT, "--set",
                                      "assumptions.referral_ernstig=[nan,0.07,0.45,0.20,0.14,0.12,0.02]"),
         ("assumptions.referral_ernstig[0]", "finite number")),
    Case("run: inf money", ("run", "klas", *SHORT, "--set", "assumptions.cost_per_assessment_eur=inf"),
         ("assumptions.cost_per_assessment_eur", "finite number")),
    Case("run: 1e308 money", ("run", "klas", *SHORT, "--set", "assumptions.cost_per_assessment_eur=1e308"),
         ("assumptions.cost_per_assessment_eur", "less than or equal to 10000000")),
    Case("run: huge budget", ("run", "klas", *SHORT, "--set", "assumptions.budget_per_youth_eur_per_year=1e9"),
         ("budget_per_youth_eur_per_year", "less than or equal")),
    Case("run: huge count", ("run", "klas", *SHORT, "--set", "levers.coordination.overlegtafels=100000"),
         ("levers.coordination.overlegtafels", "60")),
    Case("run: warm-up as long as the horizon", ("run", "klas", "--years", "1", "-q"),
         ("warmup_years", "--warmup-years")),
    Case("run: warm-up rounds to the horizon", ("run", "klas", "--years", "1", "--warmup-years", "0.995", "-q"),
         ("warmup_years", "at least one week")),
    Case("run: negative --warmup-years", ("run", "klas", "--years", "2", "--warmup-years", "-1", "-q"),
         ("--warmup-years", "≥ 0")),
    # --- run: strict types and choices -----------------------------------------------------------
    Case("run: 'yes' as a boolean", ("run", "klas", *SHORT, "--set", 'levers.coordination.urgency_priority="yes"'),
         ("levers.coordination.urgency_priority", "valid boolean", "yes")),
    Case("run: true as a seed", ("run", "klas", *SHORT, "--set", "seed=true"), ("seed", "valid integer")),
    Case("run: 2.0 as a count", ("run", "klas", *SHORT, "--set", "levers.coordination.overlegtafels=2.0"),
         ("overlegtafels", "valid integer")),
    Case("run: list as a preset", ("run", "klas", *SHORT, "--set", "levers.coordination.collaboration_form=[1]"),
         ("collaboration_form", "allowed: verkennend")),
    Case("run: table as a choice", ("run", "klas", *SHORT, "--set", "levers.coordination.queue={a=1}"),
         ("levers.coordination.queue", "per_aanbieder")),
    # --- run: network rules ------------------------------------------------------------------------
    Case("run: only crisis care", ("run", "crisis.toml", "-q"), ("network.regions[0]", "only crisis"),
         {"crisis.toml": MINI.replace('["ambulant_licht", "ambulant_intensief"]', '["crisis"]')
                             .replace('["pleegzorg", "residentieel", "crisis"]', '["crisis"]')}),
    Case("run: duplicate aanbieder", ("run", "dup.toml", "-q"), ("aanbieder names must be unique", "Zorg A"),
         {"dup.toml": MINI.replace('"Zorg B"', '"Zorg A"')}),
    Case("run: duplicate region", ("run", "dupr.toml", "-q"), ("region names must be unique", "Regio"),
         {"dupr.toml": MINI + '[[network.regions]]\nname = "Regio"\ngemeenten = [{ name = "Beek", '
                              'inhabitants = 5000 }]\nn_generated_aanbieders = 2\n'}),
    Case("run: duplicate expertteam", ("run", "dupt.toml", "-q"), ("expertteam names must be unique", "T"),
         {"dupt.toml": MINI + '[[network.expertteams]]\nname = "T"\n[[network.expertteams]]\nname = "T"\n'}),
    # --- run: input size ---------------------------------------------------------------------------
    Case("run: deeply nested file", ("run", "deep.toml", "-q"), ("deep.toml", "nested"),
         {"deep.toml": "a = " + "[" * 3000 + "]" * 3000}),
    Case("run: deeply nested --set", ("run", "klas", "-q", "--set", "description=" + "[" * 2000 + "]" * 2000),
         ("--set description", "nested")),
    Case("run: very long --set text", ("run", "klas", "-q", "--set", "description=" + "x" * 20_000),
         ("--set", "description", "longer than")),
    Case("run: very long name", ("run", "long.toml", "-q"), ("long.toml", "name", "longer than"),
         {"long.toml": f'base = "klas"\nname = "{"x" * 20_000}"\n'}),
    Case("run: --out name too long", ("run", "klas", *SHORT, "--out", "n" * 300), ("--out", "too long")),
    Case("run: --out is a file", ("run", "klas", *SHORT, "--out", "file.txt"), ("--out", "file.txt", "not a folder"),
         {"file.txt": "keep"}),
    Case("run: --out empty", ("run", "klas", *SHORT, "--out", ""), ("--out", "empty")),
    Case("run: --out blank", ("run", "klas", *SHORT, "--out", "  "), ("--out", "empty")),
    Case("run: empty scenario name", ("run", "", *SHORT), ("scenario", "empty")),
    Case("run: base is not a scenario", ("run", "s.toml", *SHORT), ("s.toml: base: /etc/passwd", "not valid TOML"),
         {"s.toml": 'base = "/etc/passwd"\n'}),
    Case("run: start date past the calendar", ("run", "klas", *SHORT, "--event-log", "--set",
                                                "run.start_date=9999-06-01"), ("start_date", "9999-12-31")),
    Case("run: start date before 1900", ("run", "klas", *SHORT, "--set", "run.start_date=0001-01-01"),
         ("start_date", "1900-01-01")),
    # --- validate ------------------------------------------------------------------------------------
    Case("validate: NaN in severity_mix", ("validate", "nan.toml"), ("assumptions.severity_mix[0]", "finite"),
         {"nan.toml": MINI + "[assumptions]\nseverity_mix = [nan, 0.5, 0.5]\n"}),
    Case("validate: inf in incidence", ("validate", "inf.toml"), ("incidence_per_youth_per_year", "finite"),
         {"inf.toml": MINI + "[assumptions]\nincidence_per_youth_per_year = [inf, 0.1, 0.1, 0.1]\n"}),
    Case("validate: binary file", ("validate", "bin.toml"), ("bin.toml", "not UTF-8"),
         {"bin.toml": b"\xff\xfe\x00\x01name"}),
    Case("validate: unhashable base", ("validate", "b.toml"), ("b.toml", "base"), {"b.toml": "base = [1]\n"}),
    # the same files given to the app as uploads: tests/test_app_helpers.py
    Case("validate: list nested 60,000 deep", ("validate", "deep.toml"), ("deep.toml", "nested more than 24"),
         {"deep.toml": "a = " + "[" * 60_000 + "]" * 60_000 + "\n"}),
    Case("validate: 5,000-part dotted key", ("validate", "dotted.toml"),
         ("dotted.toml", "k.k.k", "nested more than 24"),
         {"dotted.toml": ".".join(["k"] * 5_000) + " = 1\n"}),
    # --- sweep -----------------------------------------------------------------------------------------
    Case("sweep: factor quoted and dotted", ("sweep", "e.toml", "-q"), ("levers.coordination.queue", "given twice"),
         exp('[levers]\n"coordination.queue" = ["central"]\ncoordination.queue = ["per_aanbieder"]\n')),
    Case("sweep: factor and override", ("sweep", "e.toml", "-q"), ("levers.coordination.queue", "not both"),
         exp('[levers]\ncoordination.queue = ["central", "per_aanbieder"]\n'
             '[overrides]\nlevers.coordination.queue = "central"\n')),
    Case("sweep: variant and override", ("sweep", "e.toml", "-q"), ("variants[0]", "not both"),
         exp('[design]\ntype = "variants"\n[[variants]]\nname = "a"\n[variants.levers]\n'
             'coordination.queue = "central"\n[overrides]\nlevers.coordination.queue = "central"\n')),
    Case("sweep: override quoted and dotted", ("sweep", "e.toml", "-q"), ("overrides.", "given twice"),
         exp(FACTOR + '[overrides]\n"levers.coordination.queue" = "central"\nlevers.coordination.queue = "central"\n')),
    Case("sweep: 10^9 design points", ("sweep", "e.toml", "-q"), ("1,000,000,000 design points", "100,000"),
         exp("[levers]\n" + "".join(f"coordination.{k} = {{min = 0, max = 1, levels = 1000}}\n"
                                    for k in ("role_clarity", "regie_strength", "referrer_involvement")))),
    Case("sweep: 10^9 levels", ("sweep", "e.toml", "-q"), ("levels must be",),
         exp("[levers]\ncoordination.role_clarity = {min = 0, max = 1, levels = 1000000000}\n")),
    Case("sweep: too many runs", ("sweep", "e.toml", "-q", "--replications", "100000"), ("runs; at most",),
         exp("[levers]\ncoordination.role_clarity = {min = 0, max = 1, levels = 200}\n")),
    Case("sweep: huge latin hypercube", ("sweep", "e.toml", "-q"), ("design.n", "100000"),
         exp('[design]\ntype = "latin_hypercube"\nn = 10000000\n' + FACTOR)),
    Case("sweep: NaN range", ("sweep", "e.toml", "-q"), ("role_clarity", "finite"),
         exp("[levers]\ncoordination.role_clarity = {min = nan, max = 1, levels = 3}\n")),
    Case("sweep: inf range", ("sweep", "e.toml", "-q"), ("role_clarity", "finite"),
         exp("[levers]\ncoordination.role_clarity = {min = 0, max = inf, levels = 3}\n")),
    Case("sweep: NaN horizon", ("sweep", "n.toml", "-q"), ("years", "finite"),
         {"n.toml": EXP.replace("years = 1.5", "years = nan") + FACTOR}),
    Case("sweep: NaN factor value", ("sweep", "e.toml", "-q"), ("staff_availability", "finite"),
         exp("[uncertainties]\nstaff_availability = [nan, 1.0]\n")),
    Case("sweep: list as a choice", ("sweep", "e.toml", "-q"), ("levers.coordination.queue", "per_aanbieder"),
         exp('[levers]\ncoordination.queue = [["central"]]\n')),
    Case("sweep: series of the wrong shape", ("sweep", "e.toml", "-q"), ("series", "expected true"),
         exp('series = [["x"]]\n' + FACTOR)),
    Case("sweep: true as replications", ("sweep", "t.toml", "-q"), ("replications", "valid integer"),
         {"t.toml": EXP.replace("replications = 2", "replications = true") + FACTOR}),
    Case("sweep: text as master seed", ("sweep", "t.toml", "-q"), ("master_seed", "valid integer"),
         {"t.toml": EXP.replace("master_seed = 1", 'master_seed = "1"') + FACTOR}),
    Case("sweep: name of dots", ("sweep", "t.toml", "-q"), ("name", "folder name"),
         {"t.toml": 'name = "../.."\n' + EXP + FACTOR}),
    Case("sweep: empty name", ("sweep", "t.toml", "-q"), ("name", "at least 1 character"),
         {"t.toml": 'name = ""\n' + EXP + FACTOR}),
    Case("sweep: deeply nested file", ("sweep", "deep.toml", "-q"), ("deep.toml", "nested"),
         {"deep.toml": EXP + "x = " + "[" * 40 + "]" * 40}),
    Case("sweep: --out is a file", ("sweep", "e.toml", "-q", "--out", "file.txt"), ("--out", "file.txt", "not a folder"),
         {**exp(FACTOR), "file.txt": "keep"}),
    Case("sweep: --out holds other files", ("sweep", "e.toml", "-q", "--out", "mine"), ("mine", "not empty"),
         {**exp(FACTOR), "mine/notes.txt": "keep"}),
    Case("sweep: --out empty", ("sweep", "e.toml", "-q", "--out", ""), ("--out", "empty; give"), exp(FACTOR)),
    Case("sweep: empty experiment name", ("sweep", "", "-q"), ("experiment", "empty")),
    Case("sweep: 20-digit --workers", ("sweep", "e.toml", "-q", "--workers", "99999999999999999999"),
         ("--workers", "1024"), exp(FACTOR)),
    Case("sweep: --workers 0", ("sweep", "e.toml", "-q", "--workers", "0"), ("--workers",), exp(FACTOR)),
    Case("sweep: 2 and 2.0", ("sweep", "e.toml", "-q"), ("informal_contacts_per_year", "2 and 2.0", "same value"),
         exp('[levers]\n"trust.informal_contacts_per_year" = [2, 2.0]\n')),
    Case("sweep: levels that round alike", ("sweep", "e.toml", "-q"), ("staff_availability", "levels", "significant"),
         exp("[uncertainties]\nstaff_availability = {min = 0.4, max = 0.4000001, levels = 3}\n")),
    Case("sweep: values that print alike", ("sweep", "e.toml", "-q"), ("two design points are named",),
         exp('[levers]\n"trust.informal_contacts_per_year" = [2.0000001, 2.0000002]\n')),
    Case("sweep: base /etc/passwd", ("sweep", "e.toml", "-q"), ("e.toml: base: /etc/passwd",),
         {"e.toml": EXP.replace('base = "klas"', 'base = "/etc/passwd"') + FACTOR}),
    Case("sweep: base ../ path", ("sweep", "e.toml", "-q"), ("e.toml: base: ../../../../../../etc/passwd",),
         {"e.toml": EXP.replace('base = "klas"', 'base = "../../../../../../etc/passwd"') + FACTOR}),
    Case("sweep: base with a bad base", ("sweep", "e.toml", "-q"), ("e.toml: base: s.toml: base: nope",),
         {"e.toml": EXP.replace('base = "klas"', 'base = "s.toml"') + FACTOR, "s.toml": 'base = "nope"\n'}),
    Case("sweep: 5,000,000 futures", ("sweep", "e.toml", "-q"), ("5,000,000 design points", "50 policies × design.n = 100,000 futures"), exp(FUTURES)),
    Case("sweep: huge morris design", ("sweep", "e.toml", "-q"), ("morris", "design.n = 60,000 trajectories", "100,000"),
         exp('[design]\ntype = "morris"\nn = 60000\n' + FACTOR)),
    # --- compare -----------------------------------------------------------------------------------
    Case("compare: not a results folder", ("compare", "plain"), ("plain", "not a sweep results folder"),
         {"plain/notes.txt": "x"}),
    Case("compare: not a folder", ("compare", "file.txt"), ("file.txt", "not a folder"), {"file.txt": "x"}),
    Case("compare: damaged experiment.json", ("compare", "R"), ("experiment.json", "cannot read"),
         {"R/experiment.json": "{half"}),
    Case("compare: foreign experiment.json", ("compare", "R"), ("experiment.json", "not a zorgsim experiment"),
         {"R/experiment.json": "[1, 2]"}),
    Case("compare: no finished runs", ("compare", "R"), ("no finished runs",), {"R/runs": None, "R/series": None}),
    Case("compare: --out is a file", ("compare", "R", "--out", "file.txt"), ("--out", "file.txt", "not a folder"),
         {"file.txt": "x"}),
    Case("compare: unknown baseline", ("compare", "R", "--baseline", "nope"), ("--baseline", "nope")),
    Case("compare: --out empty", ("compare", "R", "--out", ""), ("--out", "empty")),
    Case("compare: empty results folder name", ("compare", ""), ("results", "empty")),
    Case("compare: record without a name", ("compare", "R"), ("R/experiment.json", "experiment.name", "missing"),
         manifest=without("experiment", "name")),
    Case("compare: record without warmup_years", ("compare", "R"), ("R/experiment.json", "warmup_years"),
         manifest=without("experiment", "warmup_years")),
    Case("compare: points not a list", ("compare", "R"), ("R/experiment.json", "experiment.points", "list"),
         manifest=setting({"a": 1}, "experiment", "points")),
    Case("compare: years as text", ("compare", "R"), ("R/experiment.json", "experiment.years"),
         manifest=setting("1.5", "experiment", "years")),
    Case("compare: record of an empty experiment", ("compare", "R"), ("R/experiment.json", "not a zorgsim experiment"),
         {"R/experiment.json": '{"fingerprint": "x", "experiment": {}}'}),
    Case("compare: record of another tool", ("compare", "R"), ("R/experiment.json", "format"),
         {"R/experiment.json": '{"format": 3, "tool": "other", "fingerprint": "x", "experiment": {"name": "y"}}'}),
    Case("compare: a design point twice", ("compare", "R"), ("R/experiment.json", "used twice"),
         manifest=setting(lambda name, record: record["experiment"]["points"][0]["name"], "experiment", "points", 1,
                          "name")),
    # --- export-log and jeugdreis (EV/ is a copy of a run with --event-log) -------------------------
    Case("export-log: not a run folder", ("export-log", "nothing"), ("nothing", "not a folder")),
    Case("export-log: unknown format", ("export-log", "EV", "--format", "pdf"), ("--format", "pdf", "csv, xes")),
    Case("export-log: --out is a folder", ("export-log", "EV", "--out", "EV"), ("--out", "EV", "folder")),
    Case("export-log: run without events", ("export-log", "EV"), ("events.parquet",), {"EV/events.parquet": None}),
    Case("jeugdreis: not a run folder", ("jeugdreis", "nothing"), ("nothing", "not a folder")),
    Case("jeugdreis: three runs", ("jeugdreis", "EV", "EV", "EV"), ("one RUN_DIR", "got 3")),
    Case("jeugdreis: empty RUN_DIR", ("jeugdreis", ""), ("RUN_DIR", "empty")),
    Case("export-log: --out empty", ("export-log", "EV", "--out", ""), ("--out", "empty")),
    Case("jeugdreis: --out is a file", ("jeugdreis", "EV", "--out", "EV/summary.json"), ("--out", "not a folder")),
    # --- calibrate and validate-model (refused before any run) -------------------------------------
    Case("calibrate: unknown scenario", ("calibrate", "klaas"), ("klaas", "unknown scenario")),
    Case("calibrate: unknown parameter", ("calibrate", "klas", "--params", "foo=1:2"), ("--params", "foo")),
    Case("calibrate: NaN range", ("calibrate", "klas", "--params", "assumptions.cost_per_assessment_eur=nan:inf"),
         ("--params", "LO < HI")),
    Case("calibrate: no replications", ("calibrate", "klas", "--replications", "0"), ("--replications",)),
    Case("calibrate: negative budget", ("calibrate", "klas", "--budget", "-1"), ("--budget",)),
    Case("calibrate: missing targets", ("calibrate", "klas", "--targets", "nothing.toml"), ("nothing.toml", "not found")),
    Case("calibrate: --out is a folder", ("calibrate", "klas", "--out", "mine"), ("--out", "mine", "folder"),
         {"mine/notes.txt": "keep"}),
    Case("calibrate: 20-digit --workers", ("calibrate", "klas", "--workers", "99999999999999999999"), ("--workers", "1024")),
    Case("calibrate: --out empty", ("calibrate", "klas", "--out", ""), ("--out", "empty")),
    Case("validate-model: 20-digit --workers", ("validate-model", "--workers", "99999999999999999999"), ("--workers",)),
    Case("validate-model: one seed", ("validate-model", "--seeds", "1"), ("--seeds",)),
    Case("validate-model: negative years", ("validate-model", "--years", "-1"), ("--years",)),
    Case("validate-model: missing targets", ("validate-model", "--targets", "nothing.toml"), ("nothing.toml",)),
    Case("validate-model: --out is a folder", ("validate-model", "--out", "mine"), ("--out", "mine", "folder"),
         {"mine/notes.txt": "keep"}),
    # --- sensitivity, discover, robust and ui ---------------------------------------------------------
    Case("sensitivity: not a results folder", ("sensitivity", "nothing"), ("nothing", "not a folder")),
    Case("discover: not a results folder", ("discover", "nothing", "--kpi", "wait_weeks_mean", "--above", "1"),
         ("nothing", "not a folder")),
    Case("robust: unknown experiment", ("robust", "nothing"), ("nothing", "unknown experiment")),
    Case("robust: empty target", ("robust", ""), ("target", "empty")),
    Case("robust: --results empty", ("robust", "e.toml", "--results", ""), ("--results", "empty"), exp(FACTOR)),
    Case("robust: 20-digit --workers", ("robust", "e.toml", "--workers", "99999999999999999999"), ("--workers", "1024"),
         exp(FACTOR)),
    Case("sensitivity: --out empty", ("sensitivity", "R", "--out", ""), ("--out", "empty")),
    Case("discover: --out empty", ("discover", "R", "--kpi", "waitlist_mean", "--above", "1", "--out", ""),
         ("--out", "empty")),
    Case("ui: port out of range", ("ui", "--port", "99999"), ("--port", "65535")),
    # --- options -------------------------------------------------------------------------------------
    Case("unknown command", ("frobnicate",), ("frobnicate",)),
    Case("unknown option", ("run", "klas", "--speed", "3"), ("--speed",)),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    """A finished small sweep (2 design points × 2 replications), copied for the cases that need one."""
    folder = tmp_path_factory.mktemp("catalogue")
    path = folder / "small.toml"
    path.write_text(EXP + "series = true\n" + FACTOR, encoding="utf-8")
    out = folder / "results"
    run_sweep(Experiment.from_toml(path), out, workers=1)
    return out


@pytest.fixture(scope="module")
def event_run(tmp_path_factory) -> Path:
    """The output folder of a short klas run with an event log, copied for the cases that need one."""
    from zorgnetwerk_sim import run

    out = tmp_path_factory.mktemp("catalogue-events") / "EV"
    run("klas", overrides={"run.years": 1.5, "run.warmup_years": 0.5, "run.event_log": True}).write(out)
    return out


def _prepare(work: Path, case: Case, results: Path, event_run: Path) -> None:
    if any(key.startswith("R/") for key in case.files) or "R" in case.args:
        shutil.copytree(results, work / "R")
    if any(key.startswith("EV/") for key in case.files) or "EV" in case.args:
        shutil.copytree(event_run, work / "EV")
    for name, content in case.files.items():
        path = work / name
        if content is None:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.manifest is not None:
        record = work / "R" / "experiment.json"
        record.write_text(json.dumps(case.manifest(json.loads(record.read_text(encoding="utf-8")))), encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(cli, tmp_path, monkeypatch, results, event_run, case):
    work = tmp_path / "work"
    work.mkdir()
    _prepare(work, case, results, event_run)
    monkeypatch.chdir(work)
    before, paths = snapshot(work), tree(work)
    line = assert_one_error_line(*cli(*case.args))
    missing = [f for f in case.fragments if f not in line]
    assert not missing, f"{line!r} lacks {missing}"
    assert tree(work) == paths, f"written: {sorted(tree(work) ^ paths)}"
    assert snapshot(work) == before


#: Commands that take no input that could be wrong (they list what is shipped).
NO_INPUT = {"scenarios", "params"}


def test_the_catalogue_covers_every_command():
    import typer

    from zorgnetwerk_sim.cli import app

    commands = set(typer.main.get_command(app).commands) - NO_INPUT
    covered = {c.args[0] for c in CASES}
    assert {"run", "validate", "sweep", "compare"} <= covered
    missing = sorted(commands - covered)
    assert not missing, f"add catalogue rows (bad input → one line) for the new command(s): {', '.join(missing)}"
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_path_and_workers_option_is_checked_in_one_place():
    """Every path option or argument goes through cli.path_text (so "" is never the current folder),
    every scenario or experiment argument through cli.name_text, and every --workers is bounded."""
    import typing
    from pathlib import Path as P

    from zorgnetwerk_sim import cli as cli_module
    from zorgnetwerk_sim.safeio import MAX_WORKERS

    checked = {"path": 0, "name": 0, "workers": 0}
    for info in cli_module.app.registered_commands:
        hints = typing.get_type_hints(info.callback, include_extras=True)
        for name, hint in hints.items():
            if typing.get_origin(hint) is not typing.Annotated:
                continue
            base, param = typing.get_args(hint)[0], typing.get_args(hint)[1]
            where = f"{info.callback.__name__}({name})"
            if P in (base, *typing.get_args(base), *[a for b in typing.get_args(base) for a in typing.get_args(b)]):
                assert param.parser is cli_module.path_text, f"{where}: a path without parser=path_text"
                checked["path"] += 1
            elif name in ("scenario", "experiment", "file", "target"):
                assert param.parser is cli_module.name_text, f"{where}: a name without parser=name_text"
                checked["name"] += 1
            elif name == "workers":
                assert (param.min, param.max) == (1, MAX_WORKERS), f"{where}: --workers without bounds"
                checked["workers"] += 1
    assert checked["path"] >= 15 and checked["name"] >= 5 and checked["workers"] >= 4, checked
