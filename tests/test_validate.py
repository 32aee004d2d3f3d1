"""Stage 2: one test per rule of docs/content-format.md, each pinning path, line and message."""
import pytest
from conftest import event


def only_error(site):
    errors = site.errors()
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_the_minimal_site_is_valid(site):
    assert site.errors() == []


@pytest.mark.parametrize("field", ["title", "date", "kind", "topics", "summary", "importance", "links"])
def test_errors_on_missing_required_field(site, field):
    text = event()
    text = "\n".join(line for line in text.splitlines() if not line.startswith(f"{field}:"))
    if field == "links":
        text = text.replace('  - {title: Source, url: "https://example.com/x"}\n', "")
    site.write("events/2013/new.md", text + "\n")
    error = only_error(site)
    assert str(error) == f"events/2013/new.md:2: missing required field '{field}'"


# (extra front matter or replaced field, expected message, expected line)
CASES = {
    "unknown-field": (dict(extra="topic: vision\n"), "unknown field 'topic' (did you mean 'topics'?)", 10),
    "bad-date-format": (dict(date='"12 May 2013"'), "date: date must be YYYY, YYYY-MM or YYYY-MM-DD, not '12 May 2013'", 3),
    "impossible-month": (dict(date='"2013-13"'), "date: date 2013-13 has no month 13", 3),
    "impossible-day": (dict(date='"2013-02-30"'), "date: date 2013-02-30 does not exist", 3),
    "date-out-of-range": (dict(date='"2016-01"'), "date: date 2016-01 is outside the site's years 2012–2015", 3),
    "unknown-kind": (dict(kind="papers"), "kind: unknown kind 'papers' (did you mean 'paper'?); kinds are: paper, chip, milestone", 4),
    "unknown-topic": (dict(topics="[vision, hardwear]"), "topics: unknown topic 'hardwear' (did you mean 'hardware'?)", 5),
    "empty-topics": (dict(topics="[]"), "topics: must be a list of topic ids with at least 1", 5),
    "duplicate-topic": (dict(topics="[vision, vision]"), "topics: topic 'vision' is listed twice", 5),
    "long-summary": (dict(extra="authors: [A]\n"), None, None),  # replaced below
    "bad-url-scheme": (dict(extra="arxiv: \"1234.56789\"\n"), None, None),  # replaced below
    "bad-arxiv": (dict(extra="arxiv: 1512.3385\n"), "arxiv: arxiv must be a new-style id such as \"1512.03385\" (quoted), not 1512.3385", 10),
    "bad-doi": (dict(extra="doi: nature16961\n"), "doi: doi must look like 10.1038/nature16961, not 'nature16961'", 10),
    "negative-citations": (dict(extra="citations: {count: -3, as_of: \"2019-12\"}\n"), "citations: citations count must be a whole number ≥ 0", 10),
    "bad-citations-month": (dict(extra="citations: {count: 3, as_of: \"2019\"}\n"), "citations: citations as_of must be YYYY-MM", 10),
    "authors-not-a-list": (dict(extra="authors: Alex\n"), "authors: must be a list of names", 10),
    "draft-not-bool": (dict(extra="draft: maybe\n"), "draft: must be true or false, not 'maybe'", 10),
    "image-without-alt": (dict(extra="image: {src: a.png}\n"), None, None),  # replaced below
}
CASES["long-summary"] = (dict(extra=""), None, None)


@pytest.mark.parametrize("case", [k for k, v in CASES.items() if v[1]])
def test_errors_on_bad_field(site, case):
    overrides, message, line = CASES[case]
    site.write("events/2013/new.md", event(**overrides))
    error = only_error(site)
    assert (str(error.path), error.line, error.message) == ("events/2013/new.md", line, message)


def test_errors_on_long_summary(site):
    site.write("events/2013/new.md", event().replace("summary: Something happened.", "summary: " + "x" * 281))
    assert str(only_error(site)) == "events/2013/new.md:7: summary: summary is 281 characters; the limit is 280"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "example.com", "data:text/html,x"])
def test_errors_on_link_that_is_not_http(site, url):
    site.write("events/2013/new.md", event().replace("https://example.com/x", url))
    error = only_error(site)
    assert (error.line, error.message) == (9, f"links: links must be absolute http:// or https:// URLs, not '{url}'")


@pytest.mark.parametrize("inside", [" ", "\u00a0", "\u2003", "\u200b", "\u202e", "\x7f", "\u3000"])
def test_links_with_spaces_or_unprintable_characters_are_refused(inside):
    from timeline_site.validate import Invalid, check_url

    assert check_url(" https://example.com/a-b ") == "https://example.com/a-b"
    with pytest.raises(Invalid):
        check_url(f"https://example.com/a{inside}b")


def test_errors_on_unknown_link_key(site):
    site.write("events/2013/new.md", event().replace("{title: Source,", "{titel: Source,"))
    assert only_error(site).message == "links: unknown key 'titel' (did you mean 'title'?)"


def test_errors_on_image_problems(site):
    (site.content / "images").mkdir(exist_ok=True)
    (site.content / "images" / "a.png").write_bytes(b"png")
    site.write("events/2013/no-alt.md", event(extra="image: {src: a.png}\n"))
    site.write("events/2013/missing.md", event(extra="image: {src: b.png, alt: B}\n"))
    site.write("events/2013/escape.md", event(extra="image: {src: ../site.yaml, alt: B}\n"))
    messages = {e.path.name: e.message for e in site.errors()}
    assert messages == {
        "no-alt.md": "image: image needs 'alt' text describing it",
        "missing.md": "image: image not found: content/images/b.png",
        "escape.md": "image: image src must be a path inside content/images/",
    }


