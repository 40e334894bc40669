"""What a run is asked to do (:class:`RunOptions`) and one report to render (:class:`Job`).

Both are frozen: checked once where they are made, then handed on whole instead of a
dozen loose parameters or a dict of string keys.  A :class:`Job` crosses process
boundaries (local workers, Dask), so it holds plain types only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from kit.errors import UsageError
from kit.schema import AUDIENCES

__all__ = ["EXECUTORS", "Job", "RunOptions"]

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class RunOptions:
    """The options of ``kit run`` (see :func:`kit.run.batch.run` for each one's meaning).

    Raises
    ------
    UsageError
        A value out of range, naming the parameter (``param``), which the CLI shows as
        its flag.
    """

    out: Path | None = None
    as_of: object = None
    config: Path | None = None
    accounts: tuple[str, ...] | None = None
    workers: int = 1
    audience: str = "internal"
    progress: bool = True
    notebooks: Path | None = None
    force: bool = False
    executor: str = "local"
    scheduler: str | None = None
    fresh_kernels: bool = False
    timeout: float | None = None
    compare_to: Path | None = None
    pdf: bool = False
    deck: bool = False

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise UsageError(f"audience: must be one of {list(AUDIENCES)}, got {self.audience!r}", param="audience")
        if not isinstance(self.workers, int) or self.workers < 1:
            raise UsageError(f"workers: must be 1 or more, got {self.workers}", param="workers")
        if self.executor not in EXECUTORS:
            raise UsageError(f"executor: must be one of {list(EXECUTORS)}, got {self.executor!r}", param="executor")
        if self.timeout is not None and not self.timeout > 0:
            raise UsageError(f"timeout: must be more than 0 seconds, got {self.timeout}", param="timeout")
        if self.scheduler is not None and self.executor != "dask":
            raise UsageError("scheduler: needs executor 'dask'", param="scheduler")
        for name in ("out", "config", "notebooks", "compare_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        if self.accounts is not None:
            object.__setattr__(self, "accounts", tuple(self.accounts) or None)

    def but(self, **changes: object) -> RunOptions:
        """A copy with some options changed (checked again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Job:
    """One notebook to execute and export: the portfolio report (``key`` None) or an
    account's (``key`` its id).

    Attributes
    ----------
    input, output, html : str
        The notebook run, the executed notebook written, the HTML page written.
    rel_html, rel_nb : str
        The page and notebook relative to the run folder (as the manifest records them).
    parameters : dict
        The notebook's parameters, plain JSON types (an id stays text).
    cwd : str
        Where the notebook runs (its folder: its relative paths resolve there).
    fingerprint : str
        What the report is made of, hashed (an unchanged one is not rendered again).
    page_css, banner : str
        The page's own stylesheet (accent colour, running header and footer of its
        printed pages) and its logo banner: see :mod:`kit.report.branding`.
    """

    key: str | None
    input: str
    output: str
    html: str
    rel_html: str
    rel_nb: str
    parameters: dict = field(hash=False)
    cwd: str
    title: str
    fingerprint: str
    fresh: bool = False
    timeout: float | None = None
    page_css: str = ""
    banner: str = ""
