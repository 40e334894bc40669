"""The kit installs like any Python tool: the sdist and the wheel carry the package, its
notebooks and resources (and nothing else), and a wheel installed into a new virtualenv
renders a portfolio from a folder outside the checkout.

Works offline: both are built without build isolation (setuptools from the test
extras), and the new virtualenv borrows this environment's installed dependencies
through a ``.pth`` file instead of downloading them.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a clone has beyond the sources: never part of a build.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "reports", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".hypothesis", ".ipynb_checkpoints", ".kit-cache")
NOTEBOOKS = ("account_health.ipynb", "portfolio_health.ipynb", "workshop.ipynb")
TIMEOUT = 300  # seconds per command: a hung build or run fails the test instead of the suite


def _env() -> dict[str, str]:
    """This environment without anything that would put the checkout on sys.path or reach an index."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    # The borrowed dependencies' data files (nbconvert's base templates, the python3
    # kernelspec) live under this environment's prefix, where a real install into the new
    # virtualenv would have put them under its own.
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(Path(sys.prefix, "share", "jupyter")), env.get("JUPYTER_PATH")]))
    return env


def _run(cmd: list, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _expected_package_files(src: Path) -> set[str]:
    """Every file of ``kit/`` (code and resources) and the notebooks, as the wheel names them."""
    files = {p.relative_to(src).as_posix() for p in (src / "kit").rglob("*") if p.is_file()}
    return files | {f"kit/notebooks/{name}" for name in (*NOTEBOOKS, "__init__.py")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist, built from a copy of the checkout (no build/ or egg-info left in it), and
    the wheel built from the unpacked sdist, as ``python -m build`` does: a file missing
    from the sdist is then missing from the wheel too."""
    tmp = tmp_path_factory.mktemp("packaging")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)
    dist = tmp / "dist"
    dist.mkdir()
    _run([sys.executable, "-c", "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])", dist], cwd=src)
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        # the "data" filter (Python 3.11.4+) refuses links and paths out of the folder
        tar.extractall(tmp / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (unpacked,) = (tmp / "unpacked").iterdir()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", dist, unpacked],
         cwd=tmp)
    (wheel,) = dist.glob("*.whl")
    return {"src": src, "sdist": sdist, "wheel": wheel, "tmp": tmp}


def test_the_wheel_has_the_package_notebooks_and_resources_only(built):
    names = set(zipfile.ZipFile(built["wheel"]).namelist())
    missing = _expected_package_files(built["src"]) - names
    assert not missing, f"not in the wheel: {sorted(missing)} (package-data in pyproject.toml?)"
    for name in ("kit/resources/kit.css", "kit/resources/templates/kit/index.html.j2", "kit/resources/questions.csv",
                 "kit/resources/objectives.csv", *(f"kit/notebooks/{nb}" for nb in NOTEBOOKS)):
        assert name in names
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"kit"}, tops  # no tests/, data/, notebooks/ at the top
    (info,) = (t for t in tops if t.endswith(".dist-info"))
    zf = zipfile.ZipFile(built["wheel"])
    assert "kit = kit.cli:main" in zf.read(f"{info}/entry_points.txt").decode()
    metadata = zf.read(f"{info}/METADATA").decode()
    assert "Requires-Dist: defusedxml" in metadata and "<8" in next(l for l in metadata.splitlines() if "Requires-Dist: nbconvert" in l)


def test_the_sdist_has_the_sources_and_no_tests_or_data(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for name in ("pyproject.toml", "README.md", "kit/cli.py", "kit/resources/kit.css", "kit/resources/templates/kit/conf.json",
                 "notebooks/__init__.py", *(f"notebooks/{nb}" for nb in NOTEBOOKS)):
        assert name in names, name
    assert not {n for n in names if n.split("/")[0] in {"tests", "data", "reports", "docs", "benchmarks"}}


def test_the_installed_wheel_renders_a_portfolio_outside_the_checkout(built):
    tmp = built["tmp"]
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    paths = json.loads(_run([python, "-c", "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))"], cwd=tmp).stdout)
    # this pip installs into the new environment (which has none); nothing else is installed yet,
    # so pip cannot mistake this environment's editable kit for the one being installed
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", built["wheel"]], cwd=tmp)
    # the dependencies: this environment's site-packages, after the new one's (a .pth line
    # adds the folder only: the editable install's finder in it is not loaded)
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(paths["purelib"], "_kit_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    kit = Path(paths["scripts"], "kit.exe" if os.name == "nt" else "kit")

    work = tmp / "elsewhere"
    work.mkdir()
    assert ROOT not in work.resolve().parents
    where = _run([python, "-c", "import kit, kit.run; print(kit.__file__); print(kit.run.notebooks_dir())"], cwd=work).stdout.split()
    assert all(Path(p).resolve().is_relative_to(Path(paths["purelib"]).resolve()) for p in where), where

    _run([kit, "synth", "--accounts", "3", "--seed", "1", "--out", "data"], cwd=work)
    proc = _run([kit, "run", "--data", "data", "--out", "out", "--no-progress"], cwd=work)
    out = work / "out"
    assert (out / "index.html").is_file() and (out / "portfolio.html").is_file(), proc.stdout
    assert len(list((out / "accounts").glob("*.html"))) == 3
    # the kernels executed the installed notebooks, not the checkout's
    nb = json.loads((out / "notebooks" / "portfolio.ipynb").read_text(encoding="utf-8"))
    assert Path(nb["metadata"]["papermill"]["input_path"]).resolve().is_relative_to(Path(paths["purelib"]).resolve())

    _run([kit, "notebooks", "mine"], cwd=work)
    for name in NOTEBOOKS:
        assert (work / "mine" / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
