"""Live preview: build, serve the output folder, rebuild and reload on change.

The server knows nothing about timelines: it is given a `builder` callable that
returns the problems of a rebuild (empty on success). Builds swap in only on
success, so a failed rebuild leaves the last good site being served; the
problems are printed and shown over every page by a small overlay script,
until a rebuild succeeds. The built files are never modified: the overlay is
added to HTML responses on the way out.
"""
from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from livereload import Server
from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from tornado import web
from tornado.websocket import WebSocketHandler

from .render import is_editor_file

log = logging.getLogger(__name__)

Builder = Callable[[], Sequence[str]]
DEV_PREFIX = "/__timeline-site/"
OVERLAY_TAG = f'<script src="{DEV_PREFIX}overlay.js" defer></script>'.encode()
OVERLAY_JS = """(function () {
  fetch("%sstatus.json", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (status) {
    if (!status.problems.length) return;
    var box = document.createElement("div");
    box.id = "timeline-site-errors";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1rem 1.25rem;border-top:4px solid #ff5c5c";
    var title = document.createElement("strong");
    title.textContent = "The last save broke the build (" + status.problems.length +
      " problem" + (status.problems.length === 1 ? "" : "s") + "). This is the last good version of the site.";
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:.6rem 0 0";
    list.textContent = status.problems.join("\\n");
    box.appendChild(title);
    box.appendChild(list);
    document.body.appendChild(box);
  });
})();
""" % DEV_PREFIX


class ChangeKind(enum.Enum):
    CONTENT = "content"
    TEMPLATE = "template"
    STATIC = "static"
    IGNORED = "ignored"


def classify_change(path: Path, content: Path, templates: Path, static: Path) -> ChangeKind:
    """What a changed file is: editors' swap, backup and hidden files are ignored."""
    if path.name.startswith("_") or is_editor_file(path.name):
        return ChangeKind.IGNORED
    for folder, kind in ((content, ChangeKind.CONTENT), (templates, ChangeKind.TEMPLATE), (static, ChangeKind.STATIC)):
        if path.resolve().is_relative_to(folder.resolve()):
            return kind
    return ChangeKind.IGNORED


class BuildStatus:
    """The problems of the last rebuild (empty when it succeeded)."""

    def __init__(self) -> None:
        self.problems: list[str] = []


class SiteHandler(StaticFileHandler):
    """Static files of the built site, with the overlay script added to HTML.

    Anything outside the site folder is a 404 (never a 403, which would tell
    that something exists there), and missing pages get the site's 404.html.
    """

    allowed_hosts: frozenset[str] = frozenset()
    """Set on the per-server subclass made by `_Server`."""

    def prepare(self) -> None:
        refuse_foreign_host(self, self.allowed_hosts)

    def parse_url_path(self, url_path: str) -> str:
        if "\x00" in url_path:  # os.path would raise on it
            raise web.HTTPError(404)
        return super().parse_url_path(url_path)

    def send_error(self, status_code: int = 500, **kwargs) -> None:
        # Tornado answers 403 for a path outside the root or not a regular file.
        super().send_error(404 if status_code == 403 else status_code, **kwargs)

    @classmethod
    def get_content(cls, abspath: str, start: int | None = None, end: int | None = None):
        if abspath.endswith(".html"):
            return with_overlay(Path(abspath).read_bytes())[start:end]
        return super().get_content(abspath, start, end)

    def get_content_size(self) -> int:
        if self.absolute_path.endswith(".html"):
            return len(with_overlay(Path(self.absolute_path).read_bytes()))
        return super().get_content_size()

    def write_error(self, status_code: int, **kwargs) -> None:
        page = Path(self.root) / "404.html"
        if status_code == 404 and page.is_file():
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(with_overlay(page.read_bytes()))
        else:
            super().write_error(status_code, **kwargs)


