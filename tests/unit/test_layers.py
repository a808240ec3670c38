"""The packages form layers (pyproject's import-linter contracts) and no module reaches itself through others."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from pm_admin.settings import PROJECT_ROOT


def import_cycles(package: str) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's strongly connected components)."""
    graph = grimp.build_graph(package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return cycles


def test_the_layer_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter if linter.exists() else shutil.which("lint-imports"))], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_no_module_imports_itself_round_a_loop():
    assert import_cycles("pm_admin") == []


def test_the_cycle_finder_finds_a_loop(tmp_path, monkeypatch):
    package = tmp_path / "looped"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from looped import b\n")
    (package / "b.py").write_text("def later():\n    from looped import a\n")
    (package / "c.py").write_text("from looped import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("looped") == [["looped.a", "looped.b"]]
