"""Word lists, patterns and tables as data files, loaded once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_json(name: str) -> Any:
    """Return the parsed JSON resource ``name`` (a path relative to this package)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
