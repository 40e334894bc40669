"""The kit functions the import uses, named in one place.

The import writes through the kit's one CSV writer (atomic, plain numbers, formula guard)
and its atomic writers, checks its result with the kit's own loader, and reads YAML as
``config.yml`` is read.  Each is imported when first called (nothing is loaded before a
command needs it), so a module the kit moves is renamed here only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "alias_error",
    "load_portfolio",
    "put_text",
    "read_input_file",
    "replacing",
    "safe_yaml",
    "write_csv",
    "write_json",
    "write_text",
]


def write_csv(df, path: Path, columns: Iterable[str] | None = None) -> Path:
    """The kit's CSV writer (plain numbers, blanks empty, no text a spreadsheet runs as a formula)."""
    from kit.files.tables import write_csv as write

    return write(df, path, columns)


def write_json(obj: object, path: Path) -> Path:
    """The kit's JSON writer (sorted keys, written whole or not at all)."""
    from kit.files.atomic import write_json as write

    return write(obj, path)


def write_text(text: str, path: Path) -> Path:
    """The kit's text writer (written whole or not at all)."""
    from kit.files.atomic import write_text as write

    return write(text, path)


def replacing(path: Path):
    """The kit's atomic replace: a context manager giving a temporary path moved over ``path`` when done."""
    from kit.files.atomic import replacing as replace

    return replace(path)


def put_text(cell, value: object) -> int:
    """Text into a workbook cell as text (never a formula; characters a workbook cannot hold replaced)."""
    from kit.files.workbooks import put_text as put

    return put(cell, value)


def load_portfolio(source: Path):
    """The kit's loader: what ``kit validate --data`` runs."""
    from kit.inputs import load_portfolio as load

    return load(source)


def read_input_file(path: Path) -> bytes:
    """A regular file's bytes, never following a symbolic link or blocking on a pipe."""
    from kit.inputs.sources import read_input_file as read

    return read(path)


def safe_yaml(text: str) -> Any:
    """YAML read as ``config.yml`` is: the safe loader, no anchors or aliases."""
    from kit.config import _safe_yaml

    return _safe_yaml(text)


def alias_error() -> type[Exception]:
    """The exception :func:`safe_yaml` raises for an anchor or alias (its ``line`` attribute)."""
    from kit.config import _AliasFound

    return _AliasFound
