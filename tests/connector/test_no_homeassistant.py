"""The library must not import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

from .conftest import LIB_DIR


def test_ast_has_no_homeassistant_imports() -> None:
    """No file of the package names homeassistant in an import."""
    files = sorted(LIB_DIR.glob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                assert node.level <= 1, f"{path.name} imports outside the package"
            else:
                continue
            for name in names:
                assert not name.startswith("homeassistant"), f"{path.name} imports {name}"


def test_import_in_clean_interpreter(tmp_path: Path) -> None:
    """Importing the package and every module loads nothing from homeassistant."""
    code = (
        "import sys, pkgutil, importlib, importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('miot', {str(LIB_DIR / '__init__.py')!r},"
        f" submodule_search_locations=[{str(LIB_DIR)!r}])\n"
        "miot = importlib.util.module_from_spec(spec)\n"
        "sys.modules['miot'] = miot\n"
        "spec.loader.exec_module(miot)\n"
        "for mod in pkgutil.iter_modules(miot.__path__):\n"
        "    importlib.import_module('miot.' + mod.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'homeassistant')\n"
        "print(len(miot.__all__), bad)\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")
