"""Check a built site: every internal link, #fragment and asset resolves.

Looks at the href/src of <a>, <link>, <img> and <script> in every .html file of the
output folder. Links into the site (relative, `/base/path/...`, or absolute under
base_url) must name a file that exists, and a #fragment must name an id (or an
<a name>) on the target page. External links are checked for form only: there is
no network access here, and a link that works today may not tomorrow.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from .errors import ContentError

log = logging.getLogger(__name__)

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src"}
FORM_ONLY_SCHEMES = {"mailto", "tel"}


@dataclass(frozen=True)
class Reference:
    """One URL found in a page."""

    url: str
    line: int
    tag: str


@dataclass(frozen=True)
class PageScan:
    ids: frozenset[str]
    """Every id (and <a name>) on the page: the valid #fragments."""
    references: tuple[Reference, ...]


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.references: list[Reference] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        self.ids.update(v for k, v in values.items() if k == "id" or (k == "name" and tag == "a"))
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute in values:
            self.references.append(Reference(values[attribute].strip(), self.getpos()[0], tag))


def scan_page(html: str) -> PageScan:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return PageScan(frozenset(scanner.ids), tuple(scanner.references))


@dataclass(frozen=True)
class Site:
    """A built site: its folder, its address and every page's ids and links."""

    root: Path
    base: SplitResult
    """base_url, split; its path ends with '/'."""
    pages: dict[PurePosixPath, PageScan]


def check_links(site_dir: Path, base_url: str) -> list[ContentError]:
    """Every broken link of the built site in site_dir, as `page:line: message` (page relative to it)."""
    base = urlsplit(base_url if base_url.endswith("/") else base_url + "/")
    pages = {PurePosixPath(p.relative_to(site_dir).as_posix()): scan_page(p.read_text(encoding="utf-8"))
             for p in sorted(site_dir.rglob("*.html"))}
    site = Site(site_dir, base, pages)
    found: dict[str, list[tuple[PurePosixPath, int]]] = {}
    for rel, scan in pages.items():
        for ref in scan.references:
            if problem := check_reference(site, page_url(base.path, rel), ref.url):
                found.setdefault(f"<{ref.tag}> {ref.url or '(empty)'}: {problem}", []).append((rel, ref.line))
    return [_first_of(message, places) for message, places in found.items()]


def _first_of(message: str, places: list[tuple[PurePosixPath, int]]) -> ContentError:
    """One error per broken link: where it first appears, and on how many other pages (a template's link)."""
    (rel, line), others = places[0], len({page for page, _ in places[1:]} - {places[0][0]})
    return ContentError(rel, line, message + (f" (also on {others} other page{'s' * (others != 1)})" if others else ""))


def page_url(base_path: str, rel: PurePosixPath) -> str:
    """The URL path a page is served at: `events/x/index.html` -> `/base/events/x/`."""
    text = str(rel)
    return base_path + (text[: -len("index.html")] if rel.name == "index.html" else text)


def check_reference(site: Site, from_url: str, url: str) -> str | None:
    """What is wrong with one link of the page at from_url, or None."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        return f"malformed URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme in ("", "http", "https") and _is_internal(parts, site.base):
        return _check_internal(site, urlsplit(urljoin(from_url, url)) if not parts.netloc else parts)
    if scheme in ("http", "https", ""):
        return _check_external_form(parts)
    if scheme in FORM_ONLY_SCHEMES:
        return None if parts.path.strip() else f"empty {scheme}: link"
    if scheme == "data":
        return None
    return f"unsupported URL scheme '{scheme}:'"


def _is_internal(parts: SplitResult, base: SplitResult) -> bool:
    """Relative URLs, and absolute ones on base_url's host under its path."""
    if not parts.netloc:
        return not parts.scheme
    return parts.netloc.lower() == base.netloc.lower() and unquote(parts.path or "/").startswith(base.path)


def _check_external_form(parts: SplitResult) -> str | None:
    if not parts.netloc or any(c.isspace() for c in parts.geturl()):
        return "not a well-formed absolute URL"
    return None


def _check_internal(site: Site, target: SplitResult) -> str | None:
    path = unquote(target.path)
    if not path.startswith(site.base.path):
        return f"points outside the site (its pages are under {site.base.path})"
    rel = PurePosixPath(path[len(site.base.path):] + ("index.html" if path.endswith("/") else ""))
    file = site.root / rel
    if not file.resolve().is_relative_to(site.root.resolve()):
        return "points outside the site folder"
    if file.is_dir() and (file / "index.html").is_file():
        rel, file = rel / "index.html", file / "index.html"
    if not file.is_file():
        return f"no such page or file: {rel}"
    fragment = unquote(target.fragment)
    if fragment and rel in site.pages and fragment not in site.pages[rel].ids:
        return f"no element with id '{fragment}' on {rel}"
    return None
