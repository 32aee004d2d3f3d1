"""The site's data files: events.json, events.csv and the search index.

Each event's part is made on its own through a `fragment` callback, so a
long-lived Builder can cache the parts and rebuild a 10,000-event export by
joining strings; the default makes every part afresh.
"""
from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from typing import Any

from .config import SiteConfig
from .model import Event, Timeline
from .tabular import COLUMNS, event_row

log = logging.getLogger(__name__)

Fragment = Callable[[str, Event, Callable[[], str]], str]


def _no_cache(kind: str, event: Event, make: Callable[[], str]) -> str:
    return make()


def search_index(t: Timeline, fragment: Fragment = _no_cache) -> str:
    """A compact index for the search box: what a reader is likely to type."""
    rows = (fragment("search", e, lambda e=e: json.dumps(search_row(e), ensure_ascii=False, separators=(",", ":")))
            for e in t.events)
    return "[" + ",".join(rows) + "]\n"


def search_row(e: Event) -> dict[str, str]:
    return {"u": e.url, "t": e.title, "l": e.label or "", "y": e.date.display, "k": e.kind.name,
            "a": "; ".join(e.authors), "o": "; ".join(e.organization), "s": e.summary}


def event_record(event: Event, t: Timeline, c: SiteConfig) -> dict[str, Any]:
    """One event as plain data: every field, its URL and its computed lineage."""
    related = t.neighbours[event.id]
    return {
        "id": event.id,
        "url": c.absolute(event.url),
        "title": event.title,
        "date": event.date.iso,
        "date_precision": event.date.precision,
        "year": event.year,
        "kind": event.kind.id,
        "topics": [x.id for x in event.topics],
        "importance": event.importance,
        "summary": event.summary,
        "authors": list(event.authors),
        "organization": list(event.organization),
        "venue": event.venue,
        "label": event.label,
        "arxiv": event.arxiv,
        "doi": event.doi,
        "citations": {"count": event.citations.count, "as_of": event.citations.as_of.iso} if event.citations else None,
        "links": [{"title": link.title, "url": link.url} for link in event.links],
        "image": {"src": c.absolute(event.image.url), "alt": event.image.alt, "credit": event.image.credit,
                  "credit_url": event.image.credit_url} if event.image else None,
        "builds_on": [e.id for e in related.builds_on],
        "led_to": [e.id for e in related.led_to],
        "draft": event.draft,
        "body": event.body,
    }


def events_json(t: Timeline, c: SiteConfig, fragment: Fragment = _no_cache) -> str:
    """The data export: one event per line (diff-friendly, and fast: each line is made, and cached, on its own)."""
    head = {
        "site": {"title": c.title, "url": c.base_url, "years": [c.first_year, c.last_year]},
        "kinds": [{"id": k.id, "name": k.name, "plural": k.plural} for k in t.kinds],
        "topics": [{"id": x.id, "name": x.name} for x in t.topics],
    }
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    records = (fragment("json", e, lambda e=e: json.dumps(event_record(e, t, c), ensure_ascii=False)) for e in t.events)
    return opening + ',\n "events": [\n' + ",\n".join(records) + "\n ]\n}\n"


def events_csv(t: Timeline, c: SiteConfig, fragment: Fragment = _no_cache) -> str:
    """events.csv (columns documented in tabular.py), one cached line per event."""
    def line(event: Event) -> str:
        row = event_row(event, t, c)
        return _csv_line([row[name] for name in COLUMNS])

    rows = (fragment("csv", e, lambda e=e: line(e)) for e in t.events)
    return _csv_line(list(COLUMNS)) + "".join(rows)


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()
