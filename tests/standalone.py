"""Import a library of the integration (`miot`, `mina`) as a top-level package, without its
parent integration: proves it needs nothing from Home Assistant."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys


def load_standalone(name: str, directory: Path) -> None:
    """Import `directory` as the top-level package `name` (once)."""
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
