"""The portfolio's figures computed once per run and handed to every notebook.

``kit run`` computes the :class:`~kit.model.PortfolioModel` once, writes it here (a
pickle in the run folder's private ``.kit-cache/``, removed at the end of the run) and
passes its path to each notebook as ``model_path``, so no kernel recomputes the
portfolio.  The file is only ever read back by the kit that wrote it.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from kit.errors import UsageError
from kit.figures.model import PortfolioModel

__all__ = ["load_model_file", "save_model"]


def save_model(model: PortfolioModel, path: Path) -> Path:
    """Write the model (written beside, then moved into place)."""
    from kit.files.atomic import replacing

    with replacing(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load_model_file(path: str | Path) -> PortfolioModel:
    """Read a model written by :func:`save_model` in this run."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"model_path {str(path)!r} does not exist (it is set by kit run; leave it None by hand)")
    with open(path, "rb") as fh:
        model = pickle.load(fh)
    if not isinstance(model, PortfolioModel):
        raise UsageError(f"model_path {str(path)!r} is not a kit model")
    return model
