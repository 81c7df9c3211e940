"""Standard process-mining files from a run's event log, written with the standard library and pandas.

* ``csv``: one row per event with the XES attribute names as column names
  (``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:resource``, ...), the
  layout pm4py, Disco and Celonis import directly.
* ``xes``: IEEE 1849-2016 XES (ProM, Disco, Celonis, pm4py); one trace per jongere.
* ``ocel``: OCEL 2.0 JSON (pm4py, OCPM tools); objects ``jongere``, ``gemeente``,
  ``aanbieder``, ``expertteam`` and ``regio``, each event related to the jongere, its
  gemeente, its regio and the aanbieder or expertteam that acts, and objects related to each other (a jongere
  *woont in* a gemeente, which *hoort bij* its regio; aanbieders and expertteams *werken in*
  the regio's where they act).

The log is read in buckets of whole cases (log.RunLog.buckets) and written bucket by bucket:
CSV rows and XES traces as they come, OCEL in two passes (first what the objects need, written
as the list of objects, then the events). The files are the same, byte for byte, whatever the
number of buckets.

The case is the jongere (``case_id``: the same person across returns and relapses). Event times
are the event's date (``run.start_date`` + 7 × week days) plus one second per earlier event of
the same jongere in that week, so that tools which sort by time keep the order of events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

from ..safeio import os_error_text, write_atomic
from .log import LogError, RunLog, check_writable_file, read_log, timestamps

FORMATS = {"csv": ".csv", "xes": ".xes", "ocel": ".jsonocel"}

#: Event-log column -> XES attribute name (the CSV's column names and the XES keys)
XES_NAMES = {"case_id": "case:concept:name", "activity": "concept:name", "time": "time:timestamp",
             "organisation": "org:resource", "organisation_type": "org:role", "region": "org:group",
             "gemeente": "gemeente", "care_type": "care_type", "cost_eur": "cost_so_far_eur",
             "trajectory_id": "trajectory", "week": "week", "event_id": "event_id"}
#: The object-centric log's object types
OBJECT_TYPES = ("jongere", "gemeente", "aanbieder", "expertteam", "regio")


def export_log(run_dir: str | Path, fmt: str, out: str | Path | None = None) -> Path:
    """Write the run's event log as ``fmt`` (csv, xes or ocel); returns the file written.

    The file is written under a temporary name beside ``out`` and renamed when complete."""
    if fmt not in FORMATS:
        raise LogError(f"--format {fmt!r}: unknown format; allowed: {', '.join(FORMATS)}")
    target = Path(out) if out is not None else Path(run_dir) / f"events{FORMATS[fmt]}"
    run = read_log(run_dir)
    check_writable_file(target)
    writer = {"csv": write_csv, "xes": write_xes, "ocel": write_ocel}[fmt]
    try:
        write_atomic(target, lambda tmp: writer(run, tmp))
    except OSError as err:
        raise LogError(f"--out {target}: cannot write ({os_error_text(err)})") from None
    return target


def _iso(times: pd.Series) -> pd.Series:
    return times.dt.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def xes_frame(ev: pd.DataFrame) -> pd.DataFrame:
    """The events with XES column names and ISO 8601 times, sorted by case and time."""
    frame = pd.DataFrame({XES_NAMES[c]: ev[c] for c in ("case_id", "activity")})
    frame[XES_NAMES["time"]] = _iso(timestamps(ev))
    for column in ("organisation", "organisation_type", "region", "gemeente", "care_type", "cost_eur",
                   "trajectory_id", "week", "event_id"):
        frame[XES_NAMES[column]] = ev[column]
    return frame


def write_csv(run: RunLog, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        for k, ev in enumerate(run.buckets()):
            xes_frame(ev).to_csv(f, index=False, header=k == 0)


# -- XES ----------------------------------------------------------------------------------------
_XES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Resource" keys="org:resource"/>
  <string key="concept:name" value={name}/>
  <string key="source" value="zorgnetwerk_sim event log (events.parquet)"/>
"""


