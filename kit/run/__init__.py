"""The run: ``kit run`` and ``kit tables`` (:mod:`~kit.run.batch`), the run folder it owns
(:mod:`~kit.run.folder`) and the warm-kernel engine that executes the notebooks
(:mod:`~kit.run.engine`, imported only when reports are rendered)."""

from kit.run.batch import EXECUTORS, RunResult, default_out, fingerprints, notebooks_dir, run, tables_only

__all__ = ["EXECUTORS", "RunResult", "default_out", "fingerprints", "notebooks_dir", "run", "tables_only"]
