"""The ``zorgsim`` command: a thin layer over the API (``zorgnetwerk_sim.api``).

Every command runs under one handler (:func:`main`): bad input and OS errors end in one line on
stderr and exit status 2, Ctrl-C in "aborted" and 130 (SIGTERM: "stopped (SIGTERM)" and 143; run and
sweep say what was kept), an unexpected error (a bug) in one line
and exit status 1; ``--debug`` shows the traceback instead. User text is never read as rich
markup (the consoles and progress columns have markup off). docs/reliability.md lists the promises.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path
from typing import Annotated, Any

import click
import typer

try:  # typer >= 0.29 ships its own copy of click
    from typer._click import exceptions as _typer_click
except ImportError:  # pragma: no cover - older typer uses click itself
    _typer_click = click.exceptions  # type: ignore[assignment]

USAGE_ERRORS = (click.UsageError, _typer_click.UsageError)
CLICK_ERRORS = (click.ClickException, _typer_click.ClickException)
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .api import run_scenario
from .safeio import (InputError, OutputError, check_output_file, check_output_folder, one_line, path_from_text,
                     read_toml_file, safe_folder_name, user_error)
from .scenario import ScenarioError, available_scenarios, load_scenario, parameter_table, scenarios_dir
from .scenario.loader import read_scenario_file

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="zorgnetwerk_sim: agent-based simulation of Dutch youth-care (jeugdzorg) networks.")
# markup off: a '[/]' in a scenario name or path is printed as itself (tables and titles included)
out_console = Console(markup=False)
err_console = Console(stderr=True, markup=False)

DEBUG_FLAG = "--debug"


@app.callback()
def _options(debug: Annotated[bool, typer.Option(DEBUG_FLAG, help="Show the full traceback of an error")] = False
             ) -> None:
    """zorgnetwerk_sim: agent-based simulation of Dutch youth-care (jeugdzorg) networks."""

#: The KPI table printed after a run: (section, key, label, format)
HEADLINE: list[tuple[str, str, str, str]] = [
    ("wachtlijst", "waitlist_mean", "jongeren waiting (mean)", "{:,.0f}"),
    ("wachtlijst", "waitlist_entries_per_year", "new wachtlijst entries / year", "{:,.0f}"),
    ("wachtlijst", "wait_weeks_mean", "wait, mean (weeks)", "{:.1f}"),
    ("wachtlijst", "wait_weeks_p90", "wait, p90 (weeks)", "{:.0f}"),
    ("wachtlijst", "wait_over_norm_share", "waits over the norm", "{:.0%}"),
    ("uithuisplaatsing", "placements_per_year", "new uithuisplaatsingen / year", "{:,.0f}"),
    ("uithuisplaatsing", "verblijf_per_1000_youth", "in verblijf per 1,000 youth", "{:.2f}"),
    ("uithuisplaatsing", "crisis_per_year", "crisis admissions / year", "{:,.0f}"),
    ("zorg", "youth_in_care_per_year", "jongeren in care / year", "{:,.0f}"),
    ("zorg", "youth_in_care_share", "share of youth in care / year", "{:.1%}"),
    ("kosten", "cost_per_year_eur", "cost / year (EUR, each year's prices)", "{:,.0f}"),
    ("kosten", "cost_per_youth_eur", "cost per youth (EUR, each year's prices)", "{:,.0f}"),
    ("kosten", "cost_per_youth_start_prices_eur", "cost per youth (EUR, first year's prices)", "{:,.0f}"),
    ("kosten", "cost_vs_budget", "cost vs budget", "{:.0%}"),
    ("kosten", "cost_top20_share", "cost share of costliest 20%", "{:.0%}"),
    ("expertteam", "expertteam_success_share", "expertteam succesvol", "{:.0%}"),
    ("netwerk", "trust_mean", "mean trust", "{:.2f}"),
]


def path_text(text: str) -> Path:
    """The parser of every path option and argument (a test checks that each has it): empty or
    blank text is refused — ``--out ""`` is not the current folder — with click's one line."""
    try:
        return path_from_text(text, "the path")
    except InputError as err:
        raise typer.BadParameter(str(err).removeprefix("the path: ")) from None


def name_text(text: str) -> str:
    """The parser of every scenario or experiment argument (a shipped name or a path): as :func:`path_text`."""
    try:
        path_from_text(text, "the name")
    except InputError as err:
        raise typer.BadParameter(str(err).removeprefix("the name: ").replace(
            "a folder or file name ('.' for the current folder)", "a shipped name or a path to a .toml file")) from None
    return text


