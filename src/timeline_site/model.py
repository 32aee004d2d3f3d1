"""The timeline model: frozen dataclasses and `build_timeline`, pure and without I/O.

A leaf module: it imports nothing else from the package. Everything the
templates print is computed here (URLs, display dates, groupings, lineage).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

log = logging.getLogger(__name__)

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
IMPORTANCE_ORDER = {"landmark": 0, "major": 1, "notable": 2}


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day; the precision is kept."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def iso(self) -> str:
        """`2012`, `2012-09` or `2012-09-30`: also the `datetime` of `<time>`."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @property
    def display(self) -> str:
        """`2012`, `September 2012` or `30 September 2012`: never a made-up day."""
        if not self.month:
            return str(self.year)
        month = f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.day} {month}" if self.day else month

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Year-only dates sort after the dated events of their year."""
        return (self.year, self.month or 13, self.day or 0)

    @property
    def timestamp(self) -> str:
        """RFC 3339 timestamp of the first day the date covers (for feeds)."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}T00:00:00Z"


@dataclass(frozen=True)
class Kind:
    id: str
    name: str
    plural: str
    index: int
    """Position in site.yaml; picks the kind's colour."""
    url: str

    @property
    def colour(self) -> int:
        """One of the seven colours of the palette (they repeat after seven kinds)."""
        return self.index % 7


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str
    """Markdown source."""
    url: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Citations:
    count: int
    as_of: PartialDate


@dataclass(frozen=True)
class Image:
    src: str
    """Relative to `content/images/`."""
    alt: str
    url: str
    credit: str | None = None
    credit_url: str | None = None


@dataclass(frozen=True)
class Event:
    """One validated event. Relations to other events live on the Timeline."""

    id: str
    src_path: str
    title: str
    date: PartialDate
    kind: Kind
    topics: tuple[Topic, ...]
    summary: str
    importance: str
    links: tuple[Link, ...]
    url: str
    authors: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    venue: str | None = None
    label: str | None = None
    """Short name for charts; derived from the title when absent."""
    arxiv: str | None = None
    doi: str | None = None
    citations: Citations | None = None
    builds_on: tuple[str, ...] = ()
    image: Image | None = None
    draft: bool = False
    body: str = ""
    body_line: int = 1
    references: tuple[tuple[int, str], ...] = ()
    """(line offset in the body, event id) of every `[[id]]` cross reference."""

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def primary_link(self) -> Link:
        return self.links[0]

    @property
    def arxiv_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @cached_property
    def sort_key(self) -> tuple:
        """Worked out once per event: listings, charts and feeds sort by it again and again."""
        return (self.date.sort_key, IMPORTANCE_ORDER[self.importance], self.id)


@dataclass(frozen=True)
class MonthGroup:
    """Events of one month of a year; `month` is None for year-only dates."""

    month: int | None
    label: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class KindCount:
    kind: Kind
    count: int


@dataclass(frozen=True)
class Year:
    year: int
    url: str
    events: tuple[Event, ...]
    months: tuple[MonthGroup, ...]
    counts: tuple[KindCount, ...]
    """Non-zero counts, in the order of the kinds."""
    landmarks: tuple[Event, ...]
    prev: int | None = None
    next: int | None = None
    prev_url: str | None = None
    next_url: str | None = None


@dataclass(frozen=True)
class YearGroup:
    year: int
    url: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Selection:
    """The events of one topic or kind, also grouped by year (empty years left out)."""

    events: tuple[Event, ...]
    groups: tuple[YearGroup, ...]
    per_year: tuple[tuple[int, int], ...]
    """(year, count) for every year of the site, for the per-year chart."""


@dataclass(frozen=True)
class Neighbours:
    """An event's place in its year and in the lineage graph."""

    prev: Event | None
    next: Event | None
    builds_on: tuple[Event, ...]
    led_to: tuple[Event, ...]


@dataclass(frozen=True)
class Timeline:
    events: tuple[Event, ...]
    """Published events in date order."""
    kinds: tuple[Kind, ...]
    topics: tuple[Topic, ...]
    years: tuple[Year, ...]
    by_id: Mapping[str, Event] = field(repr=False)
    neighbours: Mapping[str, Neighbours] = field(repr=False)
    by_topic: Mapping[str, Selection] = field(repr=False)
    by_kind: Mapping[str, Selection] = field(repr=False)
    layout: object = field(default_factory=object, repr=False, compare=False)
    """The same object for timelines whose events sit in the same places (ids, order,
    groups, lineage): `patch_timeline` keeps it, `build_timeline` makes a new one. So
    what depends only on where events sit can be memoized on it."""

    def year(self, year: int) -> Year:
        return self.years[year - self.years[0].year]


def build_timeline(events: Iterable[Event], kinds: Iterable[Kind], topics: Iterable[Topic],
                   years: range, url_for_year: Mapping[int, str], include_drafts: bool = False) -> Timeline:
    """Group, order and link validated events. Drafts are left out unless asked for."""
    published = tuple(sorted((e for e in events if include_drafts or not e.draft), key=lambda e: e.sort_key))
    kinds, topics = tuple(kinds), tuple(topics)
    by_id = {e.id: e for e in published}
    in_year, in_topic, of_kind = bucket(published)
    year_list = tuple(_build_year(y, tuple(in_year.get(y, ())), kinds, years, url_for_year) for y in years)
    return Timeline(
        events=published,
        kinds=kinds,
        topics=topics,
        years=year_list,
        by_id=by_id,
        neighbours=_neighbours(published, year_list, by_id),
        by_topic={t.id: select(in_topic.get(t.id, []), year_list) for t in topics},
        by_kind={k.id: select(of_kind.get(k.id, []), year_list) for k in kinds},
    )


