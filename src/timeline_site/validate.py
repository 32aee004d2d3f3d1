"""Stage 2: SourceDocs -> Events, with every problem collected as a ContentError.

Each field has a checker in FIELDS; a checker returns the clean value or raises
`Invalid` (caught right here, so one bad field never hides another). Checks that
need every file (duplicate ids, lineage, cross references) run afterwards.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .config import CONTROL_CHARACTERS, ID_PATTERN, SiteConfig, did_you_mean, event_url, image_url
from .errors import ContentError
from .load import SourceDoc, brief, shown
from .model import Citations, Event, Image, Link, PartialDate, Topic

log = logging.getLogger(__name__)

# ASCII digits only, and matched with fullmatch(): `$` alone also matches before a final newline.
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
ARXIV_PATTERN = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$", re.ASCII)
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$", re.ASCII)
XREF_PATTERN = re.compile(r"\[\[([^\]|\n]+)(?:\|[^\]\n]*)?\]\]")
IMPORTANCE = ("landmark", "major", "notable")
MAX_SUMMARY = 280
MAX_LABEL = 32
MAX_BODY = 20_000
"""Characters of a body (the longest real one has ~2,500): Python-Markdown is slower than linear."""
MAX_BODY_BRACKETS = 200
"""'[' in a body (links, cross references, footnotes): each unclosed one costs a scan to the end."""


class Invalid(Exception):
    """A field's value is wrong. `where` is the path inside the field, for the line."""

    def __init__(self, message: str, *where: str | int):
        super().__init__(message)
        self.message, self.where = message, where


@dataclass(frozen=True)
class Context:
    """What checking one event needs to know about the rest of the site."""

    config: SiteConfig
    topics: Mapping[str, Topic]
    images: frozenset[PurePosixPath]


# -- field checkers --------------------------------------------------------

