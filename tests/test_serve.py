"""The dev server, tested with a real HTTP client against a real process."""
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import REPO
from playwright.sync_api import expect

from timeline_site.serve import ChangeKind, classify_change


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    return False


@pytest.fixture
def server(site):
    root = site.content.parent
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    port = free_port()
    log = open(root / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "timeline_site", "serve", "--port", str(port)],
                            cwd=root, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: fetch(url)[0] == 200), (root / "serve.log").read_text()
        yield url, site, root / "serve.log"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_serves_the_site_with_live_reload_at_the_root(server):
    url, site, _ = server
    status, html = fetch(url + "events/alexnet/")
    assert status == 200
    assert "ImageNet Classification" in html
    assert 'href="/events/gpu-chip/"' in html  # links work from the root, not /decade/
    assert "livereload.js" in html


def test_rebuilds_after_a_change_and_keeps_the_last_good_site_on_error(server):
    url, site, log = server
    page = site.content / "events/2013/gpu-chip.yaml"
    page.write_text(page.read_text().replace("A Fast GPU", "A Faster GPU"))
    assert wait_for(lambda: "A Faster GPU" in fetch(url + "events/gpu-chip/")[1]), log.read_text()

    page.write_text(page.read_text().replace("kind: chip", "kind: chipp"))
    assert wait_for(lambda: "unknown kind 'chipp'" in log.read_text()), log.read_text()
    status, html = fetch(url + "events/gpu-chip/")
    assert status == 200 and "A Faster GPU" in html
    problems = json.loads(fetch(url + "__timeline-site/status.json")[1])["problems"]
    assert problems == ["events/2013/gpu-chip.yaml:3: kind: unknown kind 'chipp' (did you mean 'chip'?); "
                        "kinds are: paper, chip, milestone"]

    page.write_text(page.read_text().replace("kind: chipp", "kind: chip").replace("A Faster GPU", "A Fixed GPU"))
    assert wait_for(lambda: "A Fixed GPU" in fetch(url + "events/gpu-chip/")[1]), log.read_text()
    assert json.loads(fetch(url + "__timeline-site/status.json")[1]) == {"problems": []}


def open_live(tab, url):
    """Open a page and wait until the live-reload server knows it (its hello handshake)."""
    with tab.expect_websocket(lambda ws: ws.url.endswith("/livereload")) as connecting:
        tab.goto(url)
    connecting.value.wait_for_event("framereceived", lambda frame: '"hello"' in str(frame))


def test_overlay_shows_the_errors_in_the_browser_and_clears(server, browser):
    """No reload() by the test: the page reloads itself after each save."""
    url, site, log = server
    page = site.content / "events/2013/gpu-chip.yaml"
    tab = browser.new_page()
    open_live(tab, url + "events/alexnet/")
    expect(tab.locator("#timeline-site-errors")).to_have_count(0)
    page.write_text(page.read_text().replace("kind: chip", "kind: chipp"))
    expect(tab.locator("#timeline-site-errors")).to_contain_text("unknown kind 'chipp'", timeout=30_000)
    expect(tab.locator("h1")).to_have_text("ImageNet Classification with Deep Convolutional Neural Networks")
    page.write_text(page.read_text().replace("kind: chipp", "kind: chip"))
    expect(tab.locator("#timeline-site-errors")).to_have_count(0, timeout=30_000)
    tab.close()


def test_missing_pages_and_paths_outside_the_site_get_the_404_page(server):
    url, site, _ = server
    (site.content.parent / "secret.txt").write_text("do not serve me")
    for path in ("no/such/page/", "../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt"):
        status, body = fetch(url + path)
        assert status == 404 and "Page not found" in body and "do not serve me" not in body, path


def test_classify_change(tmp_path):
    content, templates, static = tmp_path / "content", tmp_path / "templates", tmp_path / "static"
    assert classify_change(content / "events/2012/a.md", content, templates, static) is ChangeKind.CONTENT
    assert classify_change(templates / "base.html", content, templates, static) is ChangeKind.TEMPLATE
    assert classify_change(static / "style.css", content, templates, static) is ChangeKind.STATIC
    assert classify_change(content / "events/.a.md.swp", content, templates, static) is ChangeKind.IGNORED
    assert classify_change(content / "events/2012/a.md~", content, templates, static) is ChangeKind.IGNORED
    assert classify_change(tmp_path / "README.md", content, templates, static) is ChangeKind.IGNORED


def test_a_foreign_host_name_is_refused(server):
    """DNS rebinding: another site's name pointed at 127.0.0.1 must not read the preview."""
    import http.client
    url, _, _ = server
    port = int(url.rsplit(":", 1)[1].strip("/"))
    for host, expected in (("evil.example", 404), (f"localhost:{port}", 200), (f"127.0.0.1:{port}", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/", headers={"Host": host})
        assert conn.getresponse().status == expected, host
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/__timeline-site/status.json", headers={"Host": "evil.example"})
    assert conn.getresponse().status == 403
    conn.close()


def test_open_pages_reload_by_themselves_after_a_save(server, browser):
    url, site, log = server
    tab = browser.new_page()
    open_live(tab, url + "events/gpu-chip/")
    expect(tab.locator("h1")).to_have_text("A Fast GPU")
    page = site.content / "events/2013/gpu-chip.yaml"
    page.write_text(page.read_text().replace("A Fast GPU", "A Reloaded GPU"))
    expect(tab.locator("h1")).to_have_text("A Reloaded GPU", timeout=30_000)  # no reload() here: livereload does it
    tab.close()


def handshake(port: int, origin: str, host: str | None = None) -> int:
    """The status of a WebSocket opening handshake on the reload socket."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/livereload", headers={
        "Host": host or f"127.0.0.1:{port}", "Origin": origin, "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_reload_socket_opens_only_for_the_previews_own_pages(server):
    """Another site's page must not open it (it tells which files are being saved), nor
    another name for 127.0.0.1; livereload's other routes check the name too."""
    import http.client
    url, _, _ = server
    port = int(url.rsplit(":", 1)[1].strip("/"))
    assert handshake(port, f"http://127.0.0.1:{port}") == 101
    assert handshake(port, f"http://localhost:{port}", host=f"localhost:{port}") == 101
    assert handshake(port, "https://evil.example") == 403
    assert handshake(port, "null") == 403
    assert handshake(port, "http://evil.example", host="evil.example") == 403
    for path in ("/forcereload", "/livereload.js"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path, headers={"Host": "evil.example"})
        assert conn.getresponse().status == 403, path
        conn.close()
