"""Rebuilds: only what changed is rendered, and the result is always what a cold build gives."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO

from timeline_site import build as build_module
from timeline_site import cache, digest, parallel, render, write
from timeline_site.build import Builder
from timeline_site.config import BuildOptions
from timeline_site.errors import BuildFailed

ALL_PAGES_OF_GPU_CHIP = {
    "events/gpu-chip/index.html",      # its own page
    "events/alexnet/index.html",       # "led to" lists it
    "events/resnet-lite/index.html",   # "builds on" lists it
    "years/2013/index.html", "topics/hardware/index.html", "kinds/chip/index.html",
    "index.html", "search/index.html", "feed.xml",
    "events.json", "events.csv", "search.json",
}


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(site, tmp_path):
    """The sample site with its own copy of the templates and static files, and a cache folder."""
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copytree(REPO / "static", tmp_path / "static")
    return BuildOptions(site.content, site.out, tmp_path / "templates", tmp_path / "static",
                        cache_dir=tmp_path / ".cache")


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_warm_build_renders_nothing_and_changes_nothing(project):
    Builder(project).build()
    before = tree(project.out_dir)
    report = Builder(project).build()  # a new process would do the same: the manifest is on disk
    assert report.rendered == () and report.files == 0
    assert tree(project.out_dir) == before


def test_one_event_edit_rerenders_exactly_the_pages_that_show_it(project):
    builder = Builder(project)
    builder.build()
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "A Fast GPU", "A Faster GPU")
    report = builder.build()
    assert set(report.rendered) == ALL_PAGES_OF_GPU_CHIP
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


def test_body_edit_rerenders_the_event_page_only_where_it_shows(project):
    builder = Builder(project)
    builder.build()
    edit(project.content_dir / "events/2014/resnet-lite.md", "Builds on [[alexnet]].", "Builds on [[alexnet]], again.")
    report = builder.build()
    # Only its own page shows a body (listings and neighbours show its card); the data files hold it.
    assert report.rendered == ("events/resnet-lite/index.html", "events.json", "events.csv")
    assert "Builds on" in (project.out_dir / "events/resnet-lite/index.html").read_text()
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


def test_template_change_rerenders_the_pages_that_use_it(project):
    builder = Builder(project)
    builder.build()
    edit(project.templates_dir / "kind.html", "<h1>", '<h1 class="changed">')
    report = builder.build()
    assert set(report.rendered) == {"kinds/paper/index.html", "kinds/chip/index.html", "kinds/milestone/index.html"}
    assert '<h1 class="changed">' in (project.out_dir / "kinds/paper/index.html").read_text()
    edit(project.templates_dir / "base.html", "<main ", '<main data-again="yes" ')  # a template others extend
    builder.build()
    assert 'data-again="yes"' in (project.out_dir / "kinds/paper/index.html").read_text()
    assert 'data-again="yes"' in (project.out_dir / "events/alexnet/index.html").read_text()


def test_an_event_card_is_rendered_once_and_again_when_it_or_its_template_changes(project):
    """Listing pages share each event's card (`cached_card`): an edit to the card's macro or to
    the event shows on every page that lists it, and the site equals a cold build each time."""
    builder = Builder(project)
    builder.build()
    cards = builder.env.globals["cached_card"]
    assert "alexnet" in cards._cards  # rendered once, for its year, topic and kind pages
    edit(project.templates_dir / "macros.html", '<p class="summary">', '<p class="summary changed">')
    builder.build()
    edit(project.content_dir / "events/2012/alexnet.md", "title: ImageNet Classification", "title: AlexNet, renamed")
    builder.build()
    for page in ("years/2012/index.html", "topics/vision/index.html", "kinds/paper/index.html"):
        text = (project.out_dir / page).read_text()
        assert '<p class="summary changed">' in text and "AlexNet, renamed" in text
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


def test_static_change_copies_that_file(project):
    builder = Builder(project)
    builder.build()
    (project.static_dir / "site.js").write_text("// changed\n")
    report = builder.build()
    assert report.rendered == ("static/site.js",)
    assert (project.out_dir / "static/site.js").read_text() == "// changed\n"


def test_removed_event_removes_its_pages(project):
    builder = Builder(project)
    builder.build()
    (project.content_dir / "events/2014/resnet-lite.md").unlink()
    (project.content_dir / "events/2014/secret-draft.md").unlink()  # it builds on resnet-lite
    edit(project.content_dir / "events/2012/alexnet.md", "It was followed by [[resnet-lite]] and", "It was followed by")
    builder.build()
    assert not (project.out_dir / "events/resnet-lite").exists()
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


PARALLEL_BUILDS = """
import json, shutil, sys
from pathlib import Path
from timeline_site import parallel
from timeline_site.build import Builder
from timeline_site.config import BuildOptions

