"""The run: ``kit run`` and ``kit tables`` (:mod:`~kit.run.batch`), the run folder it owns
(:mod:`~kit.run.folder`) and the warm-kernel engine that executes the notebooks
(:mod:`~kit.run.engine`, imported only when reports are rendered).

The names below are imported from :mod:`~kit.run.batch` on first use, not with the
package: a render worker imports :mod:`kit.run.engine` and :mod:`kit.run.options` only,
and the batch (pandas, the figures) would add half a second to every worker's start.
"""

from __future__ import annotations

import importlib

__all__ = ["EXECUTORS", "RunResult", "default_out", "fingerprints", "notebooks_dir", "run", "tables_only"]


def __getattr__(name: str):
    """``kit.run.run`` and the other names of :mod:`kit.run.batch`, imported on first use."""
    if name in __all__:
        return getattr(importlib.import_module("kit.run.batch"), name)
    raise AttributeError(f"module 'kit.run' has no attribute {name!r}")