def check_text(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be non-empty text")
    check_characters(value)
    return value.strip()


def check_characters(text: str, *where: str | int) -> str:
    """Refuse control characters (tabs and line ends are fine) and lone surrogates."""
    if match := CONTROL_CHARACTERS.search(text):
        raise Invalid(f"contains the control character {shown(match.group())} at position {match.start() + 1}", *where)
    return text


def check_date(value: Any, ctx: Context) -> PartialDate:
    date = parse_date(value)
    if date.year not in ctx.config.years:
        raise Invalid(f"date {date.iso} is outside the site's years "
                      f"{ctx.config.first_year}–{ctx.config.last_year}")
    return date


def parse_date(value: Any) -> PartialDate:
    """YYYY, YYYY-MM or YYYY-MM-DD (YAML may hand us an int or a date)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    text = str(value) if type(value) is str or (type(value) is int and 0 <= value <= 9999) else ""
    match = DATE_PATTERN.fullmatch(text)
    if not match:
        raise Invalid(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, not {brief(value)}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise Invalid(f"date {text} has no month {month}")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise Invalid(f"date {text} does not exist")
    return PartialDate(year, month, day)


def check_kind(value: Any, ctx: Context):
    kinds = {k.id: k for k in ctx.config.kinds}
    if not isinstance(value, str) or value not in kinds:
        raise Invalid(f"unknown kind {brief(value)}{did_you_mean(value, kinds)}; "
                      f"kinds are: {', '.join(kinds)}")
    return kinds[value]


def check_topics(value: Any, ctx: Context) -> tuple[Topic, ...]:
    items = _list_of(value, "topic ids", min_items=1)
    result = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or item not in ctx.topics:
            raise Invalid(f"unknown topic {brief(item)}{did_you_mean(item, ctx.topics)}", i)
        if ctx.topics[item] in result:
            raise Invalid(f"topic {item!r} is listed twice", i)
        result.append(ctx.topics[item])
    return tuple(result)


def check_label(value: Any, ctx: Context) -> str:
    text = check_text(value, ctx)
    if len(text) > MAX_LABEL:
        raise Invalid(f"label is {len(text)} characters; the limit is {MAX_LABEL}")
    return text


def check_summary(value: Any, ctx: Context) -> str:
    text = check_text(value, ctx)
    if len(text) > MAX_SUMMARY:
        raise Invalid(f"summary is {len(text)} characters; the limit is {MAX_SUMMARY}")
    return " ".join(text.split())


def check_importance(value: Any, ctx: Context) -> str:
    if value not in IMPORTANCE:
        raise Invalid(f"importance must be one of {', '.join(IMPORTANCE)}, not {brief(value)}")
    return value


def check_url(value: Any, *where: str | int) -> str:
    url = value.strip() if isinstance(value, str) else None
    try:
        parts = urlsplit(url) if url is not None else None
    except ValueError:  # e.g. "http://[::1", or a host that changes under NFKC normalization
        parts = None
    # isprintable() is False for every space but " " (Unicode classes "Other" and "Separator")
    if (parts is None or parts.scheme not in ("http", "https") or not parts.netloc
            or not url.isprintable() or " " in url):
        raise Invalid(f"links must be absolute http:// or https:// URLs, not {brief(value)}", *where)
    return url


def check_links(value: Any, ctx: Context) -> tuple[Link, ...]:
    items = _list_of(value, "links {title, url}", min_items=1, item_type=dict)
    links = []
    for i, item in enumerate(items):
        _no_unknown_keys(item, {"title", "url"}, i)
        if not isinstance(item.get("title"), str) or not item["title"].strip():
            raise Invalid("each link needs a 'title'", i)
        check_characters(item["title"], i, "title")
        links.append(Link(item["title"].strip(), check_url(item.get("url"), i, "url")))
    return tuple(links)


def check_names(value: Any, ctx: Context) -> tuple[str, ...]:
    items = _list_of(value, "names")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise Invalid("each entry must be non-empty text", i)
        check_characters(item, i)
    return tuple(item.strip() for item in items)


def check_arxiv(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not ARXIV_PATTERN.fullmatch(value):
        raise Invalid(f"arxiv must be a new-style id such as \"1512.03385\" (quoted), not {brief(value)}")
    return value


def check_doi(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not DOI_PATTERN.fullmatch(value) or not value.isprintable():
        raise Invalid(f"doi must look like 10.1038/nature16961, not {brief(value)}")
    return value


def check_citations(value: Any, ctx: Context) -> Citations:
    if not isinstance(value, dict):
        raise Invalid("citations must be {count: N, as_of: YYYY-MM}")
    _no_unknown_keys(value, {"count", "as_of"})
    count = value.get("count")
    if type(count) is not int or count < 0:
        raise Invalid("citations count must be a whole number ≥ 0", "count")
    as_of = value.get("as_of")
    as_of = f"{as_of.year:04d}-{as_of.month:02d}" if isinstance(as_of, dt.date) else as_of
    if not isinstance(as_of, str) or not MONTH_PATTERN.fullmatch(as_of):
        raise Invalid("citations as_of must be YYYY-MM", "as_of")
    return Citations(count, parse_date(as_of))


def check_builds_on(value: Any, ctx: Context) -> tuple[str, ...]:
    items = _list_of(value, "event ids")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not ID_PATTERN.fullmatch(item):
            raise Invalid(f"builds_on entries are event ids, not {brief(item)}", i)
    return tuple(dict.fromkeys(items))


def check_image(value: Any, ctx: Context) -> Image:
    if not isinstance(value, dict):
        raise Invalid("image must be {src, alt, credit?, credit_url?}")
    _no_unknown_keys(value, {"src", "alt", "credit", "credit_url"})
    src = value.get("src")
    path = PurePosixPath(src) if isinstance(src, str) and src else None
    if path is None or path.is_absolute() or ".." in path.parts or "\\" in src:
        raise Invalid("image src must be a path inside content/images/", "src")
    if PurePosixPath("images") / path not in ctx.images:
        raise Invalid(f"image not found: content/images/{path}", "src")
    if not isinstance(value.get("alt"), str) or not value["alt"].strip():
        raise Invalid("image needs 'alt' text describing it", "alt")
    check_characters(value["alt"], "alt")
    credit, credit_url = value.get("credit"), value.get("credit_url")
    return Image(str(path), value["alt"].strip(), image_url(ctx.config.base_path, path),
                 check_characters(credit, "credit") if isinstance(credit, str) else None,
                 check_url(credit_url, "credit_url") if credit_url is not None else None)


def check_bool(value: Any, ctx: Context) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, not {brief(value)}")
    return value


def check_body(value: Any, ctx: Context) -> str:
    if not isinstance(value, str):
        raise Invalid("body must be Markdown text")
    return value


def check_body_size(text: str) -> tuple[int, str] | None:
    """(line offset, message) of why a body is refused before Markdown sees it, or None."""
    if len(text) > MAX_BODY:
        return 0, f"body is {len(text):,} characters; the limit is {MAX_BODY:,}"
    if (brackets := text.count("[")) > MAX_BODY_BRACKETS:
        return 0, (f"body has {brackets:,} '[' characters; the limit is {MAX_BODY_BRACKETS} "
                   "(links, cross references and footnotes)")
    if match := CONTROL_CHARACTERS.search(text):
        return text.count("\n", 0, match.start()), f"body contains the control character {shown(match.group())}"
    return None


# -- JSON Schema fragments: the same rules, for editors (see schema.py) ---------

TEXT_SCHEMA = {"type": "string", "pattern": r"\S"}
URL_SCHEMA = {"type": "string", "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+(?:[/?#]\S*)?\s*$"}
SUMMARY_SCHEMA = {"type": "string", "pattern": rf"^\s*\S(?:[\s\S]{{0,{MAX_SUMMARY - 2}}}\S)?\s*$"}
MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-(?:0[1-9]|1[0-2])$"}
IMAGE_SRC_SCHEMA = {"type": "string", "pattern": r"^(?!/)(?![\s\S]*\\)(?!(?:[\s\S]*/)?\.\.(?:/|$))[\s\S]+$"}
LINK_SCHEMA = {"type": "object", "required": ["title", "url"], "additionalProperties": False,
               "properties": {"title": TEXT_SCHEMA, "url": URL_SCHEMA}}
CITATIONS_SCHEMA = {"type": "object", "required": ["count", "as_of"], "additionalProperties": False,
                    "properties": {"count": {"type": "integer", "minimum": 0}, "as_of": MONTH_SCHEMA}}
IMAGE_SCHEMA = {"type": "object", "required": ["src", "alt"], "additionalProperties": False,
                "properties": {"src": IMAGE_SRC_SCHEMA, "alt": TEXT_SCHEMA, "credit": {},
                               "credit_url": {"anyOf": [{"type": "null"}, URL_SCHEMA]}}}


def date_schema(ctx: Context) -> dict:
    """YYYY, YYYY-MM or a real YYYY-MM-DD, within the site's years (leap days included)."""
    years = "|".join(str(y) for y in ctx.config.years)
    leap = "|".join(str(y) for y in ctx.config.years if calendar.isleap(y)) or "(?!)"
    day = (r"(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
           r"|02-(?:0[1-9]|1\d|2[0-8])")
    patterns = [rf"^(?:{years})(?:-(?:0[1-9]|1[0-2]))?$", rf"^(?:{years})-(?:{day})$", rf"^(?:{leap})-02-29$"]
    return {"anyOf": [{"type": "integer", "minimum": ctx.config.first_year, "maximum": ctx.config.last_year},
                      *({"type": "string", "pattern": p} for p in patterns)]}


def kind_schema(ctx: Context) -> dict:
    return {"type": "string", "enum": [k.id for k in ctx.config.kinds]}


def topics_schema(ctx: Context) -> dict:
    return {"type": "array", "minItems": 1, "uniqueItems": True,
            "items": {"type": "string", "enum": list(ctx.topics)}}


@dataclass(frozen=True)
class FieldSpec:
    check: Callable[[Any, Context], Any]
    required: bool
    doc: str
    schema: Mapping[str, Any] | Callable[[Context], Mapping[str, Any]] | None = None
    """JSON Schema of the value, or a function of the site for rules that need its kinds, topics or
    years (schema.py). Every field needs one: tests/test_schema.py fails on a field without it."""


FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec(check_text, True, "as the paper or event is known", TEXT_SCHEMA),
    "date": FieldSpec(check_date, True, "first public appearance: YYYY, YYYY-MM or YYYY-MM-DD", date_schema),
    "kind": FieldSpec(check_kind, True, "a kind id from site.yaml", kind_schema),
    "topics": FieldSpec(check_topics, True, "topic ids; the first is the primary topic", topics_schema),
    "summary": FieldSpec(check_summary, True, f"plain text, at most {MAX_SUMMARY} characters", SUMMARY_SCHEMA),
    "importance": FieldSpec(check_importance, True, "landmark, major or notable",
                            {"type": "string", "enum": list(IMPORTANCE)}),
    "links": FieldSpec(check_links, True, "[{title, url}], the primary source first",
                       {"type": "array", "minItems": 1, "items": LINK_SCHEMA}),
    "authors": FieldSpec(check_names, False, "list of names", {"type": "array", "items": TEXT_SCHEMA}),
    "organization": FieldSpec(check_names, False, "labs or companies", {"type": "array", "items": TEXT_SCHEMA}),
    "venue": FieldSpec(check_text, False, "e.g. NeurIPS 2012", TEXT_SCHEMA),
    "label": FieldSpec(check_label, False, f"short name for charts, e.g. AlexNet (at most {MAX_LABEL} characters)",
                       {"type": "string", "minLength": 1, "maxLength": MAX_LABEL, "pattern": r"\S"}),
    "arxiv": FieldSpec(check_arxiv, False, "new-style arXiv id", {"type": "string", "pattern": ARXIV_PATTERN.pattern}),
    "doi": FieldSpec(check_doi, False, "a DOI such as 10.1038/nature16961",
                     {"type": "string", "pattern": DOI_PATTERN.pattern}),
    "citations": FieldSpec(check_citations, False, "{count, as_of: YYYY-MM}", CITATIONS_SCHEMA),
    "builds_on": FieldSpec(check_builds_on, False, "ids of events this work builds on",
                           {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN.pattern}}),
    "image": FieldSpec(check_image, False, "{src, alt, credit?, credit_url?}", IMAGE_SCHEMA),
    "draft": FieldSpec(check_bool, False, "left out of the site unless --drafts", {"type": "boolean"}),
}
YAML_ONLY_FIELDS = {"body": FieldSpec(check_body, False, "Markdown body (.yaml events only)", {"type": "string"})}


