"""Generate docs/parameters.md from the scenario schema.

Every parameter of zorgnetwerk_sim has one home: the pydantic schema in
``zorgnetwerk_sim/scenario/schema.py``, where each field carries its unit, range, default and the
source of the default. This script renders ``zorgnetwerk_sim.scenario.parameter_table()`` (plus the
per-region network specs and the collaboration-form presets) as Markdown, grouped by section of
the XLRM split (run, levers, uncertainties, mechanisms, assumptions, network).

    uv run python docs/tools/make_parameters.py           # (re)write docs/parameters.md
    uv run python docs/tools/make_parameters.py --check   # exit 1 if docs/parameters.md is stale
    uv run python docs/tools/make_parameters.py --stdout  # print instead of writing

The output has no timestamps, so running it twice gives the same file.
"""

from __future__ import annotations

import argparse
import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zorgnetwerk_sim.scenario import Scenario, parameter_table
from zorgnetwerk_sim.scenario.presets import DESCRIPTIONS, PRESETS
from zorgnetwerk_sim.scenario.schema import AanbiederSpec, ExpertteamSpec, GemeenteSpec, RegionSpec

OUT = Path(__file__).resolve().parents[1] / "parameters.md"

#: The full references behind the schema's source keys ("[RUG 2021]"), with their anchors.
SOURCES = OUT.parent / "sources.md"
SOURCE_ENTRY = re.compile(r'<a id="([^"]+)"></a>\*\*\[([^\]]+)\]\*\*')
#: A key in a schema source, with the optional English gloss in brackets after it.
SOURCE_KEY = re.compile(r"\[([^\[\]]+)\](?: \([^()]*\))?")


def source_anchors() -> dict[str, str]:
    """Key → anchor of each entry of docs/sources.md."""
    return {key: anchor for anchor, key in SOURCE_ENTRY.findall(SOURCES.read_text(encoding="utf-8"))}


#: (key prefix, heading, one-line introduction). The first matching prefix wins; order matters.
SECTIONS: list[tuple[tuple[str, ...], str, str]] = [
    (("seed", "run."), "Run settings",
     "Horizon, warm-up (excluded from every KPI) and the master seed."),
    (("levers.coordination.",), "Levers (L): coordination and institutional design",
     "What a region can choose about how it organises itself. A `collaboration_form` preset fills in "
     "several of these at once (see [Collaboration-form presets](#collaboration-form-presets))."),
    (("levers.trust.",), "Levers (L): trust building",
     "Investment in informal contact between organisations ([Verbeta 2024] recommendations)."),
    (("levers.prevention.",), "Levers (L): prevention",
     "Share of the care budget spent on prevention."),
    (("uncertainties.",), "Uncertainties (X)",
     "What a region cannot choose: demand, staff, tariffs, case mix."),
    (("mechanisms.",), "Mechanism switches",
     "One switch per mechanism ([model.md §7.0](model.md#70-the-mechanisms-at-a-glance)), so a mechanism "
     "can be turned off in a scenario (e.g. `--set mechanisms.trust_dynamics=false`). See "
     "[model.md §7](model.md#7-submodels)."),
    (("assumptions.care.",), "Assumptions: care types",
     "Weekly tariff, mean duration and regional capacity per care type. All are stylised and "
     "calibrated (see [model.md §9](model.md#9-calibration-and-what-the-model-reproduces)); "
     "capacity is nominal, before admin and meeting overhead."),
    (("assumptions.",), "Assumptions: constants of the care pathway",
     "Calibrated or assumed constants of the mechanisms, in schema order (grouped by mechanism)."),
    (("network.",), "Network (per region, gemeente, aanbieder, expertteam)",
     "Set per entry in a scenario's `[[network.regions]]` / `[[network.expertteams]]` tables; `[]` "
     "stands for \"each entry of the list\". These cannot be set with `--set`."),
]


# ------------------------------------------------------------------------------------------------
# Collecting rows
# ------------------------------------------------------------------------------------------------
def _choices(root: type[BaseModel], key: str) -> list[str] | None:
    """Allowed values of a Literal-typed field, found by walking the schema along ``key``."""
    model: Any = root
    parts = key.replace("[]", "").split(".")
    field = None
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return None
        field = fields[part]
        if i < len(parts) - 1:
            ann = field.annotation
            candidates = [ann, *typing.get_args(ann)]
            model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
            if model is None:
                return None
    if field is None:
        return None
    out: list[str] = []
    for arg in [field.annotation, *typing.get_args(field.annotation)]:
        if typing.get_origin(arg) is typing.Literal:
            out += [str(v) for v in typing.get_args(arg)]
    return out or None