content, out, templates, static, cache = map(Path, sys.argv[1:])
parallel.MIN_ITEMS, parallel.CHUNK = 1, 2
forks, real_fork = [], parallel._can_fork
parallel._can_fork = lambda jobs, count: forks.append(real_fork(jobs, count)) or forks[-1]
options = BuildOptions(content, out, templates, static, cache_dir=cache, jobs=2)
Builder(options).build()  # cold, in two processes, filling the Markdown cache
shutil.copytree(out, out.parent / "first")
shutil.rmtree(out)
Builder(options).build()  # cold output, warm Markdown cache
shutil.copytree(out, out.parent / "second")
shutil.rmtree(out)
Builder(options, remember=False).build()  # one-shot (the CLI): the workers work out the fingerprints
report = Builder(options).build()  # a new process, from the manifest those fingerprints made
print(json.dumps({"forks": forks, "rendered_after_one_shot": list(report.rendered)}))
"""


def test_cold_warm_and_parallel_builds_are_byte_identical(project):
    """The two-process builds run in a new interpreter: a test session has other threads, and
    then nothing is forked (the test checks that the builds did fork)."""
    one = replace(project, out_dir=project.out_dir.parent / "one", jobs=1, cache_dir=None)
    Builder(one).build()
    args = [project.content_dir, project.out_dir, project.templates_dir, project.static_dir, project.cache_dir]
    result = subprocess.run([sys.executable, "-c", PARALLEL_BUILDS, *map(str, args)],
                            capture_output=True, text=True, timeout=300, check=True)
    printed = json.loads(result.stdout)
    assert printed["forks"].count(True) >= 6  # load and pages, three times
    assert tree(project.out_dir.parent / "first") == tree(one.out_dir)
    assert tree(project.out_dir.parent / "second") == tree(one.out_dir)
    assert tree(project.out_dir) == tree(one.out_dir)
    assert printed["rendered_after_one_shot"] == []  # the workers' fingerprints are the right ones


def test_a_changed_generator_invalidates_the_caches(project, monkeypatch):
    Builder(project).build()
    monkeypatch.setattr(digest, "generator_fingerprint", lambda: "a newer version")
    monkeypatch.setattr(cache, "generator_fingerprint", lambda: "a newer version")
    monkeypatch.setattr(render, "generator_fingerprint", lambda: "a newer version")
    rendered = []
    real = build_module.render_markdown
    monkeypatch.setattr(build_module, "render_markdown", lambda text, resolve=None: rendered.append(text) or real(text, resolve))
    report = Builder(project).build()
    assert len(report.rendered) == len(tree(project.out_dir)) - 1  # every file again (all but the .timeline-site marker)
    assert len(rendered) >= 3  # every body again: the old cache entries do not match


def test_a_damaged_cache_is_ignored(project):
    Builder(project).build()
    before = tree(project.out_dir)
    (project.cache_dir / "markdown.sqlite3").write_bytes(b"not a database")
    for manifest in project.cache_dir.glob("manifest-*.json"):
        manifest.write_text("{broken")
    shutil.rmtree(project.out_dir)
    Builder(project).build()
    assert tree(project.out_dir) == before


def test_failed_incremental_write_leaves_the_site_as_it_was(project, monkeypatch):
    builder = Builder(project)
    builder.build()
    before = tree(project.out_dir)
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "A Fast GPU", "A Faster GPU")
    calls = {"n": 0}
    real = write.write_file

    def failing(target, data):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(target, data)

    monkeypatch.setattr(write, "write_file", failing)
    with pytest.raises(OSError):
        builder.build()
    monkeypatch.undo()
    assert tree(project.out_dir) == before
    assert [p.name for p in project.out_dir.parent.iterdir() if p.name.startswith("._site")] == []
    builder.build()  # and the next build catches up completely
    assert "A Faster GPU" in (project.out_dir / "events/gpu-chip/index.html").read_text()


def test_content_error_then_fix(project):
    builder = Builder(project)
    builder.build()
    before = tree(project.out_dir)
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "kind: chip", "kind: chop")
    with pytest.raises(BuildFailed):
        builder.build()
    assert tree(project.out_dir) == before
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "kind: chop", "kind: chip")
    assert builder.build().rendered == ()


def test_template_error_is_reported_with_its_file_and_line(project):
    edit(project.templates_dir / "404.html", "<h1>Page not found</h1>", "<h1>{{ missing.value }}</h1>")
    with pytest.raises(BuildFailed) as failed:
        Builder(project).build()
    assert [str(e) for e in failed.value.errors] == ["templates/404.html:3: template error: 'missing' is undefined"]


def test_big_listings_are_paginated(project, monkeypatch):
    monkeypatch.setattr(render, "PAGE_SIZE", 1)
    Builder(project).build()
    first = (project.out_dir / "kinds/paper/index.html").read_text()
    second = (project.out_dir / "kinds/paper/page/2/index.html").read_text()
    assert 'href="/decade/kinds/paper/page/2/"' in first and "ImageNet Classification" in first
    assert 'href="/decade/kinds/paper/"' in second and "Residual Learning, Lite" in second
    assert "ImageNet Classification with Deep" not in second


def test_big_sites_summarise_the_home_strip(project, monkeypatch):
    monkeypatch.setattr(render, "STRIP_MAX_DOTS", 2)
    Builder(project).build()
    home = (project.out_dir / "index.html").read_text()
    assert "The chart shows the 2 most important of the 3 events." in home
    assert "A Fast GPU (2013)" not in home.split('<g class="dots">')[1].split("</g>")[0]


def test_data_file_pieces_survive_a_build_that_did_not_need_them(project, monkeypatch):
    builder = Builder(project)
    builder.build()
    builder.build()  # nothing to render: the cached pieces must stay
    made = []
    real = render.Fragments.get

    def counting(self, slot, inputs, make):
        return real(self, slot, inputs, lambda: made.append(slot) or make())

    monkeypatch.setattr(render.Fragments, "get", counting)
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "A Fast GPU", "A Faster GPU")
    builder.build()
    # Remade: the edited event's pieces, and those of the events whose lineage lists it.
    lineage = {"gpu-chip", "alexnet", "resnet-lite"}
    assert {event_id for _, event_id in made} == lineage
    assert {kind for kind, event_id in made if event_id == "gpu-chip"} >= {"json", "csv", "search"}


def builder_event(builder, event_id):
    return next(memo[2] for memo in builder.events.files.values() if memo[2] is not None and memo[2].id == event_id)


def count_bodies(monkeypatch) -> list[str]:
    """The event bodies this process renders (topic descriptions are rendered without a resolver)."""
    rendered = []
    real = build_module.render_markdown

    def counting(text, resolve=None):
        if resolve is not None:
            rendered.append(text)
        return real(text, resolve) if resolve else real(text)

    monkeypatch.setattr(build_module, "render_markdown", counting)
    return rendered


def test_bodies_are_rendered_only_for_the_pages_a_build_writes(project, monkeypatch):
    """Page fingerprints use the body's source digest, so a build renders only the bodies it shows."""
    rendered = count_bodies(monkeypatch)
    builder = Builder(project)
    builder.build()
    assert len(rendered) == 3  # every body once
    edit(project.content_dir / "events/2014/resnet-lite.md", "Builds on [[alexnet]].", "Builds on [[alexnet]], again.")
    rendered.clear()
    builder.build()
    assert len(rendered) == 1 and "again" in rendered[0]
    shutil.rmtree(project.out_dir)
    rendered.clear()
    Builder(project).build()  # a cold build in a new Builder: every body from the cache on disk
    assert rendered == []


