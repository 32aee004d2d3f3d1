"""Stage 1: reading files, front matter, YAML safety and line numbers."""
import json
import subprocess
import sys
from pathlib import PurePosixPath

import pytest
import yaml
from conftest import REPO, event

from timeline_site.load import load_sources, map_lines, parse_markdown_doc, parse_yaml_doc


def parse_md(text):
    errors = []
    return parse_markdown_doc(text, PurePosixPath("events/2013/x.md"), errors), errors


def test_front_matter_lines_count_from_the_file_start():
    doc, errors = parse_md("---\ntitle: T\ndate: 2013\n---\nBody\n")
    assert errors == []
    assert doc.line_of("date") == 3
    assert doc.body == "Body\n"
    assert doc.body_line == 5


def test_line_of_nested_list_items():
    doc = parse_yaml_doc("links:\n  - title: a\n    url: b\n  - title: c\n    url: d\n", PurePosixPath("x.yaml"), [])
    assert doc.line_of("links", 1, "url") == 5
    assert doc.line_of("links", 7) == 1  # unknown item: falls back to the key


def test_crlf_and_bom_are_accepted(site):
    path = site.content / "events/2013/gpu-chip.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    sources, errors = load_sources(site.content)
    assert errors == []
    assert any(d.src_path.name == "gpu-chip.yaml" and d.data["title"] == "A Fast GPU" for d in sources.events)


def test_missing_front_matter_is_an_error():
    doc, errors = parse_md("title: T\n")
    assert doc is None
    assert [str(e) for e in errors] == ["events/2013/x.md:1: missing front matter: an .md event starts with a '---' line"]


def test_unclosed_front_matter_is_an_error():
    _, errors = parse_md("---\ntitle: T\n")
    assert "front matter is not closed" in errors[0].message


def test_yaml_syntax_error_has_the_file_line():
    _, errors = parse_md("---\ntitle: T\ndate: [2013\n---\n")
    assert errors[0].line in (3, 4)
    assert errors[0].message.startswith("invalid YAML")


def test_python_tags_are_refused():
    _, errors = parse_md("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n")
    assert errors and errors[0].line == 2
    assert "invalid YAML" in errors[0].message


def test_aliases_are_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    errors = []
    assert parse_yaml_doc(bomb, PurePosixPath("x.yaml"), errors) is None
    assert "anchors and aliases" in errors[0].message


def nested(style, depth):
    """A document whose collections nest `depth` deep (the top mapping included)."""
    inner = depth - 1
    if style == "flow":
        return "title: " + "[" * inner + "x" + "]" * inner + "\n"
    if style == "flow-maps":
        return "title: " + "{a: " * inner + "x" + "}" * inner + "\n"
    if style == "block-maps":
        return "".join("  " * level + "a:\n" for level in range(inner)) + "  " * inner + "a: x\n"
    return "title:\n" + "".join("  " * level + "-\n" for level in range(1, inner)) + "  " * inner + "- x\n"


def test_documents_composed_without_a_scan_get_the_scans_verdict(monkeypatch):
    """Most documents skip the event scan: their depth is checked on the nodes, with the same
    message at the same line; anything with `&`, `*` or `!` is still scanned."""
    from timeline_site import load

    def problems(text):
        errors = []
        doc = parse_yaml_doc(text, PurePosixPath("x.yaml"), errors, line_offset=1)
        return doc is None, [(e.line, e.message) for e in errors]

    cases = [nested(style, depth) for style in ("flow", "flow-maps", "block-maps", "block-seqs")
             for depth in (2, 31, 32, 33, 34, 60)]
    cases += ["a: [b, c]\nd: {e: [f, [g]]}\n", "a: 1\na: 2\n"]
    assert not any(load.needs_event_scan(text) for text in cases)
    assert all(load.needs_event_scan(text) for text in ("a: &x 1\n", "a: *x\n", "a: !t x\n", "a: " + "[" * 1001))
    direct = [problems(text) for text in cases]
    monkeypatch.setattr(load, "needs_event_scan", lambda text: True)
    assert direct == [problems(text) for text in cases]
    assert [failed for failed, _ in direct].count(True) == 4 * 3 + 1  # depth 33, 34, 60 in each style; a duplicate


YAML_SCALARS_AND_SHAPES = [
    "a: 1\nb: [x, 2, 3.5, ~, null, true, no, on]\nc: {d: [e, {f: g}]}\n", "a: 2012-02-03\n",
    "a: 2012-02-30\n", "a: 2012-02-03 10:20:30Z\n", "a: 0x1F\nb: 0o17\nc: 1_000\nd: 1:30\ne: .inf\nf: -.NaN\n",
    "a: '1'\nb: \"2\"\nc: |\n  block\n  text\nd: >\n  folded\n", "a: =\n", "? [a, b]\n: c\n",
    "{[1]: 2}\n", "{{a: 1}: 2}\n", "a: " + "9" * 5000 + "\n", "a: []\nb: {}\nc:\n", "1: a\n2.5: b\nnull: c\n",
    "- a\n- [b, [c, [d]]]\n", "plain text\n", "a: !!str 1\n", "a: !!binary aGk=\n", "a: !!set {x, y}\n",
]