def collect_rows() -> list[dict[str, Any]]:
    rows = [dict(r, choices=_choices(Scenario, r["key"])) for r in parameter_table()]
    # The network has no default (every scenario lists its own), so parameter_table() of the
    # Scenario skips it; its per-entry parameters are documented from their own specs.
    for spec, prefix in ((RegionSpec, "network.regions[]."),
                         (GemeenteSpec, "network.regions[].gemeenten[]."),
                         (AanbiederSpec, "network.regions[].aanbieders[]."),
                         (ExpertteamSpec, "network.expertteams[].")):
        rows += [dict(r, choices=_choices(spec, r["key"].removeprefix(prefix)))
                 for r in parameter_table(spec, prefix)]
    return rows


def section_of(key: str) -> int:
    for i, (prefixes, _, _) in enumerate(SECTIONS):
        if any(key == p or key.startswith(p) for p in prefixes):
            return i
    return len(SECTIONS)  # "Other": a new top-level section nobody has placed yet


# ------------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------------
def fmt_value(v: Any) -> str:
    if v is None:
        return "(unset)"
    if v is Ellipsis or type(v).__name__ == "PydanticUndefinedType":
        return "(required)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    return str(v)


def fmt_bound(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and v >= 2**62:
        return "2⁶³−1"
    return fmt_value(v)


def fmt_range(row: dict[str, Any]) -> str:
    if row.get("choices"):
        return " \\| ".join(f"`{c}`" for c in row["choices"])
    lo, hi = row.get("min"), row.get("max")
    if lo is not None and hi is not None:
        return f"{fmt_bound(lo)} – {fmt_bound(hi)}"
    if lo is not None:
        return f"≥ {fmt_bound(lo)}"
    if hi is not None:
        return f"≤ {fmt_bound(hi)}"
    if row.get("unit") in ("bool", "switch"):
        return "true \\| false"
    return "—"


def fmt_source(source: str | None) -> str:
    if not source:
        return "—"
    anchors = source_anchors()

    def link(m: re.Match[str]) -> str:  # a known key links to its entry; an unknown one stays as written
        key = m.group(1)
        return f"[{key}](sources.md#{anchors[key]})" if key in anchors else m.group(0)

    text = SOURCE_KEY.sub(link, source)
    text = text.replace("stylised assumption, documented in docs/model.md", "assumption ([model.md](model.md))")
    return text


def cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# ------------------------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------------------------
def render_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| Key | Default | Unit | Range | Source | Description |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| " + " | ".join([
            f"`{r['key']}`",
            f"`{cell(fmt_value(r['default']))}`",
            cell(r.get("unit") or "—"),
            fmt_range(r),
            cell(fmt_source(r.get("source"))),
            cell(r.get("description") or "—"),
        ]) + " |")
    return lines


def render_care_matrix(rows: list[dict[str, Any]]) -> list[str]:
    """assumptions.care.<type>.<field> as one row per care type, plus the full table below it."""
    types: dict[str, dict[str, Any]] = {}
    fields: list[str] = []
    units: dict[str, str] = {}
    for r in rows:
        _, _, care, field = r["key"].split(".", 3)
        types.setdefault(care, {})[field] = r["default"]
        if field not in fields:
            fields.append(field)
            units[field] = r.get("unit") or ""
    lines = ["| Care type | " + " | ".join(f"`{f}` ({units[f]})" for f in fields) + " |",
             "|---|" + "---:|" * len(fields)]
    for care, values in types.items():
        lines.append(f"| `{care}` | " + " | ".join(fmt_value(values.get(f)) for f in fields) + " |")
    sources = sorted({fmt_source(r.get("source")) for r in rows})
    ranges = {f: fmt_range(next(r for r in rows if r["key"].endswith("." + f))) for f in fields}
    lines += ["", "Ranges: " + "; ".join(f"`{f}` {ranges[f]}" for f in fields) + ". Source of all: "
              + ", ".join(sources) + ". Set one with e.g. "
              "`--set assumptions.care.pleegzorg.capacity_per_1000_youth=4.5`."]
    return lines


