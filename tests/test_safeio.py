"""The reliability helpers (zorgnetwerk_sim.safeio): safe names, output sets, locks, capped input."""

from __future__ import annotations

import json
import math
import os

import pytest

from cli_helpers import fail_nth_rename
from zorgnetwerk_sim import safeio
from zorgnetwerk_sim.safeio import (MAX_FOLDER_NAME, FolderBusy, FolderLock, InputError, OutputError,
                                    check_output_folder, escape_markup, escape_mathtext, read_toml_file,
                                    safe_folder_name, staged_outputs, user_error, write_atomic)


# ------------------------------------------------------------------------------- names
@pytest.mark.parametrize(("name", "folder"), [
    ("klas", "klas"),
    ("centrale-wachtlijst", "centrale-wachtlijst"),
    ("Súdwest-Fryslân", "Súdwest-Fryslân"),
    ("/tmp/escaped", "tmp-escaped"),
    ("../../../tmp/x", "tmp-x"),
    ("..\\..\\x", "x"),
    ("a/../../b", "a-b"),
    ("mijn scenario (v2)", "mijn-scenario-v2"),
    (".hidden", "hidden"),
    ("a[/]b", "a-b"),
    ("x" * 5000, "x" * MAX_FOLDER_NAME),
])
def test_safe_folder_name_is_one_folder_inside_its_parent(tmp_path, name, folder):
    made = safe_folder_name(name)
    assert made == folder
    assert (tmp_path / made).resolve().parent == tmp_path.resolve()
    assert len(made.encode("utf-8")) <= 255


@pytest.mark.parametrize("name", ["", ".", "..", "/", "../..", "   ", "$$$", "-._"])
def test_unusable_name_is_refused_with_one_line(name):
    with pytest.raises(InputError) as info:
        safe_folder_name(name, "experiment.toml: name")
    message = str(info.value)
    assert "\n" not in message and "experiment.toml: name" in message and "--out" in message


# ------------------------------------------------------------------------------- output sets
def _write(staging, files):
    for name, text in files.items():
        (staging / name).write_text(text, encoding="utf-8")


def test_staged_outputs_replace_the_managed_set_and_keep_other_files(tmp_path):
    out = tmp_path / "out"
    with staged_outputs(out, ("a.txt", "b.txt", "c.txt")) as staging:
        assert staging.parent == out  # staged inside the target: a rename never crosses a device
        _write(staging, {"a.txt": "1", "b.txt": "1", "c.txt": "1"})
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with staged_outputs(out, ("a.txt", "b.txt", "c.txt")) as staging:
        _write(staging, {"a.txt": "2", "b.txt": "2"})
    assert {p.name for p in out.iterdir()} == {"a.txt", "b.txt", "notes.txt"}  # c.txt went with the old set
    assert (out / "a.txt").read_text() == "2" and (out / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4, 5])
