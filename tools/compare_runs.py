"""Compare two run folders as a reader would: every page and table byte for byte, every
workbook cell by cell, every executed notebook without its timings and the run's own model file.

    python tools/compare_runs.py RUN_A RUN_B

Used to show that a refactoring changed no output (exit 1 and the differing files when
any differ).  ``manifest.json`` differs by nature (times, the command's paths) and is skipped.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _notebook(path: Path) -> object:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("papermill", None)
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):  # the run's own model file
            cell["source"] = re.sub(r'model_path = ".*"', 'model_path = "..."', "".join(cell["source"]))
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    return nb


def _workbook(path: Path) -> object:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def differing(a: Path, b: Path) -> list[str]:
    """Relative paths that differ (or exist on one side only)."""
    files = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files |= {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    out = []
    for rel in sorted(files - {"manifest.json"}):
        pa, pb = a / rel, b / rel
        if not (pa.is_file() and pb.is_file()):
            out.append(rel)
        elif rel.endswith(".ipynb"):
            out += [rel] if _notebook(pa) != _notebook(pb) else []
        elif rel.endswith(".xlsx"):
            out += [rel] if _workbook(pa) != _workbook(pb) else []
        elif pa.read_bytes() != pb.read_bytes():
            out.append(rel)
    return out


def main(argv: list[str]) -> int:
    a, b = map(Path, argv)
    diff = differing(a, b)
    n = sum(1 for p in a.rglob("*") if p.is_file())
    print(f"{n} files compared; {len(diff)} differ" + "".join(f"\n  {p}" for p in diff))
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
