"""Stage 4: the Timeline and rendered bodies -> a plan of pages, each with a fingerprint.

`Planner` lists every output file with a fingerprint of the data it shows
plus its template; rendering is a call on the plan, so a build renders only
the pages whose fingerprint changed. The Jinja environment is strict
(StrictUndefined) and autoescapes everything. Each page kind has a TypedDict
context; templates only loop, test and print.
"""
from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict, TypeVar

import jinja2
from markupsafe import Markup

from .charts import (
    BarChart,
    LineageGraph,
    Segment,
    Strip,
    bar_chart,
    decade_strip,
    lineage_columns,
    lineage_graph,
    stacked_bar,
    topic_chains,
)
from .cite import bibtex_entry, is_citable, structured_data
from .config import SiteConfig
from .digest import Digests, generator_fingerprint, same_objects, same_where_replaced, sha
from .export import events_csv_chunks, events_json_chunks, search_index_chunks, separated
from .model import MONTHS, Event, Kind, Neighbours, Timeline, Topic, Year, YearGroup
from .validate import FIELDS

log = logging.getLogger(__name__)

T = TypeVar("T")

CHROME_TEMPLATES = ("header.html", "footer.html")
"""Rendered once per build and placed in every page by base.html."""
PAGE_SIZE = 100
"""Events per topic or kind page; more are split over /page/2/ and on."""
STRIP_MAX_DOTS = 600
"""Above this, the home strip shows only the more important events."""
FEED_SIZE = 50


Content = bytes | list[bytes]
"""A file's bytes, or pieces of it to write one after another (the big data files)."""


@dataclass(frozen=True)
class RenderedPage:
    dest_path: PurePosixPath
    """Relative to the output folder."""
    content: Content


class PagePlan:
    """One output file: where it goes, what it shows (as a digest), how to make it.

    The fingerprint may be given as a function, computed when first asked for:
    a first build into an empty folder needs it only for the manifest, so the
    processes that render the pages work it out (see `Builder.write_fresh`).
    """

    __slots__ = ("dest_path", "_fingerprint", "render", "in_parent")

    def __init__(self, dest_path: str, fingerprint: str | Callable[[], str], render: Callable[[], Content],
                 in_parent: bool = False):
        self.dest_path = dest_path
        """Relative to the output folder, with '/' (a str: a big site plans thousands of these)."""
        self._fingerprint = fingerprint
        self.render = render
        self.in_parent = in_parent
        """Render in the building process itself (never in a worker), so that the
        per-event pieces it caches stay for the next build."""

    @property
    def fingerprint(self) -> str:
        if not isinstance(self._fingerprint, str):
            self._fingerprint = self._fingerprint()
        return self._fingerprint

    def settle(self, fingerprint: str) -> None:
        """The fingerprint, as another process worked it out."""
        self._fingerprint = fingerprint


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None


@dataclass(frozen=True)
class NavYear:
    year: int
    url: str


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool = False
    """A link to the page itself (marked for screen readers, and styled)."""


YEAR_NAV_LIMIT = 24
"""A timeline of up to this many years lists every year in each page's header."""


