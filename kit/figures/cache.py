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


class _LastModel:
    """The model file this process read last, kept while that file is unchanged.

    A worker's warm kernel runs one notebook after another with the same ``model_path``
    (its namespace is reset between them, its modules are not): keeping the model here
    makes a report's cost independent of the portfolio's size, where reading a
    5,000-account model took half a second per report.  One model at most, so memory
    stays that of one model; the file's identity (inode, size, modification time) is
    checked on every call, and a run writes its model to a folder of its own.  Reports
    never change the model (figures are pure functions of it).
    """

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.model: PortfolioModel | None = None

    def get(self, path: Path, key: tuple) -> PortfolioModel:
        if self.key != key or self.model is None:
            self.model, self.key = None, None  # the old one goes before the new one is read
            with open(path, "rb") as fh:
                model = pickle.load(fh)
            if not isinstance(model, PortfolioModel):
                raise UsageError(f"model_path {str(path)!r} is not a kit model")
            self.model, self.key = model, key
        return self.model


_LAST = _LastModel()


def load_model_file(path: str | Path) -> PortfolioModel:
    """Read a model written by :func:`save_model` in this run (kept in memory while the
    file is unchanged: the next report in the same kernel does not read it again)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"model_path {str(path)!r} does not exist (it is set by kit run; leave it None by hand)")
    st = path.stat()
    return _LAST.get(path, (str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns))
