"""Fingerprints: short digests of what a page shows, so unchanged pages are skipped.

Events are frozen, so the digest of one event object never changes; digests are
memoized by object identity (holding the object, so an id is never reused).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import logging
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from functools import cache
from typing import Any, TypeVar
from pathlib import Path

import jinja2
import jinja2.meta

from .model import Event

log = logging.getLogger(__name__)

T = TypeVar("T")
DEPENDENCIES = ("jinja2", "markdown", "pygments", "nh3", "latex2mathml", "pyyaml")


def same_objects(a: Sequence[object], b: Sequence[object]) -> bool:
    """Both hold the very same objects, in order: "unchanged", for what the model reuses."""
    return len(a) == len(b) and all(map(operator.is_, a, b))


def same_where_replaced(old: Sequence[T], new: Sequence[T], same: Callable[[T, T], bool]) -> bool:
    """As long as each other, and `same(a, b)` wherever `new` holds another object than `old`:
    cheap after an edit, which replaces a few objects of thousands."""
    if len(old) != len(new):
        return False
    replaced = itertools.compress(range(len(new)), map(operator.is_not, old, new))
    return all(same(old[i], new[i]) for i in replaced)


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


BODY_FIELDS = ("body", "body_line", "references")
CARD_FIELDS = tuple(f.name for f in fields(Event) if f.name not in BODY_FIELDS)
"""What pages other than the event's own show of an event: everything but its body."""


class Digests:
    """Memoized digests of events (and of templates, per environment).

    An event has two: its *card* (every field but the body: what listings, links
    and its neighbours' pages show) and its *full* digest (the body included).
    Editing a body changes only the latter, so only the pages that show the
    body are rendered again.
    """

    def __init__(self) -> None:
        self._events: dict[int, tuple[Event, list[str | None]]] = {}
        self._templates: dict[tuple[int, str], str] = {}
        self._references: dict[tuple[int, str], list[str]] = {}
        self._memo: dict[tuple[str, str], tuple[tuple, Any]] = {}
        self._memo_used: set[tuple[str, str]] = set()

    def _slots(self, event: Event) -> list[str | None]:
        known = self._events.get(id(event))
        if known is None or known[0] is not event:
            known = (event, [None, None])
            self._events[id(event)] = known
        return known[1]

    def event(self, event: Event) -> str:
        """Everything about the event, its body included."""
        slots = self._slots(event)
        if slots[0] is None:  # the card and the rest: much cheaper than repr(event) with its body
            slots[0] = sha(self.card(event), event.body, str(event.body_line), repr(event.references))
        return slots[0]

    def card(self, event: Event) -> str:
        """Every field but the body."""
        slots = self._slots(event)
        if slots[1] is None:
            slots[1] = sha(repr(tuple(getattr(event, name) for name in CARD_FIELDS)))
        return slots[1]

    def events(self, events: Iterable[Event]) -> str:
        return sha(*(self.event(e) for e in events))

    def cards(self, events: Iterable[Event]) -> str:
        return sha(*(self.card(e) for e in events))

    def memo(self, slot: tuple[str, str], inputs: tuple, make: Callable[[], T]) -> T:
        """`make()`, or its last result for `slot` if `inputs` are the very same objects as then.

        For fingerprints that would otherwise be recomputed for every page of every
        build: the model reuses unchanged events, so identity says "unchanged" cheaply.
        """
        self._memo_used.add(slot)
        known = self._memo.get(slot)
        if known is None or not same_objects(known[0], inputs):
            known = (inputs, make())
            self._memo[slot] = known
        return known[1]

    def memo_cards(self, slot: tuple[str, str], events: Sequence[Event]) -> str:
        """`cards(events)`, memoized like `memo`, and kept too when the events that are not the
        very objects of last time have the same cards: an edit to a body changes no card,
        and hashing again the thousand cards of a topic's listing was most of a rebuild's
        fingerprints."""
        self._memo_used.add(slot)
        known = self._memo.get(slot)
        same_cards = known is not None and same_where_replaced(known[0], events, lambda a, b: self.card(a) == self.card(b))
        digest = known[1] if same_cards else self.cards(events)
        self._memo[slot] = (tuple(events), digest)
        return digest

    def new_build(self, events: Iterable[Event], templates_changed: bool = True) -> None:
        """Forget templates if they changed, events no longer in the site, and memoized
        values the last build did not ask for."""
        keep = {id(e) for e in events}
        if len(keep) != len(self._events) or not keep.issuperset(self._events):
            self._events = {k: v for k, v in self._events.items() if k in keep}
        if templates_changed:
            self._templates, self._references = {}, {}
        if self._memo_used and len(self._memo_used) != len(self._memo):
            self._memo = {k: v for k, v in self._memo.items() if k in self._memo_used}
        self._memo_used = set()

    def template(self, env: jinja2.Environment, name: str) -> str:
        """The template's source and every template it extends, includes or imports."""
        key = (id(env), name)
        if key not in self._templates:
            closure = template_closure(env, name, self._references)
            self._templates[key] = sha(*(env.loader.get_source(env, n)[0] for n in sorted(closure)))
        return self._templates[key]


def template_closure(env: jinja2.Environment, name: str, references: dict[tuple[int, str], list[str]]) -> set[str]:
    """`name` and the templates it needs, directly or not. `references` memoizes what each
    template names (parsing every template of each closure again is most of a plan's cost)."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        key = (id(env), current)
        if key not in references:
            source = env.loader.get_source(env, current)[0]
            references[key] = [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n]
        todo += references[key]
    return seen