def workers_option(help: str) -> Any:
    """The --workers option of every command that has one: 1 to MAX_WORKERS, checked while the
    command line is read (before any folder is made)."""
    from .safeio import MAX_WORKERS

    return typer.Option(help=help, min=1, max=MAX_WORKERS)


class Stopped(KeyboardInterrupt):
    """SIGTERM, raised where the program is (as Ctrl-C raises KeyboardInterrupt), so that the same
    clean-up runs: workers stopped, staged outputs rolled back, one closing line."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


def stop_status(err: BaseException) -> tuple[str, int]:
    """('interrupted' or 'stopped (SIGTERM)', exit status 128 + the signal's number) for Ctrl-C or a stop signal."""
    import signal

    if isinstance(err, Stopped):
        return f"stopped ({signal.Signals(err.signum).name})", 128 + err.signum
    return "interrupted", 128 + signal.SIGINT


def say(message: str) -> None:
    """One line on stderr, printed as it is (no markup, no highlighting)."""
    err_console.print(one_line(message), markup=False, highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    """One clear line on stderr and exit status 2."""
    say(f"error: {message}")
    raise typer.Exit(2)


def _fmt(fmt: str, value: float) -> str:
    return "–" if value != value else fmt.format(value)


def kpi_table(summary: dict[str, float], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("", style="bold")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    last = None
    for section, key, label, fmt in HEADLINE:
        if key in summary:
            table.add_row(section if section != last else "", label, _fmt(fmt, summary[key]))
            last = section
    return table


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(parser=name_text, help="Scenario name from scenarios/ or a path to a TOML file")] = "default",
    years: Annotated[float | None, typer.Option(help="Simulated years, warm-up included")] = None,
    warmup_years: Annotated[float | None, typer.Option(help="Warm-up years, not in the KPIs (default: the "
                                                            "scenario's)")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override: key.path=value (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Output folder (default: runs/<scenario>)")] = None,
    event_log: Annotated[bool, typer.Option("--event-log", help="Also write events.parquet for process mining")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table")] = False,
    workers: Annotated[int, workers_option("Processes for a scenario of independent parts (nederland: 8 "
                                           "expertise networks); the same results for any number")] = 1,
) -> None:
    """Run one scenario and write summary.json, timeseries.parquet and scenario.toml."""
    overrides: dict[str, Any] = {}
    for item in set_ or []:
        from .scenario.loader import parse_override

        key, value = parse_override(item)
        overrides[key] = value
    if event_log:
        overrides["run.event_log"] = True
    if years is not None and not years > 0:
        fail(f"--years: must be > 0 (got {years})")
    if warmup_years is not None:
        if not warmup_years >= 0:
            fail(f"--warmup-years: must be ≥ 0 (got {warmup_years})")
        overrides["run.warmup_years"] = warmup_years
    spec = load_scenario(scenario, overrides, seed=seed, years=years)
    target = out if out is not None else Path("runs") / safe_folder_name(spec.name, f"{scenario}: name")
    try:
        check_output_folder(target)
    except OutputError as err:
        fail(f"--out {err}")
    started = time.perf_counter()
    progress: Progress | None = None
    task = None

    def tick(week: int, weeks: int) -> None:
        nonlocal progress, task
        if quiet:
            return
        if progress is None and time.perf_counter() - started > 1.0:
            progress = Progress(TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
                                TextColumn("week {task.completed:.0f}/{task.total:.0f}"), TimeRemainingColumn(),
                                console=err_console, transient=True)
            progress.start()
            task = progress.add_task(spec.name, total=weeks)
        if progress is not None and task is not None:
            progress.update(task, completed=week)

    written = False
    try:
        try:
            result = run_scenario(spec, workers, tick)
        finally:
            if progress is not None:
                progress.stop()
        elapsed = time.perf_counter() - started
        try:
            result.write(target)  # the whole set or, if anything stops it, none of it
        except OSError as err:
            fail(f"--out {target}: cannot write results: {err.strerror or err}")
        written = True
    except KeyboardInterrupt as err:  # Ctrl-C or SIGTERM
        how, code = stop_status(err)
        say(f"{how}: the results were written to {target}/ just before" if written else
            f"{how}: nothing was written to {target}/ (what was there is unchanged)")
        raise typer.Exit(code) from None
    if not quiet:
        out_console.print(kpi_table(result.summary, f"{spec.name} · seed {spec.seed} · {spec.run.years:g} years "
                                                    f"(warm-up {spec.run.warmup_years:g})"))
        out_console.print(f"{elapsed:.1f} s · results in {target}/", highlight=False)


@app.command()
def scenarios() -> None:
    """List the shipped scenarios."""
    known = available_scenarios()
    if not known:
        fail(f"no scenarios found in {scenarios_dir()}")
    table = Table(title=f"scenarios in {scenarios_dir()}")
    table.add_column("name", style="bold")
    table.add_column("description")
    for name, path in known.items():
        try:
            raw = read_scenario_file(path)
            description = str(read_toml_file(path, ScenarioError).get("description", raw.get("description", "")))
        except ScenarioError as err:
            description = f"(invalid: {err})"
        table.add_row(name, description)
    out_console.print(table)


@app.command()
def validate(file: Annotated[str, typer.Argument(parser=name_text, help="Scenario TOML file (or shipped name)")]) -> None:
    """Check a scenario file; exit status 2 with one line naming the problem."""
    spec = load_scenario(file)
    n_g = sum(len(r.gemeenten) for r in spec.network.regions)
    out_console.print(f"ok: {file} · scenario {spec.name!r} · {len(spec.network.regions)} region(s), "
                      f"{n_g} gemeenten · {spec.run.years:g} years", highlight=False)


@app.command()
def params(grep: Annotated[str | None, typer.Argument(help="Show only keys containing this text")] = None) -> None:
    """List every parameter with unit, range, default and source."""
    table = Table(show_lines=False)
    for col in ("key", "default", "unit", "range", "source"):
        table.add_column(col, overflow="fold")
    for row in parameter_table():
        if grep and grep not in row["key"]:
            continue
        rng = "" if row["min"] is None and row["max"] is None else f"{row['min']} … {row['max']}"
        table.add_row(row["key"], str(row["default"]), str(row["unit"] or ""), rng, str(row["source"] or ""))
    out_console.print(table)


@app.command()
def sweep(
    experiment: Annotated[str, typer.Argument(parser=name_text, help="Experiment name from experiments/ or a path to a TOML file")],
    workers: Annotated[int | None, workers_option("Parallel runs (default: all cores; 1 = in this process)")] = None,
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Results folder (default: results/<experiment>)")] = None,
    executor: Annotated[str, typer.Option(help="local (process pool) or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT (default: a LocalCluster)")] = None,
    replications: Annotated[int | None, typer.Option(help="Override the experiment's replications")] = None,
    design_n: Annotated[int | None, typer.Option("--design-n", help="Override design.n (points, Morris trajectories, "
                                                 "Sobol base samples or futures)")] = None,
    years: Annotated[float | None, typer.Option(help="Override the horizon (years, warm-up included)")] = None,
    warmup_years: Annotated[float | None, typer.Option(help="Override the warm-up (years)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Run every design point × replication of an experiment; a stopped sweep resumes where it was."""
    from .runner import Experiment, Sweep, SweepError
    from rich.progress import MofNCompleteColumn, TimeElapsedColumn

    exp = Experiment.load(experiment, replications=replications, years=years, warmup_years=warmup_years,
                          design_n=design_n)
    target = out if out is not None else Path("results") / exp.folder_name
    plan = Sweep(exp, target, workers=workers, executor=executor, scheduler=scheduler)
    plan.prepare()  # locks the folder: a second sweep in it stops here with one line
    for warning in (plan.damaged, plan.code_changed):
        if warning:
            say(f"warning: {warning}")
    where = scheduler or ("LocalCluster" if executor == "dask" else "this machine")
    say(f"{exp.name}: {len(exp.points)} design points × {exp.spec.replications} replications = "
        f"{exp.n_runs} runs ({len(plan.done)} done, {plan.todo} to run) · "
        f"{plan.workers if scheduler is None else 'cluster'} workers on {where} · results in {plan.store.out}/")
    bar = None if quiet else Progress(TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
                                      MofNCompleteColumn(), TextColumn("runs"), TimeElapsedColumn(),
                                      TextColumn("ETA"), TimeRemainingColumn(), console=err_console,
                                      transient=False)
    task = None

    def tick(done: int, total: int, output: object) -> None:
        nonlocal task
        if bar is None:
            return
        if task is None:
            task = bar.add_task(exp.name, total=total, completed=done)
        else:
            bar.update(task, completed=done)

    def stored() -> str:
        return f"{len(plan.store.done_ids())} of {exp.n_runs} runs are stored in {plan.store.out}/"

    try:
        if bar is not None:
            bar.start()
        result = plan.run(tick)
    except KeyboardInterrupt as err:  # Ctrl-C or SIGTERM: the workers are stopped, finished runs kept
        if bar is not None:
            bar.stop()
        how, code = stop_status(err)
        say(f"{how}: {stored()}; run the same command again to finish the rest")
        raise typer.Exit(code) from None
    except SweepError as err:
        if bar is not None:
            bar.stop()
        say(f"error: {err}")
        raise typer.Exit(1) from None
    except OSError as err:
        if bar is not None:
            bar.stop()
        fail(f"cannot write results: {user_error(err)}; {stored()}; fix that and run the same command again")
    finally:
        if bar is not None:
            bar.stop()
    from .runner.compare import _num, point_means

    runs = result.runs()  # the per-run files, read back as one dataset
    means = point_means(runs)
    if not quiet and not means.empty:
        table = Table(title=f"{exp.name}: mean over replications (details: zorgsim compare {result.out})")
        table.add_column("design point", overflow="fold")
        for col in means.columns:
            table.add_column(col, justify="right")
        for point, values in list(means.iterrows())[:15]:
            table.add_row(str(point), *[str(int(values["n"]))] + [_num(v) for v in values.iloc[1:]])
        if len(means) > 15:
            table.caption = f"… and {len(means) - 15} more design points"
        out_console.print(table)
    rate = result.ran / result.elapsed_s * 60 if result.elapsed_s > 0 and result.ran else float("nan")
    out_console.print(f"{result.ran} runs in {result.elapsed_s:.1f} s ({_fmt('{:.1f}', rate)} runs/min) · "
                      f"{len(runs)} of {result.total} runs in {result.out}/ · next: zorgsim compare {result.out}",
                      highlight=False, soft_wrap=True)


@app.command()
def compare(
    results: Annotated[Path, typer.Argument(parser=path_text, help="Results folder of 'zorgsim sweep'")],
    baseline: Annotated[str | None, typer.Option(help="Design point to compare against (default: the experiment's)")] = None,
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Report folder (default: RESULTS/report)")] = None,
) -> None:
    """Mean and 95% CI per design point and KPI, paired difference from the baseline (over the whole horizon
    and at years 2, 5 and 10 after warm-up), report and charts."""
    from .runner import write_report
    from .runner.compare import _num, _p, whole_horizon, year_label

    if not results.is_dir():
        fail(f"{results}: not a folder; give the --out folder of 'zorgsim sweep'")
    report = write_report(results, out, baseline)
    for warning in report.warnings:
        say(f"warning: {warning}")
    table = Table(title=f"difference from baseline {report.baseline!r}, {whole_horizon(report.measured_years)} "
                        "(paired t-test; * p < 0.05)")
    table.add_column("design point", overflow="fold")
    kpis = report.kpis[:4]
    for kpi in kpis:
        table.add_column(kpi, justify="right")
    t = report.table
    for point in dict.fromkeys(t["point"]):
        cells = []
        for kpi in kpis:
            r = t[(t["kpi"] == kpi) & (t["point"] == point)].iloc[0]
            if point == report.baseline:
                cells.append(_num(r["mean"]))
            else:
                cells.append(f"{_num(r['diff'], True)} (p {_p(r['p_value'])}){' *' if r['significant'] else ''}")
        table.add_row(point, *cells)
    out_console.print(table)
    if report.horizons:
        by_year = Table(title=f"difference from baseline {report.baseline!r} by year after warm-up (95% CI)")
        by_year.add_column("design point", overflow="fold")
        by_year.add_column("horizon")
        for kpi in kpis:
            by_year.add_column(kpi, justify="right")
        for point in dict.fromkeys(t["point"]):
            if point == report.baseline:
                continue
            for h in report.horizons:
                cells = []
                for kpi in kpis:
                    r = t[(t["kpi"] == kpi) & (t["point"] == point)].iloc[0]
                    cells.append(f"{_num(r[f'diff_year{h}'], True)} ({_num(r[f'diff_year{h}_ci_low'], True)} … "
                                 f"{_num(r[f'diff_year{h}_ci_high'], True)})")
                by_year.add_row(point, year_label(h), *cells)
        out_console.print(by_year)
    out_console.print(f"report: {report.folder / 'report.html'} · {report.folder / 'report.md'}", highlight=False)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port of the app (0: a free port)", min=0, max=65535)] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on; anything but 127.0.0.1 opens the app to "
                                            "other machines")] = "127.0.0.1",
    results: Annotated[Path | None, typer.Option(parser=path_text, help="Folder whose 'zorgsim sweep' results the app may open "
                                                      "(default: ./results)")] = None,
) -> None:
    """Start the browser app for policy makers (Dutch): compare policies, explore a run, per gemeente."""
    import socket

    if port == 0:
        with socket.socket() as probe:
            probe.bind((host if host != "localhost" else "127.0.0.1", 0))
            port = probe.getsockname()[1]
    if host not in LOOPBACK:
        err_console.print(f"warning: --host {host}: the app is reachable from other machines on this network, "
                          "without a password; use it only on a trusted network", markup=False, highlight=False,
                          soft_wrap=True)
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no request leaves the machine
    # Solara warns once per visit that plain-http cookies fall back to SameSite=lax: expected on 127.0.0.1.
    env.setdefault("PYTHONWARNINGS", "ignore:Cookies with samesite")
    if results is not None:
        env["ZORGSIM_UI_RESULTS"] = str(results.resolve())
    shown = f"[{host}]" if ":" in host else host
    out_console.print(f"zorgsim ui: open http://{shown}:{port}/ in your browser (Ctrl-C stops the app)",
                      highlight=False, soft_wrap=True)
    command = [sys.executable, "-m", "solara", "run", "zorgnetwerk_sim.app.ui", "--host", host, "--port", str(port),
               "--production", "--no-open", "--log-level", "warning"]
    raise typer.Exit(_serve(command, env))


def _serve(command: list[str], env: dict[str, str]) -> int:
    """Run the Solara server of ``zorgsim ui``.

    On POSIX this process *becomes* the server (``exec``): there is no child process, so a
    SIGTERM (a service manager, ``kill``) or SIGINT (Ctrl-C) to ``zorgsim ui`` reaches the server
    itself, which stops and frees the port, and nothing is left running. Elsewhere the server
    runs as a child that is ended with this process.
    """
    import subprocess

    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(command[0], command, env)  # does not return
    child = subprocess.Popen(command, env=env)  # pragma: no cover - not POSIX
    try:  # pragma: no cover
        return child.wait()
    except KeyboardInterrupt:  # pragma: no cover
        return 0
    finally:  # pragma: no cover
        if child.poll() is None:
            child.terminate()
            child.wait()


@app.command()
def sensitivity(
    results: Annotated[Path, typer.Argument(parser=path_text, help="Results folder of 'zorgsim sweep' of a morris or sobol experiment")],
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Report folder (default: RESULTS/sensitivity)")] = None,
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="KPI to analyse (repeatable; default: headline KPIs)")] = None,
) -> None:
    """Morris mu*/sigma or Sobol S1/ST with 95% CIs per KPI: a ranking, charts and a report (needs the analyse extra)."""
    from .runner.sensitivity import write_sensitivity_report

    s = write_sensitivity_report(results, out, kpi)
    morris = s.method == "morris"
    for name in s.kpis:
        table = Table(title=f"{name}: {'Morris (mu* ± 95% CI, sigma)' if morris else 'Sobol (ST, S1 ± 95% CI)'}")
        table.add_column("rank", justify="right")
        table.add_column("factor", overflow="fold")
        for col in (("mu*", "± CI", "sigma") if morris else ("ST", "± CI", "S1", "± CI")):
            table.add_column(col, justify="right")
        for _, r in s.ranking(name).iterrows():
            cells = ([_num_cell(r["mu_star"]), _num_cell(r["mu_star_conf"]), _num_cell(r["sigma"])] if morris else
                     [f"{r['ST']:.3f}", f"{r['ST_conf']:.3f}", f"{r['S1']:.3f}", f"{r['S1_conf']:.3f}"])
            table.add_row(str(r["rank"]), str(r["factor"]), *cells)
        out_console.print(table)
    for name, why in s.skipped.items():
        say(f"note: {name}: {why}")
    folder = s.files[0].parent if s.files else out
    out_console.print(f"report: {folder / 'report.html'} · {folder / 'report.md'}", highlight=False)


@app.command()
def discover(
    results: Annotated[Path, typer.Argument(parser=path_text, help="Results folder of 'zorgsim sweep' (best: a latin_hypercube or sobol design)")],
    kpi: Annotated[str, typer.Option(help="The KPI that defines the outcome of interest")],
    above: Annotated[float | None, typer.Option(help="Cases of interest: KPI above this value")] = None,
    below: Annotated[float | None, typer.Option(help="Cases of interest: KPI below this value")] = None,
    density: Annotated[float, typer.Option(help="Choose the box with the highest coverage at this density or more")] = 0.8,
    boxes: Annotated[int, typer.Option(help="At most this many boxes")] = 3,
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Report folder (default: RESULTS/discover-KPI)")] = None,
) -> None:
    """Scenario discovery with PRIM (EMA workbench): which factor combinations lead to the outcome? (analyse extra)"""
    from .runner.discovery import write_discovery_report

    d = write_discovery_report(results, kpi, above, below, out, density, boxes)
    out_console.print(f"{d.n_interest} of {len(d.cases)} design points have {kpi} {d.direction} {d.threshold:g}",
                      highlight=False)
    table = Table(title=f"PRIM boxes for {kpi} {d.direction} {d.threshold:g}")
    for col in ("box", "rule", "coverage", "density", "mass"):
        table.add_column(col, justify="left" if col == "rule" else "right", overflow="fold")
    for b in d.boxes:
        table.add_row(str(b.number), b.rule(), f"{b.coverage:.0%}", f"{b.density:.0%}", f"{b.mass:.0%}")
    if not d.boxes:
        table.caption = "no box restricts any factor"
    out_console.print(table)
    folder = d.files[0].parent
    out_console.print(f"report: {folder / 'report.html'} · {folder / 'report.md'}", highlight=False)


@app.command()
def robust(
    target: Annotated[str, typer.Argument(parser=name_text, help="Results folder of a sweep, or an experiment (name or file) to sweep first")],
    norm: Annotated[list[str] | None, typer.Option("--norm", help="KPI<=VALUE or KPI>=VALUE a policy should meet "
                                                   "(repeatable; default: wait_over_norm_share<=0.1, cost_vs_budget<=1)")] = None,
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="KPI for the regret (repeatable; default: headline KPIs)")] = None,
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Report folder (default: RESULTS/robust)")] = None,
    results: Annotated[Path | None, typer.Option(parser=path_text, help="With an experiment: its results folder (default: results/<experiment>)")] = None,
    workers: Annotated[int | None, workers_option("With an experiment: parallel runs")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="With an experiment: no progress bar")] = False,
) -> None:
    """Robustness of policies over sampled futures: regret against the best policy per future, and satisficing."""
    from .runner.robust import write_robust_report
    from .runner.sweep import MANIFEST

    folder = Path(target)
    if not (folder.is_dir() and (folder / MANIFEST).is_file()):
        from .runner import Experiment

        folder = results if results is not None else Path("results") / Experiment.load(target).folder_name
        sweep(experiment=target, workers=workers, out=folder, executor="local", scheduler=None, replications=None,
              design_n=None, years=None, warmup_years=None, quiet=quiet)
    r = write_robust_report(folder, out, kpi, norm)
    table = Table(title=f"robustness of {len(r.policies)} policies over {len(r.futures)} futures "
                        f"(rank by the largest relative regret over the KPIs)")
    for col in ["rank", "policy", "max rel. regret"] + [f"max regret {k}" for k in r.kpis[:3]] + (
            ["satisficing"] if r.norms else []):
        table.add_column(col, justify="left" if col == "policy" else "right", overflow="fold")
    for _, x in r.summary.sort_values(["rank", "policy"]).iterrows():
        cells = [str(x["rank"]), str(x["policy"]), f"{x['max_relative_regret']:.0%}"]
        cells += [_num_cell(x[f"{k}:max_regret"]) for k in r.kpis[:3]]
        if r.norms:
            cells.append(f"{x['satisficing']:.0%}")
        table.add_row(*cells)
    if r.norms:
        table.caption = "satisficing: share of futures meeting " + " and ".join(str(n) for n in r.norms)
    out_console.print(table)
    report = r.files[0].parent
    out_console.print(f"report: {report / 'report.html'} · {report / 'report.md'}", highlight=False)


