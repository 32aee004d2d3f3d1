"""`timeline-site new`: write a valid event file for a contributor to fill in."""
from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path, PurePosixPath

import yaml

from .config import validate_settings
from .errors import BuildFailed, ContentError
from .load import EVENT_SUFFIXES, load_event_file, load_settings
from .validate import Context, Invalid, parse_date, validate_event

log = logging.getLogger(__name__)


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "event"


def new_event(content_dir: Path, title: str, date_text: str, kind: str, topics: list[str]) -> Path:
    """Create content/events/YYYY/<slug>.md; raise BuildFailed if any input is wrong."""
    ctx = load_context(content_dir)
    arg = PurePosixPath("(arguments)")
    try:
        date = parse_date(date_text)
    except Invalid as problem:
        raise BuildFailed([ContentError(arg, None, f"--date: {problem.message}")]) from None
    rel = PurePosixPath("events") / str(date.year) / f"{slugify(title)}.md"
    path = content_dir / rel
    if path.exists() or existing_event_files(content_dir, {rel.stem}):
        raise BuildFailed([ContentError(rel, None, "an event with this id already exists")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(event_text(title, date.iso, kind, topics), encoding="utf-8")
    errors: list[ContentError] = []
    doc = load_event_file(path, rel, errors)
    event, problems = validate_event(doc, ctx) if doc else (None, [])
    if event is None:
        path.unlink()
        raise BuildFailed(errors + problems)
    return path


def event_text(title: str, date_iso: str, kind: str, topics: list[str]) -> str:
    front = {
        "title": title,
        "date": date_iso,
        "kind": kind,
        "topics": topics,
        "importance": "notable",
        "summary": "One or two sentences in your own words: what it is and why it mattered.",
        "links": [{"title": "Primary source", "url": "https://example.org/replace-with-the-primary-source"}],
    }
    return event_file_text(front, "What it is, why it mattered and what came of it, in 120–400 words.\n")


def event_file_text(front: dict, body: str) -> str:
    """An .md event file: the fields as YAML front matter between '---' lines, then the body."""
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    return f"---\n{dumped}---\n{body}"


def existing_event_files(content_dir: Path, event_ids: set[str]) -> dict[str, list[Path]]:
    """id -> the files under content/events/ that already hold it."""
    found: dict[str, list[Path]] = {}
    for path in sorted((content_dir / "events").rglob("*")):
        if path.suffix in EVENT_SUFFIXES and path.stem in event_ids and path.is_file():
            found.setdefault(path.stem, []).append(path)
    return found


def load_context(content_dir: Path) -> Context:
    """What checking one event needs: site.yaml, topics.yaml and the images (not the other events).

    Raises BuildFailed if site.yaml or topics.yaml has a problem.
    """
    sources, errors = load_settings(content_dir)
    settings = [e for e in errors if str(e.path) in ("site.yaml", "topics.yaml")]
    config, topics, problems = validate_settings(sources.site, sources.topics)
    if config is None or settings or problems:
        raise BuildFailed(settings + problems)
    return Context(config, {t.id: t for t in topics}, sources.images)