@dataclass(frozen=True)
class Nav:
    """What every page's header and footer show."""

    years: tuple[NavYear, ...]
    kinds: tuple[Kind, ...]

    @classmethod
    def of(cls, timeline: Timeline) -> "Nav":
        return cls(tuple(NavYear(y.year, y.url) for y in timeline.years), timeline.kinds)

    def year_links(self, current: int | None) -> tuple[NavLink, ...]:
        """Every year; or, for a longer timeline, one link per decade (to its first year)
        with the years of the current year's decade in its place.

        A header of 200 year links is hard to scan, and it was 45% of every event
        page's bytes on a 10,000-event site spanning two centuries; a reader still
        reaches any year in two steps, or through each year page's previous and next."""
        if len(self.years) <= YEAR_NAV_LIMIT:
            return tuple(NavLink(str(y.year), y.url, y.year == current) for y in self.years)
        links: list[NavLink] = []
        for decade, group in itertools.groupby(self.years, key=lambda y: y.year // 10):
            years = list(group)
            if current is not None and current // 10 == decade:
                links += [NavLink(str(y.year), y.url, y.year == current) for y in years]
            else:
                links.append(NavLink(f"{decade * 10}s", years[0].url))
        return tuple(links)


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


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    prev_url: str | None
    next_url: str | None


class PageContext(TypedDict):
    site: SiteConfig
    nav: Nav
    title: str
    description: str
    canonical: str
    crumbs: list[Crumb]
    static: str
    search_url: str
    structured: dict[str, Any] | None
    current_year: int | None


class HomeContext(PageContext):
    intro: str
    strip: Strip
    strip_note: str
    year_cards: tuple[YearCard, ...]
    topic_cards: tuple[TopicCard, ...]
    filters: Filters


class YearContext(PageContext):
    year: Year
    months: tuple[MonthCell, ...]
    filters: Filters


class ListingContext(PageContext):
    """A topic or kind page: its events by year, one page of them at a time."""

    total: int
    groups: tuple[YearGroup, ...]
    pager: Pager
    chart: BarChart


class TopicContext(ListingContext):
    topic: Topic
    description_html: str
    chains: tuple[tuple[Event, ...], ...]
    filters: Filters


class KindContext(ListingContext):
    kind: Kind


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


class SearchContext(PageContext):
    az: tuple[Event, ...]
    """Every event A–Z; empty when the A–Z is split by initial (see `az_links`)."""
    az_links: tuple[NavLink, ...]
    """The pages of the A–Z, one per initial; empty on a site of up to AZ_PAGE_LIMIT events."""


class AzContext(SearchContext):
    initial: str


AZ_PAGE_LIMIT = 1_000
"""Up to this many events, the search page lists them all A–Z (for readers without
JavaScript, with the browser's find in page); beyond, the A–Z has a page per initial,
so that no page grows with the whole site."""
OTHER_INITIAL = "other"


@dataclass(frozen=True)
class AzSection:
    initial: str
    """A letter from a to z, or OTHER_INITIAL (digits, symbols, other scripts)."""
    events: tuple[Event, ...]

    @property
    def label(self) -> str:
        return "Other" if self.initial == OTHER_INITIAL else self.initial.upper()


def same_ids_and_titles(old: Sequence[Event], new: Sequence[Event]) -> bool:
    """The same ids and titles in the same order (only the events that are not the very
    objects of last time are compared)."""
    return same_where_replaced(old, new, lambda a, b: a.id == b.id and a.title == b.title)


def az_order(events: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(sorted(events, key=lambda e: (e.title.casefold(), e.id)))


def az_initial(title: str) -> str:
    """The letter a title is filed under: accents dropped ("Émile" under e)."""
    first = unicodedata.normalize("NFKD", title[:1])[:1].casefold()
    return first if "a" <= first <= "z" else OTHER_INITIAL


def az_sections(events: Iterable[Event]) -> tuple[AzSection, ...]:
    """The events A–Z, one section per initial that has any, Other last."""
    groups: dict[str, list[Event]] = {}
    for event in az_order(events):
        groups.setdefault(az_initial(event.title), []).append(event)
    return tuple(AzSection(k, tuple(groups[k])) for k in sorted(groups, key=lambda k: (k == OTHER_INITIAL, k)))


@dataclass(frozen=True)
class RenderInput:
    """Everything the pages show, computed by the earlier stages."""

    config: SiteConfig
    timeline: Timeline
    bodies: Mapping[str, str]
    """Event id -> sanitized body HTML (may render on first access: ask only when rendering)."""
    body_keys: Mapping[str, str]
    """Event id -> a digest that determines the body's HTML (its source and link targets)."""
    topic_descriptions: Mapping[str, str]
    """Topic id -> sanitized description HTML."""
    nav: Nav


class Fragments:
    """Each event's pieces of the big data files, kept between builds of one Builder.

    A piece is remade when any of the objects it was made from changed: the
    model reuses unchanged events, so comparing identities is enough and cheap.
    """

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self._store: dict[tuple[str, str], tuple[tuple, bytes]] = {}
        self._lists: dict[str, tuple[tuple, Sequence[Event], Mapping[str, Neighbours], list[bytes]]] = {}

    def get(self, slot: tuple[str, str], inputs: tuple, make: Callable[[], bytes]) -> bytes:
        if not self.keep:
            return make()
        known = self._store.get(slot)
        if known is None or not same_objects(known[0], inputs):
            known = (inputs, make())
            self._store[slot] = known
        return known[1]

    def pieces(self, kind: str, events: Sequence[Event], related: Mapping[str, Neighbours], inputs: tuple,
               make: Callable[[Event], str]) -> list[bytes]:
        """Every event's piece of one kind, encoded, in order. The last build's list is reused where
        the event and its Neighbours are the same objects (a patched timeline keeps both);
        elsewhere each piece comes from `get`. `inputs`: what every piece depends on."""
        if not self.keep:
            return [make(e).encode() for e in events]
        last = self._lists.get(kind)
        if last is None or not same_objects(last[0], inputs) or len(last[1]) != len(events):
            out = [self.piece(kind, e, related, inputs, make) for e in events]
        else:
            _, old_events, old_related, out = last
            out = list(out)
            for i, (event, old) in enumerate(zip(events, old_events)):
                if event is not old or related[event.id] is not old_related[event.id]:
                    out[i] = self.piece(kind, event, related, inputs, make)
        self._lists[kind] = (inputs, events, related, out)
        return out

    def piece(self, kind: str, event: Event, related: Mapping[str, Neighbours], inputs: tuple,
              make: Callable[[Event], str]) -> bytes:
        mine = related[event.id]
        return self.get((kind, event.id), (*inputs, event, *mine.builds_on, None, *mine.led_to),
                        lambda: make(event).encode())

    def sweep(self, event_ids: Collection[str]) -> None:
        """Drop the pieces of events that are gone (when they have piled up: this costs a pass)."""
        if len(self._store) > 4 * len(event_ids) + 100:
            self._store = {k: v for k, v in self._store.items() if k[1] in event_ids}


def is_editor_file(name: str) -> bool:
    """A swap, backup, lock or hidden file, such as editors keep beside the file they edit."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def is_template_name(name: str) -> bool:
    """A page template or partial (`.html`, `.xml`) to compile up front, not an editor's file
    nor an image beside them. (Any other file a template includes is still compiled when
    it is first used.)"""
    return name.endswith((".html", ".xml")) and not any(map(is_editor_file, name.split("/")))


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # no stat of each template on every page: Builder reloads changed ones
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["join_names"] = join_names
    env.globals["cached_card"] = CardMemo(env)
    return env


def forget_compiled_templates(env: jinja2.Environment) -> None:
    """Drop what was made from the templates as they were: the compiled templates and the
    cards rendered with them (`CardMemo`)."""
    env.cache.clear()
    env.globals["cached_card"].clear()


class CardMemo:
    """`cached_card(event)` in templates: the `card` macro of macros.html, rendered once per
    event and process. An event's card is on its year's page, its topics' and its kind's,
    about four times over: rendered once, the listing pages of 10,000 events took 0.65 s
    of one process instead of 1.17 s.

    Kept while the event is the very same object (the model reuses unchanged events)
    and the templates are the same (`forget_compiled_templates` clears it).
    """

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._cards: dict[str, tuple[Event, Markup]] = {}

    def __call__(self, event: Event) -> Markup:
        known = self._cards.get(event.id)
        if known is None or known[0] is not event:
            known = self._cards[event.id] = (event, self.env.get_template("macros.html").module.card(event))
        return known[1]

    def clear(self) -> None:
        self._cards = {}


def join_names(names) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


# -- the plan -------------------------------------------------------------------

class Planner:
    """Builds the list of PagePlans of each build.

    A long-lived Builder keeps one Planner: an event's plans are reused when the
    objects its pages show are the very ones of last time. So plans never hold
    a build's data: they render from the Planner's current `data`.
    """

    def __init__(self, env: jinja2.Environment, digests: Digests, fragments: Fragments):
        self.env, self.digests, self.fragments = env, digests, fragments
        self._event_plans: dict[str, tuple[tuple, str, str, list[PagePlan]]] = {}
        self._planned: tuple[Timeline, str] | None = None
        """The timeline whose event plans `_event_plans` holds, and their templates' digest."""
        self._suspects: set[str] | None = None
        self._az: tuple[tuple[Event, ...], tuple[tuple[str, tuple[str, ...]], ...]] | None = None
        """(the events, the A–Z's sections as ids) of the last build."""

    def start(self, data: RenderInput, change: tuple[Timeline, Collection[str]] | None = None) -> None:
        """Plan for `data` from now on. `change`: (a timeline, the ids of the events whose
        objects or body keys differ in `data`); when that timeline is the one planned last,
        only the event pages that show one of them are checked again."""
        self.data, self.nav = data, data.nav
        self._suspects = None
        if change is not None and self._planned is not None and change[0] is self._planned[0]:
            self._suspects = pages_showing(data.timeline, change[1])
        self.chrome = sha(generator_fingerprint(), repr(data.config), repr(self.nav),
                          *(self.digests.template(self.env, name) for name in CHROME_TEMPLATES))
        events = data.timeline.events
        self._chrome_html: dict[tuple[str, int | None], Markup] = {}
        self._bases: dict[str, str] = {}
        if len(self._event_plans) > len(events) + 100:
            self._event_plans = {k: v for k, v in self._event_plans.items() if k in data.timeline.by_id}

    def all_cards(self) -> str:
        """Every event's card: what lists of all events show."""
        return sha(self.chrome, self.cards(("all", "cards"), self.data.timeline.events), repr(self.data.timeline.topics))

    def everything(self) -> str:
        """Every event, bodies included: what the data files hold."""
        events = self.data.timeline.events
        return sha(self.all_cards(), self.digests.memo(("all", "events"), events, lambda: self.digests.events(events)))

    def page(self, dest: str, template: str, parts: Sequence[str] | Callable[[], Sequence[str]],
             context: Callable[[], Mapping[str, Any]]) -> PagePlan:
        """A page; `parts` (what it shows, as digests) may be a function, called only when the
        fingerprint is asked for."""
        return PagePlan(dest, fingerprint_of(self.base(template), parts), lambda: self.render_page(template, context()))

    def base(self, template: str) -> str:
        """What every page made with `template` shows: the chrome and the template itself."""
        if template not in self._bases:
            self._bases[template] = sha(self.chrome, self.digests.template(self.env, template))
        return self._bases[template]

    def render_page(self, template: str, context: Mapping[str, Any]) -> bytes:
        if template.endswith(".html"):
            context = {**context, "header_html": self.chrome_html("header.html", context),
                       "footer_html": self.chrome_html("footer.html", context)}
        return self.env.get_template(template).render(context).encode()

    def chrome_html(self, name: str, context: Mapping[str, Any]) -> Markup:
        """The header and footer are the same on every page (but for the current year):
        rendered once, then placed as they are. On a site of many years this halves the work."""
        key = (name, context["current_year"] if name == "header.html" else None)
        if key not in self._chrome_html:
            if name == "header.html":
                context = {**context, "year_links": self.nav.year_links(context["current_year"])}
            self._chrome_html[key] = Markup(self.env.get_template(name).render(context))
        return self._chrome_html[key]

    def file(self, dest: str, parts: Sequence[str] | Callable[[], Sequence[str]],
             make: Callable[[], str | list[bytes]], in_parent: bool = False) -> PagePlan:
        """A file made by `make`: its text, or a list of byte strings to write one after another."""
        def render() -> Content:
            text = make()
            return text.encode() if isinstance(text, str) else text
        return PagePlan(dest, fingerprint_of(self.chrome, parts), render, in_parent)

    def plans(self) -> Iterator[PagePlan]:
        d, t = self.data, self.data.timeline
        events = self.event_plans()
        yield self.page("index.html", "home.html", self.home_parts, lambda: home_context(d))
        for year in t.years:
            yield self.page(f"years/{year.year}/index.html", "year.html",
                            lambda year=year: [self.cards(("year", str(year.year)), year.events)],
                            lambda year=year: year_context(d, year))
        for topic in t.topics:
            yield from self.listing(topic.url, "topic.html", t.by_topic[topic.id].events,
                                    [repr(topic), d.topic_descriptions[topic.id]],
                                    lambda page, topic=topic: topic_context(d, topic, page))
        for kind in t.kinds:
            yield from self.listing(kind.url, "kind.html", t.by_kind[kind.id].events, [repr(kind)],
                                    lambda page, kind=kind: kind_context(d, kind, page))
        yield from events
        yield from self.site_files()

    def event_plans(self) -> list[PagePlan]:
        """The plans of every event's files, reused for the events whose pages show the very
        objects they showed last time (and the same body, templates and site)."""
        if not self.fragments.keep:  # a one-shot build: no next build to reuse plans in
            return [plan for event in self.data.timeline.events for plan in self.event_files(event)]
        plans: list[PagePlan] = []
        base = self.base("event.html")
        suspects = self._suspects if self._planned is not None and self._planned[1] == base else None
        for event in self.data.timeline.events:
            known = self._event_plans.get(event.id)
            if suspects is not None and event.id not in suspects and known is not None:
                plans += known[3]  # it shows the very objects it showed
                continue
            inputs, body = self.event_page_inputs(event), self.data.body_keys[event.id]
            if known is None or known[1] != base or known[2] != body or not same_objects(known[0], inputs):
                known = (inputs, base, body, list(self.event_files(event)))
                self._event_plans[event.id] = known
            plans += known[3]
        self._planned = (self.data.timeline, base)
        return plans

    def listing(self, url: str, template: str, events: tuple[Event, ...], parts: list[str],
                context: Callable[[int], Mapping[str, Any]]) -> Iterator[PagePlan]:
        """A topic or kind, page by page: a page shows its own events and the page count;
        the first also shows the per-year chart and the lines of descent (all events)."""
        count = page_count(len(events))

        def shown(number: int) -> list[str]:
            own = events[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
            digests = [self.cards(("page", f"{url}{number}"), own), str(number), str(count), str(len(events))]
            return [*parts, *digests, *([self.cards(("listing", url), events)] if number == 1 else [])]

        for number in range(1, count + 1):
            yield self.page(self.dest_of(page_url(url, number)), template, lambda number=number: shown(number),
                            lambda number=number: context(number))

    def cards(self, slot: tuple[str, str], events: tuple[Event, ...]) -> str:
        """The digest of the events' cards, memoized on the events themselves (comparing a
        thousand identities costs much less than a thousand digest look-ups), or on the cards
        of those that changed (see `Digests.memo_cards`)."""
        return self.digests.memo_cards(slot, events)

    def dest_of(self, url: str) -> str:
        return url[len(self.data.config.base_path):] + "index.html"

    def home_parts(self) -> list[str]:
        """What the home page shows: the strip's events, each year's counts and landmarks, topic counts."""
        t, cards = self.data.timeline, self.digests.cards
        strip, landmarks, counts = self.by_layout("home", lambda: (
            ids(strip_events(t.events)), ids(e for y in t.years for e in y.landmarks),
            sha(*(repr((y.year, len(y.events), [(c.kind.id, c.count) for c in y.counts])) for y in t.years),
                *(str(len(t.by_topic[x.id].events)) for x in t.topics))))
        return [cards(self.current(strip)), cards(self.current(landmarks)), counts, repr(t.topics)]

    def by_layout(self, name: str, make: Callable[[], T]) -> T:
        """`make()`, memoized for as long as the timeline's events keep their places. Only
        for what depends on those places: event objects themselves change with any edit
        (memoize their ids, see `current`)."""
        return self.digests.memo(("layout", name), (self.data.timeline.layout, self.data.config), make)

    def current(self, event_ids: Sequence[str]) -> tuple[Event, ...]:
        return tuple(map(self.data.timeline.by_id.__getitem__, event_ids))

    def event_files(self, event: Event) -> Iterator[PagePlan]:
        yield self.page(f"events/{event.id}/index.html", "event.html",
                        lambda: [self.event_page_digest(event), self.data.body_keys[event.id]],
                        lambda: event_context(self.data, self.data.timeline.by_id[event.id]))
        if is_citable(event):
            yield self.file(f"events/{event.id}/{event.id}.bib", [self.digests.card(event)], lambda: bibtex_entry(event))

    def event_page_inputs(self, event: Event) -> tuple:  # keep in step with pages_showing
        """The objects an event page shows: the event, its neighbours in its year and two
        generations of lineage each way (through its parents' and children's own lineage)."""
        neighbours = self.data.timeline.neighbours
        related = neighbours[event.id]
        return (event, related.prev, related.next, *related.builds_on, None, *related.led_to, None,
                *(e for p in related.builds_on for e in neighbours[p.id].builds_on), None,
                *(e for c in related.led_to for e in neighbours[c.id].led_to))

    def event_page_digest(self, event: Event) -> str:
        """The cards an event page shows: its own, its neighbours' and two generations of lineage."""
        neighbours = self.data.timeline.neighbours
        related = neighbours[event.id]
        shown = [e for col in lineage_columns(event, neighbours).values() for e in col]
        shown += [e for e in (related.prev, related.next) if e] + list(related.builds_on) + list(related.led_to)
        return self.digests.cards(shown)

    def site_files(self) -> Iterator[PagePlan]:
        d, c, t, everything = self.data, self.data.config, self.data.timeline, lambda: [self.everything()]
        yield self.page("data/index.html", "data.html", [], lambda: data_context(d))
        yield from self.search_pages()
        yield self.page("404.html", "404.html", [], lambda: _base(d, "Page not found", c.description, c.base_path + "404.html", []))
        latest = self.current(self.by_layout("feed", lambda: ids(feed_events(t))))
        yield self.page("feed.xml", "feed.xml", [self.digests.cards(latest)], lambda: {"site": c, "events": latest})
        urls, urls_digest = self.by_layout("sitemap", lambda: (lambda urls: (urls, sha(*urls)))(sitemap_urls(t, c)))
        yield self.page("sitemap.xml", "sitemap.xml", [urls_digest], lambda: {"site": c, "urls": urls})
        keep = self.fragments.keep  # a worker's pieces would be lost with it
        yield self.file("events.json", everything, lambda: events_json_chunks(t, c, self.pieces), in_parent=keep)
        yield self.file("events.csv", everything, lambda: events_csv_chunks(t, c, self.pieces), in_parent=keep)
        papers = self.current(self.by_layout("papers", lambda: ids(e for e in t.events if is_citable(e))))
        yield self.file("events.bib", [self.cards(("all", "papers"), papers)],
                        lambda: separated(self.pieces("bib", papers, bibtex_entry), b"\n"), in_parent=keep)
        yield self.file("search.json", lambda: [self.all_cards()], lambda: search_index_chunks(t, self.pieces),
                        in_parent=keep)

    def search_pages(self) -> Iterator[PagePlan]:
        """The search page, with every event A–Z; on a big site, the A–Z's pages by initial."""
        d, events = self.data, self.data.timeline.events
        if len(events) <= AZ_PAGE_LIMIT:
            yield self.page("search/index.html", "search.html", lambda: [self.all_cards()], lambda: search_context(d))
            return
        sections = tuple(AzSection(initial, self.current(event_ids)) for initial, event_ids in self.az_layout())
        initials = repr([s.initial for s in sections])
        yield self.page("search/index.html", "search.html", [initials], lambda: search_context(d, sections))
        for section in sections:
            yield self.page(self.dest_of(az_url(d.config, section.initial)), "az.html",
                            lambda section=section: [self.cards(("az", section.initial), section.events), initials],
                            lambda section=section: az_context(d, sections, section))

    def az_layout(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The A–Z's sections, as (initial, event ids). Sorted again only when an id or a title
        changed: a rebuild after an edit to a body would otherwise sort every title again."""
        events = self.data.timeline.events
        if self._az is not None and same_ids_and_titles(self._az[0], events):
            layout = self._az[1]
        else:
            layout = tuple((s.initial, ids(s.events)) for s in az_sections(events))
        self._az = (events, layout)
        return layout

    def pieces(self, kind: str, events: Sequence[Event], make: Callable[[Event], str]) -> list[bytes]:
        """The events' pieces of a data file: each shows the event, its lineage and the site."""
        return self.fragments.pieces(kind, events, self.data.timeline.neighbours, (self.data.config,), make)


def fingerprint_of(base: str, parts: Sequence[str] | Callable[[], Sequence[str]]) -> str | Callable[[], str]:
    """A plan's fingerprint: now, or, when `parts` is a function, when it is first asked for."""
    return (lambda: sha(base, *parts())) if callable(parts) else sha(base, *parts)


def ids(events: Iterable[Event]) -> tuple[str, ...]:
    return tuple(e.id for e in events)


def pages_showing(timeline: Timeline, event_ids: Collection[str]) -> set[str]:
    """The events whose pages show one of `event_ids` (see `Planner.event_page_inputs`): the
    event itself, its neighbours in its year, and two generations of lineage each way."""
    neighbours, found = timeline.neighbours, set()
    for event_id in event_ids:
        related = neighbours.get(event_id)
        if related is None:
            continue
        found.add(event_id)
        found.update(e.id for e in (related.prev, related.next) if e is not None)
        for child in related.led_to:
            found.add(child.id)
            found.update(e.id for e in neighbours[child.id].led_to)
        for parent in related.builds_on:
            found.add(parent.id)
            found.update(e.id for e in neighbours[parent.id].builds_on)
    return found


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def page_url(url: str, number: int) -> str:
    return url if number == 1 else f"{url}page/{number}/"


# -- contexts --------------------------------------------------------------------

def _base(data: RenderInput, title: str, description: str, url: str, crumbs: list[Crumb],
          structured: dict[str, Any] | None = None, current_year: int | None = None) -> PageContext:
    c = data.config
    return PageContext(site=c, nav=data.nav, title=title, description=description,
                       canonical=c.absolute(url), crumbs=crumbs, static=c.base_path + "static/",
                       search_url=search_url(c), structured=structured, current_year=current_year)


def _home_crumb(c: SiteConfig) -> Crumb:
    return Crumb("Home", c.base_path)


def home_context(data: RenderInput) -> HomeContext:
    c, t = data.config, data.timeline
    peak = max((len(y.events) for y in t.years), default=0)
    website = {"@context": "https://schema.org", "@type": "WebSite", "name": c.title,
               "description": c.description or c.tagline, "url": c.base_url}
    shown = strip_events(t.events)
    note = "" if len(shown) == len(t.events) else f"The chart shows the {len(shown)} most important of the {len(t.events)} events."
    return HomeContext(
        **_base(data, c.title, c.description or c.tagline, c.base_path, [], website),
        intro=c.description,
        strip=decade_strip(t, shown),
        strip_note=note,
        year_cards=tuple(YearCard(y, stacked_bar([(k.kind, k.count) for k in y.counts], peak)) for y in t.years),
        topic_cards=tuple(TopicCard(x, len(t.by_topic[x.id].events), first_sentence(x.description)) for x in t.topics),
        filters=Filters(t.kinds, t.topics),
    )


def strip_events(events: tuple[Event, ...]) -> tuple[Event, ...]:
    """All events, or on a large site only the landmarks and major ones (or only landmarks)."""
    for keep in (("landmark", "major", "notable"), ("landmark", "major"), ("landmark",)):
        shown = tuple(e for e in events if e.importance in keep)
        if len(shown) <= STRIP_MAX_DOTS:
            return shown
    return shown[:STRIP_MAX_DOTS]


def year_context(data: RenderInput, year: Year) -> YearContext:
    c, t = data.config, data.timeline
    crumbs = [_home_crumb(c), Crumb(str(year.year), None)]
    description = f"{len(year.events)} events of {year.year} in {c.title}."
    counts = {g.month: len(g.events) for g in year.months}
    months = tuple(MonthCell(MONTHS[m - 1][:3], counts.get(m, 0), f"#m{m}" if counts.get(m) else "") for m in range(1, 13))
    return YearContext(**_base(data, str(year.year), description, year.url, crumbs, current_year=year.year),
                       year=year, months=months,
                       filters=Filters(tuple(k.kind for k in year.counts), _topics_of(year.events, t)))


def _topics_of(events: tuple[Event, ...], t: Timeline) -> tuple[Topic, ...]:
    used = {x.id for e in events for x in e.topics}
    return tuple(x for x in t.topics if x.id in used)


def _listing(t: Timeline, events: tuple[Event, ...], url: str, number: int) -> dict[str, Any]:
    """The events of page `number`, grouped by year, with its pager."""
    count = page_count(len(events))
    own = events[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
    years: dict[int, list[Event]] = {}
    for e in own:
        years.setdefault(e.year, []).append(e)
    groups = tuple(YearGroup(y, t.year(y).url, tuple(e)) for y, e in years.items())
    pager = Pager(number, count, page_url(url, number - 1) if number > 1 else None,
                  page_url(url, number + 1) if number < count else None)
    return {"total": len(events), "groups": groups, "pager": pager}


def topic_context(data: RenderInput, topic: Topic, number: int = 1) -> TopicContext:
    c, t = data.config, data.timeline
    selection = t.by_topic[topic.id]
    url = page_url(topic.url, number)
    title = topic.name if number == 1 else f"{topic.name}, page {number}"
    crumbs = [_home_crumb(c), Crumb("Topics", c.base_path + "#topics-heading"), Crumb(topic.name, None)]
    kinds = tuple(k for k in t.kinds if any(e.kind == k for e in selection.events))
    return TopicContext(**_base(data, title, first_sentence(topic.description) or topic.name, url, crumbs),
                        **_listing(t, selection.events, topic.url, number),
                        topic=topic, description_html=data.topic_descriptions[topic.id],
                        chart=bar_chart(selection.per_year),
                        chains=topic_chains(selection.events, t.neighbours) if number == 1 else (),
                        filters=Filters(kinds, ()))


def kind_context(data: RenderInput, kind: Kind, number: int = 1) -> KindContext:
    c, t = data.config, data.timeline
    selection = t.by_kind[kind.id]
    title = kind.plural if number == 1 else f"{kind.plural}, page {number}"
    crumbs = [_home_crumb(c), Crumb(kind.plural, None)]
    description = f"{len(selection.events)} {kind.plural.lower()} in {c.title}."
    return KindContext(**_base(data, title, description, page_url(kind.url, number), crumbs),
                       **_listing(t, selection.events, kind.url, number), kind=kind, chart=bar_chart(selection.per_year))


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
    files = tuple(Crumb(name, c.base_path + name) for name in ("events.json", "events.csv", "events.bib", "feed.xml"))
    return DataContext(**_base(data, "Data", f"The data behind {c.title}: JSON, CSV and BibTeX.",
                               c.base_path + "data/", [_home_crumb(c), Crumb("Data", None)]),
                       fields=fields, files=files)


def search_context(data: RenderInput, sections: Sequence[AzSection] = ()) -> SearchContext:
    """The search page; with `sections`, it links the A–Z's pages instead of listing every event."""
    c = data.config
    return SearchContext(**_base(data, "Search", f"Search {c.title}.", search_url(c),
                                 [_home_crumb(c), Crumb("Search", None)]),
                         az=() if sections else az_order(data.timeline.events),
                         az_links=_az_links(c, sections, None))


def az_context(data: RenderInput, sections: Sequence[AzSection], section: AzSection) -> AzContext:
    c = data.config
    title = f"Events A–Z: {section.label}"
    return AzContext(**_base(data, title, f"Every event of {c.title} whose title starts with {section.label}.",
                             az_url(c, section.initial),
                             [_home_crumb(c), Crumb("Search", search_url(c)), Crumb(section.label, None)]),
                     az=section.events, az_links=_az_links(c, sections, section), initial=section.label)


def _az_links(c: SiteConfig, sections: Sequence[AzSection], current: AzSection | None) -> tuple[NavLink, ...]:
    return tuple(NavLink(s.label, az_url(c, s.initial), s is current) for s in sections)


def search_url(c: SiteConfig) -> str:
    return c.base_path + "search/"


def az_url(c: SiteConfig, initial: str) -> str:
    return f"{search_url(c)}{initial}/"


def first_sentence(markdown_text: str) -> str:
    """The first sentence of a short Markdown text, as plain text."""
    text = " ".join(re.sub(r"[*_`]", "", markdown_text).split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def feed_events(t: Timeline) -> tuple[Event, ...]:
    """The newest events first, the way feed readers expect."""
    return tuple(sorted(t.events, key=lambda e: (e.date.sort_key, e.id), reverse=True)[:FEED_SIZE])


def sitemap_urls(t: Timeline, c: SiteConfig) -> list[str]:
    listings = [page_url(x.url, n) for x in t.topics for n in range(1, page_count(len(t.by_topic[x.id].events)) + 1)]
    listings += [page_url(k.url, n) for k in t.kinds for n in range(1, page_count(len(t.by_kind[k.id].events)) + 1)]
    paths = [c.base_path] + [y.url for y in t.years] + listings + [e.url for e in t.events]
    return [c.absolute(p) for p in paths]
