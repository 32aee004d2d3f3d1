"""Output: atomic swap, determinism, failure leaves the old site alone."""
import gc
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from timeline_site import write
from timeline_site.build import BuildOptions, Builder
from timeline_site.errors import BuildFailed
from timeline_site.model import Timeline


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(site, tmp_path):
    site.build()
    first = tree_digest(site.out)
    os.utime(site.content / "events/2012/alexnet.md")  # touching a file changes nothing
    site.build()
    assert tree_digest(site.out) == first


def test_failed_build_leaves_the_previous_site_untouched(site):
    site.build()
    before = tree_digest(site.out)
    site.write("events/2013/broken.md", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(BuildFailed):
        site.build()
    assert tree_digest(site.out) == before
    assert [p.name for p in site.out.parent.iterdir() if p.name.startswith(".")] == []


def test_failure_while_writing_leaves_the_previous_site_and_no_temp_folders(site, monkeypatch):
    site.build()
    before = tree_digest(site.out)
    calls = {"n": 0}
    real = write.SiteWriter.write

    def failing(self, dest, content):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        return real(self, dest, content)

    monkeypatch.setattr(write.SiteWriter, "write", failing)
    with pytest.raises(OSError):
        site.build()
    assert tree_digest(site.out) == before
    assert [p.name for p in site.out.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("fresh", [False, True])
@pytest.mark.parametrize("dest", ["../evil.html", "a/../../evil.html", "/tmp/evil.html", ""])
def test_writer_refuses_paths_outside_the_output(tmp_path, fresh, dest):
    (tmp_path / "out").mkdir()
    writer = write.SiteWriter(tmp_path / "out", fresh=fresh)
    with pytest.raises(RuntimeError, match="outside the output folder"):
        writer.write(write.PurePosixPath(dest), b"x")
    assert not (tmp_path / "evil.html").exists()


def test_writer_refuses_a_second_write_to_one_path(tmp_path):
    writer = write.SiteWriter(tmp_path)
    writer.write(write.PurePosixPath("a.html"), b"x")
    with pytest.raises(RuntimeError, match="two outputs write a.html"):
        writer.write(write.PurePosixPath("a.html"), b"y")


def test_build_report_counts(site):
    report = site.build()
    assert report.events == 3
    assert report.pages == 1 + 4 + 2 + 3 + 3 + 1 + 1 + 1  # home, years, topics, kinds, events, data, search, 404
    assert "Built 3 events into 16 pages" in report.summary()


def test_a_folder_it_did_not_build_is_never_replaced(site):
    site.out.mkdir()
    (site.out / "thesis.tex").write_text("years of work")
    with pytest.raises(BuildFailed) as failed:
        site.build()
    assert "refusing to replace this folder" in failed.value.errors[0].message
    assert (site.out / "thesis.tex").read_text() == "years of work"


def test_an_empty_folder_or_an_earlier_build_is_replaced(site):
    site.out.mkdir()
    site.build()
    assert (site.out / ".timeline-site").is_file()
    site.build()


@pytest.mark.parametrize("remember", [False, True])
def test_editor_files_beside_the_templates_are_not_templates(site, tmp_path, remember):
    """Every template is compiled before the workers fork; an editor's swap or backup file
    or an image in templates/ (not UTF-8, not Jinja) is left alone, by a one-shot build and by serve."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / ".event.html.swp").write_bytes(b"\x00\xff\xfe{% broken")
    (templates / "event.html~").write_bytes(b"{% broken")
    (templates / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    options = BuildOptions(site.content, site.out, templates, REPO / "static")
    Builder(options, remember=remember).build()
    assert (site.out / "events/alexnet/index.html").is_file()
    (templates / "extra.html").write_text("{% broken", encoding="utf-8")  # a template, though unused
    with pytest.raises(BuildFailed, match="1 problem"):
        Builder(options, remember=remember).build()


def test_a_one_shot_build_gives_the_garbage_collector_back_as_it_found_it(site):
    """build_site runs without the cyclic collector (for speed) and restores it, on failure too."""
    assert gc.isenabled()
    site.build()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    site.write("events/2013/broken.md", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(BuildFailed):
        site.build()
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(BuildFailed):
            site.build()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_build_keeps_nothing_of_the_site_once_it_returns(site):
    """Nothing global (the Markdown instance's link resolver was one) holds on to the last
    build's timeline: a program that builds now and then does not keep every event."""
    def timelines() -> set[int]:
        gc.collect()
        return {id(o) for o in gc.get_objects() if isinstance(o, Timeline)}

    before = timelines()
    site.build()
    assert timelines() <= before
