"""The model: date precision, ordering, grouping, lineage, neighbours, drafts."""
import pytest

from timeline_site.build import prepare_site
from timeline_site.model import PartialDate
from timeline_site.validate import Invalid, parse_date


@pytest.mark.parametrize("value, iso, display", [
    ("2012", "2012", "2012"),
    (2012, "2012", "2012"),
    ("2012-09", "2012-09", "September 2012"),
    ("2012-09-30", "2012-09-30", "30 September 2012"),
])
def test_dates_keep_their_precision(value, iso, display):
    date = parse_date(value)
    assert (date.iso, date.display) == (iso, display)


def test_year_only_dates_sort_after_dated_events_of_the_year():
    assert PartialDate(2012).sort_key > PartialDate(2012, 12, 31).sort_key
    assert PartialDate(2012).sort_key < PartialDate(2013, 1).sort_key


@pytest.mark.parametrize("bad", ["2012-00", "2012-02-30", "2012/09", "12", "", True, 3.5])
def test_impossible_dates_are_invalid(bad):
    with pytest.raises(Invalid):
        parse_date(bad)


def test_timeline_lineage_neighbours_and_groups(site):
    t = prepare_site(site.options).timeline
    assert [e.id for e in t.events] == ["alexnet", "gpu-chip", "resnet-lite"]  # the draft is left out
    alexnet = t.neighbours["alexnet"]
    assert [e.id for e in alexnet.led_to] == ["gpu-chip", "resnet-lite"]
    assert [e.id for e in t.neighbours["resnet-lite"].builds_on] == ["alexnet", "gpu-chip"]
    assert t.neighbours["resnet-lite"].prev is None and alexnet.next is None
    assert [y.year for y in t.years] == [2012, 2013, 2014, 2015]
    assert t.year(2015).events == () and t.year(2015).next is None and t.year(2015).prev == 2014
    assert [(g.label, len(g.events)) for g in t.year(2013).months] == [("Sometime in 2013", 1)]
    assert t.by_topic["hardware"].per_year == ((2012, 1), (2013, 1), (2014, 0), (2015, 0))
    assert [c.count for c in t.year(2012).counts] == [1]


def test_drafts_are_included_when_asked(site):
    options = site.options.__class__(**{**site.options.__dict__, "drafts": True})
    t = prepare_site(options).timeline
    assert "secret-draft" in t.by_id
    assert [e.id for e in t.neighbours["resnet-lite"].led_to] == ["secret-draft"]


def test_same_month_events_are_ordered_by_day_then_importance(site):
    site.write("events/2014/later.md", """
        ---
        title: Later
        date: "2014-03-20"
        kind: paper
        topics: [vision]
        importance: notable
        summary: S.
        links: [{title: L, url: "https://example.com"}]
        ---
        Body.
        """)
    t = prepare_site(site.options).timeline
    assert [e.id for e in t.year(2014).events] == ["resnet-lite", "later"]
    assert t.neighbours["later"].prev.id == "resnet-lite"


def _real_site_timeline():
    from conftest import REPO
    from timeline_site.config import BuildOptions
    return prepare_site(BuildOptions.for_project(REPO / "content", out_dir=REPO / "_unused")).timeline


def _rebuilt(timeline, events):
    from timeline_site.model import build_timeline
    return build_timeline(events, timeline.kinds, timeline.topics, range(timeline.years[0].year, timeline.years[-1].year + 1),
                          {y.year: y.url for y in timeline.years})


@pytest.mark.parametrize("pick", [0, 1, 7, 40, 100, -1])
def test_a_patched_timeline_equals_one_built_anew(pick):
    """An edit that keeps the event in its place (title, summary, body…) patches the timeline:
    the result must be exactly the timeline built from scratch."""
    from dataclasses import replace

    from timeline_site.model import patch_timeline, same_place
    timeline = _real_site_timeline()
    chosen = [timeline.events[pick], timeline.events[(pick + 13) % len(timeline.events)]]
    edited = {e.id: replace(e, title=e.title + " (edited)", body=e.body + "\nMore.\n", summary="Changed.")
              for e in chosen}
    assert all(same_place(timeline.by_id[i], e) for i, e in edited.items())
    patched = patch_timeline(timeline, edited.values())
    fresh = _rebuilt(timeline, [edited.get(e.id, e) for e in timeline.events])
    assert patched == fresh
    assert dict(patched.neighbours) == dict(fresh.neighbours)
    assert dict(patched.by_topic) == dict(fresh.by_topic) and dict(patched.by_kind) == dict(fresh.by_kind)
    assert dict(patched.by_id) == dict(fresh.by_id)
    # Nothing still points at the old objects.
    stale = {id(timeline.by_id[i]) for i in edited}
    held = [e for n in patched.neighbours.values() for e in (n.prev, n.next, *n.builds_on, *n.led_to) if e]
    held += [e for y in patched.years for e in (*y.events, *y.landmarks, *(x for m in y.months for x in m.events))]
    held += [e for s in (*patched.by_topic.values(), *patched.by_kind.values()) for g in s.groups for e in (*s.events, *g.events)]
    assert not stale & {id(e) for e in held}


def test_a_moved_event_is_not_in_the_same_place():
    from dataclasses import replace

    from timeline_site.model import PartialDate, same_place
    event = _real_site_timeline().events[5]
    assert same_place(event, replace(event, title="Other", body="Other"))
    assert not same_place(event, replace(event, date=PartialDate(event.date.year + 1)))
    assert not same_place(event, replace(event, importance="notable" if event.importance != "notable" else "major"))
    assert not same_place(event, replace(event, builds_on=("x",)))
    assert not same_place(event, replace(event, topics=event.topics[:1] + event.topics[:1]))


def test_lineage_graph_draws_an_edge_for_each_builds_on_between_shown_generations(site):
    """The graph of resnet-lite: its two parents one column left, alexnet's edge to gpu-chip
    inside that column not drawn (both are generation -1), each edge from a parent's right
    side to its child's left side."""
    from timeline_site.charts import lineage_graph

    t = prepare_site(site.options).timeline
    graph = lineage_graph(t.by_id["resnet-lite"], t.neighbours)
    by_id = {n.event.id: n for n in graph.nodes}
    assert {i: n.generation for i, n in by_id.items()} == {"alexnet": -1, "gpu-chip": -1, "resnet-lite": 0}
    assert [(n.generation, n.y) for n in graph.nodes] == sorted((n.generation, n.y) for n in graph.nodes)
    ends = {(e.x1, e.y1, e.x2, e.y2) for e in graph.edges}
    child = by_id["resnet-lite"]
    expected = {(p.x + graph.node_width, p.y + graph.node_height / 2, child.x, child.y + graph.node_height / 2)
                for p in (by_id["alexnet"], by_id["gpu-chip"])}
    assert len(graph.edges) == 2 and ends == expected
    alexnet = lineage_graph(t.by_id["alexnet"], t.neighbours)
    assert {n.event.id for n in alexnet.nodes} == {"alexnet", "gpu-chip", "resnet-lite"}
    assert len(alexnet.edges) == 2  # alexnet -> gpu-chip and alexnet -> resnet-lite; gpu-chip -> resnet-lite is within generation 1
