"""Fingerprints: short digests of what a page shows, so unchanged pages are skipped.

Events are frozen, so the digest of one event object never changes; digests are
memoized by object identity (holding the object, so an id is never reused).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jinja2
import jinja2.meta

from .model import Event

log = logging.getLogger(__name__)

DEPENDENCIES = ("jinja2", "markdown", "pygments", "nh3", "latex2mathml", "pyyaml")


def sha(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


@cache
def generator_fingerprint() -> str:
    """Changes whenever this package's code or a library that shapes its output changes."""
    package = Path(__file__).resolve().parent
    sources = [p.read_text(encoding="utf-8") for p in sorted(package.glob("*.py"))]
    versions = [f"{name}=={_version(name)}" for name in DEPENDENCIES]
    return sha(*sources, *versions)


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


class Digests:
    """Memoized digests of events (and of templates, per environment)."""

    def __init__(self) -> None:
        self._events: dict[int, tuple[Event, str]] = {}
        self._templates: dict[tuple[int, str], str] = {}

    def event(self, event: Event) -> str:
        known = self._events.get(id(event))
        if known is None or known[0] is not event:
            known = (event, sha(repr(event)))
            self._events[id(event)] = known
        return known[1]

    def events(self, events: Iterable[Event]) -> str:
        return sha(*(self.event(e) for e in events))

    def new_build(self, events: Iterable[Event]) -> None:
        """Forget templates (they may have changed) and events no longer in the site."""
        keep = {id(e) for e in events}
        self._events = {k: v for k, v in self._events.items() if k in keep}
        self._templates = {}

    def template(self, env: jinja2.Environment, name: str) -> str:
        """The template's source and every template it extends, includes or imports."""
        key = (id(env), name)
        if key not in self._templates:
            self._templates[key] = sha(*(env.loader.get_source(env, n)[0] for n in sorted(template_closure(env, name))))
        return self._templates[key]


def template_closure(env: jinja2.Environment, name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = env.loader.get_source(env, current)[0]
        todo += [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n]
    return seen