def _list_of(value: Any, what: str, min_items: int = 0, item_type: type | None = None) -> list:
    if not isinstance(value, list) or len(value) < min_items:
        raise Invalid(f"must be a list of {what}" + (f" with at least {min_items}" if min_items else ""))
    if item_type is not None:
        for i, item in enumerate(value):
            if not isinstance(item, item_type):
                raise Invalid(f"must be a list of {what}", i)
    return value


def _no_unknown_keys(mapping: dict, allowed: set[str], *where: str | int) -> None:
    for key in sorted(map(str, mapping)):
        if key not in allowed:
            raise Invalid(f"unknown key '{shown(key)}'{did_you_mean(key, allowed)}", *where, key)


# -- one event ---------------------------------------------------------------

def event_id(doc: SourceDoc) -> str:
    return doc.src_path.stem


def validate_event(doc: SourceDoc, ctx: Context) -> tuple[Event | None, list[ContentError]]:
    """Check every field of one event file; return the Event only if all are valid."""
    errors: list[ContentError] = []

    def err(message: str, *path: str | int) -> None:
        errors.append(ContentError(doc.src_path, doc.line_of(*path), message, str(path[0]) if path else None))

    if not isinstance(doc.data, dict):
        err("an event must be a mapping of fields (title: ..., date: ...)")
        return None, errors
    eid = event_id(doc)
    if not ID_PATTERN.fullmatch(eid):
        err(f"file name '{shown(doc.src_path.name)}' is not a valid id: use lowercase letters, digits and single hyphens")
    fields = FIELDS | (YAML_ONLY_FIELDS if doc.src_path.suffix != ".md" else {})
    values: dict[str, Any] = {}
    for key in doc.data:
        if str(key) not in fields:
            err(f"unknown field '{shown(key)}'{did_you_mean(str(key), fields)}", str(key))
    for name, spec in fields.items():
        if name not in doc.data or doc.data[name] is None:
            if spec.required:
                err(f"missing required field '{name}'")
            continue
        try:
            values[name] = spec.check(doc.data[name], ctx)
        except Invalid as problem:
            err(f"{name}: {problem.message}", name, *problem.where)
    _check_folder_year(doc, values.get("date"), err)
    _check_body(doc, values.get("body"), errors)
    if errors:
        return None, errors
    return _make_event(doc, eid, values, ctx), errors


