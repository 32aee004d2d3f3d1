"""Layered fixtures: a content folder -> options -> a built site."""
from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from timeline_site.build import build_site, prepare_site
from timeline_site.config import BuildOptions
from timeline_site.errors import BuildFailed, ContentError

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).resolve().parent / "sites" / "minimal"


@dataclass
class Site:
    """A scratch copy of a content folder, with helpers to edit and build it."""

    content: Path
    out: Path

    @property
    def options(self) -> BuildOptions:
        return BuildOptions(self.content, self.out, REPO / "templates", REPO / "static")

    def write(self, rel: str, text: str) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def errors(self) -> list[ContentError]:
        """Every problem that validation finds (empty if the content is valid)."""
        try:
            prepare_site(self.options)
        except BuildFailed as failed:
            return failed.errors
        return []

    def build(self, **kwargs):
        options = BuildOptions(self.content, self.out, REPO / "templates", REPO / "static", **kwargs)
        return build_site(options)

    def page(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup((self.out / rel).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def browser():
    """One real Chromium (the OS package) for the whole session."""
    from browser import CHROMIUM_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A fresh copy of tests/sites/minimal to modify."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    return Site(content, tmp_path / "_site")


@pytest.fixture
def project(site) -> Path:
    """A project folder laid out like this repo (content/, templates/, static/) around `site`."""
    root = site.content.parent
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Site:
    """tests/sites/minimal built once for the whole session (do not modify)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(MINIMAL, root / "content")
    built_site = Site(root / "content", root / "_site")
    built_site.build()
    return built_site


def event(title="An Event", date='"2013-05"', kind="paper", topics="[vision]", extra="", body="A body."):
    """Text of a valid .md event, with fields to override or add."""
    return f"""---
title: {title}
date: {date}
kind: {kind}
topics: {topics}
importance: major
summary: Something happened.
links:
  - {{title: Source, url: "https://example.com/x"}}
{extra}---
{body}
"""
