"""The run folder: where it may lie, which of its files are the kit's, and its lock.

A run writes and removes only its own files.  ``manifest.json`` lists every file the kit
wrote in the folder (``files``); a later run replaces those, removes those it no longer
writes, and never touches anything else: a user's own ``tables/budget_2026.csv`` or
``.notes.tmp`` stays.  A file the kit would write that is there already but is not the
kit's is not overwritten: the run refuses, naming it.  The folder may not be, contain or
lie inside the data folder, and two runs never write into one folder at once
(:class:`RunLock`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from kit.errors import UsageError, printable
from kit.files.atomic import TEMP_MARK

__all__ = [
    "CACHE_DIR",
    "CLIENT_MANIFEST",
    "CONSULTANT_DIR",
    "LOCK_FILE",
    "MANIFEST",
    "TEMP_MARK",
    "RunLock",
    "check_out_folder",
    "foreign_files",
    "manifest_file",
    "owned_files",
    "read_manifest",
    "refuse_foreign",
    "refuse_links",
    "remove_caches",
    "remove_stale",
    "remove_temporaries",
    "run_cache",
]

MANIFEST = "manifest.json"
LOCK_FILE = ".kit.lock"
#: a client-audience run keeps the consultant's own files (its manifest, index and
#: notebooks) here, apart from the account folders that go to clients (kit.run.layout)
CONSULTANT_DIR = "_consultant"
CLIENT_MANIFEST = f"{CONSULTANT_DIR}/{MANIFEST}"
#: the folders of a run folder the kit writes into (a client run's account folders besides)
SUBFOLDERS = ("accounts", "notebooks", "plans", "tables", "decks", CONSULTANT_DIR, f"{CONSULTANT_DIR}/notebooks")


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_out_folder(data: str | Path, out: str | Path) -> None:
    """Refuse an ``--out`` that would mix outputs with inputs.

    A data folder and the run folder may not be the same, nor one inside the other
    (``--data /x/tables --out /x`` would write the kit's tables over the client's files).
    A workbook may not lie inside the run folder's own subfolders.

    Raises
    ------
    UsageError
        Naming both folders and what to do instead.
    """
    linked = [sub for sub in SUBFOLDERS if (Path(out) / sub).is_symlink()]
    if linked or Path(out, MANIFEST).is_symlink() or Path(out, CLIENT_MANIFEST).is_symlink():
        raise UsageError(f"--out {printable(out)}: {', '.join(linked) or MANIFEST} is a symbolic link; the kit writes "
                         "only into real folders of the run folder (remove the link or choose another --out)")
    data_p, out_p = Path(data).resolve(), Path(out).resolve()
    if data_p.is_dir():
        if data_p == out_p:
            why = "is the data folder itself"
        elif _inside(out_p, data_p):
            why = "lies inside the data folder"
        elif _inside(data_p, out_p):
            why = "contains the data folder"
        else:
            return
        raise UsageError(f"--out {printable(out)} {why} ({printable(data_p)}): the reports would be written among the "
                         "client's input files; choose a run folder outside the data folder, e.g. --out reports/<client>")
    if any(_inside(data_p, out_p / sub) for sub in SUBFOLDERS) or data_p.parent == out_p and data_p.name in (
            MANIFEST, "index.html", "portfolio.html"):
        raise UsageError(f"--data {printable(data)} lies where the run writes its outputs ({printable(out_p)}): "
                         "move the workbook or choose another --out")


def manifest_file(out: str | Path) -> Path:
    """The run folder's manifest: ``manifest.json``, or in a client-audience run's folder
    ``_consultant/manifest.json`` (the top-level one when there is no manifest at all)."""
    out = Path(out)
    if not (out / MANIFEST).is_file() and (out / CLIENT_MANIFEST).is_file():
        return out / CLIENT_MANIFEST
    return out / MANIFEST


def read_manifest(out: Path) -> dict | None:
    """The run folder's manifest (either audience's), None when there is none or it is not JSON."""
    try:
        m = json.loads(manifest_file(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) else None


def _safe_relative(text: object) -> str | None:
    """A relative path inside the run folder, as recorded ('tables/x.csv'); None for
    anything else (a manifest edited by hand never makes the kit touch another file)."""
    if not isinstance(text, str) or not text:
        return None
    p = PurePosixPath(text)
    if p.is_absolute() or ".." in p.parts or "\\" in text:
        return None
    return p.as_posix()


def owned_files(out: str | Path) -> set[str]:
    """The files of the run folder the kit wrote (relative paths), as its manifest
    records them.  A manifest from a kit before ``files`` was recorded: its tables,
    reports, notebooks and plans."""
    out = Path(out)
    m = read_manifest(out)
    if m is None:
        return set()
    if isinstance(m.get("files"), list):
        names = m["files"]
    else:
        records = list((m.get("accounts") or {}).values()) + [m.get("portfolio") or {}]
        names = list(m.get("tables") or []) + [MANIFEST, "index.html"]
        for r in records:
            if isinstance(r, dict):
                names += [r.get("report"), r.get("notebook")]
                if isinstance(r.get("report"), str) and r["report"].startswith("accounts/"):
                    names.append(f"plans/{PurePosixPath(r['report']).stem}.xlsx")
    return {p for p in map(_safe_relative, names) if p is not None}


def foreign_files(out: str | Path, planned: Iterable[str], owned: set[str]) -> list[str]:
    """The files a run would write that are there already and are not the kit's."""
    out = Path(out)
    return sorted(p for p in planned if p not in owned and (out / p).exists())


