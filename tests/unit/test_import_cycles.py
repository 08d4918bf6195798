"""No import cycles in toolcheck, not even ones hidden behind a function-level import (issue 11).

The graph is read from the source (ast): every ``import``/``from ... import`` of a toolcheck
module, at module level or inside a function (a lazy import is still a dependency: it only moves
the cycle from import time to call time). ``if TYPE_CHECKING:`` blocks are not runtime edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "toolcheck").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]

        def visit(node: ast.AST, mod: str = mod, package: str = package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    continue
                names: list[str] = []
                if isinstance(child, ast.Import):
                    names = [a.name for a in child.names]
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        parts = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                        base = ".".join(parts + ([base] if base else []))
                    names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in child.names]
                for name in names:
                    target = resolve(name) if name.startswith("toolcheck") else None
                    if target and target != mod:
                        graph[mod].add(target)
                visit(child)

        visit(ast.parse(path.read_text()))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each edge that closes one (enough to name every cycle)."""
    found: list[list[str]] = []
    for start in sorted(graph):
        for first in sorted(graph[start]):
            # breadth-first from `first` back to `start`
            parents: dict[str, str | None] = {first: None}
            queue = [first]
            while queue and start not in parents:
                node = queue.pop(0)
                for nxt in sorted(graph[node]):
                    if nxt not in parents:
                        parents[nxt] = node
                        queue.append(nxt)
            if start in parents:
                path = [start]
                while path[-1] != first:
                    parent = parents[path[-1]]
                    assert parent is not None
                    path.append(parent)
                found.append([start, *reversed(path[1:])])
    return found


def test_the_reader_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]


def test_no_import_cycles_lazy_or_not() -> None:
    cycles = _cycles(_graph())
    # a package __init__ re-exporting its submodules, which import siblings through the package,
    # is not a cycle of concepts: a submodule importing its own package is reported like any other
    assert not cycles, "\n".join(" -> ".join([*c, c[0]]) for c in cycles)
