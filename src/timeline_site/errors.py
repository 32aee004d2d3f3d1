"""Errors of the build: content problems are values, collected and reported together.

This module is a leaf: it imports nothing from the package.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

log = logging.getLogger(__name__)


@dataclass  # NOT frozen: contextlib sets __traceback__ on exceptions.
class ContentError(Exception):
    """One problem in `content/`, located as `path:line`."""

    path: PurePosixPath | str
    """Path relative to the content folder."""
    line: int | None
    """1-based line of the offending key, when there is one."""
    message: str
    field: str | None = None
    """The front-matter field concerned, when there is one."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line or '?'}: {self.message}"

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.path), self.line or 0, self.message)


class BuildFailed(Exception):
    """Raised once, at the end of a stage, with every content error found."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors, key=ContentError.sort_key)
        super().__init__(f"{len(self.errors)} problem(s) in content")

    def report(self) -> str:
        return "\n".join(str(e) for e in self.errors)