def test_problems_found_while_rendering_pages_are_all_reported_and_nothing_is_published(project, monkeypatch):
    """Bodies are rendered by the processes that render their pages; their problems still come all at once."""
    Builder(project).build()
    before = tree(project.out_dir)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    edit(project.content_dir / "events/2014/resnet-lite.md", "Builds on [[alexnet]].", "Builds on $\\frac{a}{$.")
    path = project.content_dir / "events/2012/alexnet.md"
    path.write_text(path.read_text() + "\nBad $\\sqrt{$ math.\n")
    for options in (replace(project, jobs=2), replace(project, jobs=2, out_dir=project.out_dir.parent / "new")):
        with pytest.raises(BuildFailed) as failed:
            Builder(options).build()  # in place, then into a fresh folder
        assert [(str(e.path), e.message.split(":")[0]) for e in failed.value.errors] == [
            ("events/2012/alexnet.md", "cannot render math $\\sqrt{$"),
            ("events/2014/resnet-lite.md", "cannot render math $\\frac{a}{$")]
        assert all(e.line and e.line > 1 for e in failed.value.errors)
    assert tree(project.out_dir) == before and not (project.out_dir.parent / "new").exists()
    edit(project.content_dir / "events/2014/resnet-lite.md", "$\\frac{a}{$", "[[alexnet]]")
    path.write_text(path.read_text().replace("\nBad $\\sqrt{$ math.\n", ""))
    report = Builder(project).build()  # back as before: the manifest survived the failures, nothing to do
    assert report.rendered == () and tree(project.out_dir) == before


