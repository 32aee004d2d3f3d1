"""All or nothing: a failure injected at any stage of a build leaves the previous site byte-for-byte
as it was, with no temporary folder beside it, and the next build is as good as a fresh one.

Each test runs in both write modes: a first build swaps a new folder in; a build with a cache of
the last manifest updates the changed files in place.
"""
from __future__ import annotations

import hashlib
import os
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
