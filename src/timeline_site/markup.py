"""Markdown to safe HTML: footnotes, tables, definition lists, highlighted code,
TeX math as MathML, `[[id]]` cross references, and an allow-list sanitizer.

Bodies come from strangers' pull requests, so the *whole* rendered HTML passes
through nh3 (Ammonia) at the end: MathML and Pygments markup are allowed
explicitly; scripts, event handlers and `javascript:`/`data:` URLs never are.
"""
from __future__ import annotations

import bisect
import functools
import logging
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import latex2mathml.converter
import markdown
import nh3
import pygments
import pygments.lexers
from markdown import blockparser, blockprocessors, postprocessors, preprocessors, treeprocessors, util
from markdown.extensions import Extension, codehilite, def_list, fenced_code, footnotes, tables
from markdown.inlinepatterns import InlineProcessor
from pygments.formatters import HtmlFormatter
from pygments.util import ClassNotFound

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

    def __init__(self, pattern: str, md: markdown.Markdown, display: bool, owner: TimelineExtension):
        super().__init__(pattern, md)
        self.display, self.owner = display, owner

    def handleMatch(self, m: re.Match, data: str):
        tex = m.group(1).strip()
        try:
            mathml = tex_to_mathml(tex, self.display)
        except Exception as exc:  # latex2mathml raises many types for bad TeX
            self.owner.problems.append(f"cannot render math ${tex}$: {exc or type(exc).__name__}")
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
    """Our inline syntax, and (fast=True) the faster stock-equivalent stages below.
    `resolve` and `problems` are set anew for every body."""

    def __init__(self, fast_inline: bool = True, fast: bool = True):
        super().__init__()
        self.fast_inline = fast_inline and _FAST_INLINE
        self.fast = fast
        self.resolve: Resolver = lambda _id: None
        self.problems: list[str] = []

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.ESCAPED_CHARS.append("$")
        md.inlinePatterns.register(XrefProcessor(XREF, md, lambda eid: self.resolve(eid)), "xref", 187)
        md.inlinePatterns.register(MathProcessor(DISPLAY_MATH, md, True, self), "display_math", 186)
        md.inlinePatterns.register(MathProcessor(INLINE_MATH, md, False, self), "inline_math", 185)
        if self.fast_inline:
            md.treeprocessors.register(TriggeredInlineProcessor(md), "inline", 20)
        if self.fast:
            _use_fast_stages(md)


TRIGGERS = {
    "backtick": "`", "escape": "\\", "footnote": "[", "reference": "[", "link": "[", "image_link": "[",
    "image_reference": "[", "short_reference": "[", "short_image_ref": "[", "autolink": "<",
    "automail": "<", "linebreak": "\n", "html": "<", "entity": "&", "em_strong": "*_", "em_strong2": "_",
    "strong": "*_", "emphasis": "*", "emphasis2": "_", "not_strong": "*_",
    "xref": "[", "display_math": "$", "inline_math": "$",
}
"""Characters without which an inline pattern cannot match (by its registered name).
A pattern not listed here is always tried."""
TRIGGER_CHARS = tuple(sorted(set("".join(TRIGGERS.values()))))

_FAST_INLINE = hasattr(treeprocessors.InlineProcessor, "_InlineProcessor__handleInline")
"""The stage we refine keeps its private method: if a Markdown release renames it, we fall back."""


class TriggeredInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline stage, minus the patterns that cannot match.

    The stock stage runs every inline pattern (about twenty) over every text
    node; that loop was a third of all Markdown time. A pattern is skipped
    when none of its trigger characters occurs in the text, which cannot
    change the result: the rest is the stock algorithm, step for step
    (`tests/test_markup.py` compares both on every body of the site).
    """

    _patterns: list | None = None

    def run(self, tree, ancestors=None):
        """The stock stage; the candidate table is kept across documents while the patterns stay."""
        patterns = list(self.inlinePatterns)
        names = [item.name for item in self.inlinePatterns._priority]
        if patterns != self._patterns or names != self._names:
            self._patterns, self._names = patterns, names
            self._triggers = [frozenset(TRIGGERS[name]) if name in TRIGGERS else None for name in names]
            self._candidates: dict[frozenset[str], list[int]] = {}
        return super().run(tree, ancestors)

    def _candidates_for(self, data: str) -> list[int]:
        """Indexes of the patterns that may match `data`, by the trigger characters it holds.

        Testing the dozen trigger characters with `in` beats `set(data)` on a long paragraph,
        and the few distinct combinations are looked up, not recomputed, for every text node.
        """
        present = frozenset(filter(data.__contains__, TRIGGER_CHARS))
        if present not in self._candidates:
            self._candidates[present] = [index for index, trigger in enumerate(self._triggers)
                                         if trigger is None or not trigger.isdisjoint(present)]
        return self._candidates[present]

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, apply = self._patterns, self._InlineProcessor__applyPattern
        candidates, start = self._candidates_for(data), 0
        position = bisect.bisect_left(candidates, patternIndex)
        while position < len(candidates):
            index = candidates[position]
            data, matched, start = apply(patterns[index], data, index, start)
            if matched:  # the stock loop tries the same pattern again, further on
                candidates = self._candidates_for(data)
                position = bisect.bisect_left(candidates, index)
                if position < len(candidates) and candidates[position] != index:
                    start = 0  # that pattern cannot match any more: the next one starts afresh
            else:
                position += 1
        return data


BLOCK_TRIGGERS = {
    blockprocessors.HashHeaderProcessor: ("#",),
    blockprocessors.SetextHeaderProcessor: ("\n=", "\n-"),
    blockprocessors.HRProcessor: ("-", "_", "*"),
    blockprocessors.BlockQuoteProcessor: (">",),
    blockprocessors.ReferenceProcessor: ("]:",),
    tables.TableProcessor: ("|",),
    def_list.DefListProcessor: (": ",),
    footnotes.FootnoteBlockProcessor: ("[^",),
}
"""Substrings without which a block processor cannot claim a block (by its exact class): its
regular expression needs one of them. Such a processor's `test` is False, or (footnotes,
references) its `run` puts the block back and returns False, so skipping it changes nothing."""


class TriggeredBlockParser(blockparser.BlockParser):
    """Python-Markdown's block loop, minus the processors that cannot claim the block.

    The stock loop rebuilds the processor list for every block and runs each
    processor's regular expression over it, though most blocks are plain
    paragraphs. Here the list is taken once per document, and a processor whose
    trigger substrings (`BLOCK_TRIGGERS`) are all absent is passed over. The
    method keeps the stock stack depth, which bounds nesting (`TOO_DEEP`).
    """

    _steps: list[tuple[blockprocessors.BlockProcessor, tuple[str, ...] | None]] | None = None

    def parseBlocks(self, parent: etree.Element, blocks: list[str]) -> None:
        outermost = self._steps is None
        if outermost:
            self._steps = [(p, BLOCK_TRIGGERS.get(type(p))) for p in self.blockprocessors]
        try:
            while blocks:
                for processor, triggers in self._steps:
                    block = blocks[0]
                    if triggers is not None:
                        for trigger in triggers:
                            if trigger in block:
                                break
                        else:  # a loop, not any(): this runs for every block and processor
                            continue
                    if processor.test(parent, block) and processor.run(parent, blocks) is not False:
                        break
        finally:
            if outermost:
                self._steps = None


class QuickNormalizeWhitespace(preprocessors.NormalizeWhitespace):
    """The stock whitespace clean-up, minus its work on text that has nothing to clean.

    Its regular expression (spaces alone on a line) scanned every body with a
    look-behind at each character. Without carriage returns, tabs, STX/ETX,
    " \n" or a trailing space, every step of the stock method leaves the text
    as it is, so only the final blank lines are added; anything else goes the stock way.
    """

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if source.endswith(" ") or any(s in source for s in ("\r", "\t", " \n", util.STX, util.ETX)):
            return super().run(lines)
        return (source + "\n\n").split("\n")


class SkippedWithout:
    """A stock preprocessor that returns its lines as they are unless one of `NEEDS` occurs:
    then the stock stage runs. (A mixin placed before the stock class.)"""

    NEEDS: tuple[str, ...] = ()

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if any(needed in text for needed in self.NEEDS):
            return super().run(lines)
        return text.split("\n")


class QuickFencedBlockPreprocessor(SkippedWithout, fenced_code.FencedBlockPreprocessor):
    """The stock fenced-code extraction, minus its regular expression's search of a body without
    a fence: a fence needs three backticks or tildes."""

    NEEDS = ("```", "~~~")


class QuickHtmlBlockPreprocessor(SkippedWithout, preprocessors.HtmlBlockPreprocessor):
    """The stock raw-HTML extraction, minus running an HTML parser over text without `<` or `&`:
    the parser then sees only character data and gives the text back unchanged."""

    NEEDS = ("<", "&")


class QuickUnescapeTreeprocessor(treeprocessors.UnescapeTreeprocessor):
    """The stock unescaping, minus the regular expression on text without an escape (STX) in it."""

    def unescape(self, text: str) -> str:
        return super().unescape(text) if util.STX in text else str(text)  # str(), as re.sub returns


class QuickPrettifyTreeprocessor(treeprocessors.PrettifyTreeprocessor):
    """The stock line breaks between blocks, with block-level tags looked up in a set.

    `Markdown.is_block_level` searches a list of some sixty names, twice per
    element. The set is taken from that list when the stage runs (extensions
    add to it only when they are set up); `_prettifyETree` is the stock method
    with that lookup, and is only installed while the stock one exists (`_FAST_PRETTIFY`).
    """

    def run(self, root: etree.Element) -> None:
        self._block_level = frozenset(self.md.block_level_elements)
        super().run(root)

    def _is_block_level(self, tag) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in self._block_level

    def _prettifyETree(self, elem: etree.Element) -> None:
        i = "\n"
        if self._is_block_level(elem.tag) and elem.tag not in ["code", "pre"]:
            if (not elem.text or not elem.text.strip()) and len(elem) and self._is_block_level(elem[0].tag):
                elem.text = i
            for e in elem:
                if self._is_block_level(e.tag):
                    self._prettifyETree(e)
        if not elem.tail or not elem.tail.strip():
            elem.tail = i


_FAST_PRETTIFY = hasattr(treeprocessors.PrettifyTreeprocessor, "_prettifyETree")
"""As for `_FAST_INLINE`: if a Markdown release renames the method, the stock stage stays."""


class QuickRawHtmlPostprocessor(postprocessors.RawHtmlPostprocessor):
    """The stock restoring of stashed HTML (math, code), minus its regex's scan of every character.

    The stock pattern, `<p>PLACEHOLDER</p>|PLACEHOLDER`, tries both branches at
    each position of the page. Placeholders are found here by their literal
    start, and one is taken with its `<p>...</p>` exactly where the stock
    leftmost match would take it: `<p>` right before (not inside the previous
    match) and `</p>` right after. The replacement is the stock one.
    """

    PLACEHOLDER_RE = re.compile(util.HTML_PLACEHOLDER % r"([0-9]+)")

    def run(self, text: str) -> str:
        return self._restore(text) if self.md.htmlStash.html_counter else text

    def _restore(self, text: str) -> str:
        pieces, end = [], 0
        for m in self.PLACEHOLDER_RE.finditer(text):
            start, stop = m.span()
            wrapped = start - 3 >= end and text.startswith("<p>", start - 3) and text.startswith("</p>", stop)
            if wrapped:
                start, stop = start - 3, stop + 4
            pieces += (text[end:start], self._stashed(text[start:stop], int(m.group(1)), wrapped))
            end = stop
        pieces.append(text[end:])
        return "".join(pieces)

    def _stashed(self, matched: str, key: int, wrapped: bool) -> str:
        if key >= self.md.htmlStash.html_counter:
            return matched
        html = self.stash_to_string(self.md.htmlStash.rawHtmlBlocks[key])
        if not wrapped or self.isblocklevel(html):
            return self._restore(html)
        return self._restore(f"<p>{html}</p>")


FAST_STAGES = [
    ("preprocessors", "normalize_whitespace", preprocessors.NormalizeWhitespace, QuickNormalizeWhitespace),
    ("preprocessors", "fenced_code_block", fenced_code.FencedBlockPreprocessor, QuickFencedBlockPreprocessor),
    ("preprocessors", "html_block", preprocessors.HtmlBlockPreprocessor, QuickHtmlBlockPreprocessor),
    ("treeprocessors", "unescape", treeprocessors.UnescapeTreeprocessor, QuickUnescapeTreeprocessor),
    *([("treeprocessors", "prettify", treeprocessors.PrettifyTreeprocessor, QuickPrettifyTreeprocessor)]
      if _FAST_PRETTIFY else []),
    ("postprocessors", "raw_html", postprocessors.RawHtmlPostprocessor, QuickRawHtmlPostprocessor),
]
"""Stock stages and the subclasses that replace them (only where the stock class is registered)."""


def _use_fast_stages(md: markdown.Markdown) -> None:
    """Turn the block parser and the stock stages above into their fast subclasses.

    The objects stay in place, with their configuration, names and priorities:
    only their class changes, to a subclass that overrides methods and adds no state.
    """
    if type(md.parser) is blockparser.BlockParser:
        md.parser.__class__ = TriggeredBlockParser
    for registry_name, name, stock, fast in FAST_STAGES:
        registry = getattr(md, registry_name)
        if name in registry and type(registry[name]) is stock:
            registry[name].__class__ = fast


class CachedStyleHtmlFormatter(HtmlFormatter):
    """Pygments' HTML formatter, minus rebuilding the style's class table for every code block."""

    _tables: dict[tuple, tuple[dict, dict]] = {}

    def _create_stylesheet(self):
        key = (self.style, self.classprefix)
        if key not in self._tables:
            super()._create_stylesheet()
            self._tables[key] = (self.ttype2class, self.class2style)
        ttype2class, class2style = self._tables[key]
        self.ttype2class, self.class2style = dict(ttype2class), dict(class2style)


@functools.lru_cache(maxsize=256)
def _lexer_class(alias: str) -> type | None:
    """The lexer class for a language name, or None: Pygments' lookup scans all its lexers each time."""
    try:
        return pygments.lexers.find_lexer_class_by_name(alias)
    except ClassNotFound:
        return None


