"""The link checker of `timeline-site check --links`: internal links, #anchors and assets of a built site."""
import shutil
import subprocess
import sys
import textwrap
from pathlib import PurePosixPath

import pytest
from conftest import REPO

from timeline_site.linkcheck import check_links, page_url, scan_page

BASE_URL = "https://example.org/decade/"


@pytest.fixture
def built_copy(built, tmp_path):
    """A copy of the built sample site that a test may break."""
    out = tmp_path / "_site"
    shutil.copytree(built.out, out)
    return out


def test_the_built_sample_site_has_no_broken_link(built):
    assert [str(e) for e in check_links(built.out, BASE_URL)] == []


PLANTED = textwrap.dedent("""\
    <!doctype html>
    <html><head>
    <link rel="stylesheet" href="/decade/static/style.css">
    <script src="../static/missing.js"></script>
    </head><body><main id="main">
    <a href="#main">ok: an id on this page</a>
    <a href="/decade/events/nope/">a page that was never built</a>
    <img src="/decade/images/missing.png" alt="">
    <a href="/decade/events/alexnet/#no-such-id">a missing anchor</a>
    <a href="https://example.org/decade/years/2099/">absolute, into the site</a>
    <a href="/elsewhere/">outside the base path</a>
    <a href="https://example.com/ok">ok: external</a>
    <a href="http://">malformed external</a>
    <a href="javascript:alert(1)">script</a>
    <a href="mailto:someone@example.org">ok: mail</a>
    <a href="#fn:1">a fragment that is not here</a>
    </main></body></html>
    """)


def test_catches_planted_broken_links_and_missing_assets(built_copy):
    (built_copy / "planted").mkdir()
    (built_copy / "planted/index.html").write_text(PLANTED, encoding="utf-8")
    errors = [str(e) for e in check_links(built_copy, BASE_URL)]
    assert errors == [
        "planted/index.html:4: <script> ../static/missing.js: no such page or file: static/missing.js",
        "planted/index.html:7: <a> /decade/events/nope/: no such page or file: events/nope/index.html",
        "planted/index.html:8: <img> /decade/images/missing.png: no such page or file: images/missing.png",
        "planted/index.html:9: <a> /decade/events/alexnet/#no-such-id: no element with id 'no-such-id' "
        "on events/alexnet/index.html",
        "planted/index.html:10: <a> https://example.org/decade/years/2099/: no such page or file: years/2099/index.html",
        "planted/index.html:11: <a> /elsewhere/: points outside the site (its pages are under /decade/)",
        "planted/index.html:13: <a> http://: not a well-formed absolute URL",
        "planted/index.html:14: <a> javascript:alert(1): unsupported URL scheme 'javascript:'",
        "planted/index.html:16: <a> #fn:1: no element with id 'fn:1' on planted/index.html",
    ]


def test_a_missing_asset_is_found_once_with_the_count_of_other_pages(built_copy):
    (built_copy / "static/style.css").unlink()
    errors = [str(e) for e in check_links(built_copy, BASE_URL)]
    assert len(errors) == 1
    assert "<link> /decade/static/style.css: no such page or file: static/style.css (also on " in errors[0]


def test_links_out_of_the_site_folder_are_refused(built_copy):
    (built_copy / "planted.html").write_text('<a href="/decade/%2e%2e/%2e%2e/etc/passwd">x</a>', encoding="utf-8")
    assert [e.message for e in check_links(built_copy, BASE_URL)] == [
        "<a> /decade/%2e%2e/%2e%2e/etc/passwd: points outside the site folder"]


def test_page_urls_and_ids():
    assert page_url("/decade/", PurePosixPath("events/x/index.html")) == "/decade/events/x/"
    scan = scan_page('<p id="a"><a name="b" href="#a">x</a><img src="i.png"><a>no href</a>')
    assert scan.ids == {"a", "b"} and [r.url for r in scan.references] == ["#a", "i.png"]


def test_check_links_command_fails_on_a_broken_link_in_a_template(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(REPO / "tests/sites/minimal", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    base = root / "templates/base.html"
    base.write_text(base.read_text().replace("</body>", '<a href="{{ site.base_path }}no-such-page/">x</a>\n</body>'))
    run = [sys.executable, "-m", "timeline_site", "check"]
    assert subprocess.run(run, cwd=root, capture_output=True, text=True).returncode == 0
    result = subprocess.run(run + ["--links"], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "<a> /decade/no-such-page/: no such page or file: no-such-page/index.html (also on" in result.stderr
    assert result.stderr.startswith("_site/") and "Traceback" not in result.stderr
    assert not (root / "_site").exists()
