"""Geometry for the site's SVG charts, computed at build time (pure functions).

Templates only print these numbers; no chart library and no script are needed
to see a chart. Sizes are in SVG user units of each chart's viewBox.
"""
from __future__ import annotations

import calendar
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from .model import Event, Kind, Neighbours, PartialDate, Timeline

log = logging.getLogger(__name__)

LABEL_CHAR_WIDTH = 6.4
"""Rough width of one character of a 11-unit label, for collision checks."""
DOT_RADIUS = {"landmark": 6.5, "major": 4.5, "notable": 3.5}


def short_label(event: Event, limit: int = 26) -> str:
    """A label short enough for a chart: `label`, the part before a colon, or a cut title."""
    if event.label:
        return event.label
    head = event.title.split(":")[0].strip()
    if len(head) <= limit:
        return head
    cut = head[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def year_fraction(date: PartialDate) -> float:
    """Where in its year a date falls, 0..1; year-only dates sit in the middle."""
    if not date.month:
        return 0.5
    if not date.day:
        return (date.month - 0.5) / 12
    days = calendar.monthrange(date.year, date.month)[1]
    return (date.month - 1 + (date.day - 0.5) / days) / 12


# -- the decade strip ------------------------------------------------------------

@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    url: str


@dataclass(frozen=True)
class Lane:
    kind: Kind
    y: float
    top: float
    height: float


@dataclass(frozen=True)
class Dot:
    event: Event
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class Label:
    event: Event
    text: str
    x: float
    y: float
    line_top: float
    line_bottom: float
    line_x: float
    """The leader line runs down to the dot, which may not be under the label's centre."""


@dataclass(frozen=True)
class Strip:
    width: float
    height: float
    plot_left: float
    plot_right: float
    axis_y: float
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]
    dots: tuple[Dot, ...]
    labels: tuple[Label, ...]


def decade_strip(t: Timeline, events: Sequence[Event], width: float = 1000, lane_height: float = 30,
                 left: float = 112) -> Strip:
    """`events` as dots in one lane per kind; landmarks labelled in rows above, with leader lines."""
    first, last = t.years[0].year, t.years[-1].year
    span = last - first + 1
    right = width - 12

    def x_of(date: PartialDate) -> float:
        return left + (date.year - first + year_fraction(date)) / span * (right - left)

    landmarks = [e for e in events if e.importance == "landmark"]
    placed = place_labels([(x_of(e.date), short_label(e)) for e in landmarks], width)
    band = (max((row for row, _ in placed), default=-1) + 1) * 15 + 10
    lanes = tuple(Lane(k, band + i * lane_height + lane_height / 2, band + i * lane_height, lane_height)
                  for i, k in enumerate(t.kinds))
    lane_y = {lane.kind.id: lane.y for lane in lanes}
    dots = spread_dots([(e, x_of(e.date), lane_y[e.kind.id], DOT_RADIUS[e.importance]) for e in events],
                       lane_height / 2 - 2)
    dot_of = {d.event.id: d for d in dots}
    labels = tuple(
        Label(e, short_label(e), round(centre, 1), 12 + row * 15, 15 + row * 15, dot_of[e.id].y - dot_of[e.id].r,
              dot_of[e.id].x)
        for e, (row, centre) in zip(landmarks, placed)
    )
    axis_y = band + len(lanes) * lane_height + 4
    ticks = tuple(Tick(left + (y.year - first + 0.5) / span * (right - left), str(y.year), y.url) for y in t.years)
    return Strip(width, axis_y + 22, left, right, axis_y, ticks, lanes, dots, labels)


