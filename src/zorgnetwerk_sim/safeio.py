"""Safe input and output: the reliability rules every command and the app share (docs/reliability.md).

* :class:`InputError` and :class:`OutputError`: bad input and an unusable output folder; the
  message is one line. :func:`user_error` turns any expected failure (these, an OS error, input
  too large or too deep) into that one line, and returns ``None`` for a real bug.
* :func:`safe_folder_name`: a user-given name (a scenario's or experiment's ``name``) as a single
  folder name; it never chooses a location.
* :func:`path_from_text`: a path given as text; empty text is refused, never the current folder.
* :func:`check_output_folder`: fail before a long run when the output folder cannot be used.
* :func:`staged_outputs`: write a *set* of files into a folder as a whole: staged inside the
  folder (so a mount point works), every file and the folder flushed to disk, then swapped in;
  if any step fails the previous set is put back. :func:`write_atomic` does the same for one file.
* :class:`FolderLock`: an exclusive lock on a folder (``fcntl.flock``) that names its holder.
* :func:`read_toml_file` / :func:`parse_toml_bytes`: a TOML file (from disk or uploaded) with a
  size, nesting and text-length cap, a UTF-8 BOM accepted.
* :func:`escape_markup` (rich) and :func:`escape_mathtext` (matplotlib): user text printed or
  plotted as itself.

This module depends on nothing else in the package, so the model, the CLI and the app can all
use it.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no locking
    fcntl = None  # type: ignore[assignment]

#: Largest input file read (scenario, experiment): the national scenario is 24 kB.
MAX_INPUT_BYTES = 4 * 1024 * 1024
#: Deepest nesting of tables and lists in an input (scenarios use 5).
MAX_NESTING = 24
#: Longest text value in an input.
MAX_TEXT_LENGTH = 10_000
#: Most parallel worker processes a command starts (--workers).
MAX_WORKERS = 1024
#: Longest folder name made from a user-given name (characters; at most 4 bytes each < NAME_MAX 255).
MAX_FOLDER_NAME = 60


class InputError(ValueError):
    """Bad input (a file, an option, an upload): the message is one line naming what and where.

    The checks of this module also say *why* in words a caller can translate (the app shows
    them in Dutch): ``reason`` ('size', 'encoding', 'toml', 'nesting', 'key_length',
    'text_length'), ``key`` (where in the input, or None) and ``limit`` (the bound exceeded).
    """

    def __init__(self, message: str = "", *, reason: str | None = None, key: str | None = None,
                 limit: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.key = key
        self.limit = limit


class OutputError(OSError):
    """An output folder or file cannot be used; the message is one line."""


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------
def one_line(text: str) -> str:
    """``text`` on one line: line breaks (and the white space around them) become one space."""
    return re.sub(r"\s*[\r\n]+\s*", " ", str(text)).strip()


def os_error_text(err: OSError) -> str:
    """'PATH: reason' for an OS error (no errno numbers, no Python reprs)."""
    if isinstance(err, OutputError):
        return one_line(str(err))
    reason = err.strerror or str(err) or type(err).__name__
    where = err.filename
    if where is not None and err.filename2 is not None:
        return one_line(f"{where} → {err.filename2}: {reason}")
    return one_line(f"{where}: {reason}" if where is not None else reason)


def user_error(err: BaseException) -> str | None:
    """The one line to show for an expected failure, or None when ``err`` is a bug."""
    if isinstance(err, InputError):
        return one_line(str(err))
    if isinstance(err, OSError):
        return os_error_text(err)
    if isinstance(err, RecursionError):
        return "the input is nested too deeply"
    if isinstance(err, MemoryError):
        return "out of memory: the input or the design is too large for this machine"
    return None


# ---------------------------------------------------------------------------------------------
# Names and folders
# ---------------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[^\w.-]+")


def safe_folder_name(name: Any, what: str = "name") -> str:
    """``name`` as one folder name: letters, digits, '_', '-' and '.', at most 60 characters.

    Separators, '..', spaces and other characters become '-', leading dots are dropped, so the
    result never leaves the folder it is put in. A name with nothing usable is refused
    (:class:`InputError`, naming ``what``).
    """
    text = unicodedata.normalize("NFKC", str(name))
    folder = re.sub(r"\.{2,}", "-", _UNSAFE.sub("-", text))
    folder = re.sub(r"-{2,}", "-", folder).strip(".-_ ")
    folder = folder[:MAX_FOLDER_NAME].rstrip(".-_ ")
    if not folder or not any(ch.isalnum() for ch in folder):
        raise InputError(f"{what}: {one_line(str(name))[:80]!r} cannot be used as a folder name; use letters, "
                         "digits, '-' or '_', or choose the folder with --out")
    return folder


def path_from_text(text: str, what: str = "path") -> Path:
    """A path given as text (a command-line option or argument, a file name in an API call).

    Empty or blank text is refused (``Path("")`` would silently be the current folder), and so
    is a NUL character; ``what`` names the option in the one-line :class:`InputError`.
    """
    text = str(text)
    if not text.strip():
        raise InputError(f"{what}: empty; give a folder or file name ('.' for the current folder)")
    if "\0" in text:
        raise InputError(f"{what}: contains a NUL character")
    return Path(text)


def check_output_folder(out_dir: str | Path) -> Path:
    """Fail early (before a long run) when the output folder cannot be created or written.

    Text is checked with :func:`path_from_text` first: ``""`` never means the current folder.
    """
    out = path_from_text(out_dir, "output folder") if isinstance(out_dir, str) else Path(out_dir)
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out}: exists and is not a folder")
        ancestor = out
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
    except OSError as err:
        if isinstance(err, OutputError):
            raise
        raise OutputError(f"{out}: cannot be used as a folder: {err.strerror or err}") from None
    if not ancestor.is_dir():
        raise OutputError(f"{out}: {ancestor} is a file, so the folder cannot be created")
    if _read_only(ancestor):
        raise OutputError(f"{out}: {ancestor} is on a read-only file system")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: no permission to write in {ancestor}")
    return out


def check_output_file(target: str | Path) -> Path:
    """Fail early (before a long run) when a file cannot be written at ``target``."""
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder, not a file")
    check_output_folder(target.parent)
    return target


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - a system without statvfs
        return False


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; returns the folders created (deepest last)."""
    missing = []
    here = folder
    while not here.exists():
        missing.append(here)
        here = here.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _remove_if_empty(folders: Iterable[Path]) -> None:
    for folder in reversed(list(folders)):
        try:
            folder.rmdir()
        except OSError:
            return


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def fsync_file(path: Path) -> None:
    """Flush a written file to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to the disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - a system that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError as err:  # some file systems cannot sync a folder; the data itself is synced
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


#: The rename that puts a staged file in place (a module attribute, so tests can make it fail).
_replace = os.replace


def write_atomic(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Write one file: ``write(tmp)`` in the target's folder, flushed, then renamed to ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # not mkstemp: its files are private (0600); this one gets the usual permissions (umask)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        fsync_file(tmp)
        _replace(tmp, target)
        fsync_folder(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def write_text_atomic(target: str | Path, text: str) -> Path:
    return write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def is_staging(path: Path) -> bool:
    """A hidden temporary file or folder of :func:`staged_outputs` / :func:`write_atomic`."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