def bucket(events: tuple[Event, ...]) -> tuple[dict[int, list[Event]], dict[str, list[Event]], dict[str, list[Event]]]:
    """Events by year, by topic id and by kind id, in one pass (each list keeps date order)."""
    in_year: dict[int, list[Event]] = defaultdict(list)
    in_topic: dict[str, list[Event]] = defaultdict(list)
    of_kind: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        in_year[event.year].append(event)
        of_kind[event.kind.id].append(event)
        for topic in event.topics:
            in_topic[topic.id].append(event)
    return in_year, in_topic, of_kind


def _build_year(year: int, own: tuple[Event, ...], kinds: tuple[Kind, ...], years: range,
                url_for_year: Mapping[int, str]) -> Year:
    prev, next_ = (year - 1 if year - 1 in years else None), (year + 1 if year + 1 in years else None)
    return Year(
        year=year,
        url=url_for_year[year],
        events=own,
        months=group_by_month(own),
        counts=count_by_kind(own, kinds),
        landmarks=tuple(e for e in own if e.importance == "landmark"),
        prev=prev,
        next=next_,
        prev_url=url_for_year[prev] if prev else None,
        next_url=url_for_year[next_] if next_ else None,
    )


def select(events: list[Event], years: tuple[Year, ...]) -> Selection:
    per_year: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        per_year[event.year].append(event)
    groups = tuple(YearGroup(y.year, y.url, tuple(per_year.get(y.year, ()))) for y in years)
    return Selection(
        events=tuple(events),
        groups=tuple(g for g in groups if g.events),
        per_year=tuple((g.year, len(g.events)) for g in groups),
    )


def group_by_month(events: tuple[Event, ...]) -> tuple[MonthGroup, ...]:
    """Month groups in order; events known only to the year come last."""
    groups: dict[int | None, list[Event]] = defaultdict(list)
    for event in events:
        groups[event.date.month].append(event)
    ordered = sorted(groups, key=lambda m: m or 13)
    return tuple(
        MonthGroup(m, MONTHS[m - 1] if m else f"Sometime in {events[0].year}", tuple(groups[m]))
        for m in ordered
    )


def count_by_kind(events: Iterable[Event], kinds: tuple[Kind, ...]) -> tuple[KindCount, ...]:
    counts = defaultdict(int)
    for event in events:
        counts[event.kind.id] += 1
    return tuple(KindCount(k, counts[k.id]) for k in kinds if counts[k.id])


def _neighbours(events: tuple[Event, ...], years: tuple[Year, ...], by_id: Mapping[str, Event]) -> dict[str, Neighbours]:
    """Previous/next within the year, and lineage both ways.

    References to events that are not published (drafts) are dropped here.
    """
    led_to: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        for parent in event.builds_on:
            if parent in by_id:
                led_to[parent].append(event)
    result = {}
    for year in years:
        for i, event in enumerate(year.events):
            result[event.id] = Neighbours(
                prev=year.events[i - 1] if i > 0 else None,
                next=year.events[i + 1] if i + 1 < len(year.events) else None,
                builds_on=tuple(sorted((by_id[p] for p in event.builds_on if p in by_id), key=lambda e: e.sort_key)),
                led_to=tuple(led_to[event.id]),
            )
    return result


def same_place(old: Event, new: Event) -> bool:
    """True if `new` sits exactly where `old` did: same order, groups, lineage and drafts.

    Then the timeline changes only by the object in those places (its title,
    summary, body… may differ), and `patch_timeline` can swap it in.
    """
    return (old.id == new.id and old.date == new.date and old.importance == new.importance
            and old.kind == new.kind and old.topics == new.topics and old.builds_on == new.builds_on
            and old.draft == new.draft)


def patch_timeline(timeline: Timeline, changed: Iterable[Event]) -> Timeline:
    """The timeline with each changed event put in the place of the one with its id.

    Every event of `changed` must be `same_place` as the one it replaces. Gives
    the same Timeline as `build_timeline` would, rebuilding only the years,
    selections and neighbours that hold a changed event, so a one-event edit of
    a big site costs little. Events that are not published are ignored.
    """
    swap = {e.id: e for e in changed if e.id in timeline.by_id}
    if not swap:
        return timeline

    def new(event: Event | None) -> Event | None:
        return swap.get(event.id, event) if event is not None else None

    def new_all(events: Iterable[Event]) -> tuple[Event, ...]:
        return tuple(swap.get(e.id, e) for e in events)

    old = [timeline.by_id[i] for i in swap]
    url_for_year = {y.year: y.url for y in timeline.years}
    span = range(timeline.years[0].year, timeline.years[-1].year + 1)
    touched_years = {e.year for e in old}
    years = tuple(_build_year(y.year, new_all(y.events), timeline.kinds, span, url_for_year)
                  if y.year in touched_years else y for y in timeline.years)
    touched_topics = {x.id for e in old for x in e.topics}
    touched_kinds = {e.kind.id for e in old}
    neighbours = dict(timeline.neighbours)
    for event in old:
        related = timeline.neighbours[event.id]
        for other in (event, related.prev, related.next, *related.builds_on, *related.led_to):
            if other is not None:
                was = timeline.neighbours[other.id]
                neighbours[other.id] = Neighbours(new(was.prev), new(was.next), new_all(was.builds_on),
                                                  new_all(was.led_to))
    return replace(
        timeline,
        events=new_all(timeline.events),
        years=years,
        by_id={**timeline.by_id, **swap},
        neighbours=neighbours,
        by_topic={i: select(list(new_all(s.events)), years) if i in touched_topics else s
                  for i, s in timeline.by_topic.items()},
        by_kind={i: select(list(new_all(s.events)), years) if i in touched_kinds else s
                 for i, s in timeline.by_kind.items()},
    )