def _check_body(doc: SourceDoc, yaml_body: str | None, errors: list[ContentError]) -> None:
    is_md = doc.src_path.suffix == ".md"
    problem = check_body_size(doc.body if is_md else yaml_body or "")
    if problem is not None:
        first = doc.body_line if is_md else (doc.line_of("body") or 1) + 1
        errors.append(ContentError(doc.src_path, first + problem[0], problem[1], None if is_md else "body"))


def _check_folder_year(doc: SourceDoc, date: PartialDate | None, err) -> None:
    folder = doc.src_path.parent.name
    if date is not None and re.fullmatch(r"\d{4}", folder) and int(folder) != date.year:
        err(f"file is in folder {folder}/ but its date is in {date.year}: move it to {date.year}/", "date")


def _make_event(doc: SourceDoc, eid: str, values: dict[str, Any], ctx: Context) -> Event:
    body = values.pop("body", None)
    is_md = doc.src_path.suffix == ".md"
    text = doc.body if is_md else (body or "")
    return Event(
        id=eid, src_path=str(doc.src_path), url=event_url(ctx.config.base_path, eid),
        body=text, body_line=doc.body_line if is_md else (doc.line_of("body") or 1) + 1,
        references=find_references(text), **values,
    )


# -- every event ---------------------------------------------------------------

