"""Hostile and broken content: one case per class of bad input.

Each case starts from a good, already built site, breaks it, and runs `timeline-site build` (in
process, with click's runner). It checks the exact `path:line: message` lines, exit status 1, no
traceback, and that the previous site is byte-for-byte as it was with no temporary folder left.
Rules already pinned by test_validate.py and test_load.py are not repeated here.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL, REPO, Site, event

from timeline_site.cli import main
from timeline_site.config import BuildOptions
from timeline_site.errors import BuildFailed
from timeline_site.validate import FIELDS, YAML_ONLY_FIELDS

E = "events/2013/new.md"
Y = "events/2013/new.yaml"
SITE_YAML = (MINIMAL / "site.yaml").read_text()
MARKER = "hardening-marker-should-never-exist"


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Temporary folders of a build (`.<name>.new-*`, `.<name>.old-*`) left next to the output."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """The minimal site (plus one image) built once; each test works on a copy."""
    root = tmp_path_factory.mktemp("good")
    shutil.copytree(MINIMAL, root / "content")
    (root / "content/images").mkdir(exist_ok=True)
    (root / "content/images/a.png").write_bytes(b"\x89PNG fake")
    for folder in ("templates", "static"):  # `timeline-site build` finds them beside content/
        shutil.copytree(REPO / folder, root / folder)
    Site(root / "content", root / "_site").build()
    return root


@pytest.fixture
def prebuilt(good_build: Path, tmp_path: Path) -> Site:
    shutil.copytree(good_build / "content", tmp_path / "content", symlinks=True)
    shutil.copytree(good_build / "_site", tmp_path / "_site")
    for folder in ("templates", "static"):
        (tmp_path / folder).symlink_to(good_build / folder)
    return Site(tmp_path / "content", tmp_path / "_site")


def build_fails_cleanly(site: Site, expected: list[str]) -> None:
    """`timeline-site build` prints exactly `expected`, exits 1, and leaves the old site untouched."""
    before = tree_digest(site.out)
    outside = sorted(p.name for p in site.out.parent.iterdir())
    result = CliRunner().invoke(main, ["build", "--content", str(site.content), "--out", str(site.out)])
    assert isinstance(result.exception, SystemExit), f"not a clean exit: {result.exception!r}\n{result.output}"
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected, result.stderr
    assert lines[-1] == f"{len(expected)} problem(s) found."
    assert tree_digest(site.out) == before
    assert leftovers(site.out) == []
    assert sorted(p.name for p in site.out.parent.iterdir() if p.name != ".cache") == \
        sorted(n for n in outside if n != ".cache")


def write(site: Site, rel: str, data: str | bytes) -> None:
    path = site.content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "---\n" + "\n".join(lines) + "\n---\n"


# name -> ({file: text}, expected lines). Lines are file lines: the front matter starts on line 2.
CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    # -- broken YAML ------------------------------------------------------------------------
    "tab-indentation": ({E: event().replace("  - {title", "\t- {title")},
                        [f"{E}:9: invalid YAML: a tab character; indent with spaces, not tabs"]),
    "tab-in-site-yaml": ({"site.yaml": SITE_YAML.replace("  paper:", "\tpaper:")},
                         ["site.yaml:8: invalid YAML: a tab character; indent with spaces, not tabs"]),
    "unclosed-double-quote": ({E: event(title='"An Event')},
                              [f"{E}:2: invalid YAML: the quote opened on this line is never closed "
                               "(the parser stopped at line 3: did not find expected key)"]),
    "unclosed-single-quote": ({E: event(title="'An Event")},
                              [f"{E}:2: invalid YAML: the quote opened on this line is never closed "
                               "(the parser stopped at line 10: found unexpected end of stream)"]),
    "duplicate-key": ({E: event(extra="title: Again\n")}, [f"{E}:10: duplicate key 'title'"]),
    "two-documents": ({Y: "title: a\n---\ntitle: b\n"},
                      [f"{Y}:2: invalid YAML: expected a single document in the stream, but found another document"]),
    "object-tag": ({E: event(title=f"!!python/object/apply:os.system ['touch {MARKER}']")},
                   [f"{E}:2: invalid YAML: tags such as 'tag:yaml.org,2002:python/object/apply:os.system' "
                    "are not allowed in content"]),
    "unknown-tag": ({E: event(title="!shout hello")},
                    [f"{E}:2: invalid YAML: tags such as '!shout' are not allowed in content"]),
    "constructor-tag-without-value": ({E: event(extra="venue: !!timestamp\n")},
                                      [f"{E}:10: invalid YAML: tags such as 'tag:yaml.org,2002:timestamp' "
                                       "are not allowed in content"]),
    "nested-too-deep": ({E: "---\ntitle: " + "[" * 200_000 + "]" * 200_000 + "\n---\n"},
                        [f"{E}:2: YAML is nested more than 32 levels deep"]),
    "merge-key": ({E: event(extra="<<: {venue: X}\n")}, [f"{E}:10: YAML merge keys (<<) are not allowed in content"]),
    "number-too-long": ({E: event(extra="citations: {count: " + "9" * 5000 + ", as_of: '2019-01'}\n")},
                        [f"{E}:10: invalid YAML: the number has 5,000 characters: too long to read"]),
    # -- files and front matter -----------------------------------------------------------
    "empty-md": ({E: ""}, [f"{E}:1: empty file: an event needs front matter between '---' lines"]),
    "blank-md": ({E: " \n\n"}, [f"{E}:1: empty file: an event needs front matter between '---' lines"]),
    "empty-yaml": ({Y: ""}, [f"{Y}:1: empty YAML document"]),
    "empty-front-matter": ({E: "---\n---\nBody\n"}, [f"{E}:2: empty YAML document"]),
    "front-matter-is-a-list": ({E: "---\n- a\n---\n"},
                               [f"{E}:2: an event must be a mapping of fields (title: ..., date: ...)"]),
    "missing-front-matter": ({E: "# Title\n"}, [f"{E}:1: missing front matter: an .md event starts with a '---' line"]),
    "unterminated-front-matter": ({E: "---\ntitle: T\n"}, [f"{E}:1: front matter is not closed: add a '---' line after it"]),
    "binary": ({E: b"\x89PNG\r\n\x1a\n\x00\x00"}, [f"{E}:?: binary file: content files must be UTF-8 text"]),
    "invalid-utf8": ({E: b"---\ntitle: ok\nsummary: caf\xe9\n---\n"}, [f"{E}:3: not valid UTF-8 (byte 26)"]),
    "too-large": ({E: "---\n" + "x" * 1_000_001}, [f"{E}:?: file is 1,000,005 bytes; the limit is 1,000,000"]),
    "control-characters-in-file-name": ({"events/2013/\x1b[31mred.md": event()},
                                        ["events/2013/\\x1b[31mred.md:?: file name has control characters or is "
                                         "not UTF-8: rename it"]),
    "not-an-event-file": ({"events/2013/new.html": "<p>x</p>"},
                          ["events/2013/new.html:?: not an event file: event files end in .md, .yaml or .yml"]),
    # -- dates ----------------------------------------------------------------------------
    "impossible-day-unquoted": ({E: event(date="2013-02-30")}, [f"{E}:3: date: date 2013-02-30 does not exist"]),
    "impossible-month-unquoted": ({E: event(date="2013-13-01")}, [f"{E}:3: date: date 2013-13-01 has no month 13"]),
    "day-zero": ({E: event(date='"2013-05-00"')}, [f"{E}:3: date: date 2013-05-00 does not exist"]),
    "date-with-time": ({E: event(date="2013-05-04 10:00:00")},
                       [f"{E}:3: date: date must be YYYY, YYYY-MM or YYYY-MM-DD, not datetime.datetime(2013, 5, 4, 10, 0)"]),
    "date-with-newline": ({E: event(date='"2013\\n"')},
                          [f"{E}:3: date: date must be YYYY, YYYY-MM or YYYY-MM-DD, not '2013\\n'"]),
    "date-in-other-digits": ({E: event(date='"٢٠١٣"')},
                             [f"{E}:3: date: date must be YYYY, YYYY-MM or YYYY-MM-DD, not '٢٠١٣'"]),
    "date-huge-number": ({E: event(date="99999999999999")},
                         [f"{E}:3: date: date must be YYYY, YYYY-MM or YYYY-MM-DD, not 99999999999999"]),
    "date-far-out-of-range": ({E: event(date='"0001-01-01"')},
                              [f"{E}:3: date: date 0001-01-01 is outside the site's years 2012–2015"]),
    # -- ids, fields, lineage -------------------------------------------------------------
    "id-with-dots": ({"events/2013/a..b.md": event()},
                     ["events/2013/a..b.md:2: file name 'a..b.md' is not a valid id: "
                      "use lowercase letters, digits and single hyphens"]),
    "id-not-ascii": ({"events/2013/café.md": event()},
                     ["events/2013/café.md:2: file name 'café.md' is not a valid id: "
                      "use lowercase letters, digits and single hyphens"]),
    "unknown-field-with-escape-codes": ({E: event(extra='"ti\\x1b]0;pwned\\x07tle": x\n')},
                                        [f"{E}:10: unknown field 'ti\\x1b]0;pwned\\x07tle'"]),
    "builds-on-id-with-newline": ({E: event(extra='builds_on: ["alexnet\\n"]\n')},
                                  [f"{E}:10: builds_on: builds_on entries are event ids, not 'alexnet\\n'"]),
    "builds-on-three-cycle": ({E: event(extra="builds_on: [x2]\n"), "events/2013/x2.md": event(extra="builds_on: [x3]\n"),
                               "events/2013/x3.md": event(extra="builds_on: [new]\n")},
                              [f"{E}:10: builds_on forms a cycle: new → x2 → x3 → new"]),
    "topic-that-is-a-list": ({E: event(topics="[[vision]]")}, [f"{E}:5: topics: unknown topic ['vision']"]),
    # -- links ----------------------------------------------------------------------------
    **{f"link-{name}": ({E: event().replace('"https://example.com/x"', url)},
                        [f"{E}:9: links: links must be absolute http:// or https:// URLs, not {shown}"])
       for name, url, shown in [
           ("javascript-mixed-case", '"JaVaScRiPt:alert(1)"', "'JaVaScRiPt:alert(1)'"),
           ("javascript-with-tab", '"java\\tscript:alert(1)"', "'java\\tscript:alert(1)'"),
           ("javascript-leading-control", '"\\x01javascript:alert(1)"', "'\\x01javascript:alert(1)'"),
           ("javascript-entity", '"javascript&#58;alert(1)"', "'javascript&#58;alert(1)'"),
           ("data-base64", '"data:text/html;base64,PHNjcmlwdD4="', "'data:text/html;base64,PHNjcmlwdD4='"),
           ("vbscript", '"vbscript:msgbox(1)"', "'vbscript:msgbox(1)'"),
           ("protocol-relative", '"//evil.example/x"', "'//evil.example/x'"),
           ("no-host", '"https:///x"', "'https:///x'"),
           ("broken-ipv6", '"http://[::1"', "'http://[::1'"),
           ("host-changed-by-nfkc", '"http://a\uff03b/"', "'http://a\uff03b/'"),
           ("space-in-host", '"https://exa mple.com/"', "'https://exa mple.com/'"),
       ]},
    "image-credit-url-javascript": ({E: event(extra="image: {src: a.png, alt: A, credit_url: 'javascript:alert(1)'}\n")},
                                    [f"{E}:10: image: links must be absolute http:// or https:// URLs, "
                                     "not 'javascript:alert(1)'"]),
    # -- text, bodies ---------------------------------------------------------------------
    "control-character-in-title": ({E: event(title='"A\\x07bell"')},
                                   [f"{E}:2: title: contains the control character \\x07 at position 2"]),
    "control-character-in-body": ({E: event(body="Line one\n\nbell \x07 here\n")},
                                  [f"{E}:13: body contains the control character \\x07"]),
    "body-too-long": ({E: event(body="word " * 5000)}, [f"{E}:11: body is 25,001 characters; the limit is 20,000"]),
    "body-with-too-many-brackets": ({E: event(body="[" * 201)},
                                    [f"{E}:11: body has 201 '[' characters; the limit is 200 "
                                     "(links, cross references and footnotes)"]),
    "markdown-too-deep": ({E: event(body="a\n: b\n" * 3000)},
                          [f"{E}:11: Markdown is nested too deeply to render: simplify its lists, quotes or "
                           "definition lists"]),
    # -- images ---------------------------------------------------------------------------
    "image-absolute-path": ({E: event(extra="image: {src: /etc/passwd, alt: A}\n")},
                            [f"{E}:10: image: image src must be a path inside content/images/"]),
    "image-climbing-out": ({E: event(extra="image: {src: x/../../site.yaml, alt: A}\n")},
                           [f"{E}:10: image: image src must be a path inside content/images/"]),
    "image-blank-alt": ({E: event(extra="image: {src: a.png, alt: '  '}\n")},
                        [f"{E}:10: image: image needs 'alt' text describing it"]),
    **{f"{kind}-in-images": ({f"images/evil.{kind}": payload},
                             [f"images/evil.{kind}:?: not an image file: images/ holds only .png, .jpg, .jpeg, .gif, "
                              ".webp, .avif files (SVG can carry scripts)"])
       for kind, payload in [("svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
                             ("html", "<script>alert(1)</script>"), ("xml", "<x/>")]},
    # -- site.yaml, topics.yaml -----------------------------------------------------------
    "site-yaml-empty": ({"site.yaml": ""}, ["site.yaml:1: empty YAML document"]),
    "site-yaml-a-list": ({"site.yaml": "- title\n"}, ["site.yaml:1: site.yaml must be a mapping of settings"]),
    "site-yaml-number-keys": ({"site.yaml": SITE_YAML + "1: x\nfoo: y\n"},
                              ["site.yaml:11: unknown setting '1'", "site.yaml:12: unknown setting 'foo'"]),
    "site-yaml-base-url-to-other-host": (
        {"site.yaml": SITE_YAML.replace("https://example.org/decade/", "https://example.org//evil.example/")},
        ["site.yaml:4: 'base_url' must be a plain URL: no ?query, #fragment, spaces, '//' or '\\' in its path"]),
    "site-yaml-base-url-backslash": (
        {"site.yaml": SITE_YAML.replace("https://example.org/decade/", "https://example.org/\\\\evil.example/")},
        ["site.yaml:4: 'base_url' must be a plain URL: no ?query, #fragment, spaces, '//' or '\\' in its path"]),
    "site-yaml-base-url-broken-ipv6": (
        {"site.yaml": SITE_YAML.replace("https://example.org/decade/", "http://[::1/")},
        ["site.yaml:4: 'base_url' must be an absolute http(s) URL, like https://example.org/decade/"]),
    "site-yaml-plural-not-text": ({"site.yaml": SITE_YAML.replace("plural: Chips", "plural: [Chips]")},
                                  ["site.yaml:9: kind 'chip' must be {name: ..., plural: ...}"]),
    "site-yaml-language-injection": ({"site.yaml": SITE_YAML.replace("language: en", 'language: "en\\" onload=\\"x"')},
                                     ["site.yaml:5: 'language' must be a language tag such as en or pt-BR, "
                                      "not 'en\" onload=\"x'"]),
    "site-yaml-escape-codes-in-title": ({"site.yaml": SITE_YAML.replace("title: Test Timeline", 'title: "T\\x1b[2J"')},
                                        ["site.yaml:1: 'title' contains the control character \\x1b"]),
    "topics-yaml-empty": ({"topics.yaml": ""}, ["topics.yaml:1: empty YAML document"]),
    "topics-yaml-a-mapping": ({"topics.yaml": "vision: {name: V}\n"},
                              ["events/2012/alexnet.md:5: topics: unknown topic 'vision'",
                               "events/2013/gpu-chip.yaml:4: topics: unknown topic 'hardware'",
                               "events/2014/resnet-lite.md:5: topics: unknown topic 'vision'",
                               "events/2014/secret-draft.md:5: topics: unknown topic 'vision'",
                               "topics.yaml:1: topics.yaml must be a list of {id, name, description}"]),
    **{f"topic-{name}": ({"topics.yaml": (MINIMAL / "topics.yaml").read_text() + entry}, [f"topics.yaml:{line}: {message}"])
       for name, entry, line, message in [
           ("number-key", "- id: extra\n  name: X\n  1: x\n", 9, "unknown topic field '1'"),
           ("name-not-text", "- id: extra\n  name: [X]\n", 8, "topic needs a 'name' (text, without control characters)"),
           ("description-not-text", "- id: extra\n  name: X\n  description: [x]\n", 9,
            "topic 'description' must be text, without control characters"),
           ("description-too-long", "- id: extra\n  name: X\n  description: " + "x" * 2001 + "\n", 9,
            "topic 'description' is 2,001 characters; the limit is 2,000"),
           ("id-with-newline", '- id: "extra\\n"\n  name: X\n', 7,
            "topic 'id' must be lowercase letters, digits and single hyphens"),
       ]},
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_and_the_previous_site_kept(prebuilt, case, tmp_path):
    files, expected = CASES[case]
    for rel, data in files.items():
        write(prebuilt, rel, data)
    build_fails_cleanly(prebuilt, expected)
    assert not (tmp_path / MARKER).exists() and not Path(MARKER).exists()


# -- a wrong type in every field ------------------------------------------------------------

BASE_YAML = """\
title: An Event
date: "2013-05"
kind: paper
topics: [vision]
importance: major
summary: Something happened.
links:
  - {title: Source, url: "https://example.com/x"}
