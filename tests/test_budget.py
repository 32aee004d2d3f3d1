"""Budgets that hold for every page of the real site."""
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO

from timeline_site.build import build_site
from timeline_site.config import BuildOptions

LIMIT = 100_000


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("budget") / "_site"
    build_site(BuildOptions(REPO / "content", out, REPO / "templates", REPO / "static"))
    return out


def page_weight(page: Path, out: Path) -> int:
    """HTML plus every stylesheet and script it loads from the site."""
    soup = BeautifulSoup(page.read_text(), "html.parser")
    total = page.stat().st_size
    for tag, attr in (("link", "href"), ("script", "src")):
        for el in soup.find_all(tag):
            url = el.get(attr)
            if url and (tag == "script" or "stylesheet" in el.get("rel", [])):
                total += (out / url.removeprefix("/decade/")).stat().st_size
    return total


def test_every_page_is_under_100_kb_with_its_css_and_js(real_site):
    weights = {str(p.relative_to(real_site)): page_weight(p, real_site) for p in real_site.rglob("*.html")}
    heavy = {p: w for p, w in weights.items() if w >= LIMIT}
    assert heavy == {}
    assert weights["index.html"] > 20_000  # the home page really is measured


def test_no_page_refers_to_another_host_for_resources(real_site):
    for page in real_site.rglob("*.html"):
        html = page.read_text()
        for tag in re.findall(r"<(?:link|script|img|iframe|source|video|audio)\b[^>]*>", html):
            if 'rel="canonical"' in tag or 'rel="alternate"' in tag:
                continue  # addresses of this page, not resources to load
            assert not re.search(r'(?:href|src)="(?:https?:)?//', tag), (page, tag)
        assert "@import" not in html and "fonts.googleapis" not in html
