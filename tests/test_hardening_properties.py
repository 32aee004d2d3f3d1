"""Property-based tests: whatever the input, the loaders and validators answer with ContentError
values (or BuildFailed for a whole build), never with another exception."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import PurePosixPath

import pytest
from conftest import MINIMAL, Site, event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline_site.config import validate_site, validate_topics
from timeline_site.errors import ContentError
from timeline_site.export import _csv_line
from timeline_site.load import SourceDoc, load_sources, parse_markdown_doc, parse_yaml_doc
from timeline_site.markup import new_markdown, render_markdown
from timeline_site.model import Event, PartialDate
from timeline_site.validate import (
    FIELDS,
    YAML_ONLY_FIELDS,
    Context,
    Invalid,
    check_url,
    parse_date,
    validate_event,
    validate_events,
)

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# YAML-ish text: pieces that make parsers take unusual paths, in random order.
YAML_PIECES = [
    "---\n", "title: ", "date: ", "links:\n", "  - ", "- ", "[", "]", "{", "}", ": ", ", ", "\n", "  ", "\t",
    '"', "'", "\\", "&a ", "*a ", "<<: ", "? ", "|\n", ">-\n", "# c\n", "%YAML 1.1\n", "!!python/object:os.system ",
    "!!binary ", "!!timestamp ", "!!int ", "!!float ", "!!set ", "!!omap ", "!foo ", "2012-02-30", "2013-13",
    "0x1F", "1e999", ".nan", "~", "null", "yes", "no", "2012", "9" * 50, "\ufeff", "\x85", "\u2028", "é", "…", "\r\n",
    "title: T\n", "kind: paper\n", "topics: [vision]\n",
]
yaml_ish = st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=300), yaml_ish)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.dates(), st.datetimes(), st.binary(max_size=8),
    st.sampled_from(["vision", "hardware", "paper", "chip", "major", "landmark", "alexnet", "a.png", "2013",
                     "2013-05", "2013-02-30", "https://example.com/x", "javascript:alert(1)", "http://[::1",
                     "10.1038/nature16961", "1512.03385", "[[alexnet]]", "<script>x</script>", "\x00", "\ud800"]),
)
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(
        ["title", "url", "src", "alt", "count", "as_of", "credit", "credit_url"])), children, max_size=4)),
    max_leaves=12)
field_names = st.sampled_from(sorted(FIELDS) + sorted(YAML_ONLY_FIELDS))
event_data = st.dictionaries(st.one_of(field_names, st.text(max_size=10), st.integers()), values, max_size=12)


@pytest.fixture(scope="module")
def ctx() -> Context:
    sources, errors = load_sources(MINIMAL)
    config, _ = validate_site(sources.site)
    topics, _ = validate_topics(sources.topics, config.base_path)
    return Context(config, {t.id: t for t in topics}, frozenset({PurePosixPath("images/a.png")}))


def only_content_errors(errors: list, path: PurePosixPath) -> None:
    for error in errors:
        assert isinstance(error, ContentError)
        assert error.path == path
        assert error.line is None or (isinstance(error.line, int) and error.line >= 1)
        assert isinstance(error.message, str) and error.message
        str(error)  # printable


@settings(SETTINGS, max_examples=2 * SETTINGS.max_examples)  # as many examples per parser as before
@given(any_text, st.sampled_from([(parse_markdown_doc, "events/2013/x.md"), (parse_yaml_doc, "events/2013/x.yaml")]))
def test_markdown_and_yaml_documents_never_raise(text, parser):
    parse, name = parser
    errors: list = []
    path = PurePosixPath(name)
    doc = parse(text, path, errors)
    only_content_errors(errors, path)
    assert (doc is None) == bool(errors)


@SETTINGS
@given(st.dictionaries(field_names, values, max_size=6) | event_data, st.sampled_from([".md", ".yaml"]))
def test_random_fields_give_an_event_or_errors(ctx, data, suffix):
    path = PurePosixPath(f"events/2013/x{suffix}")
    event, errors = validate_event(SourceDoc(path, data), ctx)
    only_content_errors(errors, path)
    assert (event is None) == bool(errors)
    assert event is None or isinstance(event, Event)


@SETTINGS
@given(st.fixed_dictionaries({
    "title": values, "date": values, "kind": st.sampled_from(["paper", "chip"]) | values,
    "topics": st.just(["vision"]) | values, "summary": st.just("S.") | values,
    "importance": st.just("major") | values, "links": st.just([{"title": "S", "url": "https://x.org"}]) | values,
}, optional={name: values for name, spec in FIELDS.items() if not spec.required}))
def test_nearly_valid_events_give_an_event_or_errors(ctx, data):
    """Most fields right, one or two random: the checks of each field get past the first test."""
    path = PurePosixPath("events/2013/x.yaml")
    events, errors = validate_events([SourceDoc(path, data)], ctx)
    only_content_errors(errors, path)
    assert len(events) + bool(errors) >= 1


@SETTINGS
@given(st.one_of(st.text(max_size=20), st.integers(), st.dates(), st.datetimes(),
                 st.floats(), st.booleans(), st.none(), st.lists(st.integers(), max_size=3),
                 st.from_regex(r"\A-?\d{1,5}(-\d{1,3}(-\d{1,3})?)?\s?\Z")))
def test_dates_parse_or_are_invalid(value):
    try:
        date = parse_date(value)
    except Invalid as problem:
        assert problem.message
        return
    assert isinstance(date, PartialDate)
    assert 0 <= date.year <= 9999
    dt.date(max(date.year, 1), date.month or 1, date.day or 1)  # a real date
    assert date.iso and date.display and date.timestamp


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.from_regex(r"\A[a-zA-Z]{0,10}:[/\\]{0,3}[^\n]{0,30}\Z"),
                 st.builds(lambda host, path: f"https://{host}/{path}", st.text(max_size=12), st.text(max_size=12))))
def test_urls_are_http_or_invalid(value):
    try:
        url = check_url(value)
    except Invalid:
        return
    assert url.lower().startswith(("http://", "https://"))
    assert not any(c.isspace() or not c.isprintable() for c in url)


@SETTINGS
@given(values | st.lists(st.dictionaries(st.sampled_from(["id", "name", "description", "extra"]) | st.integers(),
                                         values, max_size=4), max_size=4))
def test_random_topics_documents_never_raise(data):
    topics, errors = validate_topics(SourceDoc(PurePosixPath("topics.yaml"), data), "/")
    only_content_errors(errors, PurePosixPath("topics.yaml"))
    assert all(t.id and t.name for t in topics)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["title", "tagline", "description", "base_url", "language", "years",
                                        "kinds", "extra"]), values, max_size=8))
def test_random_site_settings_never_raise(data):
    config, errors = validate_site(SourceDoc(PurePosixPath("site.yaml"), data))
    only_content_errors(errors, PurePosixPath("site.yaml"))
    assert (config is None) == bool(errors)


MARKDOWN_TEXTS = st.text(max_size=400) | st.lists(st.sampled_from(
    ["[", "]", "(", ")", "![", "[[", "]]", "|", "$", "$$", "\\", "*", "_", "`", "```\n", "\n", "> ", "- ", "1. ",
     ": ", "#", "<div>", "</div>", "<script>", "&", "[^1]", "[^1]: x\n", "    ", "\\frac{", "}", "{", "|-|\n",
     "a", "b c", "[[a-b|t]]", "<http://x.org>", "&amp;", "**", "__", "  \n", "![i](/a.png)", "[l](/u)"]),
    max_size=60).map("".join)


@settings(max_examples=100, deadline=None, database=None)
@given(MARKDOWN_TEXTS)
def test_markdown_renders_or_reports_never_raises(text):
    rendered = render_markdown(text, lambda _id: None)
    assert isinstance(rendered.html, str)
    assert "<script" not in rendered.html.lower()
    assert all(isinstance(p, str) for p in rendered.problems)


@settings(max_examples=200, deadline=None, database=None)
@given(MARKDOWN_TEXTS)
def test_the_fast_inline_stage_matches_the_stock_one(text):
    """markup.TriggeredInlineProcessor skips inline patterns; on any text it must give the stock HTML."""
    outputs = []
    for fast in (True, False):
        md, ext = new_markdown(fast_inline=fast)
        ext.resolve = lambda event_id: ("/e/", "E") if event_id == "a-b" else None
        try:
            outputs.append(md.convert(text))
        except RecursionError:
            outputs.append(RecursionError)
    assert outputs[0] == outputs[1]


def test_values_too_big_to_print_are_still_reported():
    """YAML cannot give such ints (load.py refuses them), but a message must never fail to format."""
    for check in (parse_date, check_url):
        with pytest.raises(Invalid):
            check(10**5000)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("prop")
    shutil.copytree(MINIMAL, root / "content")
    return Site(root / "content", root / "_site")


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(front=yaml_ish, body=st.text(max_size=200), raw=st.binary(max_size=64))
def test_whole_builds_fail_only_with_build_failed(scratch, front, body, raw):
    """Random files in a real content folder: prepare_site succeeds or raises BuildFailed."""
    scratch.write("events/2013/random.md", f"---\n{front}\n---\n{body}")
    (scratch.content / "events/2013/raw.yaml").write_bytes(raw)
    (scratch.content / "events/2013/near.md").write_text(event(extra=front if front.endswith("\n") else ""))
    only_content = scratch.errors()  # BuildFailed is caught there; any other exception fails the test
    assert all(isinstance(e, ContentError) for e in only_content)
    for name in ("random.md", "raw.yaml", "near.md"):
        (scratch.content / "events/2013" / name).unlink()


@SETTINGS
@given(st.lists(st.text(alphabet=st.sampled_from(['a', ' ', ',', '"', '\r', '\n', "'", '=', '\x00', 'é', ';']),
                        max_size=8), min_size=1, max_size=5))
def test_csv_lines_are_what_the_csv_module_writes(cells):
    """events.csv quotes its cells by hand (for speed): exactly as the csv module would."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    assert _csv_line(cells) == out.getvalue()
