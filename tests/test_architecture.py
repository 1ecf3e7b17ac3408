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


def test_the_layout_shows_the_architecture() -> None:
    """At most 8 modules directly in src/comedo, and none anywhere over 300 lines."""
    root = Path(__file__).parents[1] / "src"
    top = sorted(p.name for p in (root / "comedo").glob("*.py"))
    assert len(top) <= 8, top
    long = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, long