def place_labels(items: Sequence[tuple[float, str]], width: float) -> list[tuple[int, float]]:
    """(row, centre) for each label: centred on its x but kept inside the chart,
    in the first row where it overlaps no other label (greedy, in x order)."""
    row_ends: list[float] = []
    placed = [(0, 0.0)] * len(items)
    for i in sorted(range(len(items)), key=lambda i: items[i][0]):
        x, text = items[i]
        half = len(text) * LABEL_CHAR_WIDTH / 2
        start = min(max(x - half, 2), width - 2 - 2 * half)
        row = next((r for r, end in enumerate(row_ends) if start >= end + 8), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0)
        row_ends[row] = start + 2 * half
        placed[i] = (row, start + half)
    return placed


def spread_dots(items: Sequence[tuple[Event, float, float, float]], max_offset: float) -> tuple[Dot, ...]:
    """Nudge dots of one lane up or down so that they do not cover each other."""
    placed: list[Dot] = []
    offsets = [0.0]
    step = 4.0
    while step <= max_offset:
        offsets += [-step, step]
        step += 4.0
    for event, x, y, r in sorted(items, key=lambda i: (i[2], i[1], i[0].id)):
        near = [d for d in placed if d.y - max_offset - 8 <= y <= d.y + max_offset + 8 and abs(d.x - x) < d.r + r + 1]
        dy = next((o for o in offsets if all(abs(d.x - x) >= d.r + r + 1 or abs(d.y - (y + o)) >= d.r + r + 1
                                              for d in near)), 0.0)
        placed.append(Dot(event, round(x, 1), round(y + dy, 1), r))
    return tuple(sorted(placed, key=lambda d: d.event.sort_key))


# -- small bar charts ------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    anchor: str
    """Where the bar links to (the year's section), or "" when the year is empty."""

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    baseline: float
    bars: tuple[Bar, ...]


def bar_chart(per_year: Sequence[tuple[int, int]], width: float = 560, height: float = 150) -> BarChart:
    """One labelled bar per year (count above, year below)."""
    top, baseline = 18, height - 22
    peak = max((c for _, c in per_year), default=0) or 1
    slot = width / max(len(per_year), 1)
    bars = tuple(
        Bar(year, count, round(i * slot + slot * 0.15, 1), round(baseline - count / peak * (baseline - top), 1),
            round(slot * 0.7, 1), round(count / peak * (baseline - top), 1), f"#y{year}" if count else "")
        for i, (year, count) in enumerate(per_year)
    )
    return BarChart(width, height, baseline, bars)


@dataclass(frozen=True)
class Segment:
    kind: Kind
    count: int
    x: float
    width: float


def stacked_bar(counts: Sequence[tuple[Kind, int]], peak: int, width: float = 200) -> tuple[Segment, ...]:
    """A year's count by kind as segments of one bar, scaled to the busiest year."""
    x, segments = 0.0, []
    for kind, count in counts:
        w = count / max(peak, 1) * width
        segments.append(Segment(kind, count, round(x, 1), round(w, 1)))
        x += w
    return tuple(segments)


# -- the lineage graph -----------------------------------------------------------

@cache
def tenths(value: float) -> float:
    """`round(value, 1)`, remembered: each event page's graph rounds some 50 coordinates, from
    a small set of values, and `round` to a digit is slow (it formats the number)."""
    return round(value, 1)


@dataclass(slots=True)
class Node:
    """One event of the lineage graph, with what the template prints worked out once:
    an event page draws up to 15 nodes, and each lookup in a template costs."""

    event: Event
    text: str
    x: float
    y: float
    generation: int
    """-2, -1 (builds on), 0 (this event), 1, 2 (led to)."""
    text_x: float = field(init=False)
    text_y: float = field(init=False)
    url: str = field(init=False)
    classes: str = field(init=False)
    tooltip: str = field(init=False)

    def __post_init__(self) -> None:
        e = self.event
        self.text_x, self.text_y = tenths(self.x + 8), tenths(self.y + 19)
        self.url, self.tooltip = e.url, f"{e.title} ({e.year})"
        self.classes = f"node g{self.generation} k{e.kind.colour}"