EDITS = {
    "body": lambda text, other: text.rstrip("\n") + "\n\nA paragraph added by an editor.\n",
    "title": lambda text, other: text.replace("title: ", "title: Revised: ", 1),
    "summary": lambda text, other: text.replace("summary: ", "summary: Rewritten. ", 1),
    "link": lambda text, other: text.rstrip("\n") + f"\n\nSee also [[{other}]].\n",
    "importance": lambda text, other: text.replace("importance: landmark", "importance: major", 1)
    if "importance: landmark" in text else text.replace("importance: ", "importance: landmark #", 1),
    "date": lambda text, other: re.sub(r'date: "(\d{4})-\d\d', lambda m: f'date: "{m[1]}-0{rng_month(m[0])}', text, 1),
}


def rng_month(date: str) -> int:
    """Another month than the one in `date: "YYYY-MM`: the event moves within its year."""
    return 1 if not date.endswith("01") else 2

"""Edits an editor makes, each applied to one event's Markdown file (`other`: another event's id)."""


def test_a_long_series_of_edits_always_gives_what_a_cold_build_gives(tmp_path):
    """One Builder, as the dev server keeps it, through edits of every kind (ones that keep
    the event in its place, which patch the timeline, and ones that move it): after each,
    the site is byte for byte the one a fresh build of the same content writes."""
    import random

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copytree(REPO / "static", tmp_path / "static")
    options = BuildOptions.for_project(content, jobs=1)
    builder = Builder(options)
    builder.build()
    files = sorted((content / "events").rglob("*.md"))
    rng = random.Random(5)
    for step, kind in enumerate(list(EDITS) * 3):
        path, other = rng.choice(files), rng.choice(files).stem
        text = path.read_text(encoding="utf-8")
        edited = EDITS[kind](text, other)
        if edited == text:
            continue
        path.write_text(edited, encoding="utf-8")
        try:
            report = builder.build()
        except BuildFailed:  # an edit that breaks the content (a date in the wrong folder): undo it
            path.write_text(text, encoding="utf-8")
            report = builder.build()
        cold = replace(options, out_dir=tmp_path / f"cold-{step}", cache_dir=None)
        Builder(cold, remember=False).build()
        assert tree(options.out_dir) == tree(cold.out_dir), f"after the {kind} edit of {path.name}"
        assert report.files < 100 or kind in {"date", "importance"}, f"{kind}: {report.files} files"
        shutil.rmtree(cold.out_dir)


