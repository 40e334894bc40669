"""The render worker's own costs (issue 18, part 4): what a worker imports, how its
kernels start, and how the export validates."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _fresh(code: str) -> str:
    """``code`` run in a fresh interpreter (this one has imported everything already); its output."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_render_worker_imports_neither_the_reports_nor_the_batch():
    """A worker runs notebooks and exports them: matplotlib, pandas and the figures belong to
    its kernel and to the main process (they were half a second of every worker's start)."""
    out = _fresh("import sys\n"
                 "from kit.run.engine import local_worker_init\n"
                 "local_worker_init(True)\n"  # fresh kernels: no warm kernel started here
                 "import papermill\n"
                 "from kit.report.export import _exporter\n"
                 "_exporter()\n"
                 "print(sorted(m for m in ('matplotlib', 'pandas', 'kit.run.batch', 'kit.report.account', 'kit.figures.model',"
                 " 'lark', 'rfc3987_syntax') if sys.modules.get(m) is not None))")
    assert out.strip() == "[]"


def test_the_package_names_are_still_there_on_first_use():
    out = _fresh("import sys, kit.run, kit.report\n"
                 "print('kit.run.batch' in sys.modules, 'kit.report.account' in sys.modules)\n"
                 "print(kit.run.run.__module__, kit.report.AccountReport.__module__, kit.report.PortfolioReport.__module__)\n"
                 "from kit.report import AUDIENCES, load_model\n"
                 "from kit.run import RunResult\n"
                 "print(sorted(AUDIENCES), load_model.__module__, RunResult.__name__)")
    lines = out.splitlines()
    assert lines[0] == "False False"  # nothing imported with the packages
    assert lines[1] == "kit.run.batch kit.report.account kit.report.portfolio"
    assert lines[2] == "['client', 'internal'] kit.report.loading RunResult"
    import kit.report
    import kit.run

    for module in (kit.run, kit.report):
        with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
            module.no_such_name  # noqa: B018


def test_only_the_kits_own_workers_leave_the_iri_grammars_out():
    """jsonschema, under nbformat, compiles 38 grammars at import when rfc3987-syntax is
    installed; the kit's pool workers skip them, notebook validation works the same, and
    a process that merely imports the engine (a Dask worker, a user's session) is left as it is."""
    out = _fresh("import sys, nbformat\n"
                 "from kit.run.engine import local_worker_init\n"
                 "print(sys.modules.get('rfc3987_syntax') is None)")
    pytest.importorskip("rfc3987_syntax")
    assert out.strip() == "False"  # imported before the worker started: untouched
    out = _fresh("import sys\n"
                 "from kit.run.engine import worker_render, local_worker_init\n"
                 "print('rfc3987_syntax' in sys.modules)\n"
                 "local_worker_init(True)\n"
                 "import nbformat\n"
                 "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
                 "nbformat.validate(nb)\n"
                 "bad = nbformat.from_dict({'nbformat': 4, 'nbformat_minor': 5, 'metadata': {}, 'cells': [{'cell_type': 'x'}]})\n"
                 "try:\n"
                 "    nbformat.validate(bad); print('invalid notebook accepted')\n"
                 "except nbformat.ValidationError:\n"
                 "    print('invalid notebook refused')\n"
                 "print('lark' in sys.modules)")
    assert out.split() == ["False", "invalid", "notebook", "refused", "False"]


def test_kernels_start_without_the_sqlite_history():
    """Report cells are in their notebooks; two kernels writing ~/.ipython's history file
    for every cell cost 5-10% of a report's kernel time."""
    from kit.run.engine import KERNEL_NAME, KERNEL_OPTIONS, IPCKernelManager

    km = IPCKernelManager(kernel_name=KERNEL_NAME)
    cmd = km.format_kernel_cmd(["--extra"])
    assert "--HistoryManager.enabled=False" in KERNEL_OPTIONS
    assert cmd[-len(KERNEL_OPTIONS) - 1:] == [*KERNEL_OPTIONS, "--extra"]
    # papermill's fresh kernels are built from the same class (in_folder)
    sub = IPCKernelManager.in_folder(km.ip.rsplit("/", 1)[0])(kernel_name=KERNEL_NAME)
    assert sub.format_kernel_cmd()[-len(KERNEL_OPTIONS):] == list(KERNEL_OPTIONS)


def test_a_warm_kernel_keeps_no_history_and_still_runs_notebooks(tmp_path):
    from jupyter_core.utils import run_sync

    from kit.run.engine import WarmKernel

    seen: list[str] = []
    warm = WarmKernel()
    try:
        warm.reset()
        reply = run_sync(warm.kc.execute_interactive)(
            "_h = get_ipython().history_manager; print(_h.enabled, type(_h.db).__name__)", timeout=60,
            output_hook=lambda msg: seen.append(msg["content"].get("text", "")))
    finally:
        warm.close()
    assert reply["content"]["status"] == "ok"
    assert "".join(seen).split() == ["False", "DummyDB"]


def test_the_export_validates_once_not_after_every_preprocessor():
    from kit.report.export import _exporter

    exporter = _exporter()
    assert exporter.optimistic_validation is True
    assert len(exporter._preprocessors) > 1  # the validation it saves: one per preprocessor
