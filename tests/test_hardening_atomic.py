"""All or nothing: a failure injected at any stage of a build leaves the previous site byte-for-byte
as it was, with no temporary folder beside it, and the next build is as good as a fresh one.

Each test runs in both write modes: a first build swaps a new folder in; a build with a cache of
the last manifest updates the changed files in place.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import markdown
import pytest
from conftest import Site

from timeline_site import render, write


class Injected(Exception):
    """The failure the tests inject."""


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def fail_on_call(n: int, real, exception: BaseException | None = None):
    """A wrapper of `real` that raises on its n-th call (only that one) and otherwise calls through."""
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise exception or Injected(f"injected on call {n}")
        return real(*args, **kwargs)

    wrapper.calls = calls
    return wrapper


@pytest.fixture(params=["swap", "in-place"])
def edited(request, site: Site, tmp_path: Path):
    """A built site whose content then changed (a title and a body): (site, build kwargs, digest before)."""
    kwargs = {"cache_dir": tmp_path / "cache"} if request.param == "in-place" else {}
    site.build(**kwargs)
    before = tree_digest(site.out)
    page = site.content / "events/2012/alexnet.md"
    page.write_text(page.read_text().replace("ImageNet Classification", "ImageNet Classification, Revised")
                    .replace("The network minimises", "The network minimizes"))
    return site, kwargs, before


def assert_untouched_then_recovers(site: Site, kwargs: dict, before: dict, monkeypatch, tmp_path: Path) -> None:
    with pytest.raises(Injected):
        site.build(**kwargs)
    assert tree_digest(site.out) == before
    assert leftovers(site.out) == []
    monkeypatch.undo()
    site.build(**kwargs)
    fresh = Site(site.content, tmp_path / "fresh")
    fresh.build()
    assert tree_digest(site.out) == tree_digest(fresh.out)
    assert "Revised" in (site.out / "events/alexnet/index.html").read_text()


def test_failure_in_a_template_filter(edited, monkeypatch, tmp_path):
    site, kwargs, before = edited
    monkeypatch.setattr(render, "join_names", fail_on_call(1, render.join_names))
    assert_untouched_then_recovers(site, kwargs, before, monkeypatch, tmp_path)


@pytest.mark.parametrize("nth", [1, 4])
def test_failure_in_jinja_rendering(edited, monkeypatch, tmp_path, nth):
    site, kwargs, before = edited
    monkeypatch.setattr(jinja2.Template, "render", fail_on_call(nth, jinja2.Template.render))
    assert_untouched_then_recovers(site, kwargs, before, monkeypatch, tmp_path)


def test_failure_in_markdown_rendering(edited, monkeypatch, tmp_path):
    site, kwargs, before = edited
    monkeypatch.setattr(markdown.Markdown, "convert", fail_on_call(1, markdown.Markdown.convert))
    assert_untouched_then_recovers(site, kwargs, before, monkeypatch, tmp_path)


@pytest.mark.parametrize("nth", [1, 5, 12])
def test_failure_while_writing_files(edited, monkeypatch, tmp_path, nth):
    site, kwargs, before = edited
    wrapper = fail_on_call(nth, write.write_file, Injected("disk full"))
    monkeypatch.setattr(write, "write_file", wrapper)  # every file of the site goes through it
    assert_untouched_then_recovers(site, kwargs, before, monkeypatch, tmp_path)
    assert wrapper.calls["n"] >= nth


def test_failure_while_moving_files_into_place(edited, monkeypatch, tmp_path):
    """The last step: the folder swap (first builds) or a file moved aside (in-place updates)."""
    site, kwargs, before = edited
    target = os.replace if kwargs else Path.rename
    wrapper = fail_on_call(2, target)
    if kwargs:
        monkeypatch.setattr(os, "replace", wrapper)
    else:
        monkeypatch.setattr(Path, "rename", wrapper)
    assert_untouched_then_recovers(site, kwargs, before, monkeypatch, tmp_path)
    assert wrapper.calls["n"] >= 2


def test_interrupt_while_writing_is_rolled_back_too(edited, monkeypatch, tmp_path):
    """Ctrl+C in the middle of writing (a BaseException, not an Exception) still leaves the old site."""
    site, kwargs, before = edited
    monkeypatch.setattr(write, "write_file", fail_on_call(3, write.write_file, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        site.build(**kwargs)
    assert tree_digest(site.out) == before
    assert leftovers(site.out) == []


def test_a_reader_sees_each_changed_file_whole_while_it_is_replaced(site, monkeypatch, tmp_path):
    """In place, a web server serving the folder never finds a changed page missing or half
    written: it holds the old bytes until one rename gives it the new ones."""
    kwargs = {"cache_dir": tmp_path / "cache"}  # so the second build updates the folder in place
    site.build(**kwargs)
    source = site.content / "events/2012/alexnet.md"
    source.write_text(source.read_text().replace("ImageNet Classification", "ImageNet Classification, Revised"))
    page = site.out / "events/alexnet/index.html"
    old, seen = page.read_bytes(), []
    real_write, real_replace = write.write_file, os.replace

    def look() -> None:
        seen.append(page.read_bytes() if page.exists() else None)

    def writing(target, content):
        look()
        real_write(target, content)
        look()

    def replacing(src, dst):
        look()
        real_replace(src, dst)
        look()

    monkeypatch.setattr(write, "write_file", writing)
    monkeypatch.setattr(os, "replace", replacing)
    site.build(**kwargs)
    monkeypatch.undo()
    new = page.read_bytes()
    assert new != old and len(seen) > 4
    assert set(seen) == {old, new}  # never None (missing), never anything in between


@pytest.mark.parametrize("role", ["new", "old"])
def test_a_killed_builds_temporary_folder_is_removed_by_the_next_build(edited, role, tmp_path):
    site, kwargs, _ = edited
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = site.out.parent / f".{site.out.name}.{role}-{dead.pid}-x1y2"
    (stale / "events").mkdir(parents=True)
    (stale / "events/page.html").write_text("from a build that was killed")
    running = site.out.parent / f".{site.out.name}.{role}-{os.getpid()}-z3"  # a build still going on
    running.mkdir()
    site.build(**kwargs)
    assert not stale.exists()
    assert leftovers(site.out) == [running.name]
    running.rmdir()
