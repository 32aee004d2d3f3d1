"""`timeline-site new`: write a valid event file for a contributor to fill in."""
from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path, PurePosixPath

import yaml

from .config import BuildOptions, validate_site, validate_topics
from .errors import BuildFailed, ContentError
from .load import load_event_file, load_sources
from .validate import Context, Invalid, parse_date, validate_event

log = logging.getLogger(__name__)


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "event"


def new_event(content_dir: Path, title: str, date_text: str, kind: str, topics: list[str]) -> Path:
    """Create content/events/YYYY/<slug>.md; raise BuildFailed if any input is wrong."""
    ctx = _context(content_dir)
    arg = PurePosixPath("(arguments)")
    try:
        date = parse_date(date_text)
    except Invalid as problem:
        raise BuildFailed([ContentError(arg, None, f"--date: {problem.message}")]) from None
    rel = PurePosixPath("events") / str(date.year) / f"{slugify(title)}.md"
    path = content_dir / rel
    if path.exists():
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
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    return f"---\n{dumped}---\nWhat it is, why it mattered and what came of it, in 120–400 words.\n"


def _context(content_dir: Path) -> Context:
    sources, errors = load_sources(content_dir)
    if sources.site is None or sources.topics is None:
        raise BuildFailed(errors)
    config, problems = validate_site(sources.site)
    if config is None:
        raise BuildFailed(errors + problems)
    topics, problems = validate_topics(sources.topics, config.base_path)
    return Context(config, {t.id: t for t in topics}, sources.images)