REVALIDATE_AT_MOST = 50
"""More changed files than this and every check runs again."""
EventMemo = dict[str, tuple[SourceDoc, Context, Event | None, list[ContentError]]]
"""Validated events by path, with the SourceDoc and Context they were checked against."""


@dataclass
class ValidationMemo:
    """What a long-lived Builder keeps between validations: each file's result, and the
    cycles of the last lineage graph (finding them walks the whole graph)."""

    files: EventMemo = field(default_factory=dict)
    graph: dict[str, list[str]] | None = None
    cycles: list[list[str]] = field(default_factory=list)
    last: tuple[list[SourceDoc], Context, list[Event], set[str]] | None = None
    """The last validation, if it found no problem: its files, context, events and ids."""

    def prune(self, paths: set[str]) -> None:
        """Forget files that are gone."""
        if len(self.files) != len(paths) or not paths.issuperset(self.files):
            self.files = {k: v for k, v in self.files.items() if k in paths}

    def revalidate(self, docs: list[SourceDoc], ctx: Context) -> list[Event] | None:
        """The events, checking only the files that changed since the last (clean) validation;
        None when that is not enough: files added or removed, many changed, a problem, or a
        change of lineage (the checks across files could then give another answer)."""
        if self.last is None or self.last[1] is not ctx or len(self.last[0]) != len(docs):
            return None
        last_docs, _, last_events, known = self.last
        changed = [i for i, (doc, old) in enumerate(zip(docs, last_docs)) if doc is not old]
        if len(changed) > REVALIDATE_AT_MOST:
            return None
        events = list(last_events)
        for i in changed:
            event, problems = _validate_memoized(docs[i], ctx, self.files)
            old = last_events[i]
            if (problems or event is None or event.id != old.id or event.builds_on != old.builds_on
                    or check_cross_references([event], known)):
                return None
            events[i] = event
        self.last = (docs, ctx, events, known)
        return events


def validate_events(docs: Iterable[SourceDoc], ctx: Context, memo: ValidationMemo | None = None,
                    checked: Sequence[tuple[Event | None, list[ContentError]]] | None = None,
                    ) -> tuple[list[Event], list[ContentError]]:
    """Validate each file, then the checks across files. Never raises for content.

    With a `memo` (kept by a long-lived Builder), a file whose SourceDoc and
    Context are the very same objects as last time is not checked again.
    `checked`: each doc's own result, when the files were validated already
    (by the processes that parsed them); then `docs` may be `lighter` ones.
    """
    errors: list[ContentError] = []
    docs = list(docs)
    if memo is not None:
        if (events := memo.revalidate(docs, ctx)) is not None:
            return events, []
        memo.last = None
    ids = [event_id(d) for d in docs]
    errors += check_unique_ids(docs, ids)
    events = []
    for i, doc in enumerate(docs):
        if checked is not None:
            event, problems = checked[i]
        else:
            event, problems = _validate_memoized(doc, ctx, memo.files) if memo is not None else validate_event(doc, ctx)
        errors += problems
        if event is not None:
            events.append(event)
    known = set(ids)
    errors += check_lineage(events, known, docs, memo)
    errors += check_cross_references(events, known)
    if memo is not None and not errors:
        memo.last = (docs, ctx, events, known)
    return events, errors


