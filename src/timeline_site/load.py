"""Stage 1: read `content/` into SourceDocs (parsed YAML, a key->line map, the body).

Nothing here knows what an event means; that is `validate`'s job. Every problem
becomes a ContentError value; nothing in a content file raises out of here.
"""
from __future__ import annotations

import logging
import operator
import os
import re
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .errors import ContentError
from .parallel import ordered_map

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000
"""Content files larger than this are refused rather than read."""
MAX_YAML_DEPTH = 32
"""Deeper YAML is refused: before it is composed if it might be deep enough to strain
libyaml's composer (which recurses in C), else by `map_lines`."""
COMPOSE_SAFELY = 1000
"""Documents with at most this many collections are composed without a scan first: nested
that deep, the composer's recursion is still far from the C stack's end."""
MAX_FOLDER_DEPTH = 32
"""Deeper folders under events/ or images/ are refused."""
ALIAS_MESSAGE = "YAML anchors and aliases (& and *) are not allowed in content"
MERGE_TAG = "tag:yaml.org,2002:merge"
MAP_TAG, SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Control, bidi-override and line-separator characters, and lone surrogates (undecodable file names)."""
EVENT_SUFFIXES = (".md", ".yaml", ".yml")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")
FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)

try:  # The C loader is several times faster; both are the *safe* loader.
    _SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _SafeLoader = yaml.SafeLoader


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with two scalars made harmless.

    A timestamp that does not exist (`2012-02-30`) stays text, so that validation
    explains it at its line; an integer too long for Python to convert is a YAML
    error at its line rather than a ValueError.
    """


