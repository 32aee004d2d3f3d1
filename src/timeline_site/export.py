"""The site's data files: events.json, events.csv and the search index.

Each event's part is made on its own through a `pieces` callback, so a
long-lived Builder can cache the parts and rebuild a 10,000-event export by
joining strings; the default makes every part afresh.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .config import SiteConfig
from .model import Event, Timeline
from .tabular import COLUMNS, event_row

log = logging.getLogger(__name__)

T = TypeVar("T", str, bytes)

Pieces = Callable[[str, Sequence[Event], Callable[[Event], str]], list[bytes]]
"""(kind of piece, events, how to make one event's piece) -> the pieces, encoded, in order.
A big site's data files are tens of megabytes: kept as bytes, a file is one join."""


def make_pieces(kind: str, events: Sequence[Event], make: Callable[[Event], str]) -> list[bytes]:
    return [make(e).encode() for e in events]


def search_index_chunks(t: Timeline, pieces: Pieces = make_pieces) -> list[bytes]:
    """A compact index for the search box (what a reader is likely to type), in pieces."""
    rows = pieces("search", t.events, lambda e: json.dumps(search_row(e), ensure_ascii=False, separators=(",", ":")))
    return [b"[", *separated(rows, b","), b"]\n"]


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


def events_json_chunks(t: Timeline, c: SiteConfig, pieces: Pieces = make_pieces) -> list[bytes]:
    """The data export, one event per line (diff-friendly, and fast: each line is made, and
    cached, on its own), as byte strings to write one after another."""
    head = {
        "site": {"title": c.title, "url": c.base_url, "years": [c.first_year, c.last_year]},
        "kinds": [{"id": k.id, "name": k.name, "plural": k.plural} for k in t.kinds],
        "topics": [{"id": x.id, "name": x.name} for x in t.topics],
    }
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    records = pieces("json", t.events, lambda e: json.dumps(event_record(e, t, c), ensure_ascii=False))
    return [(opening + ',\n "events": [\n').encode(), *separated(records, b",\n"), b"\n ]\n}\n"]


def separated(items: list[T], separator: T) -> list[T]:
    """`items` with `separator` between each two: `"".join` of it is `separator.join(items)`."""
    if not items:
        return []
    out = [separator] * (2 * len(items) - 1)
    out[0::2] = items
    return out


def events_csv(t: Timeline, c: SiteConfig, pieces: Pieces = make_pieces) -> str:
    """events.csv (columns documented in tabular.py), one cached line per event."""
    return b"".join(events_csv_chunks(t, c, pieces)).decode()


def events_csv_chunks(t: Timeline, c: SiteConfig, pieces: Pieces = make_pieces) -> list[bytes]:
    def line(event: Event) -> str:
        row = event_row(event, t, c)
        return _csv_line([row[name] for name in COLUMNS])

    return [_csv_line(list(COLUMNS)).encode(), *pieces("csv", t.events, line)]


def _csv_line(cells: list[str]) -> str:
    """One row as the csv module writes it (its default dialect, lines ending in CRLF): a cell
    holding a comma, a quote or a line break is quoted, and its quotes doubled. Done with
    string methods, ten times faster than the module's character loop, which was 3% of a
    big build; a property test (tests/test_hardening_properties.py) checks that both agree."""
    if len(cells) == 1 and cells[0] == "":
        return '""\r\n'  # the module quotes a lone empty cell, or the row would read as empty
    return ",".join(map(_csv_cell, cells)) + "\r\n"


def _csv_cell(cell: str) -> str:
    if '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    if "," in cell or "\n" in cell or "\r" in cell:
        return '"' + cell + '"'
    return cell
