"""Stage 1: read `content/` into SourceDocs (parsed YAML, a key->line map, the body).

Nothing here knows what an event means; that is `validate`'s job. Every problem
becomes a ContentError value; nothing in a content file raises out of here.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .errors import ContentError

log = logging.getLogger(__name__)

try:  # The C loader is several times faster; both are the *safe* loader.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 1_000_000
"""Content files larger than this are refused rather than read."""
EVENT_SUFFIXES = (".md", ".yaml", ".yml")
FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)

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


def load_sources(root: Path) -> tuple[Sources, list[ContentError]]:
    """Read site.yaml, topics.yaml, every event file and the list of images."""
    errors: list[ContentError] = []
    site = _load_required_yaml(root, "site.yaml", errors)
    topics = _load_required_yaml(root, "topics.yaml", errors)
    events = []
    for path in _walk(root / "events", root, errors):
        rel = _rel(path, root)
        if path.suffix not in EVENT_SUFFIXES:
            errors.append(ContentError(rel, None, "not an event file: event files end in .md, .yaml or .yml"))
            continue
        doc = load_event_file(path, rel, errors)
        if doc is not None:
            events.append(doc)
    images = frozenset(_rel(p, root) for p in _walk(root / "images", root, errors))
    return Sources(root, site, topics, tuple(events), images), errors


def load_event_file(path: Path, rel: PurePosixPath, errors: list[ContentError]) -> SourceDoc | None:
    text = read_text(path, rel, errors)
    if text is None:
        return None
    if path.suffix == ".md":
        return parse_markdown_doc(text, rel, errors)
    return parse_yaml_doc(text, rel, errors)


def _load_required_yaml(root: Path, name: str, errors: list[ContentError]) -> SourceDoc | None:
    path = root / name
    if not path.is_file():
        errors.append(ContentError(PurePosixPath(name), None, f"missing {name}: the content folder needs one"))
        return None
    text = read_text(path, PurePosixPath(name), errors)
    return None if text is None else parse_yaml_doc(text, PurePosixPath(name), errors)


def _walk(folder: Path, root: Path, errors: list[ContentError]) -> Iterator[Path]:
    """Files below `folder`, sorted, skipping names that start with '.' or '_'.

    Symbolic links that lead outside the content folder are refused.
    """
    if not folder.is_dir():
        return
    real_root = root.resolve()
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            errors.append(ContentError(_rel(path, root), None, "symbolic link leads outside the content folder"))
            continue
        if path.is_dir():
            yield from _walk(path, root, errors)
        elif path.is_file():
            yield path


def _rel(path: Path, root: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(root).as_posix())


def read_text(path: Path, rel: PurePosixPath, errors: list[ContentError]) -> str | None:
    """The file as text with LF line ends, or None (and an error) if it is not readable text."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        errors.append(ContentError(rel, None, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"))
        return None
    raw = path.read_bytes()
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

    Anchors and aliases are refused before anything is constructed, which also
    stops "billion laughs" documents that expand exponentially.
    """
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
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        errors.append(_yaml_error(exc, rel, line_offset))
        return None
    except RecursionError:
        errors.append(ContentError(rel, None, "YAML is nested too deeply"))
        return None
    finally:
        loader.dispose()
    return SourceDoc(rel, data, lines)


def _yaml_error(exc: yaml.YAMLError, rel: PurePosixPath, line_offset: int) -> ContentError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {context}, {problem}" if context else f"invalid YAML: {problem}"
    if "\t" in problem or "tab" in problem.lower():
        message += " (indent with spaces, not tabs)"
    return ContentError(rel, line, message)


def map_lines(root: yaml.Node, line_offset: int = 0) -> tuple[dict[KeyPath, int], list[tuple[int, str]]]:
    """Walk the node tree (iteratively) and return key-path -> line, plus problems.

    Problems: duplicate keys, and anchors/aliases (a node reached twice).
    """
    lines: dict[KeyPath, int] = {(): root.start_mark.line + 1 + line_offset}
    problems: list[tuple[int, str]] = []
    seen: set[int] = set()
    stack: list[tuple[KeyPath, yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        line = node.start_mark.line + 1 + line_offset
        if id(node) in seen:
            problems.append((line, "YAML anchors and aliases (& and *) are not allowed in content"))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                key_line = key_node.start_mark.line + 1 + line_offset
                if key in keys:
                    problems.append((key_line, f"duplicate key '{key}'"))
                keys.add(key)
                lines[path + (key,)] = key_line
                stack.append((path + (key,), value_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + 1 + line_offset
                stack.append((path + (index,), item))
    return lines, sorted(problems)