def test_image_with_alt_is_copied_and_shown(site):
    (site.content / "images").mkdir(exist_ok=True)
    (site.content / "images" / "a.png").write_bytes(b"png")
    site.write("events/2013/pic.md", event(extra="image: {src: a.png, alt: A diagram, credit: Someone}\n"))
    site.build()
    assert (site.out / "images/a.png").read_bytes() == b"png"
    img = site.page("events/pic/index.html").find("img")
    assert img["src"] == "/decade/images/a.png" and img["alt"] == "A diagram"


def test_errors_on_folder_year_that_disagrees_with_date(site):
    site.write("events/2014/new.md", event(date='"2013-05"'))
    assert str(only_error(site)) == "events/2014/new.md:3: file is in folder 2014/ but its date is in 2013: move it to 2013/"


def test_errors_on_bad_id(site):
    site.write("events/2013/Bad_Name.md", event())
    assert "is not a valid id" in only_error(site).message


def test_errors_on_duplicate_ids_name_every_file(site):
    site.write("events/2013/alexnet.md", event())
    errors = site.errors()
    assert sorted(str(e) for e in errors) == [
        "events/2012/alexnet.md:1: duplicate id 'alexnet': also used by events/2013/alexnet.md",
        "events/2013/alexnet.md:1: duplicate id 'alexnet': also used by events/2012/alexnet.md",
    ]


def test_errors_on_unknown_builds_on(site):
    site.write("events/2013/new.md", event(extra="builds_on: [alexnet, alexnot]\n"))
    assert str(only_error(site)) == "events/2013/new.md:10: builds_on: unknown event id 'alexnot' (did you mean 'alexnet'?)"


def test_errors_on_builds_on_itself(site):
    site.write("events/2013/new.md", event(extra="builds_on:\n  - new\n"))
    assert str(only_error(site)) == "events/2013/new.md:11: builds_on: an event cannot build on itself"


def test_errors_on_builds_on_cycle(site):
    site.write("events/2013/a.md", event(extra="builds_on: [b]\n"))
    site.write("events/2013/b.md", event(extra="builds_on: [a]\n"))
    assert str(only_error(site)) == "events/2013/a.md:10: builds_on forms a cycle: a → b → a"


def test_errors_on_unknown_cross_reference_with_its_line(site):
    site.write("events/2013/new.md", event(body="First line.\n\nSee [[alexnot|this]].\n"))
    assert str(only_error(site)) == "events/2013/new.md:13: unknown event id in cross reference [[alexnot]] (did you mean 'alexnet'?)"


def test_errors_on_bad_tex_with_its_line(site):
    site.write("events/2013/new.md", event(body="Fine.\n\nBroken $\\frac{a}{$ here.\n"))
    error = only_error(site)
    assert error.line == 13 and error.message.startswith("cannot render math")


def test_yaml_event_fields_and_body(site):
    site.write("events/2013/y.yaml", """
        title: Y
        date: 2013
        kind: paper
        topics: [vision]
        importance: notable
        summary: S.
        links: [{title: L, url: "https://example.com"}]
        body: |
          Line one.
          See [[nothing-here]].
        """)
    assert str(only_error(site)) == "events/2013/y.yaml:10: unknown event id in cross reference [[nothing-here]]"


def test_body_field_is_unknown_in_markdown_events(site):
    site.write("events/2013/new.md", event(extra="body: text\n"))
    assert only_error(site).message == "unknown field 'body'"


def test_every_problem_is_reported_at_once(site):
    site.write("events/2013/a.md", event(kind="nope"))
    site.write("events/2013/b.md", event(date='"2013-14"', topics="[nope]"))
    site.write("events/2013/c.md", "no front matter")
    assert len(site.errors()) == 4


def test_errors_on_broken_site_yaml(site):
    site.write("site.yaml", """
        title: T
        base_url: /relative/
        years: {first: 2015, last: 2012}
        kinds: {paper: {name: Paper}}
        colour: blue
        """)
    assert sorted(str(e) for e in site.errors()) == [
        "site.yaml:2: 'base_url' must be an absolute http(s) URL, like https://example.org/decade/",
        "site.yaml:3: 'years' needs whole years with first <= last",
        "site.yaml:5: unknown setting 'colour'",
    ]


def test_errors_on_broken_topics_yaml(site):
    site.write("topics.yaml", """
        - id: vision
          name: Vision
        - id: Vision Two
          name: V2
        - id: vision
          name: Again
        - id: hardware
          name: Hardware
        """)
    assert sorted(str(e) for e in site.errors()) == [
        "topics.yaml:3: topic 'id' must be lowercase letters, digits and single hyphens",
        "topics.yaml:5: duplicate topic id 'vision'",
    ]


def test_missing_site_yaml(site):
    (site.content / "site.yaml").unlink()
    assert [str(e) for e in site.errors()] == ["site.yaml:?: missing site.yaml: the content folder needs one"]


def test_non_event_file_in_events_is_an_error(site):
    site.write("events/2013/notes.txt", "hello")
    assert str(only_error(site)) == "events/2013/notes.txt:?: not an event file: event files end in .md, .yaml or .yml"
