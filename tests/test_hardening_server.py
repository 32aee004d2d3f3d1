"""The dev server holds: loopback only, nothing outside the site folder, the last good site through
a run of broken saves, and a bounded load. A real process, queried with http.client so that request
paths are sent exactly as written (urllib would normalise them)."""
from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from conftest import MINIMAL, REPO

SECRET = f"TOP-SECRET-{uuid.uuid4().hex}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for(predicate, timeout: float = 30.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(step)
    return False


class DevServer:
    """`timeline-site serve` on a free port in a project folder; its terminal output goes to a log."""

    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.log_path = root / "serve.log"
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "timeline_site", "serve", "--port", str(self.port)],
                                     cwd=root, stdout=self.log_file, stderr=subprocess.STDOUT)
        if not wait_for(lambda: get(self.port, "/")[0] == 200):
            self.stop()
            pytest.fail(f"the server did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log_file.close()


def make_project(root: Path) -> Path:
    shutil.copytree(MINIMAL, root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    (root / "secret.txt").write_text(SECRET)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    dev = DevServer(make_project(tmp_path_factory.mktemp("served")))
    yield dev
    dev.stop()


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for name in ("tcp", "tcp6"):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for row in table.read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                if name == "tcp":
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


def test_binds_to_loopback_only_by_default(server):
    assert listening_addresses(server.port) == {"127.0.0.1"}


TRAVERSALS = [
    "/../secret.txt", "/../../secret.txt", "/static/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
    "/.%2e/secret.txt", "/%2e./secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/..%2Fsecret.txt",
    "/static/..%2f..%2fsecret.txt", "/static%2f..%2f..%2fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt",
    "/%252e%252e/secret.txt", "/..;/secret.txt", "//secret.txt", "/%2fsecret.txt", "/../content/site.yaml",
    "/%2e%2e/content/site.yaml", "/../serve.log", "//etc/passwd", "/%2fetc%2fpasswd", "/%2Fetc%2Fpasswd",
    "/etc/passwd", "/../../../../../../../../etc/passwd", "/content/site.yaml", "/%00", "/index.html%00.txt",
    "/secret.txt%00", "/%2e%2e%00/secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_site_folder_is_served(server, path):
    status, body = get(server.port, path)
    assert SECRET.encode() not in body and b"root:" not in body and b"base_url" not in body
    assert status == 404, (path, status, body[:200])


@pytest.mark.parametrize("path", ["/%c0%ae%c0%ae/secret.txt", "/%ff%fe/secret.txt",
                                  "http://127.0.0.1/../secret.txt", "/" + "a/" * 2000 + "../secret.txt"])
def test_odd_request_paths_are_refused(server, path):
    status, body = get(server.port, path)
    assert SECRET.encode() not in body
    assert status in (400, 404, 414), (path, status)


def test_absolute_path_of_a_file_outside_is_not_served(server):
    path = (server.root / "secret.txt").resolve()
    for raw in ("/" + str(path).lstrip("/"), "//" + str(path).lstrip("/"), str(path).replace("/", "%2f")):
        status, body = get(server.port, raw if raw.startswith("/") else "/" + raw)
        assert status == 404 and SECRET.encode() not in body, raw


def test_a_bounded_load_on_loopback_completes_without_errors(server):
    """100 concurrent clients x 20 requests each, over keep-alive connections."""
    paths = ["/", "/events/alexnet/", "/years/2013/", "/static/style.css", "/search.json", "/no-such-page/"]
    expected = {p: 404 if p == "/no-such-page/" else 200 for p in paths}
    errors: list[str] = []
    done = []
    start = threading.Barrier(100)

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            start.wait()
            for i in range(20):
                path = paths[(n + i) % len(paths)]
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                if response.status != expected[path] or (response.status == 200 and not body):
                    errors.append(f"{path}: {response.status}")
                done.append(1)
        except Exception as error:  # any failure of any client fails the test
            errors.append(f"client {n}: {error!r}")
        finally:
            conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(done) == 2000
    assert time.monotonic() - started < 60
    assert get(server.port, "/events/alexnet/")[0] == 200  # and it still answers


# -- a run of broken saves ---------------------------------------------------------------------

GPU = "events/2013/gpu-chip.yaml"
GOOD = (MINIMAL / GPU).read_text()
# (what the save writes, a line the terminal shows for it)
BROKEN_SAVES = [
    (lambda i: GOOD.replace("kind: chip", f"kind: bad-{i}"), lambda i: f"{GPU}:3: kind: unknown kind 'bad-{i}'"),
    (lambda i: "", lambda i: f"{GPU}:1: empty YAML document"),
    (lambda i: b"\x00\x01" * (i + 1), lambda i: f"{GPU}:?: binary file: content files must be UTF-8 text"),
    (lambda i: GOOD.replace("  - {title", "\t- {title"), lambda i: f"{GPU}:9: invalid YAML: a tab character"),
    (lambda i: "a: &a [x, x]\nb: [*a, *a]\n", lambda i: f"{GPU}:1: YAML anchors and aliases"),
    (lambda i: "x: " + "[" * 100 + "]" * 100, lambda i: f"{GPU}:1: YAML is nested more than 32 levels deep"),
    (lambda i: GOOD.replace("title: A Fast GPU", "title: !!python/object/apply:os.system ['true']"),
     lambda i: f"{GPU}:1: invalid YAML: tags such as"),
    (lambda i: GOOD.replace("title: A Fast GPU", 'title: "A Fast GPU'), lambda i: f"{GPU}:1: invalid YAML: the quote"),
    (lambda i: GOOD.encode().replace(b"A Fast GPU", b"A Fast GP\xff"), lambda i: f"{GPU}:1: not valid UTF-8"),
    (lambda i: GOOD.replace("date: 2013", "date: 2013-02-30"), lambda i: f"{GPU}:2: date: date 2013-02-30 does not exist"),
]


@pytest.fixture
def save_server(tmp_path):
    dev = DevServer(make_project(tmp_path))
    yield dev
    dev.stop()


def test_fifty_broken_saves_are_each_reported_and_the_last_good_site_served(save_server):
    dev = save_server
    page = dev.root / "content" / GPU
    assert b"A Fast GPU" in get(dev.port, "/events/gpu-chip/")[1]
    for i in range(50):
        make, shown = BROKEN_SAVES[i % len(BROKEN_SAVES)]
        line = shown(i)
        seen = dev.log().count(line)
        data = make(i)
        page.write_bytes(data if isinstance(data, bytes) else data.encode())
        assert wait_for(lambda: dev.log().count(line) > seen, timeout=20), f"save {i}: no {line!r} in\n{dev.log()}"
        if i % 10 == 9:
            status, body = get(dev.port, "/events/gpu-chip/")
            assert status == 200 and b"A Fast GPU" in body, f"save {i}: the last good page is gone"
    assert dev.proc.poll() is None, "the server died"
    assert "Traceback" not in dev.log()
    assert dev.log().count("still serving the last good site") >= 50
    page.write_text(GOOD.replace("A Fast GPU", "A Fixed GPU"))
    assert wait_for(lambda: b"A Fixed GPU" in get(dev.port, "/events/gpu-chip/")[1], timeout=20), dev.log()
    assert b"A Fast GPU" not in get(dev.port, "/events/gpu-chip/")[1]
