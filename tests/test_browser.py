"""The real site in real Chromium: what a reader sees, clicks, types and tabs through."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import serve_directory
from conftest import REPO
from playwright.sync_api import Page, expect

from timeline_site.build import build_site
from timeline_site.config import BuildOptions

SCREENSHOTS = REPO / "test-output" / "screenshots"
PAGES = {
    "home": "",
    "year": "years/2017/",
    "topic": "topics/nlp/",
    "kind": "kinds/chip/",
    "event": "events/transformer/",
    "data": "data/",
    "search": "search/",
}


def build_for_decade(content: Path, out: Path) -> None:
    build_site(BuildOptions(content, out, REPO / "templates", REPO / "static", base_url="https://example.org/decade/"))


@contextmanager
def serving(out: Path) -> Iterator[str]:
    """`out` served over HTTP, at the base URL yielded."""
    server, base = serve_directory(out)
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    """The project's own content, built for /decade/ and served over HTTP."""
    out = tmp_path_factory.mktemp("browser") / "_site"
    build_for_decade(REPO / "content", out)
    with serving(out) as base:
        yield base, out


@pytest.fixture
def page(browser, site_url):
    """A page that fails the test on any console error and records every host it contacts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.hosts = set()
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("request", lambda r: tab.hosts.add(urlsplit(r.url).hostname))
    yield tab
    context.close()


def goto(page: Page, site_url, path: str) -> None:
    base, _ = site_url
    response = page.goto(base + path)
    assert response.status == 200, path


@pytest.mark.parametrize("name", PAGES)
def test_each_page_kind_renders_without_errors_or_other_hosts(page, site_url, name):
    goto(page, site_url, PAGES[name])
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_be_visible()
    assert page.errors == []
    assert page.hosts == {"127.0.0.1"}


def test_home_shows_the_decade_strip_years_and_topics(page, site_url):
    goto(page, site_url, "")
    events = json.loads((site_url[1] / "events.json").read_text())["events"]
    expect(page.locator("svg.strip .dots a")).to_have_count(len(events))
    expect(page.locator("svg.strip .strip-label")).to_have_count(sum(e["importance"] == "landmark" for e in events))
    expect(page.locator(".year-card")).to_have_count(11)
    expect(page.locator(".topic-cards li").first).to_contain_text("Computer Vision")
    page.locator('svg.strip a[href$="/events/alexnet/"]').first.click()
    expect(page).to_have_url(site_url[0] + "events/alexnet/")


def test_strip_labels_do_not_overlap(page, site_url):
    goto(page, site_url, "")
    boxes = page.eval_on_selector_all("svg.strip .strip-label text", "els => els.map(e => e.getBBox()).map(b => [b.x, b.y, b.width, b.height])")
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            overlap = x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1
            assert not overlap, (x1, y1, x2, y2)
    width = page.eval_on_selector("svg.strip", "s => s.viewBox.baseVal.width")
    assert all(0 <= x and x + w <= width for x, _, w, _ in boxes)


def test_year_page_groups_by_month_and_links_years(page, site_url):
    goto(page, site_url, "years/2017/")
    expect(page.locator("h1")).to_have_text("2017")
    months = page.locator("section.month h2").all_inner_texts()
    assert months[0] == "January" and months == sorted(months, key=lambda m: (m.startswith("Sometime"), ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"].index(m) if not m.startswith("Sometime") else 12))
    expect(page.locator(".card.landmark")).to_contain_text("Attention Is All You Need")
    page.locator('.pager a[rel="next"]').first.click()
    expect(page).to_have_url(site_url[0] + "years/2018/")


def test_event_page_has_everything_a_reader_needs(page, site_url):
    goto(page, site_url, "events/alexnet/")
    expect(page.locator("h1")).to_have_text("ImageNet Classification with Deep Convolutional Neural Networks")
    expect(page.locator(".event-head time")).to_have_attribute("datetime", "2012-12")
    expect(page.locator(".citations")).to_contain_text("52,025 citations as of December 2019")
    expect(page.locator(".facts .links li").first).to_contain_text("primary source")
    expect(page.locator(".lineage-graph svg a.node")).not_to_have_count(0)
    expect(page.locator(".breadcrumb")).to_contain_text("2012")
    page.locator("details.cite summary").click()
    expect(page.locator("#bibtex")).to_contain_text("@inproceedings{krizhevsky2012imagenet")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "ScholarlyArticle" and data["name"].startswith("ImageNet Classification")


def test_filters_hide_and_show_the_right_events(page, site_url):
    goto(page, site_url, "years/2017/")
    cards = page.locator("article.card")
    total = cards.count()
    papers = page.locator('article.card[data-kind="paper"]').count()
    page.get_by_label("Papers").uncheck()
    expect(page.locator('article.card[data-kind="paper"]').first).to_be_hidden()
    expect(page.locator('article.card[data-kind="chip"]').first).to_be_visible()
    expect(page.locator(".filter-status")).to_have_text(f"Showing {total - papers} of {total} events.")
    page.get_by_label("Papers").check()
    page.locator('select[name="topic"]').select_option("hardware")
    for card in cards.all():
        assert card.is_visible() == ("hardware" in card.get_attribute("data-topics").split())
    page.locator('select[name="topic"]').select_option("")
    page.get_by_label("Notable").uncheck()
    page.get_by_label("Major").uncheck()
    for card in cards.all():
        assert card.is_visible() == (card.get_attribute("data-importance") == "landmark")


def test_home_filter_dims_strip_dots(page, site_url):
    goto(page, site_url, "")
    page.get_by_label("Chips", exact=True).uncheck()
    chip = page.locator('svg.strip .dots a[data-kind="chip"]').first
    expect(chip).to_have_class("k1 is-filtered")
    expect(chip).to_have_attribute("tabindex", "-1")


@pytest.mark.parametrize("query, expected", [("AlexNet", "/events/alexnet/"), ("Tensor Core", "/events/nvidia-volta-v100/"),
                                             ("Hinton", "/events/alexnet/")])
def test_search_finds_events(page, site_url, query, expected):
    goto(page, site_url, "years/2015/")
    box = page.get_by_role("searchbox", name="Search events")
    box.fill(query)
    results = page.locator("#search-results a")
    expect(results.first).to_be_visible()
    assert any(href.endswith(expected) for href in [a.get_attribute("href") for a in results.all()])
    box.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")


def test_search_page_reads_the_query(page, site_url):
    goto(page, site_url, "search/?q=word2vec")
    expect(page.locator("#search-page-results a").first).to_have_attribute("href", "/decade/events/word2vec/")


def test_keyboard_alone_reaches_an_event_from_home(page, site_url):
    goto(page, site_url, "")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(80):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if "/events/" in href:
            break
    else:
        pytest.fail("no event link reached by Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + getComputedStyle(document.activeElement.querySelector('circle') || document.activeElement).stroke")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url[0] + href.split("/decade/", 1)[1])
    expect(page.locator("h1")).to_be_visible()


def test_every_event_is_reachable_without_javascript(browser, site_url):
    base, out = site_url
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(base)
    expect(tab.locator("form.filters")).to_be_hidden()
    expect(tab.locator("form.search")).to_be_hidden()
    reachable = set()
    year_links = [a.get_attribute("href") for a in tab.locator(".year-nav a").all()]
    for href in year_links:
        tab.goto(urlsplit(base)._replace(path=href).geturl())
        reachable |= {a.get_attribute("href") for a in tab.locator("article.card h3 a").all()}
    events = json.loads((out / "events.json").read_text())["events"]
    assert reachable == {"/decade/events/" + e["id"] + "/" for e in events}
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(page, site_url, name):
    goto(page, site_url, PAGES[name])
    results = Axe().run(page)
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_contrast_in_both_colour_schemes(browser, site_url, dark):
    context = browser.new_context(color_scheme="dark" if dark else "light")
    tab = context.new_page()
    for path in ("", "years/2017/", "events/transformer/"):
        tab.goto(site_url[0] + path)
        results = Axe().run(tab, options={"runOnly": ["color-contrast"]})
        assert [v["id"] for v in results.response["violations"]] == [], path
    context.close()


def test_readable_at_360px_without_horizontal_scrolling(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    for path in PAGES.values():
        tab.goto(site_url[0] + path)
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    context.close()


def test_dark_mode_has_its_own_palette(browser, site_url):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(site_url[0])
        colours[scheme] = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours["light"] != colours["dark"]


def test_print_hides_navigation_and_shows_urls(page, site_url):
    goto(page, site_url, "events/transformer/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".pager")).to_be_hidden()
    after = page.evaluate("getComputedStyle(document.querySelector('.facts a[href^=\"http\"]'), '::after').content")
    assert "arxiv.org" in after


def test_missing_page_gets_the_404_page(page, site_url):
    response = page.goto(site_url[0] + "no/such/page/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")


def test_screenshots_of_each_page_kind(browser, site_url):
    """Written for a person to look at: test-output/screenshots/<page>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        tab = context.new_page()
        for name, path in PAGES.items():
            tab.goto(site_url[0] + path)
            target = SCREENSHOTS / f"{name}-{width}.png"
            tab.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
        context.close()


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory):
    """A generated corpus of 150 events over two centuries, built with the A–Z split from 40
    events on (instead of AZ_PAGE_LIMIT), and served over HTTP."""
    import sys

    from timeline_site import render
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from corpus import generate_corpus
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path_factory.mktemp("generated")
    generate_corpus(root, 150, seed=3)
    out = root / "_site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "AZ_PAGE_LIMIT", 40)
        build_for_decade(root / "content", out)
    with serving(out) as base:
        yield base, out