def lighter(doc: SourceDoc) -> SourceDoc:
    """The doc with only what the checks across files quote (the lines of `builds_on`):
    what a process that validated the file sends back, instead of all of it."""
    lines = {k: v for k, v in doc.lines.items() if not k or k[0] == "builds_on"}
    return SourceDoc(doc.src_path, None, lines, "", doc.body_line)


def _validate_memoized(doc: SourceDoc, ctx: Context, memo: EventMemo) -> tuple[Event | None, list[ContentError]]:
    known = memo.get(str(doc.src_path))
    if known is None or known[0] is not doc or known[1] is not ctx:
        known = (doc, ctx, *validate_event(doc, ctx))
        memo[str(doc.src_path)] = known
    return known[2], known[3]


def check_unique_ids(docs: list[SourceDoc], ids: list[str] | None = None) -> list[ContentError]:
    ids = ids if ids is not None else [event_id(d) for d in docs]
    if len(set(ids)) == len(ids):
        return []
    seen: dict[str, list[SourceDoc]] = {}
    for eid, doc in zip(ids, docs):
        seen.setdefault(eid, []).append(doc)
    errors = []
    for eid, same in seen.items():
        for doc in same if len(same) > 1 else ():
            others = ", ".join(str(d.src_path) for d in same if d is not doc)
            errors.append(ContentError(doc.src_path, 1, f"duplicate id '{eid}': also used by {others}"))
    return errors


def check_lineage(events: list[Event], known: set[str], docs: list[SourceDoc],
                  memo: ValidationMemo | None = None) -> list[ContentError]:
    """builds_on must name existing events other than itself, without cycles."""
    errors = []
    by_path: dict[str, SourceDoc] = {}

    def line_of(event: Event, *key: str | int) -> int | None:
        if not by_path:  # only needed for a message: built when the first one is
            by_path.update((str(d.src_path), d) for d in docs)
        return by_path[event.src_path].line_of(*key)

    for event in events:
        for i, parent in enumerate(event.builds_on):
            if parent == event.id:
                errors.append(ContentError(event.src_path, line_of(event, "builds_on", i),
                                           "builds_on: an event cannot build on itself", "builds_on"))
            elif parent not in known:
                errors.append(ContentError(event.src_path, line_of(event, "builds_on", i),
                                           f"builds_on: unknown event id '{parent}'{did_you_mean(parent, known)}",
                                           "builds_on"))
    for cycle in lineage_cycles({e.id: [p for p in e.builds_on if p != e.id] for e in events}, memo):
        first = next(e for e in events if e.id == cycle[0])
        errors.append(ContentError(first.src_path, line_of(first, "builds_on"),
                                   "builds_on forms a cycle: " + " → ".join(cycle + [cycle[0]]), "builds_on"))
    return errors


def lineage_cycles(graph: dict[str, list[str]], memo: ValidationMemo | None) -> list[list[str]]:
    """`find_cycles(graph)`, or the last answer if the graph is the same as last time."""
    if memo is None:
        return find_cycles(graph)
    if graph != memo.graph:
        memo.graph, memo.cycles = graph, find_cycles(graph)
    return memo.cycles


def find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle found by depth-first search, reported once (iterative)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    cycles = []
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [], [(start, iter(graph.get(start, ())))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                cycles.append(path[path.index(child):])
            elif child in graph and not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph[child])))
    return cycles


def find_references(body: str) -> tuple[tuple[int, str], ...]:
    """(line offset, id) of every [[id]] or [[id|text]] in a body."""
    return tuple((offset, match.group(1).strip())
                 for offset, line in enumerate(body.split("\n")) if "[[" in line
                 for match in XREF_PATTERN.finditer(line))


def check_cross_references(events: list[Event], known: set[str]) -> list[ContentError]:
    """Every [[id]] in a body names an existing event."""
    return [ContentError(event.src_path, event.body_line + offset,
                         f"unknown event id in cross reference [[{shown(target)}]]{did_you_mean(target, known)}")
            for event in events for offset, target in event.references if target not in known]
