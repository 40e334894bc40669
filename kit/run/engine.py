"""Worker side of ``kit run``: execute one notebook and export it to HTML.

Each worker process keeps one warm kernel (started on the ipc transport in a private
folder) and runs every notebook it is given in it, through papermill with the
:class:`WarmKernelEngine`.  Before each notebook the kernel's namespace is reset to a
fresh session (user variables, history and the execution counter), so no state crosses
from one account to the next; imported modules stay loaded, which is what saves the
start-up time.  A kernel that dies or times out fails that notebook only: the worker
starts a new kernel for the next one.  ``fresh=True`` gives every notebook its own
kernel, as plain papermill does.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from kit.run.options import Job

__all__ = [
    "CELL_TIMEOUT",
    "KERNEL_NAME",
    "KERNEL_OPTIONS",
    "NOTEBOOK_TIMEOUT",
    "START_TIMEOUT",
    "IPCKernelManager",
    "WarmKernel",
    "local_worker_init",
    "render",
    "warm_up",
    "worker_init",
    "worker_render",
]

#: Kernels are named explicitly: the Python 3 kernel of the environment running the kit.
KERNEL_NAME = "python3"
#: Per-cell execution timeout and kernel start-up timeout, in seconds.
CELL_TIMEOUT = 300
START_TIMEOUT = 120
#: A notebook that takes longer than this in all is failed (its kernel is replaced).
NOTEBOOK_TIMEOUT = 900

# user names, history and In/Out gone; counter back to 1.  Then what survives the reset
# (modules, the run's model kept by kit.figures.cache) is set aside from garbage collection:
# the collector would otherwise walk a 5,000-account model's millions of references again
# and again while each report draws its charts (a sixth of a report's time).
RESET = "get_ipython().reset(new_session=True); __import__('gc').freeze()"
# The kit and its libraries are imported once per kernel.  gc.freeze() then sets those
# objects aside from garbage collection: the reset before each notebook collects garbage,
# and without the freeze that scanned every module object (a tenth of a second a report).
PRELOAD = "import kit.report.account, kit.report.portfolio, kit.figures.cache, gc; gc.collect(); gc.freeze()"


#: Options of every kernel the kit starts.  No SQLite input history: a report's cells
#: are in its notebook already, and two kernels writing ~/.ipython's history file for
#: every cell cost 5-10% of a report's time in the kernel (and left the user's shell
#: history full of report calls).
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)


class IPCKernelManager(AsyncKernelManager):
    """An async kernel manager on the ipc transport, its sockets in a private folder
    (``ipc_folder``; a new temporary folder when not given); its kernels start with
    :data:`KERNEL_OPTIONS`."""

    def __init__(self, *, ipc_folder: str | None = None, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        self.ip = os.path.join(ipc_folder or tempfile.mkdtemp(prefix="kit-"), "k")

    @classmethod
    def in_folder(cls, folder: str) -> type[IPCKernelManager]:
        """This manager with its sockets in ``folder``, as a class: papermill builds the
        manager itself from the class it is given."""
        return type("IPCKernelManagerIn", (cls,), {"__init__": lambda self, **kw: cls.__init__(self, ipc_folder=folder, **kw)})

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command line, with the kit's options before any the caller adds."""
        return super().format_kernel_cmd([*KERNEL_OPTIONS, *(extra_arguments or [])])


