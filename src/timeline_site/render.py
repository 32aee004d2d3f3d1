"""Stage 4: the Timeline and rendered bodies -> RenderedPages (path + bytes).

The Jinja environment is strict (StrictUndefined) and autoescapes everything.
Each page kind has a TypedDict context; templates only loop, test and print.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict

import jinja2

from .config import SiteConfig
from .model import Event, Kind, Neighbours, Selection, Timeline, Topic, Year

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


class PageContext(TypedDict):
    site: SiteConfig
    timeline: Timeline
    title: str
    description: str
    canonical: str
    crumbs: list[Crumb]
    static: str


class HomeContext(PageContext):
    intro: str


class YearContext(PageContext):
    year: Year


class TopicContext(PageContext):
    topic: Topic
    description_html: str
    selection: Selection


class KindContext(PageContext):
    kind: Kind
    selection: Selection


class EventContext(PageContext):
    event: Event
    body_html: str
    related: Neighbours


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
        yield _page(env, "event.html", f"events/{event.id}/index.html", event_context(data, event))
    yield _page(env, "404.html", "404.html", _base(data, "Page not found", c.description, c.base_path + "404.html", []))
    yield _page(env, "feed.xml", "feed.xml", {"site": c, "timeline": t, "events": feed_events(t)})
    yield _page(env, "sitemap.xml", "sitemap.xml", {"site": c, "urls": sitemap_urls(t, c)})
    yield RenderedPage(PurePosixPath("events.json"), events_json(t, c).encode())


def _page(env: jinja2.Environment, template: str, dest: str, context: Mapping[str, Any]) -> RenderedPage:
    return RenderedPage(PurePosixPath(dest), env.get_template(template).render(context).encode())


def _base(data: RenderInput, title: str, description: str, url: str, crumbs: list[Crumb]) -> PageContext:
    c = data.config
    return PageContext(site=c, timeline=data.timeline, title=title, description=description,
                       canonical=c.absolute(url), crumbs=crumbs, static=c.base_path + "static/")


def _home_crumb(c: SiteConfig) -> Crumb:
    return Crumb("Home", c.base_path)


def home_context(data: RenderInput) -> HomeContext:
    c = data.config
    return HomeContext(**_base(data, c.title, c.description or c.tagline, c.base_path, []), intro=c.description)


def year_context(data: RenderInput, year: Year) -> YearContext:
    c = data.config
    crumbs = [_home_crumb(c), Crumb(str(year.year), None)]
    description = f"{len(year.events)} events of {year.year} in {c.title}."
    return YearContext(**_base(data, str(year.year), description, year.url, crumbs), year=year)


def topic_context(data: RenderInput, topic: Topic) -> TopicContext:
    c = data.config
    crumbs = [_home_crumb(c), Crumb("Topics", None), Crumb(topic.name, None)]
    description = " ".join(topic.description.split()) or topic.name
    return TopicContext(**_base(data, topic.name, description, topic.url, crumbs), topic=topic,
                        description_html=data.topic_descriptions[topic.id],
                        selection=data.timeline.by_topic[topic.id])


def kind_context(data: RenderInput, kind: Kind) -> KindContext:
    c = data.config
    crumbs = [_home_crumb(c), Crumb("Kinds", None), Crumb(kind.plural, None)]
    description = f"{kind.plural} in {c.title}."
    return KindContext(**_base(data, kind.plural, description, kind.url, crumbs), kind=kind,
                       selection=data.timeline.by_kind[kind.id])


def event_context(data: RenderInput, event: Event) -> EventContext:
    c = data.config
    year = data.timeline.year(event.year)
    crumbs = [_home_crumb(c), Crumb(str(event.year), year.url), Crumb(event.title, None)]
    return EventContext(**_base(data, event.title, event.summary, event.url, crumbs), event=event,
                        body_html=data.bodies[event.id], related=data.timeline.neighbours[event.id])


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