def test_added_renamed_and_removed_event_files_are_seen(project):
    """A Builder reuses the listing of a folder whose mtime is unchanged: adding, renaming and
    removing files change it, so each is seen by the next build."""
    builder = Builder(project)
    builder.build()
    folder = project.content_dir / "events/2013"
    text = (folder / "gpu-chip.yaml").read_text()
    (folder / "gpu-chip-2.yaml").write_text(text.replace("A Fast GPU", "A Second GPU"))
    builder.build()
    assert "A Second GPU" in (project.out_dir / "events/gpu-chip-2/index.html").read_text()
    (folder / "gpu-chip-2.yaml").rename(folder / "gpu-chip-3.yaml")
    builder.build()
    assert (project.out_dir / "events/gpu-chip-3/index.html").is_file()
    assert not (project.out_dir / "events/gpu-chip-2").exists()
    (folder / "gpu-chip-3.yaml").unlink()
    builder.build()
    assert not (project.out_dir / "events/gpu-chip-3").exists()
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


def test_a_settings_change_checks_every_file_again_whole(project):
    """Unchanged files are kept lightened between builds; when topics.yaml or site.yaml change,
    every file is parsed and checked again, so messages and pages are those of a fresh build."""
    builder = Builder(project)
    builder.build()
    topics = project.content_dir / "topics.yaml"
    edit(topics, "name: Hardware", "name: Chips and Hardware")
    builder.build()
    assert "Chips and Hardware" in (project.out_dir / "events/gpu-chip/index.html").read_text()
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)
    edit(topics, "id: hardware", "id: silicon")
    with pytest.raises(BuildFailed) as failed:
        builder.build()
    with pytest.raises(BuildFailed) as fresh:
        Builder(cold).build()
    assert [str(e) for e in failed.value.errors] == [str(e) for e in fresh.value.errors]
    assert any("hardware" in str(e) for e in failed.value.errors)


def test_data_files_are_patched_in_place_and_put_back_if_the_build_fails(project, monkeypatch):
    """A Builder patches the big data files it wrote from their first changed piece; if
    anything fails the patched files get their old bytes back with the rest of the site."""
    builder = Builder(project)
    builder.build()
    inode = (project.out_dir / "events.json").stat().st_ino
    real, offsets = os.pwritev, []

    def recording(fd, buffers, offset):
        offsets.append(offset)
        if len(offsets) == 4:  # the second file of the second edit
            raise OSError(28, "No space left on device (injected)")
        return real(fd, buffers, offset)

    monkeypatch.setattr(os, "pwritev", recording)
    edit(project.content_dir / "events/2014/resnet-lite.md", "Builds on [[alexnet]].", "Builds on [[alexnet]], again.")
    builder.build()
    assert (project.out_dir / "events.json").stat().st_ino == inode  # the same file, patched
    assert offsets[0] > 0 and offsets[1] > 0  # from the first piece that changed, not from the start
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)
    before = tree(project.out_dir)
    edit(project.content_dir / "events/2014/resnet-lite.md", ", again.", ", once more.")
    with pytest.raises(OSError, match="injected"):
        builder.build()
    assert tree(project.out_dir) == before
    monkeypatch.undo()
    builder.build()
    shutil.rmtree(cold.out_dir)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


