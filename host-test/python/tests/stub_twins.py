"""The ``a*`` methods of ``_native.pyi``, written from their synchronous twins.

The extension defines each method it has in both forms once (``twins!`` in
src/call.rs): ``acheck`` takes what ``check`` takes and returns an awaitable
of what ``check`` returns; likewise ``__aexit__`` and ``__exit__``. A stub
file must spell every signature out for type checkers, so this writes each
twin's stub from its synchronous method's (the same text, renamed, its return
type wrapped in ``Awaitable[...]``), and test_host.py fails when the file
differs from what it writes::

    python tests/stub_twins.py          # the difference, if any (exit status 1)
    python tests/stub_twins.py --write  # rewrites the twins in place

A twin is a method named as a synchronous one of its class with an ``a``
before the name (``__a`` for a dunder), except ``__aiter__``, which returns
the iterator itself rather than an awaitable.
"""

from __future__ import annotations

import ast
import difflib
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

STUB = Path(__file__).resolve().parents[1] / "python" / "talemate_visual" / "_native.pyi"

#: Synchronous methods whose ``a*`` namesake is no awaitable of the same call.
NOT_TWINS = {"__iter__"}


def twin_name(name: str) -> str:
    return f"__a{name[2:]}" if name.startswith("__") else f"a{name}"


def class_twins(tree: ast.Module) -> Iterator[Tuple[str, ast.FunctionDef, ast.FunctionDef]]:
    """(class name, synchronous method, its twin) of every class in the stub."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods: Dict[str, ast.FunctionDef] = {f.name: f for f in node.body if isinstance(f, ast.FunctionDef)}
            for name, method in methods.items():
                twin = methods.get(twin_name(name))
                if twin is not None and name not in NOT_TWINS:
                    yield node.name, method, twin


def first_line(node: ast.FunctionDef) -> int:
    """The 0-based line a definition starts on, decorators included."""
    return min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1


def twin_text(lines: List[str], sync: ast.FunctionDef) -> List[str]:
    """The twin's stub: the synchronous one renamed, returning an awaitable."""
    if sync.returns is None:
        raise SystemExit(f"{STUB}:{sync.lineno}: {sync.name} has no return type to wrap")
    text = [line.encode() for line in lines[first_line(sync) : sync.end_lineno]]
    # The return annotation (ast's columns count UTF-8 bytes), from its last line back.
    start, end = sync.returns.lineno - 1 - first_line(sync), sync.returns.end_lineno - 1 - first_line(sync)
    start_col, end_col = sync.returns.col_offset, sync.returns.end_col_offset
    text[end] = text[end][:end_col] + b"]" + text[end][end_col:]
    text[start] = text[start][:start_col] + b"Awaitable[" + text[start][start_col:]
    head = f"def {sync.name}(".encode()
    at = next(i for i, line in enumerate(text) if head in line)
    text[at] = text[at].replace(head, f"def {twin_name(sync.name)}(".encode(), 1)
    return [line.decode() for line in text]


def regenerated(source: str) -> str:
    """``source`` with every twin written from its synchronous method."""
    lines = source.splitlines(keepends=True)
    pairs = sorted(class_twins(ast.parse(source)), key=lambda pair: pair[2].lineno, reverse=True)
    for _, sync, twin in pairs:  # from the bottom up, so the line numbers above stay
        lines[first_line(twin) : twin.end_lineno] = twin_text(lines, sync)
    return "".join(lines)


def main(argv: List[str]) -> int:
    current = STUB.read_text()
    wanted = regenerated(current)
    if "--write" in argv:
        if wanted != current:
            STUB.write_text(wanted)
        return 0
    diff = difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), str(STUB), "regenerated")
    sys.stdout.writelines(diff)
    return int(wanted != current)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