def _quoted(values: pd.Series) -> list[str]:
    """XML-quoted attribute values, quoted once per distinct value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = [quoteattr(str(c)) for c in values.cat.categories]
        return [cats[k] for k in values.cat.codes.tolist()]
    return [quoteattr(str(v)) for v in values.tolist()]


def write_xes(run: RunLog, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(_XES_HEAD.format(name=quoteattr(f"jeugdreis {run.name}")))
        for ev in run.buckets():
            for text in _xes_traces(ev):
                f.write(text)
        f.write("</log>\n")


def _xes_traces(ev: pd.DataFrame) -> Iterator[str]:
    """The traces of the (whole) cases in ``ev``, in pieces of up to 20,000 events."""
    cases = ev["case_id"].tolist()
    acts, orgs, roles, groups, gems, care = (_quoted(ev[c]) for c in (
        "activity", "organisation", "organisation_type", "region", "gemeente", "care_type"))
    times = _iso(timestamps(ev)).tolist()
    costs = ev["cost_eur"].tolist()
    trajectories = ev["trajectory_id"].tolist()
    weeks = ev["week"].tolist()
    chunk: list[str] = []
    previous = None
    for i, case in enumerate(cases):
        if case != previous:
            if previous is not None:
                chunk.append("  </trace>\n")
            chunk.append(f'  <trace>\n    <string key="concept:name" value="{case}"/>\n')
            previous = case
        chunk.append(
            f'    <event><string key="concept:name" value={acts[i]}/>'
            f'<date key="time:timestamp" value="{times[i]}"/>'
            f'<string key="org:resource" value={orgs[i]}/><string key="org:role" value={roles[i]}/>'
            f'<string key="org:group" value={groups[i]}/><string key="gemeente" value={gems[i]}/>'
            f'<string key="care_type" value={care[i]}/>'
            f'<float key="cost_so_far_eur" value="{costs[i]!r}"/>'
            f'<int key="trajectory" value="{trajectories[i]}"/><int key="week" value="{weeks[i]}"/></event>\n')
        if len(chunk) >= 20_000:
            yield "".join(chunk)
            chunk = []
    if previous is not None:
        chunk.append("  </trace>\n")
    yield "".join(chunk)


# -- OCEL 2.0 -----------------------------------------------------------------------------------
def _object_id(kind: str, name: object) -> str:
    return f"{kind}:{name}"


def _object(kind: str, name: object, related: Iterable[tuple[str, object, str]] = ()) -> dict:
    return {"id": _object_id(kind, name), "type": kind, "attributes": [],
            "relationships": [{"objectId": _object_id(k, n), "qualifier": q} for k, n, q in related]}


@dataclass
class _OcelObjects:
    """What the objects of the object-centric log are made of, gathered bucket by bucket."""

    vocabulary: dict[str, None] = field(default_factory=dict)  # the activity categories, in their order
    used: set[str] = field(default_factory=set)                # the activities that happen
    regions: set[str] = field(default_factory=set)
    gemeente_region: dict[str, str] = field(default_factory=dict)  # (first seen)
    acting: set[tuple[str, str, str]] = field(default_factory=set)  # (type, aanbieder or expertteam, regio)
    jongeren: list[pd.DataFrame] = field(default_factory=list)      # case_id, gemeente of its first event

    def add(self, ev: pd.DataFrame) -> None:
        act = ev["activity"]
        names = [str(a) for a in act.cat.categories] if isinstance(act.dtype, pd.CategoricalDtype) else []
        self.used |= set(act.astype(str).unique())
        self.vocabulary |= dict.fromkeys(names)
        self.regions |= set(ev["region"].astype(str).unique())
        for gem, region in ev.drop_duplicates("gemeente")[["gemeente", "region"]].astype(str).itertuples(index=False):
            self.gemeente_region.setdefault(gem, region)
        acting = ev[ev["organisation_type"].isin(["aanbieder", "expertteam"])]
        self.acting |= set(acting[["organisation_type", "organisation", "region"]].astype(str).drop_duplicates()
                           .itertuples(index=False, name=None))
        self.jongeren.append(ev.drop_duplicates("case_id")[["case_id", "gemeente"]])

    @property
    def activities(self) -> list[str]:
        """The activities that happen, in the vocabulary's order (sorted without one)."""
        return [a for a in self.vocabulary if a in self.used] if self.vocabulary else sorted(self.used)

    def objects(self) -> Iterator[dict]:
        """The objects with their object-to-object relations, jongeren last, in case order."""
        for region in sorted(self.regions):
            yield _object("regio", region)
        for gem, region in sorted(self.gemeente_region.items()):
            yield _object("gemeente", gem, [("regio", region, "hoort bij")])
        works_in: dict[tuple[str, str], list[str]] = {}
        for kind, name, region in sorted(self.acting):
            works_in.setdefault((kind, name), []).append(region)
        for (kind, name), regions in works_in.items():
            yield _object(kind, name, [("regio", r, "werkt in") for r in regions])
        for first in self.jongeren:
            for case, gem in zip(first["case_id"].tolist(), first["gemeente"].astype(str).tolist()):
                yield _object("jongere", case, [("gemeente", gem, "woont in")])