def test_a_failed_rename_anywhere_leaves_the_previous_set_whole(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "out"
    with staged_outputs(out, ("a.txt", "b.txt", "c.txt")) as staging:
        _write(staging, {"a.txt": "old", "b.txt": "old", "c.txt": "old"})
    before = {p.name: p.read_text() for p in out.iterdir()}
    fail_nth_rename(monkeypatch, fail_at, 28, "No space left on device")
    with pytest.raises(OSError):
        with staged_outputs(out, ("a.txt", "b.txt", "c.txt")) as staging:
            _write(staging, {"a.txt": "new", "b.txt": "new", "c.txt": "new"})
    assert {p.name: p.read_text() for p in out.iterdir()} == before  # no staging folder left either


def test_a_failure_while_staging_removes_a_folder_it_created(tmp_path):
    out = tmp_path / "new" / "out"
    with pytest.raises(RuntimeError):
        with staged_outputs(out, ("a.txt",)) as staging:
            _write(staging, {"a.txt": "half"})
            raise RuntimeError("the writer failed")
    assert not (tmp_path / "new").exists()


def test_write_atomic_leaves_no_temporary_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "f.json"
    target.write_text("old", encoding="utf-8")

    def broken(tmp):
        tmp.write_text("ha", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomic(target, broken)
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"] and target.read_text() == "old"


def test_check_output_folder_refuses_files_and_too_long_names(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    for bad, fragment in ((tmp_path / "f", "not a folder"), (tmp_path / "f" / "sub", "is a file"),
                          (tmp_path / ("n" * 300), "too long")):
        with pytest.raises(OutputError) as info:
            check_output_folder(bad)
        assert fragment in str(info.value).lower() and "\n" not in str(info.value)


# ------------------------------------------------------------------------------- locks
def test_a_held_folder_lock_refuses_a_second_holder_naming_the_first(tmp_path):
    first = FolderLock(tmp_path / "res", "sweep.lock", "sweep").acquire()
    try:
        with pytest.raises(FolderBusy) as info:
            FolderLock(tmp_path / "res", "sweep.lock", "sweep").acquire()
        assert f"process {os.getpid()}" in str(info.value) and "another sweep" in str(info.value)
    finally:
        first.release()
    with FolderLock(tmp_path / "res", "sweep.lock", "sweep") as again:  # released: free again
        assert again.held


# ------------------------------------------------------------------------------- input
def test_read_toml_file_caps_size_nesting_and_text(tmp_path, monkeypatch):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 3000 + "]" * 3000, encoding="utf-8")
    nested = tmp_path / "nested.toml"
    nested.write_text("a = " + "[" * 40 + "]" * 40, encoding="utf-8")
    long = tmp_path / "long.toml"
    long.write_text(f'name = "{"x" * 20_000}"', encoding="utf-8")
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * 10, encoding="utf-8")
    for path, fragment in ((deep, "nested"), (nested, "nested"), (long, "longer than"), (big, "bytes")):
        if path == big:
            monkeypatch.setattr(safeio, "MAX_INPUT_BYTES", 50)
        with pytest.raises(InputError) as info:
            read_toml_file(path)
        assert fragment in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


def test_read_toml_file_accepts_a_utf8_bom(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfname = 'x'\n")
    assert read_toml_file(path) == {"name": "x"}


# ------------------------------------------------------------------------------- messages and escaping
def test_user_error_is_one_line_for_expected_failures_and_none_for_bugs(tmp_path):
    assert user_error(InputError("a.toml: key: bad\nvalue")) == "a.toml: key: bad value"
    assert user_error(PermissionError(13, "Permission denied", "/x/y")) == "/x/y: Permission denied"
    assert "nested" in user_error(RecursionError())
    assert user_error(ZeroDivisionError("bug")) is None
    assert user_error(KeyError("nan")) is None


def test_escaping_for_rich_and_matplotlib():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from rich.console import Console
    from rich.text import Text

    text = "a[/]b [bold]c $x$ d$"
    console = Console(record=True, width=200, color_system=None)
    console.print(escape_markup(text))
    assert console.export_text().strip() == text
    assert Text.from_markup(escape_markup(text)).plain == text
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_title(escape_mathtext("$\\frac{"))  # unbalanced math would fail to draw
    fig.canvas.draw()


def test_summary_json_never_holds_infinity(tmp_path):
    import pandas as pd

    from zorgnetwerk_sim.api import RunResult
    from zorgnetwerk_sim.scenario import load_scenario

    result = RunResult(load_scenario("klas"), {"a": math.inf, "b": math.nan, "c": 1.5}, pd.DataFrame({"x": [1]}))
    result.write(tmp_path / "out")

    def refuse(constant):
        raise AssertionError(f"{constant} in summary.json")

    data = json.loads((tmp_path / "out" / "summary.json").read_text(), parse_constant=refuse)
    assert data == {"a": None, "b": None, "c": 1.5}