def _num_cell(value: float) -> str:
    from .runner.compare import _num

    return _num(value)


@app.command("export-log")
def export_log(
    run_dir: Annotated[Path, typer.Argument(parser=path_text, help="Output folder of 'zorgsim run --event-log'")],
    format_: Annotated[str, typer.Option("--format", help="csv (XES column names), xes (IEEE 1849) or ocel (OCEL 2.0 JSON)")] = "csv",
    out: Annotated[Path | None, typer.Option(parser=path_text, help="File to write (default: RUN_DIR/events.csv|.xes|.jsonocel)")] = None,
) -> None:
    """Write the run's event log in a standard process-mining format (pm4py, ProM, Disco, Celonis)."""
    from .jeugdreis import LogError, export_log as export

    try:
        path = export(run_dir, format_, out)
    except LogError as err:
        fail(str(err))
    out_console.print(f"{format_}: {path}", highlight=False, soft_wrap=True)


@app.command()
def jeugdreis(
    runs: Annotated[list[Path], typer.Argument(parser=path_text, metavar="RUN_DIR [RUN_DIR_B]", help="RUN_DIR of 'zorgsim run --event-log'; a second RUN_DIR compares the two")],
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Report folder (default: RUN_DIR/jeugdreis, or "
                                                  "A/jeugdreis-vergelijking-<B> for two runs)")] = None,
) -> None:
    """Process report of the jeugdreis (Dutch): process map, paths, handovers, throughput, costliest 20%."""
    from .jeugdreis import LogError
    from .jeugdreis.report import write_comparison, write_report

    if len(runs) > 2:
        fail(f"jeugdreis: give one RUN_DIR, or two to compare (got {len(runs)})")
    try:
        report = write_report(runs[0], out) if len(runs) == 1 else write_comparison(runs[0], runs[1], out)
    except LogError as err:
        fail(str(err))
    main_file = next(p for p in report.files if p.suffix == ".html")
    out_console.print(f"report: {main_file} · {main_file.with_suffix('.md')} (process map drawn with "
                      f"{report.engine})", highlight=False, soft_wrap=True)


