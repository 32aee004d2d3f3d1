"""Stage 4: the Timeline and rendered bodies -> RenderedPages (path + bytes).

The Jinja environment is strict (StrictUndefined) and autoescapes everything.
Each page kind has a TypedDict context; templates only loop, test and print.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict

import jinja2

from .charts import BarChart, LineageGraph, Segment, Strip, bar_chart, decade_strip, lineage_graph, stacked_bar, topic_chains
from .cite import bibtex_entry, is_citable, structured_data
from .config import SiteConfig
from .model import MONTHS, Event, Kind, Neighbours, Selection, Timeline, Topic, Year
from .validate import FIELDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedPage:
    dest_path: PurePosixPath
    """Relative to the output folder."""
    content: bytes


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None


@dataclass(frozen=True)
class Filters:
    """What the filter form on a listing page offers."""

    kinds: tuple[Kind, ...]
    topics: tuple[Topic, ...]
    importance: tuple[str, ...] = ("landmark", "major", "notable")


@dataclass(frozen=True)
class YearCard:
    year: Year
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class TopicCard:
    topic: Topic
    count: int
    blurb: str


@dataclass(frozen=True)
class MonthCell:
    name: str
    count: int
    anchor: str


@dataclass(frozen=True)
class FieldDoc:
    name: str
    required: bool
    doc: str


class PageContext(TypedDict):
    site: SiteConfig
    timeline: Timeline
    title: str
    description: str
    canonical: str
    crumbs: list[Crumb]
    static: str
    search_url: str
    structured: dict[str, Any] | None


class HomeContext(PageContext):
    intro: str
    strip: Strip
    year_cards: tuple[YearCard, ...]
    topic_cards: tuple[TopicCard, ...]
    filters: Filters


class YearContext(PageContext):
    year: Year
    months: tuple[MonthCell, ...]
    filters: Filters


class TopicContext(PageContext):
    topic: Topic
    description_html: str
    selection: Selection
    chart: BarChart
    chains: tuple[tuple[Event, ...], ...]
    filters: Filters


class KindContext(PageContext):
    kind: Kind
    selection: Selection
    chart: BarChart


class EventContext(PageContext):
    event: Event
    body_html: str
    related: Neighbours
    graph: LineageGraph | None
    bibtex: str | None
    bib_url: str | None


class DataContext(PageContext):
    fields: tuple[FieldDoc, ...]
    files: tuple[Crumb, ...]


@dataclass(frozen=True)
class RenderInput:
    """Everything the pages show, computed by the earlier stages."""

    config: SiteConfig
    timeline: Timeline
    bodies: Mapping[str, str]
    """Event id -> sanitized body HTML."""
    topic_descriptions: Mapping[str, str]
    """Topic id -> sanitized description HTML."""


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["join_names"] = join_names
    return env


def join_names(names) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def render_site(data: RenderInput, env: jinja2.Environment) -> list[RenderedPage]:
    """Every page and data file of the site, in a stable order."""
    return list(_render_all(data, env))


def _render_all(data: RenderInput, env: jinja2.Environment) -> Iterator[RenderedPage]:
    c, t = data.config, data.timeline
    yield _page(env, "home.html", "index.html", home_context(data))
    for year in t.years:
        yield _page(env, "year.html", f"years/{year.year}/index.html", year_context(data, year))
    for topic in t.topics:
        yield _page(env, "topic.html", f"topics/{topic.id}/index.html", topic_context(data, topic))
    for kind in t.kinds:
        yield _page(env, "kind.html", f"kinds/{kind.id}/index.html", kind_context(data, kind))
    for event in t.events:
        context = event_context(data, event)
        yield _page(env, "event.html", f"events/{event.id}/index.html", context)
        if context["bibtex"]:
            yield RenderedPage(PurePosixPath(f"events/{event.id}/{event.id}.bib"), context["bibtex"].encode())
    yield _page(env, "data.html", "data/index.html", data_context(data))
    yield _page(env, "search.html", "search/index.html",
                _base(data, "Search", f"Search {c.title}.", c.base_path + "search/", [_home_crumb(c), Crumb("Search", None)]))
    yield _page(env, "404.html", "404.html", _base(data, "Page not found", c.description, c.base_path + "404.html", []))
    yield _page(env, "feed.xml", "feed.xml", {"site": c, "timeline": t, "events": feed_events(t)})
    yield _page(env, "sitemap.xml", "sitemap.xml", {"site": c, "urls": sitemap_urls(t, c)})
    yield RenderedPage(PurePosixPath("events.json"), events_json(t, c).encode())
    yield RenderedPage(PurePosixPath("events.bib"), "\n".join(bibtex_entry(e) for e in t.events if is_citable(e)).encode())
    yield RenderedPage(PurePosixPath("search.json"), search_index(t).encode())


def _page(env: jinja2.Environment, template: str, dest: str, context: Mapping[str, Any]) -> RenderedPage:
    return RenderedPage(PurePosixPath(dest), env.get_template(template).render(context).encode())


def _base(data: RenderInput, title: str, description: str, url: str, crumbs: list[Crumb],
          structured: dict[str, Any] | None = None) -> PageContext:
    c = data.config
    return PageContext(site=c, timeline=data.timeline, title=title, description=description,
                       canonical=c.absolute(url), crumbs=crumbs, static=c.base_path + "static/",
                       search_url=c.base_path + "search/", structured=structured)


def _home_crumb(c: SiteConfig) -> Crumb:
    return Crumb("Home", c.base_path)


def home_context(data: RenderInput) -> HomeContext:
    c, t = data.config, data.timeline
    peak = max((len(y.events) for y in t.years), default=0)
    website = {"@context": "https://schema.org", "@type": "WebSite", "name": c.title,
               "description": c.description or c.tagline, "url": c.base_url}
    return HomeContext(
        **_base(data, c.title, c.description or c.tagline, c.base_path, [], website),
        intro=c.description,
        strip=decade_strip(t),
        year_cards=tuple(YearCard(y, stacked_bar([(k.kind, k.count) for k in y.counts], peak)) for y in t.years),
        topic_cards=tuple(TopicCard(x, len(t.by_topic[x.id].events), first_sentence(x.description)) for x in t.topics),
        filters=Filters(t.kinds, t.topics),
    )


def year_context(data: RenderInput, year: Year) -> YearContext:
    c, t = data.config, data.timeline
    crumbs = [_home_crumb(c), Crumb(str(year.year), None)]
    description = f"{len(year.events)} events of {year.year} in {c.title}."
    counts = {g.month: len(g.events) for g in year.months}
    months = tuple(MonthCell(MONTHS[m - 1][:3], counts.get(m, 0), f"#m{m}" if counts.get(m) else "") for m in range(1, 13))
    return YearContext(**_base(data, str(year.year), description, year.url, crumbs), year=year, months=months,
                       filters=Filters(tuple(k.kind for k in year.counts), _topics_of(year.events, t)))


def _topics_of(events: tuple[Event, ...], t: Timeline) -> tuple[Topic, ...]:
    used = {x.id for e in events for x in e.topics}
    return tuple(x for x in t.topics if x.id in used)


def topic_context(data: RenderInput, topic: Topic) -> TopicContext:
    c, t = data.config, data.timeline
    crumbs = [_home_crumb(c), Crumb("Topics", c.base_path + "#topics-heading"), Crumb(topic.name, None)]
    selection = t.by_topic[topic.id]
    kinds = tuple(k for k in t.kinds if any(e.kind == k for e in selection.events))
    return TopicContext(**_base(data, topic.name, first_sentence(topic.description) or topic.name, topic.url, crumbs),
                        topic=topic, description_html=data.topic_descriptions[topic.id], selection=selection,
                        chart=bar_chart(selection.per_year), chains=topic_chains(selection.events, t.neighbours),
                        filters=Filters(kinds, ()))


def kind_context(data: RenderInput, kind: Kind) -> KindContext:
    c, t = data.config, data.timeline
    crumbs = [_home_crumb(c), Crumb(kind.plural, None)]
    selection = t.by_kind[kind.id]
    description = f"{len(selection.events)} {kind.plural.lower()} in {c.title}."
    return KindContext(**_base(data, kind.plural, description, kind.url, crumbs), kind=kind, selection=selection,
                       chart=bar_chart(selection.per_year))


def event_context(data: RenderInput, event: Event) -> EventContext:
    c, t = data.config, data.timeline
    year = t.year(event.year)
    crumbs = [_home_crumb(c), Crumb(str(event.year), year.url), Crumb(event.title, None)]
    citable = is_citable(event)
    return EventContext(
        **_base(data, event.title, event.summary, event.url, crumbs,
                structured_data(event, c.absolute(event.url), c.title)),
        event=event, body_html=data.bodies[event.id], related=t.neighbours[event.id],
        graph=lineage_graph(event, t.neighbours),
        bibtex=bibtex_entry(event) if citable else None,
        bib_url=f"{event.url}{event.id}.bib" if citable else None,
    )


def data_context(data: RenderInput) -> DataContext:
    c = data.config
    fields = tuple(FieldDoc(name, spec.required, spec.doc) for name, spec in FIELDS.items())
    files = (Crumb("events.json", c.base_path + "events.json"),
             Crumb("events.bib", c.base_path + "events.bib"), Crumb("feed.xml", c.base_path + "feed.xml"))
    return DataContext(**_base(data, "Data", f"The data behind {c.title}: JSON, CSV and BibTeX.",
                               c.base_path + "data/", [_home_crumb(c), Crumb("Data", None)]),
                       fields=fields, files=files)


def first_sentence(markdown_text: str) -> str:
    """The first sentence of a short Markdown text, as plain text."""
    text = " ".join(re.sub(r"[*_`]", "", markdown_text).split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def search_index(t: Timeline) -> str:
    """A compact index for the search box: what a reader is likely to type."""
    rows = [{"u": e.url, "t": e.title, "l": e.label or "", "y": e.date.display, "k": e.kind.name,
             "a": "; ".join(e.authors), "o": "; ".join(e.organization), "s": e.summary} for e in t.events]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\n"


def feed_events(t: Timeline) -> list[Event]:
    """Newest first, the way feed readers expect."""
    return sorted(t.events, key=lambda e: (e.date.sort_key, e.id), reverse=True)


def sitemap_urls(t: Timeline, c: SiteConfig) -> list[str]:
    paths = [c.base_path] + [y.url for y in t.years] + [x.url for x in t.topics] + \
            [k.url for k in t.kinds] + [e.url for e in t.events]
    return [c.absolute(p) for p in paths]


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


def events_json(t: Timeline, c: SiteConfig) -> str:
    data = {
        "site": {"title": c.title, "url": c.base_url, "years": [c.first_year, c.last_year]},
        "kinds": [{"id": k.id, "name": k.name, "plural": k.plural} for k in t.kinds],
        "topics": [{"id": x.id, "name": x.name} for x in t.topics],
        "events": [event_record(e, t, c) for e in t.events],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