@contextmanager
def staged_outputs(target: str | Path, managed: Iterable[str]) -> Iterator[Path]:
    """Write a set of output files into ``target`` as a whole.

    Yields a hidden staging folder inside ``target``; write the new files there. When the block
    ends, every staged file is flushed, the current files named in ``managed`` are moved aside
    and the staged files moved in (renames within one folder: no copy, works at a mount point);
    a managed file that was not staged is removed with the old set. If the block or any rename
    fails, the previous set is put back, the staging folder removed and the error raised; a
    ``target`` folder this call created is removed again. Other files in ``target`` (the user's)
    are never touched.
    """
    target = check_output_folder(target)
    managed = tuple(managed)
    created = _make_folder(target)
    clear_stale_staging(target)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", suffix=".tmp", dir=target))
    owner: int | None = None
    ok = False
    try:
        owner = _own_staging(staging)
        yield staging
        new = sorted(p.name for p in staging.iterdir() if p.is_file() and p.name != STAGING_OWNER)
        for name in new:
            fsync_file(staging / name)
        previous = staging / ".previous"  # hidden: never the name of an output
        previous.mkdir()
        moved_old: list[str] = []
        moved_new: list[str] = []
        try:
            for name in dict.fromkeys([*managed, *new]):
                if (target / name).is_file():
                    _replace(target / name, previous / name)
                    moved_old.append(name)
            for name in new:
                _replace(staging / name, target / name)
                moved_new.append(name)
            fsync_folder(target)
        except BaseException:
            for name in moved_new:  # undo: the new files out, the old ones back
                os.replace(target / name, staging / name)
            for name in moved_old:
                os.replace(previous / name, target / name)
            raise
        ok = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if owner is not None:
            os.close(owner)
        if not ok:
            _remove_if_empty(created)