def test_the_markdown_cache_skips_lookups_that_can_only_miss(tmp_path):
    first = cache.MarkdownCache(tmp_path, keep_in_memory=False)
    assert first.get("a") is None
    statements = []
    first._connect().set_trace_callback(statements.append)
    assert first.get("b") is None
    assert statements == []  # an empty cache: a cold build asks nothing per body
    first.put_many({"a": "<p>A</p>"})
    statements.clear()
    assert first.get("b") is None
    assert statements == []  # found empty, it holds only what this process put since
    assert first.get("a") == "<p>A</p>"  # from the file, not from memory
    assert any(s.startswith("SELECT html") for s in statements)
    second = cache.MarkdownCache(tmp_path, keep_in_memory=False)  # the next build, or another process
    assert second.get("a") == "<p>A</p>" and second.get("b") is None


def test_a_split_a_to_z_rerenders_only_the_initials_an_edit_touches(project, monkeypatch):
    """Past AZ_PAGE_LIMIT the A–Z has a page per initial: a body edit leaves them all alone, a
    new title re-renders the page of its initial, and a new initial every page (each links
    them all); the folder equals a cold build each time."""
    monkeypatch.setattr(render, "AZ_PAGE_LIMIT", 1)
    builder = Builder(project)
    builder.build()
    assert {"search/a/index.html", "search/i/index.html", "search/r/index.html"} <= set(tree(project.out_dir))

    def a_to_z_rendered() -> set[str]:
        return {p for p in builder.build().rendered if p.startswith("search/")}

    edit(project.content_dir / "events/2014/resnet-lite.md", "Builds on [[alexnet]].", "Builds on [[alexnet]], again.")
    assert a_to_z_rendered() == set()
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "A Fast GPU", "An Even Faster GPU")
    assert a_to_z_rendered() == {"search/a/index.html"}
    edit(project.content_dir / "events/2013/gpu-chip.yaml", "An Even Faster GPU", "Fast GPU")
    assert a_to_z_rendered() == {"search/index.html", "search/f/index.html", "search/i/index.html", "search/r/index.html"}
    assert not (project.out_dir / "search/a").exists()
    cold = replace(project, out_dir=project.out_dir.parent / "cold", cache_dir=None)
    Builder(cold).build()
    assert tree(project.out_dir) == tree(cold.out_dir)


def test_same_ids_and_titles_compares_only_what_changed():
    from dataclasses import dataclass as plain

    @plain
    class E:
        id: str
        title: str

    a, b, c = E("a", "Alpha"), E("b", "Beta"), E("c", "Gamma")
    assert render.same_ids_and_titles((a, b, c), (a, E("b", "Beta"), c))
    assert not render.same_ids_and_titles((a, b, c), (a, E("b", "Bet"), c))
    assert not render.same_ids_and_titles((a, b, c), (a, c, b))
    assert not render.same_ids_and_titles((a, b), (a, b, c))


def test_an_editor_swap_file_beside_the_templates_changes_nothing(project):
    """A template open in an editor keeps a swap file beside it, rewritten as one types: the
    next build (after a content edit, say) must not take it for a template change, which
    means compiling every template and planning every page anew."""
    builder = Builder(project)
    builder.build()
    swap = project.templates_dir / ".event.html.swp"
    swap.write_bytes(b"\x00\xffswap")
    assert not builder.reload_changed_templates()
    assert builder.build().rendered == ()
    swap.write_bytes(b"\x00\xffswap, later")
    assert not builder.reload_changed_templates()
    (project.templates_dir / "event.html").write_text((project.templates_dir / "event.html").read_text() + "\n")
    assert builder.reload_changed_templates()