def write_ocel(run: RunLog, path: Path) -> None:
    gathered = _OcelObjects()
    for ev in run.buckets(["activity", "gemeente", "region", "organisation_type", "organisation"]):
        gathered.add(ev)
    event_attributes = [{"name": "care_type", "type": "string"}, {"name": "cost_so_far_eur", "type": "float"},
                        {"name": "trajectory", "type": "integer"}, {"name": "week", "type": "integer"}]
    header = {
        "objectTypes": [{"name": t, "attributes": []} for t in OBJECT_TYPES],
        "eventTypes": [{"name": a, "attributes": event_attributes} for a in gathered.activities],
    }
    dumps = json.dumps
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(header, ensure_ascii=False)[:-1])
        f.write(', "objects": [')  # one list, written as json.dumps writes a list
        separator = ""
        for obj in gathered.objects():
            f.write(separator + dumps(obj, ensure_ascii=False))
            separator = ", "
        del gathered
        f.write('], "events": [\n')
        separator = ""
        for ev in run.buckets():
            for text in _ocel_events(ev):
                f.write(separator + text)
                separator = ",\n"
        f.write("\n]}\n")


def _ocel_events(ev: pd.DataFrame) -> Iterator[str]:
    """The events of ``ev`` as OCEL 2.0 JSON objects, in pieces of up to 20,000 joined by ',\\n'."""
    dumps = json.dumps
    ids = ev["event_id"].tolist()
    acts = ev["activity"].astype(str).tolist()
    times = _iso(timestamps(ev)).tolist()
    cases = ev["case_id"].tolist()
    gems = ev["gemeente"].astype(str).tolist()
    regions = ev["region"].astype(str).tolist()
    kinds = ev["organisation_type"].astype(str).tolist()
    orgs = ev["organisation"].astype(str).tolist()
    care = ev["care_type"].astype(str).tolist()
    costs = ev["cost_eur"].tolist()
    trajectories = ev["trajectory_id"].tolist()
    weeks = ev["week"].tolist()
    chunk: list[str] = []
    for i in range(len(ids)):
        related = [{"objectId": f"jongere:{cases[i]}", "qualifier": "jongere"},
                   {"objectId": f"gemeente:{gems[i]}", "qualifier": "gemeente"},
                   {"objectId": f"regio:{regions[i]}", "qualifier": "regio"}]
        if kinds[i] not in ("gemeente", "regio"):
            related.append({"objectId": f"{kinds[i]}:{orgs[i]}", "qualifier": "uitvoerder"})
        chunk.append(dumps({
            "id": f"e{ids[i]}", "type": acts[i], "time": times[i],
            "attributes": [{"name": "care_type", "value": care[i]}, {"name": "cost_so_far_eur", "value": costs[i]},
                           {"name": "trajectory", "value": trajectories[i]}, {"name": "week", "value": weeks[i]}],
            "relationships": related}, ensure_ascii=False))
        if len(chunk) >= 20_000 or i == len(ids) - 1:
            yield ",\n".join(chunk)
            chunk = []
