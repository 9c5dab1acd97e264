"""Every import and every dotted ``censorsim.`` name written in README.md and docs/ resolves.

The docs show snippets with placeholders (a user's own files), so they are not executed
whole; but each ``import censorsim...`` and ``from censorsim... import ...`` they print
must resolve, so that a public import path never moves without its docs.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_IMPORT = re.compile(
    r"^\s*(?:>>> )?((?:from\s+censorsim[\w.]*\s+import\s+.+)|(?:import\s+censorsim[\w.]*.*))$"
)
_DOTTED = re.compile(r"`(censorsim(?:\.[A-Za-z_]\w*)+)")


def _imports() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in SOURCES:
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            m = _IMPORT.match(lines[i])
            if m:
                stmt = m.group(1).strip()
                # a parenthesised import list continues on the next lines
                while stmt.count("(") > stmt.count(")") and i + 1 < len(lines):
                    i += 1
                    stmt += " " + lines[i].strip()
                found.append((f"{path.relative_to(ROOT)}:{i + 1}", stmt))
            i += 1
    return found


IMPORTS = _imports()


def test_docs_have_imports() -> None:
    """The scan finds the docs' imports (it is not passing on an empty list)."""
    assert len(IMPORTS) >= 10


@pytest.mark.parametrize(("where", "stmt"), IMPORTS, ids=[w for w, _ in IMPORTS])
def test_documented_import_resolves(where: str, stmt: str) -> None:
    """The statement, as printed, imports every name it lists."""
    tree = ast.parse(stmt.split("#", 1)[0].strip())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):
                    importlib.import_module(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)


def _dotted() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for path in SOURCES:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in _DOTTED.findall(line):
                found.setdefault(name, f"{path.relative_to(ROOT)}:{n}")
    return sorted((where, name) for name, where in found.items())


DOTTED = _dotted()


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_docs_have_dotted_names() -> None:
    """The scan finds the docs' dotted names."""
    assert len(DOTTED) >= 10


@pytest.mark.parametrize(("where", "name"), DOTTED, ids=[n for _, n in DOTTED])
def test_documented_name_resolves(where: str, name: str) -> None:
    """A name such as `censorsim.text.matchers.BACKENDS` in the docs exists."""
    try:
        _resolve(name)
    except (AttributeError, ModuleNotFoundError) as exc:
        pytest.fail(f"{where}: {name} does not resolve ({exc})")
