"""Loading scenarios: TOML files, overrides, presets, and one-line errors for bad input."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from ..safeio import MAX_NESTING, InputError, check_shape, read_toml_file
from ..shipped import ShippedFolder
from .presets import PRESETS
from .schema import Scenario


class ScenarioError(InputError):
    """Bad scenario input. The message is one line naming the file, the key and what is allowed."""


SCENARIOS = ShippedFolder("scenarios", "ZORGSIM_SCENARIOS", "scenario", ScenarioError)


def scenarios_dir() -> Path:
    """Where shipped scenarios live: $ZORGSIM_SCENARIOS, the repository's scenarios/, or ./scenarios."""
    return SCENARIOS.folder()


def available_scenarios() -> dict[str, Path]:
    return SCENARIOS.available()


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario name from scenarios/ or a path to a TOML file."""
    return SCENARIOS.resolve(name_or_path)


def parse_override(text: str) -> tuple[str, Any]:
    """'levers.coordination.queue=central' → ('levers.coordination.queue', 'central')."""
    if "=" not in text:
        raise ScenarioError(f"--set {text}: expected key.path=value")
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ScenarioError(f"--set {text}: empty key")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word is a string
    except RecursionError:
        raise ScenarioError(f"--set {key[:60]}: the value is nested more than {MAX_NESTING} levels deep") from None
    check_shape({key: value}, "--set", ScenarioError)
    return key, value


def _set_path(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    parts = key.split(".")
    for i, part in enumerate(parts[:-1]):
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise ScenarioError(f"--set {key}: {'.'.join(parts[:i + 1])} is a value, not a table")
        node = nxt
    node[parts[-1]] = value


def _merge_under(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge where ``top`` wins."""
    out = copy.deepcopy(dict(base))
    for k, v in top.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _merge_under(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _apply_preset(raw: dict[str, Any], source: str) -> dict[str, Any]:
    levers = raw.get("levers")
    coordination = levers.get("coordination") if isinstance(levers, Mapping) else None
    form = coordination.get("collaboration_form") if isinstance(coordination, Mapping) else None
    if form is None:
        return raw  # a malformed levers table is reported by the schema
    if not isinstance(form, str) or form not in PRESETS:
        raise ScenarioError(f"{source}: levers.coordination.collaboration_form: {form!r} is not allowed; "
                            f"allowed: {', '.join(PRESETS)}")
    return _merge_under({"levers": PRESETS[form]}, raw)


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-after", "function-before")) and part not in (
                "list[...]", "literal_error"):
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _allowed_keys(loc: tuple[Any, ...]) -> str:
    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return ""
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args] + [a for arg in args for a in getattr(arg, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return ""
    return ", ".join(model.model_fields) if isinstance(model, type) else ""


def format_validation_error(err: ValidationError, source: str) -> str:
    first = err.errors()[0]
    key = _loc(first["loc"])
    if first["type"] == "extra_forbidden":
        allowed = _allowed_keys(tuple(first["loc"]))
        return f"{source}: {key}: unknown key; allowed here: {allowed}"
    msg = first["msg"].replace("\n", " ").removeprefix("Value error, ")
    got = first.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, (dict, list)) else ""
    more = f" [+{len(err.errors()) - 1} more]" if len(err.errors()) > 1 else ""
    return f"{source}: {key}: {msg}{got_text}{more}"


def _plain(data: Any) -> Any:
    """numpy scalars (from a design or a widget) as the Python numbers they hold: the schema's types
    are strict for text input, not for numbers that code computed."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if type(data).__module__ == "numpy" and hasattr(data, "item"):
        return data.item()
    return data


def scenario_from_dict(raw: Mapping[str, Any], source: str = "<scenario>",
                       overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    data = copy.deepcopy(dict(raw))
    items = overrides.items() if isinstance(overrides, Mapping) else (parse_override(o) for o in overrides)
    for key, value in items:
        _set_path(data, key, value)
    data = _apply_preset(_plain(data), source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, source)) from None


def read_base_file(referrer: str | Path, base_path: Path, _seen: tuple[Path, ...] = (),
                   error: type[ScenarioError] = ScenarioError) -> dict[str, Any]:
    """The scenario that ``referrer``'s ``base`` key names; a problem in it is one line naming the
    referring file, the ``base`` key and then the base file's own problem."""
    try:
        return read_scenario_file(base_path, _seen)
    except ScenarioError as err:
        raise error(f"{referrer}: base: {err}") from None


def read_scenario_file(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Raw scenario data; a file with ``base = "name"`` is laid over that scenario (variants stay small)."""
    raw = read_toml_file(path, ScenarioError)
    base = raw.pop("base", None)
    if base is None:
        return raw
    if not isinstance(base, str):
        raise ScenarioError(f"{path}: base: expected a scenario name or path (got {base!r})")
    if (path.parent / base).is_file():
        base_path = path.parent / base
    else:
        try:
            base_path = resolve_path(base)
        except ScenarioError as err:
            raise ScenarioError(f"{path}: base: {err}") from None
    if base_path.resolve() in _seen or base_path.resolve() == path.resolve():
        raise ScenarioError(f"{path}: base: {base!r} refers back to itself")
    parent = read_base_file(path, base_path, (*_seen, path.resolve()))
    for key in ("name", "description"):
        parent.pop(key, None)
    return _merge_under(parent, raw)


def load_scenario(name_or_path: str | Path = "default",
                  overrides: Iterable[str] | Mapping[str, Any] = (), **kwargs: Any) -> Scenario:
    """Load a shipped scenario by name (``"klas"``) or a TOML file by path, with overrides.

    ``overrides`` is a list of ``"key.path=value"`` strings or a mapping of key path to value;
    keyword arguments ``seed=`` and ``years=`` are shortcuts.
    """
    path = resolve_path(name_or_path)
    raw = read_scenario_file(path)
    merged: dict[str, Any] = dict(overrides) if isinstance(overrides, Mapping) else dict(
        parse_override(o) for o in overrides)
    if kwargs.get("seed") is not None:
        merged["seed"] = kwargs["seed"]
    if kwargs.get("years") is not None:
        merged["run.years"] = kwargs["years"]
    unknown = set(kwargs) - {"seed", "years"}
    if unknown:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(unknown))}")
    raw.setdefault("name", path.stem)
    return scenario_from_dict(raw, str(path), merged)


def scenario_to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML; loading it again gives the same scenario."""
    return tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))
