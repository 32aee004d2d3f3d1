"""events.csv: `events_csv` on the sample site, and `timeline-site import` back into event files."""
import csv
import io
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, Site

from timeline_site.build import prepare_site
from timeline_site.errors import BuildFailed
from timeline_site.export import events_csv
from timeline_site.tabular import COLUMNS, FIELD_COLUMNS, import_events
from timeline_site.validate import FIELDS


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("export")
    shutil.copytree(REPO / "tests/sites/minimal", root / "content")
    data = prepare_site(Site(root / "content", root / "_site").options)
    return events_csv(data.timeline, data.config)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def write_csv(path, records: list[dict[str, str]], header=None):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header or list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


def empty_events(site):
    shutil.rmtree(site.content / "events")
    (site.content / "events").mkdir()
    return site


def problems(csv_path, site, force=False) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        import_events(csv_path, site.content, force)
    return [str(e) for e in failed.value.errors]


# -- export ----------------------------------------------------------------------

def test_events_csv_has_the_documented_columns_and_one_row_per_published_event(exported):
    assert exported.splitlines()[0] == ",".join(COLUMNS)
    assert [r["id"] for r in rows(exported)] == ["alexnet", "gpu-chip", "resnet-lite"]  # no draft


def test_events_csv_encodes_lists_links_and_citations(exported):
    alexnet, gpu, resnet = rows(exported)
    assert alexnet["topics"] == "vision; hardware"
    assert alexnet["authors"] == "Alex Krizhevsky; Ilya Sutskever; Geoffrey Hinton"
    assert (alexnet["citations_count"], alexnet["citations_as_of"]) == ("52025", "2019-12")
    assert alexnet["links"] == "NeurIPS paper | https://papers.nips.cc/paper/4824"
    assert alexnet["url"] == "https://example.org/decade/events/alexnet/"
    assert alexnet["body"].startswith("The network minimises") and "\n\n$$" in alexnet["body"]
    assert (gpu["date"], gpu["venue"], gpu["draft"], gpu["body"]) == ("2013", "", "", "A chip that made training **faster**.\n")
    assert (resnet["date"], resnet["arxiv"], resnet["builds_on"]) == ("2014-03-05", "1512.03385", "alexnet; gpu-chip")
    assert resnet["title"] == "Residual Learning, Lite"


def test_every_event_field_has_a_column():
    covered = set(COLUMNS) | set(FIELD_COLUMNS)
    assert set(FIELDS) <= covered, f"add these fields to tabular.COLUMNS: {set(FIELDS) - covered}"


# -- the round trip ---------------------------------------------------------------

def test_import_of_the_export_gives_the_same_events_json(built, site, exported, tmp_path):
    csv_path = tmp_path / "events.csv"
    csv_path.write_text(exported, encoding="utf-8", newline="")
    paths = import_events(csv_path, empty_events(site).content)
    assert sorted(p.relative_to(site.content).as_posix() for p in paths) == [
        "events/2012/alexnet.md", "events/2013/gpu-chip.md", "events/2014/resnet-lite.md"]
    site.build()
    assert (site.out / "events.json").read_text() == (built.out / "events.json").read_text()


# -- refusing, reporting --------------------------------------------------------------

def test_never_overwrites_an_existing_id_without_force(site, exported, tmp_path):
    csv_path = tmp_path / "events.csv"
    csv_path.write_text(exported, encoding="utf-8", newline="")
    before = (site.content / "events/2013/gpu-chip.yaml").read_text()
    errors = problems(csv_path, site)
    assert errors[1] == (f"{csv_path.as_posix()}:3: event 'gpu-chip' already exists "
                         f"({(site.content / 'events/2013/gpu-chip.yaml').as_posix()}); use --force to replace it")
    assert len(errors) == 3 and (site.content / "events/2013/gpu-chip.yaml").read_text() == before
    import_events(csv_path, site.content, force=True)
    assert not (site.content / "events/2013/gpu-chip.yaml").exists()  # replaced by gpu-chip.md
    assert (site.content / "events/2013/gpu-chip.md").is_file() and site.errors() == []


