"""The kit functions the import uses, named in one place.

The import writes through the kit's one CSV writer (atomic, plain numbers, formula guard)
and checks its result with the kit's own loader.  The kit is being reorganised into
subpackages; this module finds each function where it lives (the new layout first, the
old ``kit.io`` module otherwise), so a move touches this file only.  Imports are lazy:
nothing is loaded before a command needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "alias_error",
    "load_portfolio",
    "put_text",
    "read_input_file",
    "safe_yaml",
    "write_csv",
    "write_json",
    "write_text",
]

#: function name -> the modules that may hold it, tried in order
_HOMES: dict[str, tuple[str, ...]] = {
    "write_csv": ("kit.files.tables", "kit.io"),
    "write_json": ("kit.files.atomic", "kit.io"),
    "write_text": ("kit.files.atomic", "kit.io"),
    "load_portfolio": ("kit.inputs", "kit.inputs.portfolio", "kit.io"),
    "read_input_file": ("kit.inputs.sources", "kit.io"),
    "put_text": ("kit.files.workbooks", "kit.io"),
    "_safe_yaml": ("kit.config",),
    "_AliasFound": ("kit.config",),
}


def _find(name: str) -> Any:
    for module in _HOMES[name]:
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    raise ImportError(f"kit.importing: {name} is in none of {', '.join(_HOMES[name])}")


def write_csv(df, path: Path, columns: Iterable[str] | None = None) -> Path:
    """The kit's CSV writer (see ``kit.files.tables.write_csv``)."""
    return _find("write_csv")(df, path, columns)


def write_json(obj: object, path: Path) -> Path:
    """The kit's JSON writer (sorted keys, atomic)."""
    return _find("write_json")(obj, path)


def write_text(text: str, path: Path) -> Path:
    """The kit's text writer (atomic)."""
    return _find("write_text")(text, path)


def load_portfolio(source: Path):
    """The kit's loader: what ``kit validate --data`` runs."""
    return _find("load_portfolio")(source)


def read_input_file(path: Path) -> bytes:
    """A regular file's bytes, never following a symbolic link or blocking on a pipe."""
    return _find("read_input_file")(path)


def put_text(cell, value: object) -> int:
    """Text into a workbook cell as text (never a formula; characters a workbook cannot hold replaced)."""
    return _find("put_text")(cell, value)


def safe_yaml(text: str) -> Any:
    """YAML read as ``config.yml`` is: the safe loader, no anchors or aliases."""
    return _find("_safe_yaml")(text)


def alias_error() -> type[Exception]:
    """The exception :func:`safe_yaml` raises for an anchor or alias (its ``line`` attribute)."""
    return _find("_AliasFound")