#: Staging folders are named ``.zorgsim-<pid>-<random>.tmp`` and hold ``.owner.lock``, locked by their writer.
STAGING_PREFIX = ".zorgsim-"
STAGING_OWNER = ".owner.lock"


def _own_staging(staging: Path) -> int | None:
    """Lock ``staging/.owner.lock`` for as long as this process writes there (the operating system
    drops the lock when the process ends in any way, ``kill -9`` included). The file is locked
    under another name and then renamed, so it never exists unlocked while its writer lives."""
    if fcntl is None:  # pragma: no cover - not on POSIX
        return None
    fresh = staging / (STAGING_OWNER + ".new")
    fd = os.open(fresh, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(fresh, staging / STAGING_OWNER)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _staging_in_use(folder: Path) -> bool:
    """Whether a live process may still write in the staging folder ``folder`` (when in doubt: yes)."""
    if fcntl is None:  # pragma: no cover - not on POSIX: no way to tell
        return True
    try:
        fd = os.open(folder / STAGING_OWNER, os.O_RDONLY)
    except FileNotFoundError:  # its writer has not locked it yet, or was killed before it did: its pid
        match = re.match(rf"{re.escape(STAGING_PREFIX)}(\d+)-", folder.name)
        return match is None or _process_alive(int(match.group(1)))
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # locked: its writer lives
        return True
    finally:
        os.close(fd)  # (releases the lock taken just now)
    return False


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def clear_stale_staging(target: str | Path) -> list[Path]:
    """Remove the staging folders in ``target`` that a killed ``zorgsim`` left behind; returns them.

    A folder is stale when its ``.owner.lock`` is not locked (its writer is gone), or, before
    the writer locked it, when no process has the pid in its name. A folder whose writer may be
    alive, or that holds the previous outputs of a swap cut short (``.previous`` not empty), is
    left alone.
    """
    removed = []
    for folder in Path(target).glob(f"{STAGING_PREFIX}*.tmp"):
        try:
            if folder.is_symlink() or not folder.is_dir() or _staging_in_use(folder):
                continue
            previous = folder / ".previous"
            if previous.is_dir() and any(previous.iterdir()):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


# ---------------------------------------------------------------------------------------------
# Locking
# ---------------------------------------------------------------------------------------------
class FolderBusy(InputError):
    """Another process holds the folder's lock."""


class FolderLock:
    """An exclusive lock on ``folder`` (``fcntl.flock`` on ``folder/<name>``), held until released.

    The lock file records the holder's process id, so a second process is refused with a line
    naming it. The operating system releases the lock when the holder exits in any way
    (``kill -9`` included), so a stale lock file never blocks.
    """

    def __init__(self, folder: str | Path, name: str, what: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / name
        self.what = what
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "FolderLock":
        if self._fd is not None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").split()
                os.close(fd)
                pid = holder[0] if holder and holder[0].isdigit() else "unknown"
                raise FolderBusy(f"{self.folder}: in use by another {self.what} (process {pid}); wait for it "
                                 f"to finish or stop it (kill {pid}), then run the same command again") from None
            except OSError:
                os.close(fd)
                raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> "FolderLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# ---------------------------------------------------------------------------------------------
# Reading input
# ---------------------------------------------------------------------------------------------
def check_shape(data: Any, source: str, error: type[InputError] = InputError) -> None:
    """Refuse input nested deeper than MAX_NESTING or with text longer than MAX_TEXT_LENGTH."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        node, depth, where = stack.pop()
        if depth > MAX_NESTING:
            key = (where or "(top level)")[:60]
            raise error(f"{source}: {key}: nested more than {MAX_NESTING} levels deep", reason="nesting", key=key,
                        limit=MAX_NESTING)
        if isinstance(node, Mapping):
            for key in node:
                if len(str(key)) > MAX_TEXT_LENGTH:
                    raise error(f"{source}: a key is longer than {MAX_TEXT_LENGTH:,} characters", reason="key_length",
                                limit=MAX_TEXT_LENGTH)
            stack += [(v, depth + 1, f"{where}.{k}" if where else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, depth + 1, f"{where}[{i}]") for i, v in enumerate(node)]
        elif isinstance(node, str) and len(node) > MAX_TEXT_LENGTH:
            raise error(f"{source}: {where}: text longer than {MAX_TEXT_LENGTH:,} characters", reason="text_length",
                        key=where or "(top level)", limit=MAX_TEXT_LENGTH)


def parse_toml(text: str, source: str, error: type[InputError] = InputError) -> dict[str, Any]:
    """TOML text → dict, with one-line errors and the nesting and length caps."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise error(f"{source}: not valid TOML: {one_line(str(err))}", reason="toml") from None
    except RecursionError:
        raise error(f"{source}: not valid TOML: nested more than {MAX_NESTING} levels deep", reason="nesting",
                    limit=MAX_NESTING) from None
    check_shape(data, source, error)
    return data


def parse_toml_bytes(data: bytes, source: str, error: type[InputError] = InputError,
                     max_bytes: int = MAX_INPUT_BYTES) -> dict[str, Any]:
    """The bytes of a TOML file (at most ``max_bytes``, UTF-8 with or without BOM) → dict.

    What every input file goes through, whether read from disk (:func:`read_toml_file`) or
    uploaded to the app, so both judge a file alike.
    """
    if len(data) > max_bytes:
        raise error(f"{source}: file is {len(data):,} bytes; at most {max_bytes:,} are read", reason="size",
                    limit=max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise error(f"{source}: cannot read: not UTF-8 text (byte {err.start})", reason="encoding") from None
    return parse_toml(text, source, error)


def read_toml_file(path: str | Path, error: type[InputError] = InputError) -> dict[str, Any]:
    """A TOML file (at most MAX_INPUT_BYTES, UTF-8 with or without BOM) → dict; one-line ``error``s."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise error(f"{path}: file is {size:,} bytes; at most {MAX_INPUT_BYTES:,} are read", reason="size",
                        limit=MAX_INPUT_BYTES)
        data = path.read_bytes()
    except OSError as err:
        raise error(f"{path}: cannot read: {err.strerror or err}") from None
    return parse_toml_bytes(data, str(path), error)


# ---------------------------------------------------------------------------------------------
# Showing user text
# ---------------------------------------------------------------------------------------------
def escape_markup(text: Any) -> str:
    """``text`` for a rich string with markup: '[' shown as itself, never read as a style."""
    from rich.markup import escape

    return escape(str(text))


def escape_mathtext(text: Any) -> str:
    """``text`` for a matplotlib label: '$' shown as itself, never read as math."""
    return str(text).replace("$", r"\$")
