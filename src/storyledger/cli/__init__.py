"""The command line: a thin click layer over the library, one module per command group.

Only this package imports click or storyledger.eval; library errors become one-line messages
here and nowhere else. Every listing command takes ``--json`` and then prints one JSON array of
records. Command modules import heavy libraries inside the commands that need them, so listing
commands start fast.
"""

from __future__ import annotations

from . import bench, build, documents, evals, extracted, links, present, store  # noqa: F401 (they register)
from .common import main

__all__ = ["main"]