def _construct_timestamp(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


def _construct_int(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"the number has {len(node.value):,} characters: too long to read", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def shown(text: object, limit: int = 80) -> str:
    """Content quoted in a message: control and bidi characters escaped, long text cut.

    Messages end up on terminals and in CI logs: a key or a file name must not be
    able to send escape sequences to them, nor a megabyte of text.
    """
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def brief(value: object, limit: int = 80) -> str:
    """`repr(value)`, cut to `limit` characters."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an int of more than 4,300 digits, a structure nested too deep
        return f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceDoc:
    """One parsed content file."""

    src_path: PurePosixPath
    """Path relative to the content folder."""
    data: Any
    """The parsed YAML (front matter for `.md` files)."""
    lines: Mapping[KeyPath, int] = field(default_factory=dict)
    """1-based line of every key and list item, by its path in `data`."""
    body: str = ""
    """Markdown body (`.md` files; `.yaml` files keep theirs in `data['body']`)."""
    body_line: int = 1
    """Line of the file on which `body` starts."""

    def line_of(self, *path: str | int) -> int | None:
        """Line of the deepest known prefix of `path` (the key itself when known)."""
        for end in range(len(path), -1, -1):
            if (line := self.lines.get(tuple(path[:end]))) is not None:
                return line
        return None


@dataclass(frozen=True)
class Sources:
    """Everything read from a content folder."""

    root: Path
    site: SourceDoc | None
    topics: SourceDoc | None
    events: tuple[SourceDoc, ...]
    images: frozenset[PurePosixPath]
    """Files under `images/`, relative to the content folder."""


Listings = dict[str, tuple[tuple[int, int], list[os.DirEntry], list[ContentError]]]
"""A folder's kept entries and problems, by path, with the (mtime, inode) of the folder they were read at."""
FileCache = dict[str, tuple[tuple[int, int, int], SourceDoc | None, list[ContentError]]]
"""Parsed event files by path (a str: a big site has thousands), with the (mtime, size, inode) they were parsed at."""


def load_sources(root: Path, cache: FileCache | None = None, jobs: int = 1,
                 listings: Listings | None = None) -> tuple[Sources, list[ContentError]]:
    """Read site.yaml, topics.yaml, every event file and the list of images.

    With a `cache` (kept by a long-lived Builder), event files whose stat has not
    changed are not read again; the cache is pruned to the files that exist.
    With `jobs` > 1, a large number of files is parsed in that many processes.
    With `listings`, a folder whose mtime has not changed is not listed again.
    """
    settings, errors = load_settings(root)
    events = []
    for doc, problems in _load_events(event_files(root, errors, listings), root, cache, jobs):
        errors += problems
        if doc is not None:
            events.append(doc)
    return replace(settings, events=tuple(events)), errors


def load_settings(root: Path) -> tuple[Sources, list[ContentError]]:
    """site.yaml, topics.yaml and the list of images: Sources without its events."""
    errors: list[ContentError] = []
    site = _load_required_yaml(root, "site.yaml", errors)
    topics = _load_required_yaml(root, "topics.yaml", errors)
    images = frozenset(_images(root, errors))
    return Sources(root, site, topics, (), images), errors


def event_files(root: Path, errors: list[ContentError], listings: Listings | None = None) -> list[os.DirEntry]:
    """The event files under events/, sorted (anything else there is an error)."""
    files = []
    for entry in _walk(root / "events", root, errors, listings):
        if not entry.name.endswith(EVENT_SUFFIXES):
            errors.append(ContentError(_rel(Path(entry.path), root), None,
                                       "not an event file: event files end in .md, .yaml or .yml"))
        else:
            files.append(entry)
    return files


def parse_event_file(path: str, root: Path) -> tuple[SourceDoc | None, list[ContentError]]:
    """One event file under `root`, parsed: its SourceDoc (None if unreadable) and problems."""
    problems: list[ContentError] = []
    return load_event_file(Path(path), _rel(Path(path), root), problems), problems


def _load_events(files: list[os.DirEntry], root: Path, cache: FileCache | None,
                 jobs: int) -> list[tuple[SourceDoc | None, list[ContentError]]]:
    """Each file's SourceDoc and problems, in order: parsed anew unless the cache has it at its current stat."""
    def parse(path: str) -> tuple[SourceDoc | None, list[ContentError]]:
        return parse_event_file(path, root)

    if cache is None:
        return list(ordered_map(parse, [entry.path for entry in files], jobs))
    stale = []
    for entry in files:  # the stat is taken before reading: a save during the build is seen next time
        known, stat = cache.get(entry.path), _stat_key(entry)
        if known is None or known[0] != stat:
            stale.append((entry.path, stat))
    for (path, stat), (doc, problems) in zip(stale, ordered_map(parse, [p for p, _ in stale], jobs)):
        cache[path] = (stat, doc, problems)
    if len(cache) != len(files):  # some files are gone
        paths = {entry.path for entry in files}
        for gone in [path for path in cache if path not in paths]:
            del cache[gone]
    return [cache[entry.path][1:] for entry in files]


def _stat_key(entry: os.DirEntry) -> tuple[int, int, int]:
    try:
        stat = os.stat(entry.path)  # not entry.stat(): an entry keeps its first answer, and listings are reused
    except OSError:  # gone since the folder was listed: reading it will say so
        return (0, 0, 0)
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _images(root: Path, errors: list[ContentError]) -> Iterator[PurePosixPath]:
    """Files under images/. Only raster images: they are published as they are, on the site's own
    origin, and an SVG or HTML file opened from there could run scripts."""
    for entry in _walk(root / "images", root, errors):
        path = Path(entry.path)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            yield _rel(path, root)
        else:
            errors.append(ContentError(_rel(path, root), None, "not an image file: images/ holds only "
                                       + ", ".join(IMAGE_SUFFIXES) + " files (SVG can carry scripts)"))


def load_event_file(path: Path, rel: PurePosixPath, errors: list[ContentError]) -> SourceDoc | None:
    text = read_text(path, rel, errors)
    if text is None:
        return None
    if path.suffix == ".md":
        return parse_markdown_doc(text, rel, errors)
    return parse_yaml_doc(text, rel, errors)


def _load_required_yaml(root: Path, name: str, errors: list[ContentError]) -> SourceDoc | None:
    path, rel = root / name, PurePosixPath(name)
    if not path.is_file() and not path.is_symlink():
        errors.append(ContentError(rel, None, f"missing {name}: the content folder needs one"))
        return None
    if problem := _link_problem(path, root.resolve()):
        errors.append(ContentError(rel, None, problem))
        return None
    text = read_text(path, rel, errors)
    return None if text is None else parse_yaml_doc(text, rel, errors)


def _walk(folder: Path, root: Path, errors: list[ContentError],
          listings: Listings | None = None) -> Iterator[os.DirEntry]:
    """Files below `folder`, sorted, skipping names that start with '.' or '_'.

    Iterative, so that deep folders cannot exhaust the stack. Anything that
    leads outside the content folder (a symbolic link, or a folder that is one)
    is refused, and so is a folder reached twice (a symbolic link loop).
    """
    real_root = root.resolve()
    if not (folder.exists() or folder.is_symlink()):
        return
    if problem := _link_problem(folder, real_root):
        errors.append(ContentError(_rel(folder, root), None, problem))
        return
    if not folder.is_dir():
        errors.append(ContentError(_rel(folder, root), None, "must be a folder"))
        return
    visited = {folder.resolve()}
    stack = [_entries(folder, root, errors, listings)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        # Only a link can lead outside: a plain entry of a checked folder is inside it.
        if entry.is_symlink() and (problem := _link_problem(Path(entry.path), real_root)):
            errors.append(ContentError(_rel(Path(entry.path), root), None, problem))
        elif entry.is_file():
            yield entry
        elif entry.is_dir():
            path = Path(entry.path)
            real = path.resolve()
            if real in visited:
                errors.append(ContentError(_rel(path, root), None, "folder is reached twice: a symbolic link makes a loop"))
            elif len(stack) >= MAX_FOLDER_DEPTH:
                errors.append(ContentError(_rel(path, root), None,
                                           f"folders are nested more than {MAX_FOLDER_DEPTH} levels deep"))
            else:
                visited.add(real)
                stack.append(_entries(path, root, errors, None if entry.is_symlink() else listings))
        else:
            errors.append(ContentError(_rel(Path(entry.path), root), None, "not a regular file"))


def _entries(folder: Path, root: Path, errors: list[ContentError],
             listings: Listings | None = None) -> Iterator[os.DirEntry]:
    """The folder's entries, sorted, without hidden ('.') and private ('_') names.

    A name with control characters (or bytes that are not UTF-8) is refused, and
    shown escaped: it would otherwise reach terminals and CI logs as it is.
    With `listings`, the last listing of the folder is reused while the folder's
    mtime and inode are unchanged (adding, removing or renaming an entry changes
    its mtime; the files themselves are still looked at one by one).
    """
    key = None
    if listings is not None:
        try:
            stat = os.stat(folder)
            key = (stat.st_mtime_ns, stat.st_ino)
        except OSError:
            pass
        known = listings.get(str(folder))
        if key is not None and known is not None and known[0] == key:
            errors += known[2]
            return iter(known[1])
    problems: list[ContentError] = []
    kept = _read_entries(folder, root, problems)
    errors += problems
    if key is not None:
        listings[str(folder)] = (key, kept, problems)
    return iter(kept)


def _read_entries(folder: Path, root: Path, errors: list[ContentError]) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=operator.attrgetter("name"))
    except OSError as exc:
        errors.append(ContentError(_rel(folder, root), None, f"cannot read the folder: {exc.strerror or exc}"))
        entries = []
    kept = []
    for entry in entries:
        name = entry.name
        if name.startswith((".", "_")):
            continue
        if not (name.isascii() and name.isprintable()) and UNPRINTABLE.search(name):
            errors.append(ContentError(PurePosixPath(shown(_rel(Path(entry.path), root), 500)), None,
                                       "file name has control characters or is not UTF-8: rename it"))
            continue
        kept.append(entry)
    return kept


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why `path` may not be read: a broken link, or a real path outside the content folder."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return "broken symbolic link" if path.is_symlink() else "cannot be read"
    if not real.is_relative_to(real_root):
        return "symbolic link leads outside the content folder"
    return None


def _rel(path: Path, root: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(root).as_posix())


def read_text(path: Path, rel: PurePosixPath, errors: list[ContentError]) -> str | None:
    """The file as text with LF line ends, or None (and an error) if it is not readable text.

    Never reads more than MAX_FILE_BYTES + 1 bytes, whatever the file claims to be.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
        try:
            size = os.fstat(fd).st_size
            if size <= MAX_FILE_BYTES:
                raw = _read_at_most(fd, MAX_FILE_BYTES + 1, size + 1)
                size = len(raw)
        finally:
            os.close(fd)
    except OSError as exc:
        errors.append(ContentError(rel, None, f"cannot read the file: {exc.strerror or exc}"))
        return None
    if size > MAX_FILE_BYTES:
        errors.append(ContentError(rel, None, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"))
        return None
    if b"\x00" in raw:
        errors.append(ContentError(rel, None, "binary file: content files must be UTF-8 text"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(ContentError(rel, line, f"not valid UTF-8 (byte {exc.start})"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_at_most(fd: int, limit: int, expected: int) -> bytes:
    """Up to `limit` bytes, asking first for the `expected` size: one read for a file that
    did not grow, and no megabyte buffer allocated for a 4 kB file."""
    chunks, total = [], 0
    while total < limit and (chunk := os.read(fd, min(expected if not chunks else 1 << 16, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def parse_markdown_doc(text: str, rel: PurePosixPath, errors: list[ContentError]) -> SourceDoc | None:
    """Split `---` front matter from the Markdown body and parse the front matter."""
    if not text.strip():
        errors.append(ContentError(rel, 1, "empty file: an event needs front matter between '---' lines"))
        return None
    opening = FRONT_MATTER_FENCE.match(text)
    if opening is None:
        errors.append(ContentError(rel, 1, "missing front matter: an .md event starts with a '---' line"))
        return None
    closing = FRONT_MATTER_FENCE.search(text, opening.end())
    if closing is None:
        errors.append(ContentError(rel, 1, "front matter is not closed: add a '---' line after it"))
        return None
    front = text[opening.end() + 1 : closing.start()]
    body_line = text.count("\n", 0, closing.end()) + 2
    doc = parse_yaml_doc(front, rel, errors, line_offset=1)
    if doc is None:
        return None
    body = text[closing.end() + 1 :]
    return SourceDoc(rel, doc.data, doc.lines, body, body_line)


def parse_yaml_doc(text: str, rel: PurePosixPath, errors: list[ContentError], line_offset: int = 0) -> SourceDoc | None:
    """Parse one YAML document safely, keeping the line of every key.

    The event stream is scanned first: anchors, aliases and nesting deeper than
    MAX_YAML_DEPTH are refused before any node is composed, which stops "billion
    laughs" documents that expand exponentially and documents deep enough to
    overflow the C stack. A document that cannot hold any of them (see
    `needs_event_scan`) is composed directly, and `map_lines` checks its depth.
    """
    try:
        if needs_event_scan(text) and (problem := scan_yaml(text, line_offset)):
            errors.append(ContentError(rel, *problem))
            return None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                errors.append(ContentError(rel, line_offset + 1, "empty YAML document"))
                return None
            lines, problems = map_lines(node, line_offset)
            if problems:
                errors.extend(ContentError(rel, line, msg) for line, msg in problems)
                return None
            data = construct(loader, node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        errors.append(_yaml_error(exc, text, rel, line_offset))
        return None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # a constructor's own error
        errors.append(ContentError(rel, line_offset + 1, f"invalid YAML: {shown(exc, 200)}"))
        return None
    return SourceDoc(rel, data, lines)


def needs_event_scan(text: str) -> bool:
    """Whether the text may hold an anchor, an alias or a tag (their characters appear), or
    more collections than COMPOSE_SAFELY: every collection, flow or block, starts with its own
    `[`, `{`, `-`, `:` or `?`. A scan costs as much as composing the nodes; most front matter
    needs none."""
    return ("&" in text or "*" in text or "!" in text
            or sum(text.count(c) for c in "[{-:?") > COMPOSE_SAFELY)


class _Unusual(Exception):
    """A node that `construct` leaves to PyYAML's own constructor."""


def construct(loader: _Loader, root: yaml.Node) -> Any:
    """`loader.construct_document(root)`, for a tree that `map_lines` has passed (no aliases,
    no merge keys, at most MAX_YAML_DEPTH deep): mappings and sequences are built here,
    scalars by the loader's own constructors: half the time of PyYAML's generic path (a
    generator per collection, a memo per node). A tag or an unhashable key that only that
    path handles sends the whole document its way, errors included."""
    try:
        return _construct(loader, root)
    except _Unusual:
        return loader.construct_document(root)


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        make = loader.yaml_constructors.get(node.tag)
        if make is None:
            raise _Unusual
        return make(loader, node)
    if isinstance(node, yaml.SequenceNode) and node.tag == SEQ_TAG:
        return [_construct(loader, item) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == MAP_TAG:
        mapping = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node)
            if not isinstance(key, Hashable):
                raise _Unusual
            mapping[key] = _construct(loader, value_node)
        return mapping
    raise _Unusual


def scan_yaml(text: str, line_offset: int = 0) -> tuple[int, str] | None:
    """(line, message) of the first anchor, alias, explicit tag or too-deep collection, streaming events.

    Content has no use for tags: `!!python/...` would be refused by the safe
    loader anyway, and `!!timestamp x` or `!!float x` make PyYAML's own
    constructors fail with arbitrary exceptions.
    """
    depth = 0
    for event in _parse_events(text, line_offset):
        if isinstance(event, tuple):  # the parser's own depth limit (PyYAML 6.0.4 and later)
            return event
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return event.start_mark.line + 1 + line_offset, ALIAS_MESSAGE
        if getattr(event, "tag", None) and not (isinstance(event, yaml.ScalarEvent) and event.tag == "!"):
            return (event.start_mark.line + 1 + line_offset,
                    f"invalid YAML: tags such as '{shown(event.tag)}' are not allowed in content")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return (event.start_mark.line + 1 + line_offset,
                        f"YAML is nested more than {MAX_YAML_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _parse_events(text: str, line_offset: int) -> Iterator[yaml.Event | tuple[int, str]]:
    """The YAML event stream; a (line, message) in place of the parser's own nesting-depth error,
    which recent PyYAML raises before our MAX_YAML_DEPTH check sees the collections."""
    try:
        yield from yaml.parse(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):
            raise
        yield (exc.problem_mark.line + 1 + line_offset if exc.problem_mark else line_offset + 1,
               f"YAML is nested more than {MAX_YAML_DEPTH} levels deep")


def _yaml_error(exc: yaml.YAMLError, text: str, rel: PurePosixPath, line_offset: int) -> ContentError:
    """The parser's message at its line, or a plainer one for the two usual slips: tabs and quotes."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    problem = shown(getattr(exc, "problem", None) or str(exc), 200)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {context}, {problem}" if context else f"invalid YAML: {problem}"
    lines = text.split("\n")
    if mark is not None and mark.line < len(lines) and _has_tab(lines[mark.line], mark.column):
        return ContentError(rel, line, "invalid YAML: a tab character; indent with spaces, not tabs")
    if mark is not None and (opened := _unclosed_quote(lines[: mark.line + 1])) is not None:
        return ContentError(rel, opened + 1 + line_offset, f"invalid YAML: the quote opened on this line is never "
                                                           f"closed (the parser stopped at line {line}: {problem})")
    return ContentError(rel, line, message)


def _has_tab(line: str, column: int) -> bool:
    indent = line[: len(line) - len(line.lstrip())]
    return "\t" in indent or line[column : column + 1] == "\t"


QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^:#]*:\s+)?(["'])(.*)$""")


def _unclosed_quote(lines: list[str]) -> int | None:
    """Index of the first line whose value opens a quote that the line does not close."""
    for index, line in enumerate(lines):
        match = QUOTED_VALUE.match(line)
        if match is None:
            continue
        quote, rest = match.groups()
        rest = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return index
    return None


def map_lines(root: yaml.Node, line_offset: int = 0) -> tuple[dict[KeyPath, int], list[tuple[int, str]]]:
    """Walk the node tree (iteratively) and return key-path -> line, plus problems.

    Problems: duplicate keys, anchors/aliases (a node reached twice), and collections
    nested more than MAX_YAML_DEPTH deep (the first one only, not walked into).
    """
    lines: dict[KeyPath, int] = {(): root.start_mark.line + 1 + line_offset}
    problems: list[tuple[int, str]] = []
    seen: set[int] = set()
    too_deep = False
    stack: list[tuple[KeyPath, yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        line = node.start_mark.line + 1 + line_offset
        if id(node) in seen:
            problems.append((line, ALIAS_MESSAGE))
            continue
        seen.add(id(node))
        if len(path) >= MAX_YAML_DEPTH and isinstance(node, yaml.CollectionNode):
            if not too_deep:
                problems.append((line, f"YAML is nested more than {MAX_YAML_DEPTH} levels deep"))
                too_deep = True
            continue
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                key_line = key_node.start_mark.line + 1 + line_offset
                if key_node.tag == MERGE_TAG:
                    problems.append((key_line, "YAML merge keys (<<) are not allowed in content"))
                elif key in keys:
                    problems.append((key_line, f"duplicate key '{shown(key)}'"))
                keys.add(key)
                lines[path + (key,)] = key_line
                stack.append((path + (key,), value_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + 1 + line_offset
                stack.append((path + (index,), item))
    return lines, sorted(problems)