class DevHandler(web.RequestHandler):
    """`status.json` (the last rebuild's problems) and `overlay.js`."""

    def initialize(self, status: BuildStatus, hosts: frozenset[str]) -> None:
        self.status, self.hosts = status, hosts

    def prepare(self) -> None:
        refuse_foreign_host(self, self.hosts)

    def get(self, name: str) -> None:
        self.set_header("Cache-Control", "no-store")
        if name == "status.json":
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"problems": self.status.problems}))
        else:
            self.set_header("Content-Type", "text/javascript")
            self.finish(OVERLAY_JS)


LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def refuse_foreign_host(handler: web.RequestHandler, allowed: frozenset[str]) -> None:
    """A page on another site that re-points its DNS name at 127.0.0.1 (DNS rebinding)
    sends its own name as Host: refuse it, so that only this machine's names read the preview."""
    host = handler.request.host_name.lower()
    if host not in allowed:
        raise web.HTTPError(403, f"unexpected Host header {host!r}")


def guard_livereload(hosts: frozenset[str]) -> None:
    """Give livereload's own routes (the reload socket, /forcereload, /livereload.js) the
    checks of ours: this machine's names only, and a socket only from the preview's own pages.

    livereload accepts a socket from any origin, so a page on any site could open one and
    read the paths of the files being saved. Its routes are built inside the library, so its
    handler classes get the checks (one server per process)."""
    def prepare(handler: web.RequestHandler) -> None:
        refuse_foreign_host(handler, hosts)

    for handler in (LiveReloadHandler, ForceReloadHandler, LiveReloadJSHandler):
        handler.prepare = prepare
    LiveReloadHandler.check_origin = WebSocketHandler.check_origin  # Tornado's: same origin only


def with_overlay(html: bytes) -> bytes:
    return html.replace(b"</head>", OVERLAY_TAG + b"</head>", 1)


class _Server(Server):
    def __init__(self, status: BuildStatus, host: str):
        super().__init__()
        self.hosts = LOCAL_NAMES | {host.lower()}
        self.SFH = type("PreviewHandler", (SiteHandler,), {"allowed_hosts": self.hosts})
        self.status = status

    def get_web_handlers(self, script):
        dev = (DEV_PREFIX + r"(status\.json|overlay\.js)", DevHandler, {"status": self.status, "hosts": self.hosts})
        return [dev, *super().get_web_handlers(script)]


class LiveReloadServer:
    """Serve `root`, and rebuild with `builder` when anything under `watched` changes."""

    def __init__(self, builder: Builder, root: Path, watched: Sequence[Path], host: str = "127.0.0.1", port: int = 8000):
        self.builder, self.root, self.watched, self.host, self.port = builder, root, watched, host, port
        self.status = BuildStatus()

    def rebuild(self) -> bool:
        problems = list(self.builder())
        self.status.problems = problems
        for problem in problems:
            print(problem, flush=True)
        if problems:
            print(f"Build failed with {len(problems)} problem(s); still serving the last good site.", flush=True)
        return not problems

    def ignore(self, name: str) -> bool:
        content, templates, static = self.watched
        return classify_change(Path(name), content, templates, static) is ChangeKind.IGNORED

    def serve(self) -> None:
        server = _Server(self.status, self.host)
        guard_livereload(server.hosts)
        for folder in self.watched:
            server.watch(str(folder), self.rebuild, ignore=self.ignore)
        # livereload sees every file as new on its first look and reloads the pages for
        # nothing; then it drops any change within DEFAULT_RELOAD_TIME (3 s) of a reload,
        # so the first save after opening a page was lost. Look once now, and allow
        # reloads 0.5 s apart (the rebuild is done before the reload is sent).
        server.watcher.examine()
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0.5
        print(f"Serving {self.root} at http://{self.host}:{self.port}/ (Ctrl+C to stop)", flush=True)
        server.serve(root=str(self.root), host=self.host, port=self.port, open_url_delay=None,
                     restart_delay=0, default_filename="index.html")