def refuse_foreign(out: str | Path, planned: Iterable[str], owned: set[str]) -> None:
    """Raise :class:`UsageError` when the run would overwrite files that are not the kit's."""
    clash = foreign_files(out, planned, owned)
    if clash:
        shown = ", ".join(clash[:5]) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
        raise UsageError(f"--out {printable(out)} holds files the kit did not write and would overwrite: "
                         f"{printable(shown)}. Choose a new or empty folder for --out, or move those files (if they come "
                         f"from an earlier run whose {MANIFEST} was removed, delete them)")


def remove_temporaries(out: str | Path, *, extra: Iterable[str] = ()) -> list[str]:
    """Remove the temporary files an interrupted run of the kit left (``.<name>.kit-tmp``
    and ``.<name>.kit-tmp.ipynb``) in the run folder, its :data:`SUBFOLDERS` and the
    folders ``extra`` (a client run's account folders); nothing else.  Returns what was removed."""
    out = Path(out)
    removed = []
    for sub in dict.fromkeys((".", *SUBFOLDERS, *extra)):
        folder = out / sub
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if p.name.startswith(".") and (p.name.endswith(TEMP_MARK) or p.name.endswith(TEMP_MARK + ".ipynb")) \
                    and p.is_file() and not p.is_symlink():
                p.unlink()
                removed.append(p.relative_to(out).as_posix())
    return removed


def refuse_links(out: str | Path, planned: Iterable[str]) -> None:
    """Raise :class:`UsageError` when a folder a planned file goes into is a symbolic link:
    the kit writes only into real folders of the run folder, never through a link elsewhere."""
    out = Path(out)
    linked = sorted({parent.as_posix() for rel in planned for parent in PurePosixPath(rel).parents
                     if parent.as_posix() != "." and (out / parent).is_symlink()})
    if linked:
        raise UsageError(f"--out {printable(out)}: {printable(', '.join(linked[:5]))} is a symbolic link; the kit writes "
                         "only into real folders of the run folder (remove the link or choose another --out)")


#: the folder of the model files runs hand to their notebooks, one subfolder per run
CACHE_DIR = ".kit-cache"
_RUN_CACHE = re.compile(r"\d+-[0-9a-f]{8}")


def run_cache(out: str | Path) -> Path:
    """A new folder for this run's model file, inside ``.kit-cache``."""
    return Path(out) / CACHE_DIR / f"{os.getpid()}-{secrets.token_hex(4)}"


def remove_caches(out: str | Path) -> None:
    """Remove the model files of runs that were killed (call with the lock held: no other
    run is using one); only folders named as :func:`run_cache` names them."""
    cache = Path(out) / CACHE_DIR
    if not cache.is_dir() or cache.is_symlink():
        return
    for p in cache.iterdir():
        if _RUN_CACHE.fullmatch(p.name) and p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
    with contextlib.suppress(OSError):
        cache.rmdir()


def remove_stale(out: str | Path, owned: set[str], keep: set[str], *, under: str) -> list[str]:
    """Remove the kit's own files under ``under`` (e.g. ``tables/``) that this run no
    longer writes (in ``owned``, not in ``keep``); never a file the kit did not write."""
    out = Path(out)
    removed = []
    for rel in sorted(owned - keep):
        if rel.startswith(under):
            p = out / rel
            if p.is_file() and not p.is_symlink():
                p.unlink()
                removed.append(rel)
    return removed


class RunLock:
    """An exclusive lock on a run folder while a run writes into it.

    ``.kit.lock`` holds who runs (pid, host, command, start); the lock itself is an OS
    lock on that file (``flock``), released by the system when the process dies, so the
    file a killed run leaves is taken over by the next run (``stale`` says so).  A
    second run into a locked folder is refused with a message naming the running one.
    """

    def __init__(self, out: str | Path, command: str):
        self.path = Path(out) / LOCK_FILE
        self.command = command
        self.fd: int | None = None
        self.stale: dict | None = None
        self.created = False

    def _who(self) -> dict:
        try:
            who = json.loads(self.path.read_text(encoding="utf-8"))
            return who if isinstance(who, dict) else {}
        except (OSError, ValueError):
            return {}

    def acquire(self) -> RunLock:
        self.created = not self.path.parent.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(20):  # a lock file removed by the run that held it: open the new one
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
            if not _try_lock(fd):
                os.close(fd)
                who = self._who()
                since = f", started {who['started']}" if who.get("started") else ""
                raise UsageError(printable(
                    f"another kit run is writing to {self.path.parent} ({who.get('command', 'kit')}, process "
                    f"{who.get('pid', '?')} on {who.get('host', '?')}{since}): wait for it to finish, or choose another "
                    f"--out"))
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            if os.fstat(fd).st_size:
                self.stale = self._who()  # left by a run that was killed: its lock went with it
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
                                     "started": dt.datetime.now().astimezone().isoformat(timespec="seconds")}).encode())
            self.fd = fd
            return self
        raise UsageError(f"could not lock {self.path}: it keeps changing; is another kit run starting there?")

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink()  # while still locked: the next run opens a new file
        except OSError:
            pass
        os.close(self.fd)  # releases the OS lock
        self.fd = None
        if self.created:  # a run that wrote nothing (bad input) leaves no empty folder behind
            try:
                self.path.parent.rmdir()
            except OSError:
                pass

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    """Take the OS lock on ``fd`` without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (BlockingIOError, PermissionError):
        return False
