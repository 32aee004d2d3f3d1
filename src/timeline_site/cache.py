"""What a build remembers between runs: rendered Markdown and the last build's manifest.

Both live in the cache folder (`.cache/timeline-site/` in the project; `make
clean` removes it). Every key includes the generator's fingerprint, so a new
version of the tool or of a library that shapes the output never reuses an
old entry. A damaged cache entry is ignored, never trusted.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from pathlib import Path

from .digest import generator_fingerprint, sha

log = logging.getLogger(__name__)


class MarkdownCache:
    """Rendered bodies by a hash of their source and of what their links point to.

    Kept in memory and, with a folder, in one SQLite file there (one file, one
    transaction per build: much cheaper than a file per body).
    """

    def __init__(self, folder: Path | None, keep_in_memory: bool = True):
        self.path = folder / "markdown.sqlite3" if folder else None
        self.keep_in_memory = keep_in_memory
        self._memory: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._inherited: sqlite3.Connection | None = None
        self._empty = False
        """The table held nothing when this process connected: then only the keys this process
        put since (`_own`) can be found in it, and a cold build skips a query per body that
        could only miss. (Another process's puts are missed: a body rendered again.)"""
        self._own: set[str] = set()

    @staticmethod
    def key(body: str, targets: tuple) -> str:
        return sha(generator_fingerprint(), body, repr(targets))

    def get(self, key: str) -> str | None:
        if key in self._memory:
            return self._memory[key]
        db = self._connect()
        if self._empty and key not in self._own:
            return None
        try:
            row = db.execute("SELECT html FROM md WHERE key = ?", (key,)).fetchone() if db else None
        except sqlite3.DatabaseError as error:
            log.warning("ignoring the Markdown cache %s: %s", self.path, error)
            row = None
        if row is not None and self.keep_in_memory:
            self._memory[key] = row[0]
        return row[0] if row else None

    def put_many(self, items: dict[str, str]) -> None:
        if self.keep_in_memory:
            self._memory.update(items)
        db = self._connect()
        if db is not None and items:
            if self._empty:
                self._own.update(items)
            with db:
                db.executemany("INSERT OR REPLACE INTO md (key, html) VALUES (?, ?)", items.items())

    def retain(self, keys: set[str]) -> None:
        """Keep in memory only what the last build used (the disk keeps the rest)."""
        self._memory = {k: v for k, v in self._memory.items() if k in keys}

    def _connect(self) -> sqlite3.Connection | None:
        """This process's connection: a worker forked from the building process opens its own
        (a SQLite connection must not cross a fork; the inherited one is left untouched)."""
        if self._db is not None and self._pid != os.getpid():
            self._inherited, self._db, self._own = self._db, None, set()
        if self._db is None and self.path is not None:
            self._pid = os.getpid()
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30)
                # Write-ahead log, synced at checkpoints only: a commit costs no fsync, and a
                # crash loses at most the last bodies (the cache stays consistent).
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS md (key TEXT PRIMARY KEY, html TEXT NOT NULL)")
                self._empty = self._db.execute("SELECT NOT EXISTS (SELECT 1 FROM md)").fetchone()[0] == 1
            except sqlite3.DatabaseError as error:  # a damaged cache is dropped, never trusted
                log.warning("ignoring the Markdown cache %s: %s", self.path, error)
                self.path.unlink(missing_ok=True)
                self.path, self._db = None, None
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class Manifest:
    """dest_path -> fingerprint of every file of the last successful build into one folder."""

    def __init__(self, folder: Path | None, out_dir: Path):
        self.path = folder / f"manifest-{sha(str(out_dir.resolve()))[:16]}.json" if folder else None
        self.files: dict[str, str] | None = None

    def load(self) -> dict[str, str] | None:
        """The last build's files, or None when unknown (then everything is written anew)."""
        if self.files is None and self.path is not None and self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("generator") == generator_fingerprint():
                    self.files = {str(k): str(v) for k, v in data["files"].items()}
            except (OSError, ValueError, KeyError, AttributeError):
                self.files = None
        return self.files

    def save(self, files: dict[str, str]) -> None:
        """Record the files of a build (in plan order, which is stable); nothing to do if they are unchanged."""
        if files == self.files:
            return
        self.files = files
        if self.path is not None:
            atomic_write(self.path, json.dumps({"generator": generator_fingerprint(), "files": files},
                                                separators=(",", ":")))

    def forget(self) -> None:
        self.files = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