def cached_get_lexer_by_name(alias: str | None, **options):
    """`pygments.lexers.get_lexer_by_name`, with the name-to-class lookup cached.

    Pygments' lexer table is fixed once a process runs, so the same name finds
    the same class; a new lexer instance is still made for every code block.
    """
    cls = _lexer_class(alias) if alias else None
    if cls is None:
        raise ClassNotFound(f"no lexer for alias {alias!r} found")
    return cls(**options)


HIGHLIGHTED_KEPT = 512
"""Highlighted code blocks remembered per process (the most recent)."""
_highlighted: dict[tuple, str] = {}


def remembered_highlight(code: str, lexer, formatter) -> str:
    """`pygments.highlight`, remembered by the code and the lexer's and formatter's classes and options.

    Highlighting is a pure function of those, and costs about a millisecond a
    block: the same snippet (an install command, a training loop) recurs
    across bodies, as the same formula does.
    """
    key = (code, type(lexer), repr(sorted(lexer.options.items())),
           type(formatter), repr(sorted(formatter.options.items())))
    html = _highlighted.pop(key, None)
    if html is None:
        html = pygments.highlight(code, lexer, formatter)
        if len(_highlighted) >= HIGHLIGHTED_KEPT:
            del _highlighted[next(iter(_highlighted))]  # the least recently used
    _highlighted[key] = html
    return html


