"""Expand what the user named (files, folders, globs, ``-``) into inputs to read."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model import InputProblem, Origin

STDIN = "-"
# Inside a folder only files that look like articles are read (a corpus folder often carries a
# README or a licence); a file named on the command line is read whatever its name.
CORPUS_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml", ".json", ".jsonl",
                   ".ndjson", ".csv", ".tsv", ".warc", ".warc.gz", ".arc.gz", ".gz")
NOT_ARTICLES = ("readme", "license", "licence", "changelog", "notice")


@dataclass(frozen=True)
class InputFile:
    path: str  # as shown to the user; "<stdin>" for standard input

    def read(self) -> bytes:
        if self.path == "<stdin>":
            return sys.stdin.buffer.read()
        return Path(self.path).read_bytes()

    def size(self) -> int | None:
        return None if self.path == "<stdin>" else os.path.getsize(self.path)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, recursively, in a stable order, skipping hidden entries."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            lower = name.lower()
            if name.startswith(".") or lower.startswith(NOT_ARTICLES):
                continue
            if lower.endswith(CORPUS_SUFFIXES):
                yield Path(root) / name


def expand_inputs(specs: list[str]) -> Iterator[InputFile | InputProblem]:
    """Each named input once, in the order given; unknown names become problems."""
    seen: set[str] = set()

    def once(path: Path | str) -> Iterator[InputFile]:
        key = str(path)
        if key not in seen:
            seen.add(key)
            yield InputFile(key)

    for spec in specs:
        if spec == STDIN:
            yield from once("<stdin>")
            continue
        path = Path(spec)
        if path.is_dir():
            for file in _walk(path):
                yield from once(file)
        elif path.is_file():
            yield from once(path)
        elif glob.has_magic(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                yield InputProblem(Origin(spec), "no files match this pattern")
            for match in matches:
                match_path = Path(match)
                files = _walk(match_path) if match_path.is_dir() else [match_path]
                for file in files:
                    yield from once(file)
        else:
            yield InputProblem(Origin(spec), "no such file or folder", "check the path")