BAD_ROWS = [
    ({"date": "2013-13"}, "date: date 2013-13 has no month 13"),
    ({"kind": "papr"}, "kind: unknown kind 'papr' (did you mean 'paper'?); kinds are: paper, chip, milestone"),
    ({"topics": "vision; nope"}, "topics: unknown topic 'nope'"),
    ({"title": ""}, "missing required field 'title'"),
    ({"summary": "x" * 300}, "summary: summary is 300 characters; the limit is 280"),
    ({"links": "https://example.com/no-title"}, "links: each link needs a 'title'"),
    ({"links": "Source | ftp://example.com/x"}, "links: links must be absolute http:// or https:// URLs, not 'ftp://example.com/x'"),
    ({"citations_count": "many", "citations_as_of": "2019-12"}, "citations: citations count must be a whole number ≥ 0"),
    ({"citations_count": "3"}, "citations: citations as_of must be YYYY-MM"),
    ({"draft": "maybe"}, "draft: must be true or false, not 'maybe'"),
    ({"builds_on": "nope"}, "builds_on: unknown event id 'nope'"),
    ({"body": "See [[nope]]."}, "unknown event id in cross reference [[nope]]"),
    ({"body": "Costs $\\frac{1}{$ a lot."}, "body: cannot render math $\\frac{1}{$"),
    ({"id": "../escape"}, "id '../escape' must be lowercase letters, digits and single hyphens"),
    ({"id": ""}, "missing id"),
]


def good_row(**changes) -> dict[str, str]:
    row = {"id": "new-event", "title": "New", "date": "2013-05", "kind": "paper", "topics": "vision",
           "importance": "major", "summary": "Something happened.", "links": "Source | https://example.com/x"}
    return row | changes


@pytest.mark.parametrize("changes, message", BAD_ROWS, ids=[m[:40] for _, m in BAD_ROWS])
def test_reports_bad_rows_as_file_row_message_and_writes_nothing(site, tmp_path, changes, message):
    csv_path = write_csv(tmp_path / "events.csv", [good_row(id="fine"), good_row(**changes)],
                         header=list(good_row()) + ["citations_count", "citations_as_of", "draft", "builds_on", "body"])
    errors = problems(csv_path, site)
    assert len(errors) == 1 and errors[0].startswith(f"{csv_path.as_posix()}:3: {message}"), errors
    assert not (site.content / "events/2013/fine.md").exists()


def test_reports_unknown_columns_with_a_hint(site, tmp_path):
    csv_path = write_csv(tmp_path / "events.csv", [good_row() | {"topic": "vision", "colour": "red"}])
    assert problems(csv_path, site) == [f"{csv_path.as_posix()}:1: unknown column 'colour'",
                                        f"{csv_path.as_posix()}:1: unknown column 'topic' (did you mean 'topics'?)"]


def test_reports_duplicate_ids_and_extra_cells(site, tmp_path):
    csv_path = tmp_path / "events.csv"
    csv_path.write_text("id,title\nnew,A\nnew,B\nother,C,surplus\n", encoding="utf-8")
    errors = problems(csv_path, site)
    assert f"{csv_path.as_posix()}:3: id 'new' is also on row 2" in errors
    assert f"{csv_path.as_posix()}:4: 1 more cell(s) than the header has columns" in errors


def test_a_spreadsheet_with_only_some_columns_imports(site, tmp_path):
    csv_path = write_csv(tmp_path / "events.csv", [good_row(), {**good_row(id="later"), "date": "2015"}])
    paths = import_events(csv_path, site.content)
    assert [p.relative_to(site.content).as_posix() for p in paths] == ["events/2013/new-event.md", "events/2015/later.md"]
    assert site.errors() == []


def test_import_command(site, tmp_path):
    root = site.content.parent
    csv_path = write_csv(tmp_path / "events.csv", [good_row()])
    result = subprocess.run([sys.executable, "-m", "timeline_site", "import", str(csv_path)], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "content/events/2013/new-event.md\n",
                                                                 "Imported 1 event(s).\n")
    result = subprocess.run([sys.executable, "-m", "timeline_site", "import", str(csv_path)], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "already exists" in result.stderr and "Traceback" not in result.stderr
