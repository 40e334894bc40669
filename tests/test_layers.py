"""The architecture as the folder list shows it: each layer imports only from the layers
below it, and no module imports another in a cycle (issue 14)."""

from __future__ import annotations

import ast
from pathlib import Path

KIT = Path(__file__).resolve().parents[1] / "kit"

#: bottom to top; a module may import from its own layer and the layers before it
LAYERS = [
    {"kit", "kit.errors", "kit.schema", "kit.periods", "kit.config", "kit.forking"},
    {"kit.files"},
    {"kit.inputs", "kit.resources"},
    {"kit.figures"},
    {"kit.report"},
    {"kit.workshop"},
    {"kit.run", "kit.importing", "kit.notebooks"},
    {"kit.synth", "kit.cli"},
]


def _layer(module: str) -> int:
    parts = module.split(".")
    for depth in (2, 1):
        name = ".".join(parts[:depth])
        for i, layer in enumerate(LAYERS):
            if name in layer:
                return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def _modules() -> dict[str, Path]:
    out = {}
    for p in KIT.rglob("*.py"):
        rel = p.relative_to(KIT.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        out[name] = p
    return out


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("kit"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kit")}
    return found


def test_every_module_imports_only_from_its_layer_or_below():
    modules = _modules()
    upward = []
    for name, path in modules.items():
        for target in _imports(path):
            if target in modules and _layer(target) > _layer(name):
                upward.append(f"{name} imports {target}")
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycles_at_module_top():
    """Top-level imports only: an import inside a function runs when called, not on import."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & set(modules)
                # ``from kit.report import charts`` needs the submodule, which Python imports
                # even while the package is still initializing
                deps |= subs if subs else ({node.module} & set(modules))
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in modules}
        graph[name] = deps - {name}
    seen, stack, cycles = set(), [], []

    def visit(n: str) -> None:
        if n in stack:
            cycles.append(" -> ".join(stack[stack.index(n):] + [n]))
            return
        if n in seen:
            return
        seen.add(n)
        stack.append(n)
        for d in sorted(graph[n]):
            visit(d)
        stack.pop()

    for n in sorted(graph):
        visit(n)
    assert not cycles, "\n".join(cycles)


def test_no_module_is_named_after_the_standard_library():
    import sys

    clashes = [p for p in KIT.rglob("*.py") if p.stem in sys.stdlib_module_names]
    assert not clashes, clashes