@dataclass(slots=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    path: str = field(init=False)

    def __post_init__(self) -> None:
        mid = (self.x1 + self.x2) / 2
        self.path = f"M{self.x1},{self.y1} C{mid},{self.y1} {mid},{self.y2} {self.x2},{self.y2}"


@dataclass(frozen=True)
class LineageGraph:
    width: float
    height: float
    node_width: float
    node_height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    hidden: int
    """Nodes left out because a column was full (the lists below have them all)."""


def lineage_graph(event: Event, neighbours: Mapping[str, Neighbours], per_column: int = 7,
                  width: float = 760, node_width: float = 136, node_height: float = 30) -> LineageGraph | None:
    """The event in the centre, two generations of ancestors left and descendants right."""
    columns = lineage_columns(event, neighbours)
    if len(columns) == 1:
        return None
    hidden = sum(max(0, len(c) - per_column) for c in columns.values())
    columns = {g: c[:per_column] for g, c in columns.items()}
    tallest = max(len(c) for c in columns.values())
    height = tallest * (node_height + 12) + 12
    col_x = {g: (g + 2) * (width - node_width) / 4 for g in range(-2, 3)}
    nodes = {}
    for g, events in columns.items():
        gap = height / len(events)
        for i, e in enumerate(events):
            nodes[e.id] = Node(e, short_label(e, 20), tenths(col_x[g]), tenths(gap * i + gap / 2 - node_height / 2), g)
    ordered = tuple(sorted(nodes.values(), key=lambda n: (n.generation, n.y)))
    by_generation: dict[int, list[Node]] = {}
    for node in ordered:
        by_generation.setdefault(node.generation, []).append(node)
    edges = tuple(
        Edge(tenths(a.x + node_width), tenths(a.y + node_height / 2), b.x, tenths(b.y + node_height / 2))
        for b in ordered
        for parents in [{p.id for p in neighbours[b.event.id].builds_on}]
        for a in by_generation.get(b.generation - 1, ())
        if a.event.id in parents
    )
    return LineageGraph(width, height, node_width, node_height, ordered, edges, hidden)


def lineage_columns(event: Event, neighbours: Mapping[str, Neighbours]) -> dict[int, list[Event]]:
    """Events by generation; each event appears once, at its nearest generation."""
    seen = {event.id}
    columns: dict[int, list[Event]] = {0: [event]}
    for direction in (-1, 1):
        frontier = [event]
        for depth in (1, 2):
            nxt = []
            for e in frontier:
                related = neighbours[e.id].builds_on if direction < 0 else neighbours[e.id].led_to
                for r in related:
                    if r.id not in seen:
                        seen.add(r.id)
                        nxt.append(r)
            if nxt:
                columns[direction * depth] = sorted(nxt, key=lambda e: e.sort_key)
            frontier = nxt
    return columns


# -- lineage chains inside a topic ------------------------------------------------

def topic_chains(events: Sequence[Event], neighbours: Mapping[str, Neighbours], limit: int = 8) -> tuple[tuple[Event, ...], ...]:
    """The longest builds-on chains whose every step stays inside the topic.

    For each event, the longest in-topic chain ending there (dynamic programming
    in date order); chains that are part of a longer one are dropped.
    """
    inside = {e.id for e in events}
    best: dict[str, tuple[Event, ...]] = {}
    for e in sorted(events, key=lambda e: e.sort_key):
        parents = [best[p.id] for p in neighbours[e.id].builds_on if p.id in inside and p.id in best]
        best[e.id] = max(parents, key=len, default=()) + (e,)
    chains = sorted((c for c in best.values() if len(c) >= 2), key=lambda c: (-len(c), c[-1].sort_key))
    kept: list[tuple[Event, ...]] = []
    for chain in chains:
        ids = [e.id for e in chain]
        if not any(_is_subsequence(ids, [e.id for e in k]) for k in kept):
            kept.append(chain)
    return tuple(sorted(kept[:limit], key=lambda c: c[0].sort_key))


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(x in it for x in small)
