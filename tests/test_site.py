"""End to end: build the sample site and read the pages as a reader gets them."""
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

BASE = "/decade/"


def all_pages(out: Path):
    return sorted(p for p in out.rglob("*.html"))


def test_every_page_exists(built):
    expected = ["index.html", "404.html", "years/2012/index.html", "years/2015/index.html",
                "topics/vision/index.html", "kinds/chip/index.html", "events/alexnet/index.html",
                "feed.xml", "sitemap.xml", "events.json", "events.csv", "events.bib", "search.json",
                "static/style.css", "static/pygments.css", "data/index.html", "search/index.html"]
    for rel in expected:
        assert (built.out / rel).is_file(), rel
    assert not (built.out / "events/secret-draft").exists()


def test_internal_links_resolve(built):
    for page in all_pages(built.out):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or urlsplit(url).scheme or url.startswith("#"):
                    continue
                assert url.startswith(BASE), (page, url)
                target = built.out / urlsplit(url).path[len(BASE):]
                if target.is_dir() or url.endswith("/"):
                    target = target / "index.html"
                assert target.is_file(), f"{page}: broken link {url}"


def test_one_h1_and_titles(built):
    for page in all_pages(built.out):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        assert len(soup.find_all("h1")) == 1, page
        assert soup.title.string.strip()
    soup = built.page("events/alexnet/index.html")
    assert soup.h1.string == "ImageNet Classification with Deep Convolutional Neural Networks"
    assert soup.title.string == "ImageNet Classification with Deep Convolutional Neural Networks · Test Timeline"


def test_dates_are_shown_at_their_precision(built):
    year = built.page("years/2013/index.html")
    time = year.find("time")
    assert (time["datetime"], time.string) == ("2013", "2013")
    assert year.find("h2", string="Sometime in 2013")
    event = built.page("events/alexnet/index.html").find("time")
    assert (event["datetime"], event.string) == ("2012-09", "September 2012")
    assert built.page("events/resnet-lite/index.html").find("time").string == "5 March 2014"


def test_event_page_shows_math_code_links_lineage(built):
    soup = built.page("events/alexnet/index.html")
    body = soup.find(class_="body")
    assert body.find("math") is not None and body.find("math", display="block") is not None
    assert body.find("div", class_="highlight").find("span", class_="k").string == "def"
    xrefs = {a["href"]: a.get_text() for a in body.find_all("a", class_="xref")}
    assert xrefs == {"/decade/events/resnet-lite/": "Residual Learning, Lite", "/decade/events/gpu-chip/": "a new chip"}
    lists = soup.find(class_="lineage-lists")
    assert [a.get_text() for a in lists.find_all("a")] == ["A Fast GPU", "Residual Learning, Lite"]
    graph = soup.find(class_="lineage-graph").find("svg")
    nodes = {a["href"]: a.find("title").string for a in graph.find_all("a")}
    assert nodes == {"/decade/events/alexnet/": "ImageNet Classification with Deep Convolutional Neural Networks (2012)",
                     "/decade/events/gpu-chip/": "A Fast GPU (2013)",
                     "/decade/events/resnet-lite/": "Residual Learning, Lite (2014)"}
    # gpu-chip and resnet-lite both sit one generation on: only edges between generations are drawn
    assert len(graph.find_all("path", class_="edge")) == 2
    assert "52,025 citations as of" in soup.find(class_="citations").get_text()


def test_planted_script_and_handlers_are_gone(built):
    html = (built.out / "events/alexnet/index.html").read_text().lower()
    assert "<script>alert" not in html and "onclick" not in html and "javascript:" not in html
    assert "bad link" in html  # the text stays, the behaviour goes


def test_empty_year_says_so(built):
    assert "No events of 2015" in built.page("years/2015/index.html").get_text()


def test_events_json_has_every_field_url_and_lineage(built):
    data = json.loads((built.out / "events.json").read_text())
    by_id = {e["id"]: e for e in data["events"]}
    assert set(by_id) == {"alexnet", "gpu-chip", "resnet-lite"}
    a = by_id["alexnet"]
    assert a["url"] == "https://example.org/decade/events/alexnet/"
    assert a["date"] == "2012-09" and a["date_precision"] == "month"
    assert a["led_to"] == ["gpu-chip", "resnet-lite"] and a["builds_on"] == []
    assert a["citations"] == {"count": 52025, "as_of": "2019-12"}
    assert a["authors"][0] == "Alex Krizhevsky" and a["venue"] == "NeurIPS 2012"
    assert by_id["resnet-lite"]["arxiv"] == "1512.03385"


def test_feed_is_valid_atom(built):
    root = ET.parse(built.out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:title", "a:id", "a:updated"):
        assert root.find(required, ns) is not None
    entries = root.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries][0] == "Residual Learning, Lite"  # newest first
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.find("a:updated", ns).text)
        assert entry.find("a:link", ns).get("href").startswith("https://example.org/decade/")


def test_sitemap_lists_every_page(built):
    root = ET.parse(built.out / "sitemap.xml").getroot()
    locs = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/decade/events/alexnet/" in locs
    assert len(locs) == len(all_pages(built.out)) - 3  # every page but 404, data and search


def test_site_at_the_root_has_root_links(site):
    site.build(base_url="http://127.0.0.1:8000/")
    soup = site.page("events/alexnet/index.html")
    assert soup.find("link", rel="canonical")["href"] == "http://127.0.0.1:8000/events/alexnet/"
    assert soup.find("a", class_="site-title")["href"] == "/"


def test_open_graph_and_canonical(built):
    soup = built.page("events/alexnet/index.html")
    assert soup.find("meta", property="og:url")["content"] == "https://example.org/decade/events/alexnet/"
    assert soup.find("meta", attrs={"name": "description"})["content"].startswith("A deep convolutional network")
