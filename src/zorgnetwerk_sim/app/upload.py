"""Uploaded scenario files: size-limited TOML, parsed as data only, checked by the scenario schema.

An upload is read by the same code as a file given to the CLI (:func:`safeio.parse_toml_bytes`:
a byte-order mark accepted, the nesting and text-length caps) and validated by the same schema,
so the app and ``zorgsim validate`` judge a file alike. ``base = "..."`` may name a shipped
scenario only (never a path), so an upload cannot make the app read a file. The work an upload
asks for (gemeenten, inhabitants, years, ...) is checked before anything is built, against
limits that the shipped scenarios (``nederland`` the largest) meet. Every problem becomes one
Dutch sentence naming the key and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..safeio import MAX_NESTING, MAX_TEXT_LENGTH, InputError, parse_toml_bytes
from ..scenario import Scenario, ScenarioError, available_scenarios
from ..scenario.loader import _allowed_keys, _apply_preset, _loc, _merge_under, read_scenario_file
from .format import nl_number

MAX_UPLOAD_BYTES = 256 * 1024

#: The work an upload may ask for (the largest shipped scenario, nederland: 42 regions, 342
#: gemeenten, 18.0 million inhabitants, 214 aanbieders, 10 years). Larger scenarios run with
#: ``zorgsim run`` on the command line.
MAX_UPLOAD_REGIONS = 50
MAX_UPLOAD_GEMEENTEN = 400
MAX_UPLOAD_INHABITANTS = 20_000_000
MAX_UPLOAD_AANBIEDERS = 500
MAX_UPLOAD_YEARS = 20


class UploadError(ValueError):
    """An uploaded file that cannot be used; the message is one Dutch line for the page."""


def _dutch_detail(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    got_text = f" (nu: {got!r})" if got is not None and not isinstance(got, (dict, list)) else ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(tuple(error["loc"]))
        return f"onbekende sleutel; toegestaan op deze plek: {allowed}"
    if kind == "missing":
        return "ontbreekt, maar is verplicht"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("' or '", "' of '")
        return f"deze waarde is niet toegestaan; toegestaan: {expected}{got_text}"
    bounds = {"greater_than_equal": ("moet minstens", "ge", "zijn"), "greater_than": ("moet groter dan", "gt", "zijn"),
              "less_than_equal": ("mag hoogstens", "le", "zijn"), "less_than": ("moet kleiner dan", "lt", "zijn")}
    if kind in bounds:
        words, bound, verb = bounds[kind]
        return f"{words} {ctx.get(bound)} {verb}{got_text}"
    if kind.startswith(("float", "int")):
        return f"moet een getal zijn{got_text}"
    if kind.startswith("bool"):
        return f"moet true of false zijn{got_text}"
    if kind.startswith("string"):
        return f"moet tekst zijn (minstens 1 teken){got_text}"
    if kind.startswith(("list", "too_short", "too_long")):
        return f"verkeerde lijst: {error['msg']}"
    if kind.startswith(("model_type", "dict")):
        return "moet een tabel zijn"
    return "ongeldige waarde: " + error["msg"].replace("\n", " ").removeprefix("Value error, ")


def _read_error(err: InputError, where: str, data: bytes) -> UploadError:
    """The Dutch sentence for a file that the shared reader (:mod:`..safeio`) refused."""
    reason, key = err.reason, err.key
    if reason == "size":
        return UploadError(f"{where} het is {len(data) // 1024} kB; toegestaan is hoogstens "
                           f"{MAX_UPLOAD_BYTES // 1024} kB.")
    if reason == "encoding":
        return UploadError(f"{where} het is geen tekstbestand (UTF-8).")
    if reason == "nesting":
        at = f"bij '{key}': " if key else ""
        return UploadError(f"{where} {at}tabellen en lijsten zijn te diep genest; toegestaan zijn hoogstens "
                           f"{MAX_NESTING} niveaus.")
    if reason == "key_length":
        return UploadError(f"{where} een sleutel is langer dan {nl_number(MAX_TEXT_LENGTH, 0)} tekens; toegestaan zijn "
                           f"hoogstens {nl_number(MAX_TEXT_LENGTH, 0)} tekens.")
    if reason == "text_length":
        return UploadError(f"{where} bij '{key}': de tekst is langer dan {nl_number(MAX_TEXT_LENGTH, 0)} tekens; toegestaan "
                           f"zijn hoogstens {nl_number(MAX_TEXT_LENGTH, 0)} tekens.")
    # The TOML reader's message is English ("Expected '=' after a key ... (at line 3, column 5)"):
    # the page names where the file goes wrong, in Dutch.
    at = re.search(r"line (\d+), column (\d+)", str(err))
    place = f" (de fout zit in regel {at.group(1)}, kolom {at.group(2)})" if at else ""
    return UploadError(f"{where} het is geen geldige TOML{place}; controleer daar de aanhalingstekens, "
                       "het =-teken en de [tabelnamen].")


def _regions(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    network = raw.get("network")
    regions = network.get("regions") if isinstance(network, Mapping) else None
    return [r for r in regions if isinstance(r, Mapping)] if isinstance(regions, list) else []


def _check_counts(raw: Mapping[str, Any], where: str) -> None:
    """Refuse too many regions or gemeenten before the schema validates them (cheap, on the raw data)."""
    regions = _regions(raw)
    if len(regions) > MAX_UPLOAD_REGIONS:
        raise UploadError(f"{where} bij 'network.regions': {nl_number(len(regions), 0)} regio's; in de app zijn hoogstens "
                          f"{MAX_UPLOAD_REGIONS} regio's toegestaan (een groter scenario draait met zorgsim run).")
    gemeenten = sum(len(r["gemeenten"]) for r in regions if isinstance(r.get("gemeenten"), list))
    if gemeenten > MAX_UPLOAD_GEMEENTEN:
        raise UploadError(f"{where} bij 'network.regions[].gemeenten': {nl_number(gemeenten, 0)} gemeenten; in de app zijn "
                          f"hoogstens {MAX_UPLOAD_GEMEENTEN} gemeenten toegestaan (een groter scenario draait met "
                          "zorgsim run).")


def check_work(scenario: Scenario, where: str) -> None:
    """Refuse an upload that asks for more work than the largest shipped scenario (roughly)."""
    regions = scenario.network.regions
    inhabitants = sum(g.inhabitants for r in regions for g in r.gemeenten)
    if inhabitants > MAX_UPLOAD_INHABITANTS:
        raise UploadError(f"{where} bij 'network.regions[].gemeenten[].inhabitants': samen {nl_number(inhabitants, 0)} "
                          f"inwoners; in de app zijn hoogstens {nl_number(MAX_UPLOAD_INHABITANTS, 0)} inwoners toegestaan "
                          "(een groter scenario draait met zorgsim run).")
    aanbieders = sum(len(r.aanbieders) or r.n_generated_aanbieders for r in regions)
    if aanbieders > MAX_UPLOAD_AANBIEDERS:
        raise UploadError(f"{where} bij 'network.regions[].aanbieders': samen {nl_number(aanbieders, 0)} aanbieders; in de "
                          f"app zijn hoogstens {MAX_UPLOAD_AANBIEDERS} aanbieders toegestaan (een groter scenario "
                          "draait met zorgsim run).")
    if scenario.run.years > MAX_UPLOAD_YEARS:
        raise UploadError(f"{where} bij 'run.years': {scenario.run.years:g} jaar; in de app zijn hoogstens "
                          f"{MAX_UPLOAD_YEARS} jaar toegestaan (een langere run draait met zorgsim run).")


def parse_upload(data: bytes, filename: str = "upload.toml") -> Scenario:
    """The scenario in an uploaded file, or :class:`UploadError` with a Dutch message.

    Reads and checks only: nothing is simulated or built here (the page builds the run in a
    background task).
    """
    where = f"Het bestand {filename!r} is niet gebruikt:"
    if not filename.lower().endswith(".toml"):
        raise UploadError(f"{where} alleen scenariobestanden met de extensie .toml zijn toegestaan.")
    try:
        raw = parse_toml_bytes(bytes(data), filename, ScenarioError, max_bytes=MAX_UPLOAD_BYTES)
    except InputError as err:
        raise _read_error(err, where, data) from None
    base = raw.pop("base", None)
    if base is not None:
        shipped = available_scenarios()
        if not isinstance(base, str) or base not in shipped:
            raise UploadError(f"{where} bij 'base': {base!r} is geen meegeleverd scenario; toegestaan: "
                              f"{', '.join(shipped)} (een pad naar een bestand mag niet).")
        parent = read_scenario_file(shipped[base])
        for key in ("name", "description"):
            parent.pop(key, None)
        raw = _merge_under(parent, raw)
    _check_counts(raw, where)
    raw.setdefault("name", filename.rsplit("/", 1)[-1].removesuffix(".toml"))
    try:
        raw = _apply_preset(raw, filename)
    except ScenarioError as err:
        detail = str(err).removeprefix(f"{filename}: ")
        key, _, rest = detail.partition(": ")
        raise UploadError(f"{where} bij '{key}': {rest.replace('is not allowed; allowed', 'is niet toegestaan; toegestaan')}") from None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        extra = f" (en nog {more} {'fout' if more == 1 else 'fouten'})" if more else ""
        raise UploadError(f"{where} bij '{_loc(first['loc'])}': {_dutch_detail(first)}{extra}.") from None
    check_work(scenario, where)
    return scenario