#: The arguments of this invocation (set by main), for the provenance of written files.
_ARGV: list[str] = []


def _command_line() -> str:
    import shlex

    return shlex.join(["zorgsim", *_ARGV])


def _interval(mean: float, low: float, high: float) -> str:
    if mean != mean:
        return "–"
    return f"{mean:.4g}" + ("" if low != low else f" [{low:.4g}, {high:.4g}]")


def _run_or_exit(work: Any) -> Any:
    """A batch of runs; a run that fails is one line naming it and exit status 1 (as in sweep)."""
    from .runner import SweepError

    try:
        return work()
    except SweepError as err:
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(parser=name_text, help="Scenario name from scenarios/ or a path to a TOML file")],
    params: Annotated[list[str] | None, typer.Option(
        "--params", help="Parameter to fit, KEY=LO:HI (repeatable; default: the targets file's list)")] = None,
    targets: Annotated[Path | None, typer.Option(parser=path_text, help="Targets file (default: data/targets.toml)")] = None,
    replications: Annotated[int, typer.Option(help="Runs per trial (the same seeds in every trial)")] = 4,
    years: Annotated[float | None, typer.Option(help="Simulated years per run, warm-up included")] = None,
    budget: Annotated[int, typer.Option(help="Most trials (parameter sets) to try")] = 40,
    explore: Annotated[int | None, typer.Option(
        help="Trials of a Latin hypercube before the local search (default: a third of the budget)")] = None,
    seed: Annotated[int | None, typer.Option(help="Master seed of the replications (default: the scenario's)")] = None,
    workers: Annotated[int | None, workers_option("Parallel runs (default: replications, at most the cores)")] = None,
    out: Annotated[Path | None, typer.Option(parser=path_text, help="Fitted scenario file (default: <scenario>-calibrated.toml)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines")] = False,
) -> None:
    """Fit the parameters no source gives to the targets; write the fitted scenario (docs/calibration.md)."""
    from .calibrate import Calibration

    if workers is None:
        workers = max(1, min(replications, os.cpu_count() or 1))
    cal = Calibration(scenario, params, targets=targets, replications=replications, years=years, budget=budget,
                      seed=seed, workers=workers, explore=explore)
    target = out if out is not None else Path(f"{cal.spec.name}-calibrated.toml")
    try:
        check_output_file(target)
    except OutputError as err:
        fail(f"--out {err}")
    if not quiet:
        err_console.print(f"{cal.spec.name}: fitting {len(cal.params)} parameters to {len(cal.targets)} targets · "
                          f"{replications} replications × {cal.spec.run.years:g} years per trial · at most {budget} "
                          f"trials · {workers} workers", markup=False, highlight=False, soft_wrap=True)

    def tick(n: int, trial: Any, best: Any) -> None:
        if not quiet:
            err_console.print(f"trial {n:3d}: objective {trial.objective:10.4g}   best {best.objective:10.4g}",
                              markup=False, highlight=False)

    fit = _run_or_exit(lambda: cal.fit(tick))
    table = Table(title=f"{cal.spec.name}: fitted parameters ({len(fit.trials)} trials; {fit.message})")
    for col in ("parameter", "range", "start", "fitted"):
        table.add_column(col, justify="left" if col == "parameter" else "right", overflow="fold")
    for p in cal.params:
        table.add_row(p.key, f"{p.low:g} … {p.high:g}", f"{fit.start.values[p.key]:.4g}",
                      f"{fit.best.values[p.key]:.4g}")
    out_console.print(table)
    table = Table(title=f"target vs simulated (mean [95% interval] over {replications} replications); "
                        f"objective {fit.start.objective:.4g} → {fit.best.objective:.4g}")
    for col in ("target", "KPI", "public figure [interval]", "start", "fitted", "within"):
        table.add_column(col, justify="left" if col in ("target", "KPI") else "right", overflow="fold")
    for row in fit.comparison():
        low, high = row.target.bounds
        table.add_row(row.target.key, row.target.kpi_label, f"{row.target.value:g} [{low:g}, {high:g}]",
                      _interval(*row.start), _interval(*row.fitted), "yes" if row.within else "no")
    out_console.print(table)
    try:
        fit.write(target, _command_line())
    except OutputError as err:
        fail(f"--out {err}")
    out_console.print(f"fitted scenario: {target} (run it: zorgsim run {target})", highlight=False, soft_wrap=True)


