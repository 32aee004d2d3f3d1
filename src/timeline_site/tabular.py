"""events.csv: the published events as a spreadsheet, and back (`timeline-site import`).

One row per event, UTF-8, RFC 4180 quoting (a cell with a comma, a quote or a line
break is quoted). The columns, in order:

    id                the event's id (its file name)
    title, label, date, kind, importance, summary, venue, arxiv, doi   as in the event file
    topics            topic ids separated by ';', the primary topic first
    authors           names separated by ';'
    organization      names separated by ';'
    citations_count   a whole number (empty: no citations)
    citations_as_of   YYYY-MM
    links             one link per line, `title | url`, the primary source first
                      (the url is what follows the last ' | '; urls never hold spaces)
    builds_on         event ids separated by ';' (published events only)
    image_src, image_alt, image_credit, image_credit_url   the image, if any
    draft             `true` for a draft, else empty
    url               the event's page (written on export, ignored on import)
    body              the Markdown body

A name or id can therefore not contain ';'. Import takes the same columns, in any
order; all but `id` may be left out, and an empty cell means the field is absent.
Its problems are reported as `FILE:ROW: message`, ROW counted as a spreadsheet does
(the header is row 1).
"""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .config import ID_PATTERN, SiteConfig, did_you_mean
from .errors import BuildFailed, ContentError
from .load import SourceDoc, load_sources, parse_markdown_doc
from .markup import render_markdown
from .model import Event, Timeline
from .scaffold import event_file_text, existing_event_files, load_context
from .validate import DATE_PATTERN, FIELDS, Context, validate_events

log = logging.getLogger(__name__)

COLUMNS = ("id", "title", "label", "date", "kind", "topics", "importance", "summary", "authors", "organization",
           "venue", "arxiv", "doi", "citations_count", "citations_as_of", "links", "builds_on",
           "image_src", "image_alt", "image_credit", "image_credit_url", "draft", "url", "body")
LIST_COLUMNS = ("topics", "authors", "organization", "builds_on")
TEXT_COLUMNS = ("title", "label", "date", "kind", "importance", "summary", "venue", "arxiv", "doi")
FIELD_COLUMNS = {"citations": ("citations_count", "citations_as_of"),
                 "image": ("image_src", "image_alt", "image_credit", "image_credit_url")}
"""Event fields stored in other columns than their own name."""
LINK_SEPARATOR = " | "
TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0")


# -- export --------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these runs as a formula in spreadsheets (CSV injection)."""


def neutralise(cell: str) -> str:
    """Export: a leading ' makes spreadsheets show the cell as text."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """Import: undo `neutralise`, so that export -> import gives back the same text."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def event_row(event: Event, timeline: Timeline, config: SiteConfig) -> dict[str, str]:
    return {name: neutralise(value) for name, value in _row(event, timeline, config).items()}


def _row(event: Event, timeline: Timeline, config: SiteConfig) -> dict[str, str]:
    citations, image = event.citations, event.image
    return {
        "id": event.id, "title": event.title, "label": event.label or "", "date": event.date.iso, "kind": event.kind.id,
        "topics": _join(t.id for t in event.topics), "importance": event.importance, "summary": event.summary,
        "authors": _join(event.authors), "organization": _join(event.organization), "venue": event.venue or "",
        "arxiv": event.arxiv or "", "doi": event.doi or "",
        "citations_count": str(citations.count) if citations else "",
        "citations_as_of": citations.as_of.iso if citations else "",
        "links": "\n".join(f"{link.title}{LINK_SEPARATOR}{link.url}" for link in event.links),
        "builds_on": _join(e.id for e in timeline.neighbours[event.id].builds_on),
        "image_src": image.src if image else "", "image_alt": image.alt if image else "",
        "image_credit": (image.credit or "") if image else "", "image_credit_url": (image.credit_url or "") if image else "",
        "draft": "true" if event.draft else "",
        "url": config.absolute(event.url), "body": event.body,
    }


def _join(items) -> str:
    return "; ".join(items)


# -- import --------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One data row of the spreadsheet turned into an event file (not yet written)."""

    number: int
    """The spreadsheet's row number: the header is row 1."""
    event_id: str
    doc: SourceDoc
    text: str


def import_events(csv_path: Path, content_dir: Path, force: bool = False) -> list[Path]:
    """Write content/events/YYYY/<id>.md for each row: all of them, or none and BuildFailed."""
    label = PurePosixPath(csv_path.as_posix())
    ctx = load_context(content_dir)
    records, errors = read_rows(csv_path, label)
    rows = []
    for number, record in records:
        row, problems = make_row(number, record, label)
        errors += problems
        if row is not None:
            rows.append(row)
    rows, problems = _drop_duplicate_rows(rows, label)
    existing = existing_event_files(content_dir, {r.event_id for r in rows})
    errors += problems + ([] if force else _already_there(rows, existing, label))
    errors += validate_rows(rows, content_dir, set(existing), ctx, label)
    if errors:
        raise BuildFailed(errors)
    return write_rows(rows, content_dir, existing)