class WarmKernel:
    """One kernel kept alive across notebooks (one per worker process).

    The manager is the async one papermill's client expects (a blocking manager's
    client would block nbclient's event loop and hide a dead kernel); this class drives
    it with ``run_sync`` between notebooks.
    """

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="kit-")
        self.km: IPCKernelManager | None = None
        # The client every notebook in this kernel executes through.  A new client per
        # notebook spent 0.2 s waiting for the kernel's output channel to fall quiet
        # (wait_for_ready); this one waits once per kernel.  nbclient ignores replies
        # that answer another notebook's requests (it matches each reply to its request).
        self.kc = None

    def _alive(self) -> bool:
        try:
            return self.km is not None and bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def _client(self) -> BlockingKernelClient:
        kc = BlockingKernelClient()
        kc.load_connection_info(self.km.get_connection_info())
        kc.start_channels()
        return kc

    def start(self) -> IPCKernelManager:
        """A running kernel: the current one, or a new one when there is none or it died."""
        if self._alive():
            return self.km
        self.stop()
        self.km = IPCKernelManager(kernel_name=KERNEL_NAME, ipc_folder=self.folder)
        run_sync(self.km.start_kernel)()
        kc = self._client()
        try:
            kc.wait_for_ready(timeout=START_TIMEOUT)
            # the imports every report needs, once per kernel (a reset keeps modules loaded)
            kc.execute_interactive(PRELOAD, silent=True, store_history=False, timeout=START_TIMEOUT)
        finally:
            kc.stop_channels()
        self.kc = self.km.client()  # async, on this thread's event loop (jupyter_core's run_sync)
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        self.kc.allow_stdin = False
        return self.km

    def reset(self) -> None:
        """A fresh session in the running kernel, before each notebook."""
        self.start()
        reply = run_sync(self.kc.execute_interactive)(RESET, silent=True, store_history=False, timeout=CELL_TIMEOUT)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel reset failed: {reply['content'].get('evalue')}")

    def kill(self) -> None:
        """Kill the kernel process (from the watchdog thread)."""
        if self.km is not None:
            try:
                run_sync(self.km.signal_kernel)(signal.SIGKILL)
            except Exception:  # already gone
                pass

    def stop(self) -> None:
        """Shut the kernel down at once (no graceful wait)."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # the kernel is gone already
                pass
            self.kc = None
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # already dead: nothing to shut down
                pass
            self.km = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _register_engine() -> str:
    """Register the papermill engine that runs a notebook in a given kernel manager."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmKernelEngine(NBClientEngine):
        """papermill's nbclient engine, in a kernel the caller owns (``km=``)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            km, kc = kwargs.pop("km"), kwargs.pop("kc", None)
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log=logging.getLogger("papermill"), log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            client.kc = kc  # the warm kernel's own client: nbclient starts one only when none is set
            try:
                return client.execute()
            finally:
                if kc is None and client.kc is not None:  # a client of this notebook's own goes with it
                    client.kc.stop_channels()

    papermill_engines.register("kit-warm", WarmKernelEngine)
    return "kit-warm"


def _watchdog(warm: WarmKernel | None, seconds: float) -> threading.Timer | None:
    """Kill the warm kernel when a notebook runs longer than ``seconds`` in all: papermill
    then fails that notebook (the kernel died) and the worker starts a new kernel."""
    if warm is None or warm.km is None:
        return None
    timer = threading.Timer(seconds, warm.kill)
    timer.daemon = True
    timer.start()
    return timer


def _execute(job: Job, warm: WarmKernel | None, output: str, *, ipc_folder: str | None = None):
    """Run the job's notebook through papermill (written to ``output``); the executed
    notebook."""
    import papermill as pm

    common = {"parameters": job.parameters, "kernel_name": KERNEL_NAME, "progress_bar": False, "cwd": job.cwd,
                  "start_timeout": START_TIMEOUT, "execution_timeout": CELL_TIMEOUT}
    if warm is None:
        return pm.execute_notebook(job.input, output, kernel_manager_class=IPCKernelManager.in_folder(ipc_folder),
                                   shutdown_kernel="immediate", **common)
    warm.reset()
    timer = _watchdog(warm, job.timeout or NOTEBOOK_TIMEOUT)
    try:
        return pm.execute_notebook(job.input, output, engine_name=_register_engine(), km=warm.km, kc=warm.kc,
                                   request_save_on_cell_execute=False, **common)
    finally:
        if timer is not None:
            timer.cancel()


def render(job: Job, warm: WarmKernel | None = None) -> dict:
    """Execute one notebook and export it to HTML.

    Parameters
    ----------
    job : Job
        The notebook, its parameters and where its outputs go.
    warm : WarmKernel, optional
        Run in this worker's warm kernel; None starts a kernel for this notebook only.

    Returns
    -------
    dict
        ``key``, ``status`` (ok/failed), ``error``, ``seconds``, ``report``, ``notebook``.
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from kit.files.atomic import write_text
    from kit.report.export import notebook_to_html

    logging.getLogger("papermill").setLevel(logging.WARNING)  # keep the console to the progress bar
    t0 = time.perf_counter()
    own_ipc = tempfile.mkdtemp(prefix="kit-") if warm is None else None
    try:
        # papermill writes beside the final notebook; both files are moved into place only
        # when whole, so an interrupted run never leaves half a notebook or report
        executed = Path(job.output).with_name(f".{Path(job.output).stem}.kit-tmp.ipynb")
        try:
            # the notebook as papermill wrote it (not read back from disk: the same object)
            nb = _execute(job, warm, str(executed), ipc_folder=own_ipc)
        except PapermillExecutionError:
            os.replace(executed, job.output)  # the failed notebook, kept: it shows the failing cell
            raise
        finally:
            executed.unlink(missing_ok=True)
        for cell in nb.cells:  # papermill gives its cell a random id: a fixed one keeps reruns identical
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell["id"] = "injected-parameters"
        text = nbformat.writes(nb)
        write_text(text if text.endswith("\n") else text + "\n", Path(job.output))  # as nbformat.write
        write_text(notebook_to_html(nb, title=job.title, page_css=job.page_css, banner=job.banner), Path(job.html))
        status, error = "ok", None
    except PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # any other failure of this one report (a dead kernel, a timeout); the run goes on
        status, error = "failed", f"{type(exc).__name__}: {exc}".strip()
        if warm is not None:
            warm.stop()  # a kernel in an unknown state is not reused
    finally:
        if own_ipc:
            shutil.rmtree(own_ipc, ignore_errors=True)
    return {"key": job.key, "status": status, "error": error, "seconds": round(time.perf_counter() - t0, 2),
            "report": job.rel_html, "notebook": job.rel_nb}