def test_a_long_timeline_lists_decades_and_still_reaches_every_year_without_javascript(browser, generated_site):
    """Past YEAR_NAV_LIMIT years the header links each decade, and a year page lists the years
    of its own decade: every year is two links from the home page."""
    base, out = generated_site
    years = {page.parent.name for page in (out / "years").glob("*/index.html")}
    assert len(years) > 100
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(base)
        nav = tab.locator(".year-nav a")
        decades = [(a.inner_text(), a.get_attribute("href")) for a in nav.all()]
        assert all(label.endswith("0s") for label, _ in decades) and len(decades) < 25
        assert tab.locator('.year-nav [aria-current="page"]').count() == 0
        reached = set()
        for label, href in decades:
            tab.goto(urlsplit(base)._replace(path=href).geturl())
            year = tab.locator("h1").inner_text().strip()
            expect(tab.locator('.year-nav [aria-current="page"]')).to_have_text(year)
            assert int(year) // 10 == int(label[:-1]) // 10  # "1950s" leads to a year of the 1950s
            reached |= {a.inner_text() for a in nav.all() if not a.inner_text().endswith("s")}
        assert reached == years
    finally:
        context.close()


def test_a_big_sites_a_to_z_has_a_page_per_initial_that_reaches_every_event(browser, generated_site):
    """No page lists the whole site: the search page links the A–Z's pages, each lists the
    events of its initial, and together they list every event once (without JavaScript)."""
    base, out = generated_site
    titles = {"/decade/events/" + e["id"] + "/": e["title"] for e in json.loads((out / "events.json").read_text())["events"]}
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(base + "search/")
        expect(tab.locator("ul.az")).to_have_count(0)
        letters = [(a.inner_text(), a.get_attribute("href")) for a in tab.locator(".az-nav a").all()]
        assert len(letters) > 10
        listed = []
        for label, href in letters:
            tab.goto(urlsplit(base)._replace(path=href).geturl())
            expect(tab.locator("h1")).to_have_text(f"Events A–Z: {label}")
            expect(tab.locator('.az-nav [aria-current="page"]')).to_have_text(label)
            links = [a.get_attribute("href") for a in tab.locator("ul.az a").all()]
            assert links and all(titles[link][:1].upper() == label for link in links)
            assert [titles[link].casefold() for link in links] == sorted(titles[link].casefold() for link in links)
            listed += links
        assert sorted(listed) == sorted(titles)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["search/", "search/b/", "years/1953/"])
def test_the_pages_of_a_big_site_pass_axe(page, generated_site, path):
    base, _ = generated_site
    page.goto(base + path)
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