def read_rows(csv_path: Path, label: PurePosixPath) -> tuple[list[tuple[int, dict[str, str]]], list[ContentError]]:
    """(row number, {column: cell}) for each non-blank data row, and the problems of the file itself."""
    try:
        text = csv_path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [ContentError(label, None, f"cannot read the file: {exc.strerror}")]
    except UnicodeDecodeError as exc:
        return [], [ContentError(label, None, f"not UTF-8 text (byte {exc.start}): save it as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        table = list(reader)
    except csv.Error as exc:
        return [], [ContentError(label, reader.line_num, f"not a valid CSV file: {exc}")]
    if not table:
        return [], [ContentError(label, 1, "empty file: the first row must name the columns")]
    header, errors = table[0], check_header(table[0], label)
    if errors:
        return [], errors
    return list(_records(header, table[1:], label, errors)), errors


def check_header(header: list[str], label: PurePosixPath) -> list[ContentError]:
    errors = []
    for name in header:
        if name not in COLUMNS:
            errors.append(ContentError(label, 1, f"unknown column '{name}'{did_you_mean(name, COLUMNS)}"))
        elif header.count(name) > 1:
            errors.append(ContentError(label, 1, f"column '{name}' appears {header.count(name)} times"))
    if "id" not in header:
        errors.append(ContentError(label, 1, "missing column 'id': each row needs the event's id"))
    return list({str(e): e for e in errors}.values())


def _records(header: list[str], cells: list[list[str]], label: PurePosixPath,
             errors: list[ContentError]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, row in enumerate(cells, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(ContentError(label, number, f"{len(row) - len(header)} more cell(s) than the header has columns"))
            continue
        yield number, dict(zip(header, row + [""] * (len(header) - len(row))))


def make_row(number: int, record: dict[str, str], label: PurePosixPath) -> tuple[Row | None, list[ContentError]]:
    """The event file a row describes, parsed exactly as the build will read it."""
    event_id = record.get("id", "").strip()
    if not ID_PATTERN.match(event_id):
        message = f"id '{event_id}' must be lowercase letters, digits and single hyphens" if event_id else "missing id"
        return None, [ContentError(label, number, message)]
    front, body = row_fields(record)
    year = DATE_PATTERN.match(str(front.get("date", "")).strip())
    rel = PurePosixPath("events", *([year.group(1)] if year else []), f"{event_id}.md")
    text = event_file_text(front, body)
    errors: list[ContentError] = []
    doc = parse_markdown_doc(text, rel, errors)
    if doc is None:
        return None, [ContentError(label, number, e.message) for e in errors]
    return Row(number, event_id, doc, text), []


def row_fields(record: dict[str, str]) -> tuple[dict[str, Any], str]:
    """(front matter, body) of one row; empty cells are left out, the validator judges the rest."""
    cells = {name: restore(value.strip()) for name, value in record.items() if value.strip()}
    values: dict[str, Any] = {name: cells[name] for name in TEXT_COLUMNS if name in cells}
    values |= {name: _split(cells[name]) for name in LIST_COLUMNS if name in cells}
    if "links" in cells:
        values["links"] = [_link(line) for line in cells["links"].splitlines() if line.strip()]
    if citations := _group(cells, "citations_", ("count", "as_of")):
        count = citations.get("count", "")
        values["citations"] = citations | ({"count": int(count)} if count.isdecimal() else {})
    if image := _group(cells, "image_", ("src", "alt", "credit", "credit_url")):
        values["image"] = image
    if "draft" in cells:
        values["draft"] = _bool(cells["draft"])
    front = {name: values[name] for name in FIELDS if name in values and values[name] is not False}
    return front, restore(record.get("body", ""))


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


def _link(line: str) -> dict[str, str]:
    """`title | url` (or `title|url`): the url follows the last separator."""
    separator = LINK_SEPARATOR if LINK_SEPARATOR in line else "|"
    title, found, url = line.rpartition(separator)
    return {"title": title.strip(), "url": url.strip()} if found else {"url": line.strip()}


def _group(cells: dict[str, str], prefix: str, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: cells[prefix + key] for key in keys if prefix + key in cells}


def _bool(cell: str) -> bool | str:
    word = cell.strip().lower()
    return True if word in TRUE else False if word in FALSE else cell


def _drop_duplicate_rows(rows: list[Row], label: PurePosixPath) -> tuple[list[Row], list[ContentError]]:
    first: dict[str, Row] = {}
    errors = []
    for row in rows:
        if row.event_id in first:
            errors.append(ContentError(label, row.number, f"id '{row.event_id}' is also on row {first[row.event_id].number}"))
        else:
            first[row.event_id] = row
    return list(first.values()), errors


def _already_there(rows: list[Row], existing: dict[str, list[Path]], label: PurePosixPath) -> list[ContentError]:
    return [ContentError(label, row.number, f"event '{row.event_id}' already exists "
                         f"({', '.join(p.as_posix() for p in existing[row.event_id])}); use --force to replace it")
            for row in rows if row.event_id in existing]


def validate_rows(rows: list[Row], content_dir: Path, replaced: set[str], ctx: Context,
                  label: PurePosixPath) -> list[ContentError]:
    """Every row's event checked by the real validator, together with the events already there."""
    sources, _ = load_sources(content_dir)
    others = [doc for doc in sources.events if doc.src_path.stem not in replaced]
    by_path = {row.doc.src_path: row for row in rows}
    _, problems = validate_events(others + [row.doc for row in rows], ctx)
    errors = [ContentError(label, by_path[PurePosixPath(e.path)].number, e.message)
              for e in problems if PurePosixPath(e.path) in by_path]
    for row in rows:  # the Markdown checks of the build (math), cross references being checked above
        rendered = render_markdown(row.doc.body, lambda event_id: ("#", event_id))
        errors += [ContentError(label, row.number, f"body: {problem}") for problem in rendered.problems]
    return errors


def write_rows(rows: list[Row], content_dir: Path, existing: dict[str, list[Path]]) -> list[Path]:
    """Replace the files of ids given again (only reached with --force), then write every row's file."""
    for row in rows:
        for old in existing.get(row.event_id, []):
            old.unlink()
    paths = []
    for row in rows:
        path = content_dir / row.doc.src_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(row.text, encoding="utf-8")
        paths.append(path)
    return paths