@pytest.mark.parametrize("text", YAML_SCALARS_AND_SHAPES)
def test_construct_gives_what_pyyaml_gives(text):
    """The documents map_lines passes are built without PyYAML's generic constructor, to the
    same data (types included) or the same error."""
    from timeline_site import load

    def built(make):
        loader = load._Loader(text)
        try:
            node = loader.get_single_node()
            data = make(loader, node)
            return type(data).__name__, repr(data)
        except yaml.YAMLError as error:
            return type(error).__name__, str(error)
        finally:
            loader.dispose()

    assert built(load.construct) == built(lambda loader, node: loader.construct_document(node))


def test_construct_gives_what_pyyaml_gives_on_every_event_of_the_site():
    from timeline_site import load

    for path in sorted((REPO / "content").rglob("*")):
        if path.suffix not in (".md", ".yaml", ".yml"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.split("\n---\n", 1)[0].removeprefix("---\n")
        mine, theirs = load._Loader(text), load._Loader(text)
        assert load.construct(mine, mine.get_single_node()) == theirs.construct_document(theirs.get_single_node()), path


def test_duplicate_keys_are_refused():
    errors = []
    parse_yaml_doc("title: a\ntitle: b\n", PurePosixPath("x.yaml"), errors)
    assert [(e.line, e.message) for e in errors] == [(2, "duplicate key 'title'")]


def test_hidden_and_underscore_files_are_ignored(site):
    site.write("events/2013/_notes.md", "not an event")
    site.write("events/.hidden/x.md", "not an event")
    sources, errors = load_sources(site.content)
    assert errors == []
    assert sorted(d.src_path.stem for d in sources.events) == ["alexnet", "gpu-chip", "resnet-lite", "secret-draft"]


def test_invalid_utf8_binary_and_huge_files_are_refused(site):
    (site.content / "events/2013/latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (site.content / "events/2013/binary.md").write_bytes(b"\x00\x01\x02")
    (site.content / "events/2013/huge.md").write_bytes(b"a" * 1_000_001)
    _, errors = load_sources(site.content)
    messages = {e.path.name: e.message for e in errors}
    assert messages["latin1.md"].startswith("not valid UTF-8")
    assert messages["binary.md"].startswith("binary file")
    assert "the limit is 1,000,000" in messages["huge.md"]


def test_symlink_outside_content_is_refused(site, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: x\n---\n")
    (site.content / "events/2013/link.md").symlink_to(outside)
    _, errors = load_sources(site.content)
    assert [(str(e.path), e.message) for e in errors] == [
        ("events/2013/link.md", "symbolic link leads outside the content folder")]


def test_map_lines_stops_at_the_depth_limit_of_deep_documents():
    # Built by hand: PyYAML 6.0.4's own parser refuses nesting this deep before map_lines sees it.
    mark = yaml.Mark("x", 0, 0, 0, None, None)
    inner = yaml.SequenceNode("tag:yaml.org,2002:seq", [], mark, mark)
    for _ in range(5000):
        inner = yaml.SequenceNode("tag:yaml.org,2002:seq", [inner], mark, mark)
    key = yaml.ScalarNode("tag:yaml.org,2002:str", "x", mark, mark)
    node = yaml.MappingNode("tag:yaml.org,2002:map", [(key, inner)], mark, mark)
    lines, problems = map_lines(node)
    assert problems == [(1, "YAML is nested more than 32 levels deep")]
    assert lines[("x",)] == 1 and max(len(path) for path in lines) == 32


PARALLEL_LOAD = """
import json, sys
from pathlib import Path
from timeline_site import parallel
from timeline_site.load import load_sources

content = Path(sys.argv[1])
serial, serial_errors = load_sources(content, jobs=1)
parallel.MIN_ITEMS = 1
forks, real_fork = [], parallel._can_fork
parallel._can_fork = lambda jobs, count: forks.append((count, real_fork(jobs, count))) or forks[-1][1]
cache, same = {}, []
for _ in range(2):  # cold, then from the cache
    two, errors = load_sources(content, cache, jobs=2)
    same.append(two.events == serial.events and sorted(map(str, errors)) == sorted(map(str, serial_errors)))
print(json.dumps({"same": same, "forks": forks, "events": len(serial.events), "errors": len(serial_errors)}))
"""


def test_parallel_loading_gives_the_same_docs_and_errors(site):
    """Files parsed in two processes: the same SourceDocs, in the same order, with the same errors.
    Run in a new interpreter: a test session has other threads, and then nothing is forked."""
    for i in range(30):
        (site.content / f"events/2013/extra-{i:02d}.md").write_text(event(title=f"Extra {i}"))
    (site.content / "events/2013/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    (site.content / "events/2013/no-front-matter.md").write_text("title: T\n")
    files = len(list((site.content / "events").rglob("*.*")))
    result = subprocess.run([sys.executable, "-c", PARALLEL_LOAD, str(site.content)],
                            capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(result.stdout)
    assert report["same"] == [True, True] and report["events"] >= 32 and report["errors"] == 2
    assert report["forks"] == [[files, True]]  # forked for the first load; the second parsed nothing


def test_read_at_most_stops_at_the_limit_and_reads_past_a_stale_size(tmp_path):
    import os

    from timeline_site.load import _read_at_most

    path = tmp_path / "f"
    path.write_bytes(b"x" * 200_000)
    for limit, expected, want in [(10, 11, 10), (300_000, 11, 200_000), (300_000, 200_001, 200_000), (5, 1, 5)]:
        fd = os.open(path, os.O_RDONLY)
        try:
            assert len(_read_at_most(fd, limit, expected)) == want, (limit, expected)
        finally:
            os.close(fd)
