"""Markdown to safe HTML: footnotes, tables, definition lists, highlighted code,
TeX math as MathML, `[[id]]` cross references, and an allow-list sanitizer.

Bodies come from strangers' pull requests, so the *whole* rendered HTML passes
through nh3 (Ammonia) at the end: MathML and Pygments markup are allowed
explicitly; scripts, event handlers and `javascript:`/`data:` URLs never are.
"""
from __future__ import annotations

import functools
import logging
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import latex2mathml.converter
import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from pygments.formatters import HtmlFormatter

log = logging.getLogger(__name__)

Resolver = Callable[[str], tuple[str, str] | None]
"""Maps an event id to (url, title), or None if it is not published."""

MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded",
    "mphantom", "menclose", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
}
MATHML_ATTRIBUTES = {
    "display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder",
    "lspace", "rspace", "columnalign", "rowspacing", "columnspacing", "width", "height", "depth",
    "minsize", "maxsize", "movablelimits", "linethickness", "displaystyle", "scriptlevel",
    "notation", "form", "symmetric", "largeop", "encoding", "columnlines", "rowlines", "frame",
}
HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "div": {"tabindex", "role", "aria-label"},
} | {tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS}

DISPLAY_MATH = r"(?<!\\)\$\$(.+?)\$\$"
INLINE_MATH = r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\d$\w])"
XREF = r"\[\[([a-z0-9-]+)(?:\|([^\]\n]+))?\]\]"
TOO_DEEP = "Markdown is nested too deeply to render: simplify its lists, quotes or definition lists"


@dataclass
class Rendered:
    html: str
    problems: list[str] = field(default_factory=list)
    """Messages about the source (bad TeX), to be located by the caller."""


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for one formula (a pure function: the same TeX recurs across bodies)."""
    return latex2mathml.converter.convert(tex, display="block" if display else "inline")


class MathProcessor(InlineProcessor):
    """`$...$` and `$$...$$` -> MathML, stashed so no other pattern touches it."""

    def __init__(self, pattern: str, md: markdown.Markdown, display: bool, problems: list[str]):
        super().__init__(pattern, md)
        self.display, self.problems = display, problems

    def handleMatch(self, m: re.Match, data: str):
        tex = m.group(1).strip()
        try:
            mathml = tex_to_mathml(tex, self.display)
        except Exception as exc:  # latex2mathml raises many types for bad TeX
            self.problems.append(f"cannot render math ${tex}$: {exc or type(exc).__name__}")
            return None, None, None
        if self.display:  # a wide equation scrolls in its own box, reachable by keyboard
            mathml = f'<div class="math-display" tabindex="0" role="region" aria-label="Equation">{mathml}</div>'
        return self.md.htmlStash.store(mathml), m.start(0), m.end(0)


class XrefProcessor(InlineProcessor):
    """`[[id]]` and `[[id|text]]` -> a link to that event."""

    def __init__(self, pattern: str, md: markdown.Markdown, resolve: Resolver):
        super().__init__(pattern, md)
        self.resolve = resolve

    def handleMatch(self, m: re.Match, data: str):
        target = self.resolve(m.group(1))
        label = (m.group(2) or "").strip()
        if target is None:  # not published (a draft): keep the words, drop the link
            span = etree.Element("span")
            span.text = label or m.group(1)
            return span, m.start(0), m.end(0)
        link = etree.Element("a", {"href": target[0], "class": "xref"})
        link.text = label or target[1]
        return link, m.start(0), m.end(0)


class TimelineExtension(Extension):
    def __init__(self, resolve: Resolver, problems: list[str]):
        super().__init__()
        self.resolve, self.problems = resolve, problems

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.ESCAPED_CHARS.append("$")
        md.inlinePatterns.register(XrefProcessor(XREF, md, self.resolve), "xref", 187)
        md.inlinePatterns.register(MathProcessor(DISPLAY_MATH, md, True, self.problems), "display_math", 186)
        md.inlinePatterns.register(MathProcessor(INLINE_MATH, md, False, self.problems), "inline_math", 185)


def render_markdown(text: str, resolve: Resolver = lambda _id: None) -> Rendered:
    """Render one body. A new Markdown instance each time: no state leaks between bodies."""
    problems: list[str] = []
    md = markdown.Markdown(
        extensions=["footnotes", "tables", "fenced_code", "def_list", "codehilite", "sane_lists",
                    TimelineExtension(resolve, problems)],
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False},
                           "footnotes": {"BACKLINK_TITLE": "Back to the text"}},
        output_format="html",
    )
    try:
        html = md.convert(text)
    except RecursionError:  # Python-Markdown recurses on some structures (e.g. long definition lists)
        return Rendered("", [TOO_DEEP])
    return Rendered(sanitize(html), problems)


def sanitize(html: str) -> str:
    return _cleaner().clean(html)


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """One allow-list sanitizer, built once (it is immutable)."""
    return nh3.Cleaner(tags=HTML_TAGS | MATHML_TAGS, attributes=ATTRIBUTES, attribute_filter=_local_images,
                       url_schemes={"http", "https", "mailto"}, link_rel="noopener")


def _local_images(element: str, attribute: str, value: str) -> str | None:
    """Images come from the site itself: a page never makes a reader's browser contact another host."""
    if element == "img" and attribute == "src" and (":" in value.split("/")[0] or value.startswith("//")):
        return None
    return value


def pygments_css(light: str = "default", dark: str = "github-dark") -> str:
    """Code highlighting for light and dark colour schemes, generated at build time."""
    light_css = HtmlFormatter(style=light).get_style_defs(".highlight")
    dark_css = HtmlFormatter(style=dark).get_style_defs(".highlight")
    indented = "\n".join("  " + line for line in dark_css.splitlines())
    return f"{light_css}\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n"