"""
# field -> (a value of the wrong type, the message). Fields of BASE_YAML keep their line; others go on line 9.
WRONG_TYPES = {
    "title": ("[An Event]", "title: must be non-empty text"),
    "date": ("{year: 2013}", "date: date must be YYYY, YYYY-MM or YYYY-MM-DD, not {'year': 2013}"),
    "kind": ("[paper]", "kind: unknown kind ['paper']; kinds are: paper, chip, milestone"),
    "topics": ("vision", "topics: must be a list of topic ids with at least 1"),
    "summary": ("42", "summary: must be non-empty text"),
    "importance": ("[major]", "importance: importance must be one of landmark, major, notable, not ['major']"),
    "links": ('{title: S, url: "https://example.com/x"}', "links: must be a list of links {title, url} with at least 1"),
    "authors": ("[1, 2]", "authors: each entry must be non-empty text"),
    "organization": ("{name: Lab}", "organization: must be a list of names"),
    "venue": ("[NeurIPS]", "venue: must be non-empty text"),
    "label": ("123", "label: must be non-empty text"),
    "arxiv": ("true", 'arxiv: arxiv must be a new-style id such as "1512.03385" (quoted), not True'),
    "doi": ("10.1038", "doi: doi must look like 10.1038/nature16961, not 10.1038"),
    "citations": ("52025", "citations: citations must be {count: N, as_of: YYYY-MM}"),
    "builds_on": ("alexnet", "builds_on: must be a list of event ids"),
    "image": ("a.png", "image: image must be {src, alt, credit?, credit_url?}"),
    "draft": ("1", "draft: must be true or false, not 1"),
    "body": ("[a, b]", "body: body must be Markdown text"),
}
# Wrong types one level down: (field, YAML value, line, message).
WRONG_NESTED_TYPES = [
    ("links", "\n  - {title: [S], url: \"https://example.com/x\"}", 8, "links: each link needs a 'title'"),
    ("links", "\n  - {title: S, url: 42}", 8, "links: links must be absolute http:// or https:// URLs, not 42"),
    ("links", "\n  - https://example.com/x", 8, "links: must be a list of links {title, url}"),
    ("citations", "{count: many, as_of: \"2019-01\"}", 9, "citations: citations count must be a whole number ≥ 0"),
    ("citations", "{count: true, as_of: \"2019-01\"}", 9, "citations: citations count must be a whole number ≥ 0"),
    ("citations", "{count: 3, as_of: 2019}", 9, "citations: citations as_of must be YYYY-MM"),
    ("image", "{src: [a.png], alt: A}", 9, "image: image src must be a path inside content/images/"),
    ("image", "{src: a.png, alt: {text: A}}", 9, "image: image needs 'alt' text describing it"),
    ("topics", "[vision, 7]", 4, "topics: unknown topic 7"),
    ("builds_on", "[alexnet, {id: x}]", 9, "builds_on: builds_on entries are event ids, not {'id': 'x'}"),
]


def yaml_event_with(field: str, value: str) -> str:
    lines = BASE_YAML.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{field}:"):
            lines[i] = f"{field}: {value}"
            if field == "links":
                del lines[i + 1]
            return "\n".join(lines) + "\n"
    return BASE_YAML + f"{field}: {value}\n"


def test_every_field_has_a_wrong_type_case():
    assert set(WRONG_TYPES) == set(FIELDS) | set(YAML_ONLY_FIELDS)


@pytest.mark.parametrize("field", sorted(set(FIELDS) | set(YAML_ONLY_FIELDS)))
def test_wrong_type_in_each_field_is_reported_at_its_line(prebuilt, field):
    value, message = WRONG_TYPES[field]
    text = yaml_event_with(field, value)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith(f"{field}:"))
    write(prebuilt, Y, text)
    build_fails_cleanly(prebuilt, [f"{Y}:{line}: {message}"])


@pytest.mark.parametrize("field, value, line, message", WRONG_NESTED_TYPES)
def test_wrong_type_inside_a_field_is_reported_at_its_line(prebuilt, field, value, line, message):
    write(prebuilt, Y, yaml_event_with(field, value))
    assert [str(e) for e in prebuilt.errors()] == [f"{Y}:{line}: {message}"]


# -- what must not happen: expansion, escapes, runaway work -------------------------------------

def test_alias_bomb_is_refused_quickly(prebuilt):
    write(prebuilt, E, billion_laughs())
    started = time.perf_counter()
    build_fails_cleanly(prebuilt, [f"{E}:2: YAML anchors and aliases (& and *) are not allowed in content"])
    assert time.perf_counter() - started < 2


def test_pathological_markdown_within_the_limits_renders_quickly(site):
    """The slowest bodies that pass validation (unclosed brackets, deep nesting) stay fast."""
    bodies = ["[" * 200 + "a" * 19_000, "![" * 100 + "a" * 19_000, "[[" * 100 + "a" * 19_000,
              "".join("  " * i + "- x\n" for i in range(130)), ">" * 19_000 + " x\n", "`" * 19_000]
    for i, body in enumerate(bodies):
        site.write(f"events/2013/slow-{i}.md", event(body=body))
    started = time.perf_counter()
    site.build()
    assert time.perf_counter() - started < 20


def test_symlink_outside_content_is_refused_for_site_yaml(prebuilt, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(SITE_YAML)
    (prebuilt.content / "site.yaml").unlink()
    (prebuilt.content / "site.yaml").symlink_to(secret)
    build_fails_cleanly(prebuilt, ["site.yaml:?: symbolic link leads outside the content folder"])


def test_images_folder_that_is_a_symlink_outside_is_refused(prebuilt, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (private / "id_rsa").write_text("PRIVATE KEY")
    shutil.rmtree(prebuilt.content / "images")
    (prebuilt.content / "images").symlink_to(private)
    build_fails_cleanly(prebuilt, ["images:?: symbolic link leads outside the content folder"])


def test_file_symlink_inside_images_leading_outside_is_refused(prebuilt, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    (prebuilt.content / "images/leak.png").symlink_to(tmp_path / "secret.txt")
    build_fails_cleanly(prebuilt, ["images/leak.png:?: symbolic link leads outside the content folder"])


def test_symlink_loops_and_broken_links_are_refused(prebuilt):
    (prebuilt.content / "events/2013/loop").symlink_to("..")
    (prebuilt.content / "images/a").symlink_to(".")
    (prebuilt.content / "events/2013/gone.md").symlink_to("nothing-here.md")
    build_fails_cleanly(prebuilt, [
        "events/2013/gone.md:?: broken symbolic link",
        "events/2013/loop:?: folder is reached twice: a symbolic link makes a loop",
        "images/a:?: folder is reached twice: a symbolic link makes a loop",
    ])


def test_folders_nested_too_deep_are_refused(prebuilt):
    folder = prebuilt.content / "events" / "/".join(["d"] * 40)
    folder.mkdir(parents=True)
    (folder / "x.md").write_text(event())
    build_fails_cleanly(prebuilt, ["events/" + "/".join(["d"] * 32) + ":?: folders are nested more than 32 levels deep"])


def test_special_files_are_refused(prebuilt):
    os.mkfifo(prebuilt.content / "events/2013/pipe.md")
    build_fails_cleanly(prebuilt, ["events/2013/pipe.md:?: not a regular file"])


@pytest.mark.parametrize("out", [".", "content", "content/images/site", "templates", "static/x"])
def test_output_folder_that_would_destroy_an_input_is_refused(tmp_path, out):
    """A build replaces its whole output folder: `--out .` used to replace the project with the site."""
    shutil.copytree(MINIMAL, tmp_path / "content")
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copytree(REPO / "static", tmp_path / "static")
    before = tree_digest(tmp_path)
    result = CliRunner().invoke(main, ["build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "the output folder" in result.stderr
    assert tree_digest(tmp_path) == before


def test_build_options_refuse_an_output_folder_holding_the_content(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        BuildOptions(tmp_path / "content", tmp_path, REPO / "templates", REPO / "static")
    assert "would contain the content folder" in failed.value.errors[0].message


def test_nothing_is_written_outside_the_output_folder(site, tmp_path):
    """Hostile ids and image paths are refused; a good nested image lands inside the output."""
    (site.content / "images/deep").mkdir(parents=True)
    (site.content / "images/deep/a.png").write_bytes(b"png")
    site.write("events/2013/pic.md", event(extra="image: {src: deep/a.png, alt: A}\n"))
    site.build()
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if not p.is_relative_to(site.out))
    site.write("events/2013/escape.md", event(extra="image: {src: ../../../../../../tmp/x.png, alt: A}\n"))
    site.write("events/2013/....md", event())
    site.write("events/2013/..%2f..%2fx.md", event())
    with pytest.raises(BuildFailed):
        site.build()
    after = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if not p.is_relative_to(site.out))
    assert after == sorted(before + ["content/events/2013/escape.md", "content/events/2013/....md",
                                     "content/events/2013/..%2f..%2fx.md"])
    assert (site.out / "images/deep/a.png").read_bytes() == b"png"


# -- all at once, as a user runs it --------------------------------------------------------------

def test_every_problem_at_once_from_the_real_command(prebuilt):
    """One content folder with many classes of problem: all listed, sorted, exit 1, no traceback."""
    root = prebuilt.content.parent
    chosen = ["tab-indentation", "empty-yaml", "binary", "invalid-utf8", "impossible-day-unquoted",
              "link-javascript-with-tab", "nested-too-deep", "object-tag", "control-characters-in-file-name"]
    expected = []
    for i, case in enumerate(chosen):
        files, lines = CASES[case]
        for rel, data in files.items():
            new = rel.replace("new.", f"n{i}.")
            write(prebuilt, new, data)
            expected += [line.replace(rel, new) for line in lines]
    expected.sort(key=lambda line: (line.split(":")[0], int(line.split(":")[1].replace("?", "0"))))
    before = tree_digest(prebuilt.out)
    for command in ("build", "check"):
        result = subprocess.run([sys.executable, "-m", "timeline_site", command], cwd=root,
                                capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert result.stderr.splitlines()[:-1] == expected, result.stderr
    assert tree_digest(prebuilt.out) == before
    assert leftovers(prebuilt.out) == []