def render_presets() -> list[str]:
    levers: list[str] = []
    for preset in PRESETS.values():
        for group, values in preset.items():
            for name in values:
                key = f"levers.{group}.{name}"
                if key not in levers:
                    levers.append(key)
    defaults = {r["key"]: r["default"] for r in parameter_table()}
    forms = list(PRESETS)
    lines = [
        "## Collaboration-form presets",
        "",
        "Set `levers.coordination.collaboration_form` to one of the four collaboration forms of "
        "[OchtendMensen n.d.] (after TwynstraGudde) to fill in the levers below; any value the scenario sets "
        "explicitly wins over the preset. The mapping from the qualitative descriptions to numbers "
        "is an assumption, explained in [model.md §8](model.md#8-collaboration-form-presets). "
        "A blank cell means the preset leaves the lever at its value in the scenario (normally the default).",
        "",
        "| Lever | default | " + " | ".join(f"`{f}`" for f in forms) + " |",
        "|---|---|" + "---|" * len(forms),
    ]
    for key in levers:
        group, name = key.split(".")[1:]
        vals = [PRESETS[f].get(group, {}).get(name) for f in forms]
        lines.append(f"| `{key}` | {fmt_value(defaults.get(key))} | "
                     + " | ".join("" if v is None else f"**{fmt_value(v)}**" for v in vals) + " |")
    lines += ["", "| Form | In one line (presets.py) |", "|---|---|"]
    lines += [f"| `{f}` | {cell(DESCRIPTIONS.get(f, ''))} |" for f in forms]
    return lines


def render() -> str:
    rows = collect_rows()
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(section_of(r["key"]), []).append(r)
    n_scenario = sum(1 for r in rows if not r["key"].startswith("network."))
    out = [
        "# Parameters",
        "",
        "<!-- Generated by docs/tools/make_parameters.py from zorgnetwerk_sim.scenario.parameter_table();",
        "     do not edit by hand: change the schema and run `uv run python docs/tools/make_parameters.py`. -->",
        "",
        "Every parameter of the model, with its default, unit, allowed range and the source of the "
        "default, generated from the scenario schema (`src/zorgnetwerk_sim/scenario/schema.py`). "
        "What each parameter does in the model is described in [model.md](model.md); Dutch terms "
        "are explained in the [glossary](glossary.md). The same list is printed by `zorgsim params`.",
        "",
        f"{len(rows)} parameters: {n_scenario} scenario-wide ones (settable in a scenario file or with "
        "`zorgsim run … --set key=value`) and the per-entry network parameters at the end.",
        "",
        "**Sources.** A key in brackets, e.g. [RUG 2021](sources.md#rug-2021), links to the source's full "
        "reference in [sources.md](sources.md), which also says what the model takes from it; "
        "\"assumption\" marks a stylised assumption or a calibration choice explained in "
        "[model.md](model.md#9-calibration-and-what-the-model-reproduces); other sources are named in full.",
    ]
    out += ["", "Contents:", ""]
    present = sorted(groups)
    for k in present:
        title = SECTIONS[k][1] if k < len(SECTIONS) else "Other"
        out.append(f"- [{title}](#{_anchor(title)})")
    out.append("- [Collaboration-form presets](#collaboration-form-presets)")
    for k in present:
        title, intro = (SECTIONS[k][1], SECTIONS[k][2]) if k < len(SECTIONS) else ("Other", "")
        out += ["", f"## {title}", ""]
        if intro:
            out += [intro, ""]
        if k < len(SECTIONS) and SECTIONS[k][0] == ("assumptions.care.",):
            out += render_care_matrix(groups[k])
        else:
            out += render_table(groups[k])
    out += [""] + render_presets()
    return "\n".join(out) + "\n"


def _anchor(title: str) -> str:
    """GitHub-style heading anchor."""
    text = title.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/parameters.md is out of date")
    parser.add_argument("--stdout", action="store_true", help="print the Markdown instead of writing it")
    args = parser.parse_args(argv)
    text = render()
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date; run: uv run python docs/tools/make_parameters.py", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