def _install_lexer_cache() -> None:
    """Codehilite looks lexers up, and highlights, through its module's names (the look-up was a third
    of its time for a short block). If a release imports Pygments differently, the stock ones stay."""
    if getattr(codehilite, "get_lexer_by_name", None) is pygments.lexers.get_lexer_by_name:
        codehilite.get_lexer_by_name = cached_get_lexer_by_name
    if getattr(codehilite, "highlight", None) is pygments.highlight:
        codehilite.highlight = remembered_highlight


_local = threading.local()


def new_markdown(fast_inline: bool = True, fast: bool = True) -> tuple[markdown.Markdown, TimelineExtension]:
    """A Markdown instance with the site's extensions.

    fast=False gives Python-Markdown's stock stages throughout (tests compare the
    outputs); fast_inline=False gives the stock inline stage only.
    """
    if fast:
        _install_lexer_cache()  # process-wide, but equivalent (tests compare it with Pygments' lookup)
    ours = TimelineExtension(fast_inline and fast, fast)
    md = markdown.Markdown(
        extensions=["footnotes", "tables", "fenced_code", "def_list", "codehilite", "sane_lists", ours],
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False,
                                          "pygments_formatter": CachedStyleHtmlFormatter},
                           "footnotes": {"BACKLINK_TITLE": "Back to the text"}},
        output_format="html",
    )
    return md, ours


def _markdown() -> tuple[markdown.Markdown, TimelineExtension]:
    """This thread's Markdown instance: building one costs as much as a short body."""
    if getattr(_local, "md", None) is None:
        _local.md, _local.ours = new_markdown()
    return _local.md, _local.ours


def render_markdown(text: str, resolve: Resolver = lambda _id: None) -> Rendered:
    """Render one body. The instance is reset first, so no state leaks between bodies."""
    md, ours = _markdown()
    md.reset()
    ours.resolve, ours.problems = resolve, []
    try:
        html = md.convert(text)
    except RecursionError:  # Python-Markdown recurses on some structures (e.g. long definition lists)
        _local.md = None  # its state is unknown now: the next body gets a fresh instance
        return Rendered("", [TOO_DEEP])
    finally:
        ours.resolve = _resolve_nothing  # the resolver holds the whole timeline: not kept past its use
    return Rendered(sanitize(html), ours.problems)


def _resolve_nothing(_event_id: str) -> None:
    return None


def sanitize(html: str) -> str:
    """The allow-list sanitizer; then, only for output that holds an image, once more with
    the filter that drops remote image sources.

    That filter is a Python call per attribute, and MathML has many: on every body it
    doubled the sanitizer's time. Any image left after the first pass is serialized as
    `<img` (the parser reads `<image>` and `<IMG>` as `img` too), so the test misses none;
    and sanitizing sanitized output again changes nothing but what the filter drops."""
    clean = _cleaner(with_filter=False).clean(html)
    return _cleaner(with_filter=True).clean(clean) if "<img" in clean else clean


@functools.cache
def _cleaner(with_filter: bool) -> nh3.Cleaner:
    """The allow-list sanitizer, built once (it is immutable)."""
    return nh3.Cleaner(tags=HTML_TAGS | MATHML_TAGS, attributes=ATTRIBUTES,
                       attribute_filter=_local_images if with_filter else None,
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
