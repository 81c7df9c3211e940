"""The ``zorgsim`` command: a thin layer over the API (``zorgnetwerk_sim.api``)."""

from __future__ import annotations

import sys
import time
import tomllib
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

from .api import OutputError, Simulation, check_output_folder
from .scenario import ScenarioError, available_scenarios, load_scenario, parameter_table, scenarios_dir
from .scenario.loader import read_scenario_file

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="zorgnetwerk_sim: agent-based simulation of Dutch youth-care (jeugdzorg) networks.")
out_console = Console()
err_console = Console(stderr=True)

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
    ("kosten", "cost_per_year_eur", "cost / year (EUR)", "{:,.0f}"),
    ("kosten", "cost_per_youth_eur", "cost per youth (EUR)", "{:,.0f}"),
    ("kosten", "cost_vs_budget", "cost vs budget", "{:.0%}"),
    ("kosten", "cost_top20_share", "cost share of costliest 20%", "{:.0%}"),
    ("expertteam", "expertteam_success_share", "expertteam succesvol", "{:.0%}"),
    ("netwerk", "trust_mean", "mean trust", "{:.2f}"),
]


def fail(message: str) -> None:
    """One clear line on stderr and exit status 2."""
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
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
    scenario: Annotated[str, typer.Argument(help="Scenario name from scenarios/ or a path to a TOML file")] = "default",
    years: Annotated[float | None, typer.Option(help="Simulated years, warm-up included")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override: key.path=value (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: runs/<scenario>)")] = None,
    event_log: Annotated[bool, typer.Option("--event-log", help="Also write events.parquet for process mining")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table")] = False,
) -> None:
    """Run one scenario and write summary.json, timeseries.parquet and scenario.toml."""
    overrides: dict[str, Any] = {}
    for item in set_ or []:
        from .scenario.loader import parse_override

        key, value = parse_override(item)
        overrides[key] = value
    if event_log:
        overrides["run.event_log"] = True
    if years is not None and years <= 0:
        fail(f"--years: must be > 0 (got {years})")
    spec = load_scenario(scenario, overrides, seed=seed, years=years)
    target = out if out is not None else Path("runs") / spec.name
    try:
        check_output_folder(target)
    except OutputError as err:
        fail(f"--out {err}")
    sim = Simulation(spec)
    started = time.perf_counter()
    progress: Progress | None = None
    task = None

    def tick(week: int, weeks: int) -> None:
        nonlocal progress, task
        if quiet:
            return
        if progress is None and time.perf_counter() - started > 1.0:
            progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                TextColumn("week {task.completed:.0f}/{task.total:.0f}"), TimeRemainingColumn(),
                                console=err_console, transient=True)
            progress.start()
            task = progress.add_task(spec.name, total=weeks)
        if progress is not None and task is not None:
            progress.update(task, completed=week)

    try:
        result = sim.run(tick)
    finally:
        if progress is not None:
            progress.stop()
    elapsed = time.perf_counter() - started
    try:
        result.write(target)
    except OSError as err:
        fail(f"--out {target}: cannot write results: {err}")
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
            description = str(tomllib.loads(path.read_text(encoding="utf-8")).get("description", raw.get(
                "description", "")))
        except ScenarioError as err:
            description = f"(invalid: {err})"
        table.add_row(name, description)
    out_console.print(table)