@app.command("validate-model")
def validate_model(
    out: Annotated[Path, typer.Option(parser=path_text, help="Report file")] = Path("docs/validation.md"),
    seeds: Annotated[int, typer.Option(help="Replications (seeds) per scenario and check")] = 6,
    years: Annotated[float, typer.Option(help="Simulated years per run, warm-up included (trend: see the targets file)")] = 10,
    targets: Annotated[Path | None, typer.Option(parser=path_text, help="Targets and checks (default: data/targets.toml)")] = None,
    national: Annotated[bool, typer.Option("--national", help="Also the optional scenarios (nederland, ~1 min per run)")] = False,
    workers: Annotated[int | None, workers_option("Parallel runs (default: all cores)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines")] = False,
) -> None:
    """Write the validation report: targets vs model, consistency, face validity, trend, gaps."""
    from .validation import ValidationPlan

    plan = ValidationPlan(targets=targets, seeds=seeds, years=years, national=national,
                          workers=workers if workers is not None else (os.cpu_count() or 1))
    try:
        check_output_file(out)
    except OutputError as err:
        fail(f"--out {err}")

    def say(text: str) -> None:
        if not quiet:
            err_console.print(text, markup=False, highlight=False, soft_wrap=True)

    report = _run_or_exit(lambda: plan.run(say, command=_command_line()))
    try:
        report.write(out)
    except OutputError as err:
        fail(f"--out {err}")
    out_console.print(f"{out}: {report.n_passed} of {report.n_checks} checks passed, "
                      f"{report.n_failed} failed, {report.n_unavailable} not available; validation (held-out "
                      f"targets and emergent checks): {report.n_evidence_passed} of {report.n_evidence} passed",
                      highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one handler of every command (see the module docstring)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in args
    args = [a for a in args if a != DEBUG_FLAG]
    command = typer.main.get_command(app)
    _ARGV[:] = args
    import signal
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_stopped) if main_thread else None
    try:
        _main(command, args, debug)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(command: Any, args: list[str], debug: bool) -> None:
    try:
        code = command.main(args=args, prog_name="zorgsim", standalone_mode=False)
    except USAGE_ERRORS as err:
        if type(err).__name__ == "NoArgsIsHelpError":
            err_console.print(err.format_message(), markup=False, highlight=False)
            sys.exit(2)
        ctx = getattr(err, "ctx", None)
        where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        say(f"error: {err.format_message()}{where}")
        sys.exit(2)
    except CLICK_ERRORS as err:
        say(f"error: {err.format_message()}")
        sys.exit(2)
    except (click.exceptions.Exit, typer.Exit) as err:
        sys.exit(err.exit_code)
    except Stopped as err:
        say(stop_status(err)[0])
        sys.exit(stop_status(err)[1])
    except (click.Abort, typer.Abort, KeyboardInterrupt):
        say("aborted")
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the one place where every error becomes one line
        if debug:
            traceback.print_exc()
        line = user_error(err)
        if line is not None:  # bad input, an OS error: the user can fix it
            say(f"error: {line}")
            sys.exit(2)
        if not debug:
            say(f"error: internal error ({type(err).__name__}: {err}); run again with {DEBUG_FLAG} to see where, "
                "and please report it")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