# The worker's own warm kernel, one per thread: pool workers and Dask workers run one job
# at a time per thread, and a kernel must never run two notebooks at once.
_WORKER = threading.local()


def _without_iri_grammars() -> None:
    """Keep the optional ``rfc3987_syntax`` from loading in this worker process.

    nbformat imports jsonschema, which compiles 38 IRI grammars at import when
    rfc3987-syntax is installed (jupyterlab brings it): about a second of each worker's
    start, for a format check that notebook validation never makes.  An entry of None in
    ``sys.modules`` is the import system's own way of saying "not installed" (jsonschema
    then leaves the "iri" format unchecked).  Done only in a worker the kit started, and
    only when nothing imported the package before (a Dask worker, which may run other
    work, is left as it is)."""
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)


def local_worker_init(fresh: bool = False) -> None:
    """Initializer of the kit's own spawn-started pool processes: :func:`worker_init`,
    without the IRI grammars (:func:`_without_iri_grammars`)."""
    _without_iri_grammars()
    worker_init(fresh)


def worker_init(fresh: bool = False) -> None:
    """Keep a warm kernel in this worker (thread) unless ``fresh``."""
    if fresh or getattr(_WORKER, "warm", None) is not None:
        return
    warm = _WORKER.warm = WarmKernel()
    atexit.register(warm.close)
    try:  # pool workers leave through multiprocessing's exit, which skips atexit
        from multiprocessing.util import Finalize

        Finalize(warm, warm.close, exitpriority=10)
    except Exception:
        pass


def warm_up(fresh: bool = False) -> bool:
    """Start this worker's kernel ahead of the first notebook (while the main process
    computes the figures)."""
    worker_init(fresh)
    if not fresh:
        _WORKER.warm.start()
    # papermill, nbformat and the exporter imported and built now, while the figures are
    # computed, not on the first report's path
    import papermill  # noqa: F401

    from kit.report.export import _exporter

    _exporter()
    return True


def worker_render(job: Job) -> dict:
    """Render one job in this worker (its warm kernel unless ``job.fresh``)."""
    if job.fresh:
        return render(job, None)
    worker_init()
    return render(job, _WORKER.warm)
