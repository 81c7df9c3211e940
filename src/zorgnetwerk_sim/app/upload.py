"""Uploaded scenario files: size-limited TOML, parsed as data only, checked by the scenario schema.

``base = "..."`` may name a shipped scenario only (never a path), so an upload cannot make the
app read a file. Every problem becomes one Dutch sentence naming the key and what is allowed.
"""

from __future__ import annotations

import tomllib
from typing import Any

from pydantic import ValidationError

from ..scenario import Scenario, ScenarioError, available_scenarios
from ..scenario.loader import _allowed_keys, _apply_preset, _loc, _merge_under, read_scenario_file

MAX_UPLOAD_BYTES = 256 * 1024


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
        return f"deze waarde is niet toegestaan; toegestaan: {ctx.get('expected', '')}{got_text}"
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


def parse_upload(data: bytes, filename: str = "upload.toml") -> Scenario:
    """The scenario in an uploaded file, or :class:`UploadError` with a Dutch message."""
    where = f"Het bestand {filename!r} is niet gebruikt:"
    if not filename.lower().endswith(".toml"):
        raise UploadError(f"{where} alleen scenariobestanden met de extensie .toml zijn toegestaan.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{where} het is {len(data) // 1024} kB; toegestaan is hoogstens "
                          f"{MAX_UPLOAD_BYTES // 1024} kB.")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UploadError(f"{where} het is geen tekstbestand (UTF-8).") from None
    except tomllib.TOMLDecodeError as err:
        raise UploadError(f"{where} het is geen geldige TOML ({err}).") from None
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
    raw.setdefault("name", filename.rsplit("/", 1)[-1].removesuffix(".toml"))
    try:
        raw = _apply_preset(raw, filename)
    except ScenarioError as err:
        detail = str(err).removeprefix(f"{filename}: ")
        key, _, rest = detail.partition(": ")
        raise UploadError(f"{where} bij '{key}': {rest.replace('is not allowed; allowed', 'is niet toegestaan; toegestaan')}") from None
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        extra = f" (en nog {more} {'fout' if more == 1 else 'fouten'})" if more else ""
        raise UploadError(f"{where} bij '{_loc(first['loc'])}': {_dutch_detail(first)}{extra}.") from None
