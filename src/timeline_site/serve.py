"""Live preview: build, serve the output folder, rebuild and reload on change.

The server knows nothing about timelines: it is given a `builder` callable that
returns the list of problems of a rebuild (empty on success). A failed rebuild
leaves the last good site being served, since builds swap in only on success.
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

Builder = Callable[[], Sequence[str]]


class ChangeKind(enum.Enum):
    CONTENT = "content"
    TEMPLATE = "template"
    STATIC = "static"
    IGNORED = "ignored"


def classify_change(path: Path, content: Path, templates: Path, static: Path) -> ChangeKind:
    """What a changed file is, so the caller can decide what to rebuild."""
    if any(part.startswith((".", "_")) or part.endswith("~") for part in path.parts[-1:]):
        return ChangeKind.IGNORED
    for folder, kind in ((content, ChangeKind.CONTENT), (templates, ChangeKind.TEMPLATE), (static, ChangeKind.STATIC)):
        if path.resolve().is_relative_to(folder.resolve()):
            return kind
    return ChangeKind.IGNORED


class LiveReloadServer:
    """A thin wrapper over the livereload package."""

    def __init__(self, builder: Builder, root: Path, watched: Sequence[Path], host: str = "127.0.0.1", port: int = 8000):
        self.builder, self.root, self.watched, self.host, self.port = builder, root, watched, host, port

    def rebuild(self) -> bool:
        problems = self.builder()
        for problem in problems:
            print(problem, flush=True)
        if problems:
            print(f"Build failed with {len(problems)} problem(s); still serving the last good site.", flush=True)
        return not problems

    def serve(self) -> None:
        import livereload

        server = livereload.Server()
        for folder in self.watched:
            server.watch(str(folder), self.rebuild, delay=0.2)
        print(f"Serving {self.root} at http://{self.host}:{self.port}/ (Ctrl+C to stop)", flush=True)
        server.serve(root=str(self.root), host=self.host, port=self.port, open_url_delay=None,
                     restart_delay=0, default_filename="index.html")
