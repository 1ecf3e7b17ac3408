"""The import contracts in pyproject.toml (import-linter): the library never imports the training code, the stages
never import the adapters built on them, and the triage rules, advice and reason texts form no cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=Path(__file__).parents[1], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_lint_is_clean() -> None:
    """pyflakes, pycodestyle (120 columns) and import order over the library and tests (ruff, settings in
    pyproject.toml)."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "--no-cache", "src", "tests", "scripts"], cwd=Path(__file__).parents[1],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_no_import_cycle() -> None:
    """No two modules import each other, directly or round a loop, typing-only imports included (issue 33: the
    base types named the advice, face map, GAGS and lesions above them; two CLI commands imported each other).
    The package's own ``__init__`` is left out: it re-exports the public API lazily and its version is read by the
    pipeline, a facade rather than a layer."""
    import grimp

    graph = grimp.build_graph("comedo", cache_dir=None, exclude_type_checking_imports=False)
    graph.remove_module("comedo")
    loops = [(module, *back) for module in sorted(graph.modules)
             for imported in sorted(graph.find_modules_directly_imported_by(module))
             if (back := graph.find_shortest_chain(importer=imported, imported=module)) is not None]
    assert not loops, loops[:5]


def test_the_layout_shows_the_architecture() -> None:
    """At most 9 modules directly in src/comedo (the aggregate ``analysis`` sits above the stages beside the base
    ``types``), and none anywhere over 300 lines."""
    root = Path(__file__).parents[1] / "src"
    top = sorted(p.name for p in (root / "comedo").glob("*.py"))
    assert len(top) <= 9, top
    long = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, long
