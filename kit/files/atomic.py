"""Writing a file whole or not at all, and hashing one: the kit's one atomic writer."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: in the name of every temporary file the kit writes (``.<name>.<pid>-<token>.kit-tmp``): the
#: only temporary files a later run clears (:func:`kit.run.folder.remove_temporaries`)
TEMP_MARK = ".kit-tmp"


@contextlib.contextmanager
def replacing(path: Path, *, check: Callable[[], None] | None = None, durable: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to, moved over ``path`` only when the
    writing finished: an interrupted run never leaves half a file in place of a good one.
    The kit's one atomic writer.

    The temporary name is unique to the process and the call (two writers never share
    one), and a replaced file keeps its permissions.

    Parameters
    ----------
    check
        Called just before the move; raising stops it (``kit ingest``: the file must not
        have changed since it was read).
    durable
        Flush the file to disk before the move (a client's own data file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_MARK}")
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        if check is not None:
            check()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(obj, path: Path) -> Path:
    """Write JSON (sorted keys, UTF-8) for a stable manifest; replaced whole."""
    with replacing(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a UTF-8 text file (HTML pages); replaced whole."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
