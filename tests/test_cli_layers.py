"""The command line sits on top: only storyledger.cli imports click, and no library module
imports storyledger.eval (the evaluations call the library, never the other way round).
Checked by reading every source file's imports."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "storyledger"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    module = ".".join(("storyledger", *path.relative_to(PACKAGE).with_suffix("").parts))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = node.module or ""
            if node.level:
                target = f"{base}.{target}" if target else base
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _library_files(*outside: str) -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p.relative_to(PACKAGE).parts[0] not in outside]


def test_only_the_cli_package_imports_click() -> None:
    files = _library_files("cli")
    assert len(files) > 20, "the source tree was not found"
    offenders = [str(p.relative_to(PACKAGE)) for p in files
                 if any(name == "click" or name.startswith("click.") for name in _imports(p))]
    assert not offenders, f"import click outside storyledger/cli: {offenders}"


def test_no_library_module_imports_the_evaluations() -> None:
    offenders = [str(p.relative_to(PACKAGE)) for p in _library_files("cli", "eval")
                 if any(name == "storyledger.eval" or name.startswith("storyledger.eval.") for name in _imports(p))]
    assert not offenders, f"library modules importing storyledger.eval: {offenders}"


def test_the_check_sees_relative_imports() -> None:
    # The walk must resolve "from ..eval import x" inside a subpackage, or the tests above pass vacuously.
    names = _imports(PACKAGE / "cli" / "bench.py")
    assert "storyledger.eval" in names and "click" in names