@app.command()
def validate(file: Annotated[str, typer.Argument(help="Scenario TOML file (or shipped name)")]) -> None:
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
    experiment: Annotated[str, typer.Argument(help="Experiment name from experiments/ or a path to a TOML file")],
    workers: Annotated[int | None, typer.Option(help="Parallel runs (default: all cores; 1 = in this process)")] = None,
    out: Annotated[Path | None, typer.Option(help="Results folder (default: results/<experiment>)")] = None,
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
    plan = Sweep(exp, out if out is not None else Path("results") / exp.name, workers=workers, executor=executor,
                 scheduler=scheduler)
    if plan.code_changed:
        err_console.print(f"warning: {plan.code_changed}", markup=False, highlight=False, soft_wrap=True)
    where = scheduler or ("LocalCluster" if executor == "dask" else "this machine")
    err_console.print(f"{exp.name}: {len(exp.points)} design points × {exp.spec.replications} replications = "
                      f"{exp.n_runs} runs ({len(plan.done)} done, {plan.todo} to run) · "
                      f"{plan.workers if scheduler is None else 'cluster'} workers on {where} · "
                      f"results in {plan.store.out}/", markup=False, highlight=False, soft_wrap=True)
    bar = None if quiet else Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("runs"), TimeElapsedColumn(), TextColumn("ETA"),
                                      TimeRemainingColumn(), console=err_console, transient=False)
    task = None

    def tick(done: int, total: int, output: object) -> None:
        nonlocal task
        if bar is None:
            return
        if task is None:
            task = bar.add_task(exp.name, total=total, completed=done)
        else:
            bar.update(task, completed=done)

    try:
        if bar is not None:
            bar.start()
        result = plan.run(tick)
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        done = len(plan.store.done_ids())
        err_console.print(f"interrupted: {done} of {exp.n_runs} runs are stored in {plan.store.out}/; "
                          "run the same command again to finish the rest", markup=False, highlight=False,
                          soft_wrap=True)
        raise typer.Exit(130) from None
    except SweepError as err:
        if bar is not None:
            bar.stop()
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
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
    results: Annotated[Path, typer.Argument(help="Results folder of 'zorgsim sweep'")],
    baseline: Annotated[str | None, typer.Option(help="Design point to compare against (default: the experiment's)")] = None,
    out: Annotated[Path | None, typer.Option(help="Report folder (default: RESULTS/report)")] = None,
) -> None:
    """Mean and 95% CI per design point and KPI, paired difference from the baseline, report and charts."""
    from .runner import write_report
    from .runner.compare import _num, _p

    if not results.is_dir():
        fail(f"{results}: not a folder; give the --out folder of 'zorgsim sweep'")
    report = write_report(results, out, baseline)
    table = Table(title=f"difference from baseline {report.baseline!r} (paired t-test; * p < 0.05)")
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
    out_console.print(f"report: {report.folder / 'report.html'} · {report.folder / 'report.md'}", highlight=False)


@app.command()
def sensitivity(
    results: Annotated[Path, typer.Argument(help="Results folder of 'zorgsim sweep' of a morris or sobol experiment")],
    out: Annotated[Path | None, typer.Option(help="Report folder (default: RESULTS/sensitivity)")] = None,
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
        err_console.print(f"note: {name}: {why}", markup=False, highlight=False, soft_wrap=True)
    folder = s.files[0].parent if s.files else out
    out_console.print(f"report: {folder / 'report.html'} · {folder / 'report.md'}", highlight=False)


@app.command()
def discover(
    results: Annotated[Path, typer.Argument(help="Results folder of 'zorgsim sweep' (best: a latin_hypercube or sobol design)")],
    kpi: Annotated[str, typer.Option(help="The KPI that defines the outcome of interest")],
    above: Annotated[float | None, typer.Option(help="Cases of interest: KPI above this value")] = None,
    below: Annotated[float | None, typer.Option(help="Cases of interest: KPI below this value")] = None,
    density: Annotated[float, typer.Option(help="Choose the box with the highest coverage at this density or more")] = 0.8,
    boxes: Annotated[int, typer.Option(help="At most this many boxes")] = 3,
    out: Annotated[Path | None, typer.Option(help="Report folder (default: RESULTS/discover-KPI)")] = None,
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
    target: Annotated[str, typer.Argument(help="Results folder of a sweep, or an experiment (name or file) to sweep first")],
    norm: Annotated[list[str] | None, typer.Option("--norm", help="KPI<=VALUE or KPI>=VALUE a policy should meet "
                                                   "(repeatable; default: wait_over_norm_share<=0.1, cost_vs_budget<=1)")] = None,
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="KPI for the regret (repeatable; default: headline KPIs)")] = None,
    out: Annotated[Path | None, typer.Option(help="Report folder (default: RESULTS/robust)")] = None,
    results: Annotated[Path | None, typer.Option(help="With an experiment: its results folder (default: results/<experiment>)")] = None,
    workers: Annotated[int | None, typer.Option(help="With an experiment: parallel runs")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="With an experiment: no progress bar")] = False,
) -> None:
    """Robustness of policies over sampled futures: regret against the best policy per future, and satisficing."""
    from .runner.robust import write_robust_report
    from .runner.sweep import MANIFEST

    folder = Path(target)
    if not (folder.is_dir() and (folder / MANIFEST).is_file()):
        from .runner import Experiment

        name = Experiment.load(target).name
        folder = results if results is not None else Path("results") / name
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: usage errors and bad input become one line and exit status 2."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="zorgsim", standalone_mode=False)
    except ScenarioError as err:
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except USAGE_ERRORS as err:
        if type(err).__name__ == "NoArgsIsHelpError":
            err_console.print(err.format_message(), markup=False, highlight=False)
            sys.exit(2)
        ctx = getattr(err, "ctx", None)
        where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        err_console.print(f"error: {err.format_message()}{where}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except CLICK_ERRORS as err:
        err_console.print(f"error: {err.format_message()}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except (click.exceptions.Exit, typer.Exit) as err:
        sys.exit(err.exit_code)
    except (click.Abort, typer.Abort, KeyboardInterrupt):
        err_console.print("aborted", markup=False)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
